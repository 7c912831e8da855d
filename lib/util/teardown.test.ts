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

  it('runs the parts of a concurrent step together, past a failure, once, in its place in the stack', async () => {
    const order: string[] = [];
    const stack = new TeardownStack();
    stack.defer('last', () => {
      order.push('last');
    });
    const parts = stack.deferConcurrent('nodes');
    // Each part waits for the other to have started: run one after the other, they would never finish.
    let startB: () => void = () => undefined;
    const bStarted = new Promise<void>((resolve) => (startB = resolve));
    parts.add(async () => {
      order.push('a started');
      await bStarted;
      order.push('a done');
    });
    parts.add(() => {
      order.push('b started');
      startB();
      throw new Error('b broke');
    });
    stack.defer('first', () => {
      order.push('first');
    });
    let caught: unknown;
    await stack.run().catch((error: unknown) => (caught = error));
    expect(order).to.deep.equal(['first', 'a started', 'b started', 'a done', 'last']);
    expect((caught as Error).message)
      .to.contain('"nodes"')
      .and.contain('b broke');
    await stack.run().catch(() => undefined);
    expect(order.filter((o) => o === 'a started')).to.have.length(1);
  });
});
