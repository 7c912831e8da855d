import { expect } from 'chai';
import { OperatorDeletions } from '../observe/operator-deletions.ts';
import { Recorder } from '../observe/recorder.ts';
import { T0, TEST_TIMERS, tnode } from '../observe/testing/history-builder.ts';
import { PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import type { TrimmedNode } from '../observe/history.ts';
import { isWatchHistory, WATCH_SCENARIO, watchVerdicts } from './watch-verdicts.ts';

const cp = (i: number) => tnode(`cp-${i}`, { management: true, ageMinutes: i });
const worker = (i: number) => tnode(`w-${i}`, { ageMinutes: 10 + i });

/** A watch's recording: nodes as the observer records them, each node event told to OperatorDeletions first. */
function watched(): { recorder: Recorder; node: (type: 'SYNC' | 'MODIFIED' | 'DELETED', n: TrimmedNode) => void; at: (s: number) => void } {
  let now = T0;
  const recorder = new Recorder(() => now);
  const deletions = new OperatorDeletions(recorder);
  recorder.record({
    kind: 'run-start',
    runId: 'w',
    scenario: WATCH_SCENARIO,
    seed: 0,
    provider: 'existing',
    nodes: [0, 1, 2].map((i) => ({ name: `cp-${i}`, role: 'control-plane' as const })),
    timers: TEST_TIMERS,
    budgets: {},
  });
  return {
    recorder,
    at: (s) => (now = T0 + s * 1000),
    node: (type, n) => {
      deletions.beforeNodeEvent(type, n);
      recorder.record({ kind: 'node', type, node: n });
    },
  };
}

/** The worker promoted: promote-status running, then the management labels and complete. */
function promote(w: ReturnType<typeof watched>, n: TrimmedNode, from: number): void {
  w.at(from);
  w.node('MODIFIED', { ...n, annotations: { [PROMOTE_STATUS_ANNOTATION]: 'running' } });
  w.at(from + 60);
  const promoted = tnode(n.name, { management: true, ageMinutes: 10, status: 'complete' });
  w.node('MODIFIED', { ...promoted, uid: n.uid });
}

const statusOf = (verdicts: ReturnType<typeof watchVerdicts>, name: string) => verdicts.find((v) => v.invariant === name);

describe('a watch: operator deletions and how the history is judged', () => {
  it("records a deletion it sees as an operator's, once, ahead of the node event, so a promotion after it passes", () => {
    const w = watched();
    for (const n of [cp(0), cp(1), cp(2), worker(0)]) w.node('SYNC', n);
    w.at(10);
    w.node('MODIFIED', { ...cp(0), deletionTimestamp: new Date(T0 + 10_000).toISOString() });
    w.node('DELETED', { ...cp(0), deletionTimestamp: new Date(T0 + 10_000).toISOString() });
    promote(w, worker(0), 20);
    w.recorder.record({ kind: 'run-end' });
    const history = w.recorder.history;
    const actions = history.filter((e) => e.kind === 'action');
    expect(actions.map((a) => (a.kind === 'action' ? [a.id, a.phase, a.fault, a.nodes.join()] : []))).to.deep.equal([
      ['operator-1', 'intent', 'delete-node', 'cp-0'],
      ['operator-1', 'applied', 'delete-node', 'cp-0'],
    ]);
    const firstTerminating = history.findIndex((e) => e.kind === 'node' && e.node.deletionTimestamp !== undefined);
    expect(history.findIndex((e) => e.kind === 'action')).to.be.lessThan(firstTerminating);
    expect(isWatchHistory(history)).to.equal(true);
    const verdicts = watchVerdicts(history);
    expect(statusOf(verdicts, 'promotion-only-after-deletion')?.status).to.equal('pass');
    expect(statusOf(verdicts, 'promotion-after-deletion')?.status).to.equal('pass');
    expect(statusOf(verdicts, 'management-count')?.status).to.equal('pass');
  });

  it('fails a promotion that no deletion preceded (a NotReady node is no deletion)', () => {
    const w = watched();
    for (const n of [cp(0), cp(1), cp(2), worker(0)]) w.node('SYNC', n);
    w.at(10);
    w.node('MODIFIED', tnode('cp-0', { management: true, ready: 'Unknown' }));
    promote(w, worker(0), 20);
    w.recorder.record({ kind: 'run-end' });
    const verdicts = watchVerdicts(w.recorder.history);
    expect(statusOf(verdicts, 'promotion-only-after-deletion')?.status).to.equal('fail');
    expect(w.recorder.history.some((e) => e.kind === 'action')).to.equal(false);
  });

  it('makes the fault-driven quorum oracles inconclusive, and no-lost-writes without --probe-writes; adds read-availability', () => {
    const w = watched();
    for (const n of [cp(0), cp(1), cp(2)]) w.node('SYNC', n);
    w.recorder.record({ kind: 'run-end' });
    const verdicts = watchVerdicts(w.recorder.history);
    expect(statusOf(verdicts, 'quorum-survives')?.summary).to.match(/a watch injects no faults/);
    expect(statusOf(verdicts, 'quorum-lost')?.status).to.equal('inconclusive');
    expect(statusOf(verdicts, 'no-lost-writes')?.status).to.equal('inconclusive');
    expect(statusOf(verdicts, 'no-lost-writes')?.summary).to.match(/--probe-writes/);
    expect(statusOf(verdicts, 'read-availability')).to.not.equal(undefined);
  });

  it('a deletion seen only as a Node gone after a relist is attributed too', () => {
    const w = watched();
    for (const n of [cp(0), cp(1), cp(2)]) w.node('SYNC', n);
    w.node('DELETED', cp(2));
    w.node('DELETED', cp(2));
    expect(w.recorder.history.filter((e) => e.kind === 'action' && e.phase === 'intent')).to.have.length(1);
    expect(w.recorder.history.some((e) => e.kind === 'note' && /cp-2 is gone: deleted by an operator/.test(e.message))).to.equal(true);
  });
});
