// Recorder gaps for the figures: the stretches the recorder could not see the cluster, from what it records.
// - `gap` events: a Node, Job, Event or Lease list-watch lost its watch (a list failed, the watch expired with 410
//   Gone, or a watch ended and could not resume) and was blind until its next successful list
//   (lib/observe/list-watch.ts, recorded by cluster-observer.ts). A watch that resumes from its last version is not
//   blind (the changes in between are replayed), so it records no gap. Sources a history file may carry besides
//   (etcd, sampler) count the same way.
// - etcd samples failing (lib/report/metrics-etcd.ts): from the first failed sample to the next one that succeeded.
// Gaps that overlap or touch are merged into one stretch: all watches lose the API server at once.
import type { History } from '../observe/history.ts';
import type { EtcdBlindStretch } from './metrics-etcd.ts';

/** Epoch ms. */
export interface BlindStretch {
  readonly fromMs: number;
  readonly toMs: number;
  readonly what: string;
}

/** Merged blind stretches in time order; `what` lists each distinct cause once, in the order first seen. */
export function recorderGaps(history: History, etcdBlind: readonly EtcdBlindStretch[]): BlindStretch[] {
  const raw: BlindStretch[] = [...etcdBlind];
  for (const event of history) {
    if (event.kind === 'gap')
      raw.push({ fromMs: event.from, toMs: Math.max(event.from, event.to), what: `${event.source}: ${event.reason}` });
  }
  raw.sort((a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs);
  const merged: { fromMs: number; toMs: number; what: string[] }[] = [];
  for (const gap of raw) {
    const last = merged.at(-1);
    if (last !== undefined && gap.fromMs <= last.toMs) {
      last.toMs = Math.max(last.toMs, gap.toMs);
      if (!last.what.includes(gap.what)) last.what.push(gap.what);
    } else merged.push({ fromMs: gap.fromMs, toMs: gap.toMs, what: [gap.what] });
  }
  return merged.map((g) => ({ fromMs: g.fromMs, toMs: g.toMs, what: g.what.join('; ') }));
}
