import { expect } from 'chai';
import { TeardownStack } from './teardown.ts';

describe('TeardownStack', () => {
  it('runs steps newest first, past failures, and rethrows the first failure', async () => {
    const order: string[] = [];
    const stack = new TeardownStack();
    stack.defer('a', () => {
      order.push('a');
    });
    stack.defer('b', () => {
      order.push('b');
      throw new Error('b broke');
    });
    stack.defer('c', () => {
      order.push('c');
      throw new Error('c broke');
    });
    let caught: unknown;
    try {
      await stack.run();
    } catch (error) {
      caught = error;
    }
    expect(order).to.deep.equal(['c', 'b', 'a']);
    expect((caught as Error).message)
      .to.contain('"c"')
      .and.contain('c broke');
  });

  it('is idempotent: a second run does not repeat any step', async () => {
    let count = 0;
    const stack = new TeardownStack();
    stack.defer('x', () => {
      count++;
    });
    await stack.run();
    await stack.run();
    expect(count).to.equal(1);
  });
});
