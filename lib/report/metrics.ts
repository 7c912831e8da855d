// Figures of one scenario run, for release qualification, compare and trend: how long writes through the VIP were
// unavailable, how long promotions took, how often etcd changed its leader and how long elections took, and how
// long the recorder itself was blind. A pure function of the history; it reuses what the oracles compute (paired
// operations, acknowledged VIP writes and their outages, promotion starts and disappearances, the node replay).
import { endTimeOf } from '../observe/history.ts';
import type { History } from '../observe/history.ts';
import { DEFAULT_OUTAGE_THRESHOLD_MS } from '../oracles/context.ts';
import { pairOperations } from '../oracles/operations.ts';
import { runZeroMs } from './describe.ts';
import { etcdFigures } from './metrics-etcd.ts';
import { recorderGaps } from './metrics-gaps.ts';
import { promotionIntervals } from './metrics-promotions.ts';
import type { PromotionFigure } from './metrics-promotions.ts';
import { vipWriteOutages } from './metrics-writes.ts';

export type { PromotionFigure } from './metrics-promotions.ts';

export type MetricName =
  | 'writeOutageCount'
  | 'longestWriteOutageMs'
  | 'totalWriteOutageMs'
  | 'promotionLatencyMs'
  | 'etcdLeaderChanges'
  | 'longestElectionMs'
  | 'recorderGapCount'
  | 'longestRecorderGapMs';

export interface MetricInfo {
  readonly unit: 'ms' | 'count';
  readonly description: string;
  readonly lowerIsBetter: true;
}

/**
 * Write outages: stretches longer than this without an acknowledged write through the VIP. The threshold the
 * quorum-survives oracle reports outages from and index.html shades them at (DEFAULT_OUTAGE_THRESHOLD_MS).
 */
export const WRITE_OUTAGE_THRESHOLD_MS = DEFAULT_OUTAGE_THRESHOLD_MS;

/** Every metric, in the order reports list them. */
export const METRICS: Readonly<Record<MetricName, MetricInfo>> = {
  writeOutageCount: {
    unit: 'count',
    description: `Write outages: stretches longer than ${WRITE_OUTAGE_THRESHOLD_MS} ms without an acknowledged write (write or compare-and-swap) through the VIP, from the last acknowledged write before to the first after (or to the last write attempt); absent when nothing wrote through the VIP.`,
    lowerIsBetter: true,
  },
  longestWriteOutageMs: {
    unit: 'ms',
    description: 'The longest write outage through the VIP (0 when there was none); absent when nothing wrote through the VIP.',
    lowerIsBetter: true,
  },
  totalWriteOutageMs: {
    unit: 'ms',
    description: 'All write outages through the VIP added up (0 when there was none); absent when nothing wrote through the VIP.',
    lowerIsBetter: true,
  },
  promotionLatencyMs: {
    unit: 'ms',
    description:
      "Promotion latency: from a management node's deletion (the harness's delete action applied, or the Node object disappearing, whichever was seen first) to its replacement's promote-status complete; the longest over the run's completed promotions. Absent when no promotion completed (no deletion, or none finished: see the promotions list).",
    lowerIsBetter: true,
  },
  etcdLeaderChanges: {
    unit: 'count',
    description:
      'Changes of the etcd leader seen in the etcd samples (one leader, then another; a leader re-elected after a leaderless stretch is not a change); absent without etcd samples.',
    lowerIsBetter: true,
  },
  longestElectionMs: {
    unit: 'ms',
    description:
      'The longest etcd election: from the first sample that no longer showed the old leader (no leader, or the sample failed) to the first sample with a leader (0 for a change between two samples; an election still open at the end lasts to the end); absent without etcd samples.',
    lowerIsBetter: true,
  },
  recorderGapCount: {
    unit: 'count',
    description:
      'Stretches the recorder could not see the cluster: the blind time of a Node, Job, Event or Lease watch (from losing it to the next successful list) and etcd samples failing, overlapping ones merged.',
    lowerIsBetter: true,
  },
  longestRecorderGapMs: {
    unit: 'ms',
    description: 'The longest stretch the recorder could not see the cluster (0 when there was none).',
    lowerIsBetter: true,
  },
};

export const METRIC_NAMES = Object.keys(METRICS) as readonly MetricName[];

/** An interval in ms from the run's start. */
export interface MetricInterval {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ElectionFigure extends MetricInterval {
  /** The leader elected; absent when the run ended without one. */
  readonly leader?: string;
}

export interface RecorderGapFigure extends MetricInterval {
  /** What could not be seen and why, e.g. `nodes: list failed: ...; etcd: context deadline exceeded`. */
  readonly what: string;
}

export interface ScenarioMetrics {
  /** Scalars only, for compare and trend; a metric that does not apply (no deletion, no etcd samples) is absent. */
  readonly values: Readonly<Partial<Record<MetricName, number>>>;
  /** The intervals behind them, times in ms from the run's start. */
  readonly writeOutages: readonly MetricInterval[];
  readonly promotions: readonly PromotionFigure[];
  readonly elections: readonly ElectionFigure[];
  readonly recorderGaps: readonly RecorderGapFigure[];
}

function longest(intervals: readonly MetricInterval[]): number {
  return intervals.reduce((max, i) => Math.max(max, i.toMs - i.fromMs), 0);
}

function total(intervals: readonly MetricInterval[]): number {
  return intervals.reduce((sum, i) => sum + (i.toMs - i.fromMs), 0);
}

/** The figures of one run. Times are ms from the run-start event (else the first event). */
export function scenarioMetrics(history: History): ScenarioMetrics {
  const zeroMs = runZeroMs(history);
  const endT = endTimeOf(history);
  const values: Partial<Record<MetricName, number>> = {};

  const writes = vipWriteOutages(pairOperations(history), WRITE_OUTAGE_THRESHOLD_MS);
  const writeOutages = (writes?.outages ?? []).map((o) => ({ fromMs: o.from - zeroMs, toMs: o.to - zeroMs }));
  if (writes !== undefined) {
    values.writeOutageCount = writeOutages.length;
    values.longestWriteOutageMs = longest(writeOutages);
    values.totalWriteOutageMs = total(writeOutages);
  }

  const promotions = promotionIntervals(history, zeroMs);
  const latencies = promotions.flatMap((p) => (p.completedAtMs === undefined ? [] : [p.completedAtMs - p.deletedAtMs]));
  if (latencies.length > 0) values.promotionLatencyMs = Math.max(...latencies);

  const etcd = etcdFigures(history, endT);
  const elections = etcd.elections.map((e) => ({ ...e, fromMs: e.fromMs - zeroMs, toMs: e.toMs - zeroMs }));
  if (etcd.visibleSamples > 0) {
    values.etcdLeaderChanges = etcd.leaderChanges;
    values.longestElectionMs = longest(elections);
  }

  const gaps = recorderGaps(history, etcd.blind).map((g) => ({ ...g, fromMs: g.fromMs - zeroMs, toMs: g.toMs - zeroMs }));
  if (history.length > 0) {
    values.recorderGapCount = gaps.length;
    values.longestRecorderGapMs = longest(gaps);
  }
  return { values, writeOutages, promotions, elections, recorderGaps: gaps };
}
