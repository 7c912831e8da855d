import { expect } from 'chai';
import { deadlineSignal } from './deadline-signal.ts';

describe('deadlineSignal', () => {
  it('aborts at the deadline with a TimeoutError naming what timed out', async () => {
    const d = deadlineSignal(20, undefined, 'etcd put /x');
    await new Promise((r) => setTimeout(r, 40));
    expect(d.signal.aborted).to.equal(true);
    expect(d.expired()).to.equal(true);
    expect((d.signal.reason as DOMException).name).to.equal('TimeoutError');
    expect((d.signal.reason as DOMException).message)
      .to.include('etcd put /x')
      .and.include('20 ms');
    d.dispose();
  });

  it('follows its parent, and lets go of it when disposed', async () => {
    const parent = new AbortController();
    const d = deadlineSignal(1000, parent.signal);
    parent.abort(new Error('closing'));
    expect(d.signal.aborted).to.equal(true);
    expect(d.expired()).to.equal(false);
    expect((d.signal.reason as Error).message).to.equal('closing');
    d.dispose();
    const other = new AbortController();
    const disposed = deadlineSignal(1000, other.signal);
    disposed.dispose();
    other.abort();
    expect(disposed.signal.aborted).to.equal(false);
    expect(deadlineSignal(1000, other.signal).signal.aborted).to.equal(true);
  });
});
