// The figures of a long run: builds a history of about `events` events (an hour-long run's worth at the default:
// VIP writes every 100 ms from two clients, node heartbeats, etcd samples with a few leader changes, watch gaps, a
// management-node deletion and the promotion that follows) and times scenarioMetrics over it, best of 5.
// Run: node --import tsx bench/metrics.ts [events]
import { PROMOTE_STATUS_ANNOTATION } from '../lib/harvester/contract.ts';
import type { TrimmedNode } from '../lib/observe/history.ts';
import { HistoryBuilder, T0, tnode } from '../lib/observe/testing/history-builder.ts';
import { scenarioMetrics } from '../lib/report/metrics.ts';

const TARGET_EVENTS = Number(process.argv[2] ?? 200_000);
const MEMBERS = ['cp-0', 'cp-1', 'cp-2'].map((name, i) => ({ name, id: `m${i}` }));

function withStatus(node: TrimmedNode, status: string): TrimmedNode {
  return { ...node, annotations: { ...node.annotations, [PROMOTE_STATUS_ANNOTATION]: status } };
}

function build(): ReturnType<HistoryBuilder['build']> {
  const nodes = [0, 1, 2].map((i) => tnode(`cp-${i}`, { management: true, ageMinutes: i }));
  const worker = tnode('worker-0', { ageMinutes: 10 });
  const b = new HistoryBuilder().cluster([...nodes, worker]);
  let opId = 0;
  // Four op events a tick, and a few others.
  for (let tick = 1; tick <= TARGET_EVENTS / 4; tick += 1) {
    b.wait(100);
    const outage = tick % 3000 > 2950; // a 5 s outage every 5 minutes
    for (const process of ['vip', 'vip-probe']) {
      opId += 1;
      b.write(opId, opId, outage ? 'info' : 'ok', 5, process);
    }
    if (tick % 100 === 0) b.node('MODIFIED', nodes[tick % 3] as TrimmedNode);
    if (tick % 3000 === 2960) b.push({ kind: 'etcd', members: MEMBERS });
    if (tick % 3000 === 2980) b.push({ kind: 'etcd', members: MEMBERS, leader: `cp-${((tick / 3000) % 3) | 0}` });
    if (tick % 5000 === 0) b.gap('nodes', (b.time - T0 - 1500) / 1000, (b.time - T0) / 1000);
    if (tick === 6000)
      b.fault('d1', 'delete-node', ['cp-2'])
        .wait(500)
        .node('DELETED', nodes[2] as TrimmedNode);
    if (tick === 6100) b.node('MODIFIED', withStatus(worker, 'running'));
    if (tick === 9000) b.node('MODIFIED', withStatus(tnode('worker-0', { management: true, ageMinutes: 10 }), 'complete'));
  }
  return b.end().build();
}

const history = build();
let bestMs = Number.POSITIVE_INFINITY;
let figures: ReturnType<typeof scenarioMetrics> | undefined;
for (let i = 0; i < 5; i += 1) {
  const started = performance.now();
  figures = scenarioMetrics(history);
  bestMs = Math.min(bestMs, performance.now() - started);
}
const minutes = ((history.at(-1)?.t ?? 0) - (history[0]?.t ?? 0)) / 60_000;
console.log(`${history.length} events (${minutes.toFixed(0)} min of run): scenarioMetrics best of 5: ${bestMs.toFixed(0)} ms`);
console.log(JSON.stringify(figures?.values));
