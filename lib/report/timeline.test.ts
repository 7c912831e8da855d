import { expect } from 'chai';
import { HistoryBuilder, T0 } from '../observe/testing/history-builder.ts';
import { sampleResult } from './testing/sample-run.ts';
import { apiStrip } from './timeline-api.ts';
import { faultBands } from './timeline-faults.ts';
import { buildTimeline } from './timeline.ts';

describe('buildTimeline', () => {
  const timeline = buildTimeline(sampleResult());

  it('has a lane per node with Ready, role, promote-status and cordon spans', () => {
    expect(timeline.nodes.map((n) => n.name)).to.deep.equal(['cp-0', 'cp-1', 'cp-2', 'worker-0']);
    const [cp0, , cp2, worker] = timeline.nodes;
    expect(cp0?.ready.map((s) => [s.value, s.fromMs, s.toMs])).to.deep.equal([
      ['True', 0, 14_600],
      ['Unknown', 14_600, 16_440],
    ]);
    expect(cp0?.deletedAtMs).to.deep.equal([16_440]);
    expect(cp0?.deleting.map((s) => [s.fromMs, s.toMs])).to.deep.equal([[15_640, 16_440]]);
    expect(worker?.management.map((s) => [s.value, s.fromMs])).to.deep.equal([
      [false, 0],
      [true, 34_640],
    ]);
    expect(worker?.promote.map((s) => [s.value, s.fromMs, s.toMs])).to.deep.equal([
      ['running', 19_560, 34_640],
      ['complete', 34_640, 52_000],
    ]);
    expect(cp2?.cordoned.map((s) => [s.fromMs, s.toMs])).to.deep.equal([[39_840, 44_520]]);
  });

  it('has the kill band, the instant actions, the outages, the leader and the steps', () => {
    expect(timeline.endMs).to.equal(52_000);
    expect(timeline.faults).to.deep.equal([
      { id: 'a1', fault: 'kill', nodes: ['cp-0'], label: 'kill cp-0', fromMs: 5000, toMs: 49_720, endedBy: 'undone' },
    ]);
    expect(timeline.marks.map((m) => m.label)).to.deep.equal(['delete-node cp-0', 'cordon cp-2', 'uncordon cp-2']);
    expect(timeline.api.outages).to.deep.equal([
      { fromMs: 4140, toMs: 8360, durationMs: 4220, open: false },
      { fromMs: 15_640, toMs: 16_960, durationMs: 1320, open: false },
    ]);
    expect(timeline.api.failedCount).to.equal(4);
    expect(timeline.leader.map((s) => [s.value.leader, s.fromMs])).to.deep.equal([
      ['cp-0', 500],
      ['cp-1', 6800],
    ]);
    expect(timeline.steps.map((s) => s.index)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(timeline.gaps).to.deep.equal([{ source: 'nodes', fromMs: 25_000, toMs: 26_200, reason: 'watch reconnect' }]);
  });

  it('places the evidence of failed verdicts on lanes', () => {
    expect(timeline.violations.map((v) => [v.event.seq, v.lane, v.invariants])).to.deep.equal([
      [19, 'api', ['quorum-survives']],
      [22, 'faults', ['quorum-survives']],
      [28, 'etcd-leader', ['quorum-survives']],
      [34, 'api', ['quorum-survives']],
    ]);
    expect(timeline.violations[1]?.description).to.equal('#22 +5.00s action a1 applied kill cp-0');
  });
});

describe('faultBands', () => {
  const bandsOf = (b: HistoryBuilder): ReturnType<typeof faultBands> => faultBands(b.build(), T0, 100_000);

  it('ends a kill when every killed node is restarted, and shows the restart', () => {
    const b = new HistoryBuilder()
      .at(1)
      .fault('a1', 'kill', ['cp-0', 'cp-1'])
      .at(5)
      .fault('a2', 'restart', ['cp-0'])
      .at(8)
      .action('a3', 'intent', 'restart', ['cp-1'])
      .at(9)
      .action('a3', 'applied', 'restart', ['cp-1']);
    const { bands } = bandsOf(b);
    expect(bands.map((x) => [x.id, x.fault, x.fromMs, x.toMs, x.endedBy])).to.deep.equal([
      ['a1', 'kill', 1000, 9000, 'a3'],
      ['a2', 'restart', 5000, 5000, 'a2'],
      ['a3', 'restart', 8000, 9000, 'a3'],
    ]);
  });

  it('ends cuts at heal, a pause at resume, and open faults at the end of the run', () => {
    const b = new HistoryBuilder()
      .at(1)
      .fault('p', 'partition', ['cp-0', 'cp-1', 'cp-2'], { groups: [['cp-0'], ['cp-1', 'cp-2']] })
      .at(2)
      .fault('z', 'pause', ['cp-1'])
      .at(3)
      .fault('h', 'heal')
      .at(4)
      .fault('r', 'resume', ['cp-1'])
      .at(5)
      .fault('k', 'kill', ['cp-2']);
    const { bands, marks } = bandsOf(b);
    expect(bands.map((x) => [x.label, x.fromMs, x.toMs, x.endedBy])).to.deep.equal([
      ['partition cp-0 | cp-1,cp-2', 1000, 3000, 'h'],
      ['pause cp-1', 2000, 4000, 'r'],
      ['kill cp-2', 5000, 100_000, 'run-end'],
    ]);
    expect(marks.map((m) => m.label)).to.deep.equal(['heal', 'resume cp-1']);
  });

  it('turns a failed or unsupported fault into a mark, not a band', () => {
    const b = new HistoryBuilder()
      .at(1)
      .action('a1', 'intent', 'kill', ['cp-0'])
      .action('a1', 'failed', 'kill', ['cp-0'], { error: 'ssh: timeout' })
      .action('a2', 'unsupported', 'drop', ['cp-1']);
    const { bands, marks } = bandsOf(b);
    expect(bands).to.deep.equal([]);
    expect(marks.map((m) => [m.label, m.phase, m.error])).to.deep.equal([
      ['kill cp-0', 'failed', 'ssh: timeout'],
      ['drop cp-1', 'unsupported', undefined],
    ]);
  });
});

describe('apiStrip', () => {
  it('finds leading and trailing outages and counts pending invokes as failed', () => {
    const b = new HistoryBuilder()
      .at(1)
      .write(1, 1, 'fail')
      .at(3)
      .write(2, 2)
      .at(3.5)
      .write(3, 3)
      .at(4)
      .write(4, 4, 'info')
      .at(7)
      .op('vip', 5, 'invoke', 'write', { value: 5 })
      .op('node:cp-0', 1, 'invoke', 'read', { target: 'cp-0' });
    const strip = apiStrip(b.build(), T0);
    expect(strip.outages).to.deep.equal([
      { fromMs: 1000, toMs: 3005, durationMs: 2005, open: true },
      { fromMs: 3505, toMs: 7000, durationMs: 3495, open: true },
    ]);
    expect(strip.ticks.map((t) => t.outcome)).to.deep.equal(['fail', 'ok', 'ok', 'info', 'pending']);
  });

  it('ignores short interruptions', () => {
    const b = new HistoryBuilder().at(1).write(1, 1).at(1.9).write(2, 2, 'fail').at(2).write(3, 3);
    expect(apiStrip(b.build(), T0).outages).to.deep.equal([]);
  });
});
