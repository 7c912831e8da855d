import { expect } from 'chai';
import { PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import type { TrimmedNode } from '../observe/history.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import { METRIC_NAMES, METRICS, scenarioMetrics } from './metrics.ts';
import { sampleHistory } from './testing/sample-run.ts';

const MEMBERS = ['cp-0', 'cp-1', 'cp-2'].map((name, i) => ({ name, id: `m${i}` }));

function cluster(): HistoryBuilder {
  return new HistoryBuilder().cluster([
    tnode('cp-0', { management: true, ageMinutes: 0 }),
    tnode('cp-1', { management: true, ageMinutes: 1 }),
    tnode('cp-2', { management: true, ageMinutes: 2 }),
    tnode('worker-0', { ageMinutes: 10 }),
    tnode('worker-1', { ageMinutes: 11 }),
  ]);
}

function withStatus(node: TrimmedNode, status: string): TrimmedNode {
  return { ...node, annotations: { ...node.annotations, [PROMOTE_STATUS_ANNOTATION]: status } };
}

/** VIP writes every 200 ms from `fromSeconds` until before `toSeconds`, each completing 5 ms later. */
function writes(
  b: HistoryBuilder,
  ids: { next: number },
  fromSeconds: number,
  toSeconds: number,
  outcome: 'ok' | 'fail' | 'info' = 'ok',
): void {
  const count = Math.round((toSeconds - fromSeconds) / 0.2);
  for (let i = 0; i < count; i += 1) {
    ids.next += 1;
    b.at(fromSeconds + i * 0.2).write(ids.next, ids.next, outcome);
  }
}

describe('scenarioMetrics', () => {
  it('documents every metric with a unit and lower-is-better', () => {
    expect(METRIC_NAMES).to.deep.equal([
      'writeOutageCount',
      'longestWriteOutageMs',
      'totalWriteOutageMs',
      'promotionLatencyMs',
      'etcdLeaderChanges',
      'longestElectionMs',
      'recorderGapCount',
      'longestRecorderGapMs',
    ]);
    for (const name of METRIC_NAMES) {
      expect(METRICS[name].description, name).to.have.length.greaterThan(20);
      expect(METRICS[name].lowerIsBetter).to.equal(true);
      expect(METRICS[name].unit).to.equal(name.endsWith('Ms') ? 'ms' : 'count');
    }
  });

  describe('write outages', () => {
    it('counts stretches over 1000 ms without an acknowledged VIP write, from the last ack to the next', () => {
      const b = cluster();
      const ids = { next: 0 };
      writes(b, ids, 1, 2);
      writes(b, ids, 2, 4, 'fail'); // last ack at 1.805 s, next at 4.005 s: 2200 ms
      writes(b, ids, 4, 5);
      writes(b, ids, 5.8, 7); // 995 ms without any write after the ack at 4.805 s: below the threshold
      writes(b, ids, 7, 8.6, 'info'); // last ack at 6.805 s, next at 8.605 s: 1800 ms
      writes(b, ids, 8.6, 9);
      const m = scenarioMetrics(b.end().build());
      expect(m.writeOutages).to.deep.equal([
        { fromMs: 1805, toMs: 4005 },
        { fromMs: 6805, toMs: 8605 },
      ]);
      expect(m.values).to.include({ writeOutageCount: 2, longestWriteOutageMs: 2200, totalWriteOutageMs: 4000 });
    });

    it('ends the last outage at the last write attempt, not at the end of the history', () => {
      const b = cluster();
      const ids = { next: 0 };
      writes(b, ids, 1, 2);
      writes(b, ids, 2, 3.6, 'fail'); // no ack after 1.805 s; the last attempt completes at 3.405 s
      b.at(20).end(); // the samplers stopped long before the run ended
      const m = scenarioMetrics(b.build());
      expect(m.writeOutages).to.deep.equal([{ fromMs: 1805, toMs: 3405 }]);
    });

    it('counts writes failing from the first attempt, and a run where no write was ever acknowledged', () => {
      const failingFirst = cluster();
      const ids = { next: 0 };
      writes(failingFirst, ids, 1, 2.6, 'fail');
      writes(failingFirst, ids, 2.6, 3);
      expect(scenarioMetrics(failingFirst.end().build()).writeOutages).to.deep.equal([{ fromMs: 1000, toMs: 2605 }]);

      const never = cluster();
      writes(never, { next: 0 }, 1, 3, 'info');
      const m = scenarioMetrics(never.end().build());
      expect(m.writeOutages).to.deep.equal([{ fromMs: 1000, toMs: 2805 }]);
      expect(m.values.writeOutageCount).to.equal(1);
    });

    it('reports no outage as 0, and leaves the write figures out when nothing wrote through the VIP', () => {
      const b = cluster();
      writes(b, { next: 0 }, 1, 3);
      expect(scenarioMetrics(b.end().build()).values).to.include({ writeOutageCount: 0, longestWriteOutageMs: 0, totalWriteOutageMs: 0 });

      const reads = cluster();
      reads.at(1).read(1, 0);
      reads.at(3).op('node:cp-1', 2, 'invoke', 'write', { target: 'cp-1', value: 2 }); // a node's API server, not the VIP
      reads.op('node:cp-1', 2, 'ok', 'write', { target: 'cp-1', value: 2 });
      const values = scenarioMetrics(reads.end().build()).values;
      expect(values).not.to.have.any.keys('writeOutageCount', 'longestWriteOutageMs', 'totalWriteOutageMs');
    });
  });

  describe('promotions', () => {
    it('measures from the delete applied to the replacement completing, and reports the longest', () => {
      const b = cluster();
      b.at(10).fault('a1', 'delete-node', ['cp-0']);
      b.at(12).node('DELETED', tnode('cp-0', { management: true, deleting: true }));
      b.at(15).node('MODIFIED', withStatus(tnode('worker-0', { ageMinutes: 10 }), 'running'));
      b.at(40).node('MODIFIED', withStatus(tnode('worker-0', { management: true, ageMinutes: 10 }), 'complete'));
      b.at(50).fault('a2', 'delete-node', ['cp-1']);
      b.at(51).node('DELETED', tnode('cp-1', { management: true, deleting: true, ageMinutes: 1 }));
      b.at(52).job('ADDED', 'worker-1');
      b.at(53).node('MODIFIED', withStatus(tnode('worker-1', { ageMinutes: 11 }), 'running'));
      b.at(70).node('MODIFIED', withStatus(tnode('worker-1', { management: true, ageMinutes: 11 }), 'complete'));
      const m = scenarioMetrics(b.at(75).end().build());
      expect(m.promotions).to.deep.equal([
        { deleted: 'cp-0', promoted: 'worker-0', deletedAtMs: 10_000, completedAtMs: 40_000 },
        { deleted: 'cp-1', promoted: 'worker-1', deletedAtMs: 50_000, completedAtMs: 70_000 },
      ]);
      expect(m.values.promotionLatencyMs).to.equal(30_000);
    });

    it('starts at the disappearance when the Node was gone before the delete was recorded as applied', () => {
      const b = cluster();
      b.at(10).action('a1', 'intent', 'delete-node', ['cp-0']);
      b.at(10.5).node('DELETED', tnode('cp-0', { management: true }));
      b.at(11).action('a1', 'applied', 'delete-node', ['cp-0']);
      b.at(12).node('MODIFIED', withStatus(tnode('worker-0', { ageMinutes: 10 }), 'running'));
      b.at(20).node('MODIFIED', withStatus(tnode('worker-0', { management: true, ageMinutes: 10 }), 'complete'));
      const m = scenarioMetrics(b.end().build());
      expect(m.promotions).to.deep.equal([{ deleted: 'cp-0', promoted: 'worker-0', deletedAtMs: 10_500, completedAtMs: 20_000 }]);
      expect(m.values.promotionLatencyMs).to.equal(9_500);
    });

    it('lists promotions that never completed, and leaves the latency out when none did', () => {
      const b = cluster();
      b.at(10).fault('a1', 'delete-node', ['cp-0']);
      b.at(11).node('DELETED', tnode('cp-0', { management: true }));
      b.at(12).node('MODIFIED', withStatus(tnode('worker-0', { ageMinutes: 10 }), 'running'));
      b.at(30).node('MODIFIED', withStatus(tnode('worker-0', { ageMinutes: 10 }), 'failed'));
      b.at(40).fault('a2', 'delete-node', ['cp-1']); // stuck Terminating: its Node never disappears
      b.at(41).node('MODIFIED', tnode('cp-1', { management: true, deleting: true, ageMinutes: 1 }));
      const m = scenarioMetrics(b.at(60).end().build());
      expect(m.promotions).to.deep.equal([
        { deleted: 'cp-0', promoted: 'worker-0', deletedAtMs: 10_000 },
        { deleted: 'cp-1', deletedAtMs: 40_000 },
      ]);
      expect(m.values).not.to.have.property('promotionLatencyMs');
    });

    it('counts a management Node that disappeared without a harness deletion, and ignores deleted workers', () => {
      const b = cluster();
      b.at(5).fault('a1', 'delete-node', ['worker-1']);
      b.at(6).node('DELETED', tnode('worker-1', { ageMinutes: 11 }));
      b.at(10).node('DELETED', tnode('cp-2', { management: true, ageMinutes: 2 }));
      b.at(11).node('MODIFIED', withStatus(tnode('worker-0', { ageMinutes: 10 }), 'running'));
      b.at(25).node('MODIFIED', withStatus(tnode('worker-0', { management: true, ageMinutes: 10 }), 'complete'));
      const m = scenarioMetrics(b.end().build());
      expect(m.promotions).to.deep.equal([{ deleted: 'cp-2', promoted: 'worker-0', deletedAtMs: 10_000, completedAtMs: 25_000 }]);
    });

    it('has no promotion figure without a deletion', () => {
      const b = cluster();
      b.at(5).fault('a1', 'kill', ['cp-0']);
      const m = scenarioMetrics(b.end().build());
      expect(m.promotions).to.deep.equal([]);
      expect(m.values).not.to.have.property('promotionLatencyMs');
    });
  });

  describe('etcd leadership', () => {
    it('counts leader changes and measures elections from the first sample without the old leader', () => {
      const b = cluster();
      b.at(1).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-0' });
      b.at(5).push({ kind: 'etcd', members: MEMBERS }); // leaderless
      b.at(6.5).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-1' }); // change 1: election 5 s .. 6.5 s
      b.at(10).push({ kind: 'etcd', members: [], error: 'context deadline exceeded' });
      b.at(11).push({ kind: 'etcd', members: [], error: 'connection refused' });
      b.at(12).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-1' }); // blind, same leader: no election
      b.at(20).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-2' }); // change 2, between two samples: 0 ms
      b.at(30).push({ kind: 'etcd', members: MEMBERS });
      b.at(31).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-2' }); // re-elected: an election, not a change
      b.at(40).push({ kind: 'etcd', members: MEMBERS }); // still leaderless when the run ends
      const m = scenarioMetrics(b.at(45).end().build());
      expect(m.elections).to.deep.equal([
        { fromMs: 5_000, toMs: 6_500, leader: 'cp-1' },
        { fromMs: 20_000, toMs: 20_000, leader: 'cp-2' },
        { fromMs: 30_000, toMs: 31_000, leader: 'cp-2' },
        { fromMs: 40_000, toMs: 45_000 },
      ]);
      expect(m.values).to.include({ etcdLeaderChanges: 2, longestElectionMs: 5_000 });
      expect(m.recorderGaps).to.deep.equal([{ fromMs: 10_000, toMs: 12_000, what: 'etcd: context deadline exceeded' }]);
    });

    it('counts a change across failed samples, timed from the first failure', () => {
      const b = cluster();
      b.at(1).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-0' });
      b.at(3).push({ kind: 'etcd', members: [], error: 'timeout' });
      b.at(4).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-1' });
      const m = scenarioMetrics(b.end().build());
      expect(m.elections).to.deep.equal([{ fromMs: 3_000, toMs: 4_000, leader: 'cp-1' }]);
      expect(m.values).to.include({ etcdLeaderChanges: 1, longestElectionMs: 1_000 });
    });

    it('counts the first election when the run starts without a leader, as an election but no change', () => {
      const b = cluster();
      b.at(1).push({ kind: 'etcd', members: MEMBERS });
      b.at(2.5).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-0' });
      const m = scenarioMetrics(b.end().build());
      expect(m.elections).to.deep.equal([{ fromMs: 1_000, toMs: 2_500, leader: 'cp-0' }]);
      expect(m.values).to.include({ etcdLeaderChanges: 0, longestElectionMs: 1_500 });
    });

    it('leaves the etcd figures out without etcd samples, or when every sample failed', () => {
      expect(scenarioMetrics(cluster().end().build()).values).not.to.have.any.keys('etcdLeaderChanges', 'longestElectionMs');
      const b = cluster();
      b.at(1).push({ kind: 'etcd', members: [], error: 'no endpoint' });
      const m = scenarioMetrics(b.at(4).end().build());
      expect(m.values).not.to.have.any.keys('etcdLeaderChanges', 'longestElectionMs');
      expect(m.recorderGaps).to.deep.equal([{ fromMs: 1_000, toMs: 4_000, what: 'etcd: no endpoint' }]);
    });
  });

  describe('recorder gaps', () => {
    it('merges overlapping watch gaps and failing etcd samples into stretches', () => {
      const b = cluster();
      b.at(1).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-0' });
      b.at(7).gap('nodes', 5, 7, 'list failed: connection refused');
      b.at(8).gap('jobs', 6, 8, 'list failed: connection refused');
      b.at(8.5).gap('leases', 8, 8.5, 'watch expired (410 Gone)'); // touches the stretch before: merged
      b.at(21).gap('events', 20, 21, 'watch closed by the server');
      b.at(30).push({ kind: 'etcd', members: [], error: 'deadline exceeded' });
      b.at(33).push({ kind: 'etcd', members: MEMBERS, leader: 'cp-0' });
      const m = scenarioMetrics(b.end().build());
      expect(m.recorderGaps).to.deep.equal([
        {
          fromMs: 5_000,
          toMs: 8_500,
          what: 'nodes: list failed: connection refused; jobs: list failed: connection refused; leases: watch expired (410 Gone)',
        },
        { fromMs: 20_000, toMs: 21_000, what: 'events: watch closed by the server' },
        { fromMs: 30_000, toMs: 33_000, what: 'etcd: deadline exceeded' },
      ]);
      expect(m.values).to.include({ recorderGapCount: 3, longestRecorderGapMs: 3_500 });
    });

    it('reports a run without gaps as 0', () => {
      expect(scenarioMetrics(cluster().end().build()).values).to.include({ recorderGapCount: 0, longestRecorderGapMs: 0 });
    });
  });

  it('measures the sample run: two outages, a promotion, one leader change and one watch gap', () => {
    const m = scenarioMetrics(sampleHistory().history);
    expect(m).to.deep.equal({
      values: {
        writeOutageCount: 2,
        longestWriteOutageMs: 4_220,
        totalWriteOutageMs: 5_540,
        promotionLatencyMs: 19_000,
        etcdLeaderChanges: 1,
        longestElectionMs: 0,
        recorderGapCount: 1,
        longestRecorderGapMs: 1_200,
      },
      writeOutages: [
        { fromMs: 4_140, toMs: 8_360 },
        { fromMs: 15_640, toMs: 16_960 },
      ],
      promotions: [{ deleted: 'cp-0', promoted: 'worker-0', deletedAtMs: 15_640, completedAtMs: 34_640 }],
      elections: [{ fromMs: 6_800, toMs: 6_800, leader: 'cp-1' }],
      recorderGaps: [{ fromMs: 25_000, toMs: 26_200, what: 'nodes: watch reconnect' }],
    });
  });

  it('has nothing to say about an empty history', () => {
    expect(scenarioMetrics([])).to.deep.equal({ values: {}, writeOutages: [], promotions: [], elections: [], recorderGaps: [] });
  });

  it('is zero-based on the run-start event', () => {
    const b = new HistoryBuilder().at(2);
    b.runStart([{ name: 'cp-0', role: 'control-plane' }]);
    b.at(3).gap('nodes', 3, 4);
    expect(scenarioMetrics(b.build()).recorderGaps).to.deep.equal([{ fromMs: 1_000, toMs: 2_000, what: 'nodes: watch reconnect' }]);
  });
});
