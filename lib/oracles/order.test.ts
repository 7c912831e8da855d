import { expect } from 'chai';
import type { HistoryEvent } from '../observe/history.ts';
import { happenedBefore } from './order.ts';

const event = (seq: number, rv?: string): HistoryEvent =>
  ({ kind: 'note', seq, t: seq, message: '', ...(rv ? { rv } : {}) }) as HistoryEvent;

describe('happenedBefore', () => {
  it('orders by etcd revision when both events carry one, whatever the recording order', () => {
    expect(happenedBefore(event(10, '205'), event(9, '210'))).to.equal(true);
    expect(happenedBefore(event(9, '210'), event(10, '205'))).to.equal(false);
  });
  it('falls back to recording order without comparable revisions', () => {
    expect(happenedBefore(event(1), event(2, '5'))).to.equal(true);
    expect(happenedBefore(event(2, 'abc'), event(1, 'def'))).to.equal(false);
    expect(happenedBefore(event(1, '7'), event(2, '7'))).to.equal(true);
  });
});
