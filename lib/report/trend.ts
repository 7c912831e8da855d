// `cpchaos trend`: many runs (nightly report folders) in time order, and per scenario each metric and each
// invariant's pass rate run after run. A run's time is its earliest scenario start. A scenario run several times in
// one run (--repeat) gives one point per run: the metric's median (with its max) and the share of passing verdicts.
import type { VerdictStatus } from '../oracles/verdict.ts';
import { runStartMs, scenarioFigures, shareOf, type StatusTally } from './compare-figures.ts';
import type { ScenarioStatus } from './result.ts';
import type { RunSummaryFile } from './summary-read.ts';

export interface TrendRun {
  /** Position in time order, from 0. */
  readonly index: number;
  readonly file: string;
  readonly startedAtMs: number;
  readonly scenarios: number;
}

export interface TrendPoint {
  /** TrendRun.index. */
  readonly run: number;
  /** A metric's median over the scenario's runs in that run, or a pass rate (0..1). */
  readonly value: number;
  /** Scenario runs the point stands for. */
  readonly runs: number;
  /** Metrics: the largest value over those runs. */
  readonly max?: number;
  /** Pass rates: the runs whose verdict passed, and how the others came out. */
  readonly tally?: StatusTally<VerdictStatus>;
}

export interface TrendSeries {
  /** The metric or the invariant. */
  readonly name: string;
  /** In run order; a run where the scenario did not measure the metric (or check the invariant) has no point. */
  readonly points: readonly TrendPoint[];
}

export interface ScenarioTrend {
  readonly name: string;
  readonly statuses: readonly { readonly run: number; readonly tally: StatusTally<ScenarioStatus> }[];
  readonly metrics: readonly TrendSeries[];
  readonly passRates: readonly TrendSeries[];
}

export interface Trend {
  readonly runs: readonly TrendRun[];
  /** In the order the names first appear, run after run. */
  readonly scenarios: readonly ScenarioTrend[];
  /** Summaries without a scenario: they have no time, so they are left out. */
  readonly leftOut: readonly string[];
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export function buildTrend(summaries: readonly RunSummaryFile[]): Trend {
  const timed = summaries
    .flatMap((summary) => {
      const startedAtMs = runStartMs(summary);
      return startedAtMs === undefined ? [] : [{ summary, startedAtMs }];
    })
    .sort((a, b) => a.startedAtMs - b.startedAtMs || (a.summary.file < b.summary.file ? -1 : 1));
  const runs = timed.map(({ summary, startedAtMs }, index) => ({
    index,
    file: summary.file,
    startedAtMs,
    scenarios: summary.scenarios.length,
  }));
  const order: string[] = [];
  const statuses = new Map<string, ScenarioTrend['statuses'][number][]>();
  const metrics = new Map<string, Map<string, TrendPoint[]>>();
  const passRates = new Map<string, Map<string, TrendPoint[]>>();
  for (const [run, { summary }] of timed.entries()) {
    for (const s of scenarioFigures(summary)) {
      if (!statuses.has(s.name)) {
        order.push(s.name);
        metrics.set(s.name, new Map());
        passRates.set(s.name, new Map());
      }
      pushTo(statuses, s.name, { run, tally: s.status });
      for (const { metric, figures } of s.metrics) {
        pushTo(metrics.get(s.name) as Map<string, TrendPoint[]>, metric, {
          run,
          value: figures.median,
          runs: figures.runs,
          max: figures.max,
        });
      }
      for (const { invariant, tally } of s.verdicts) {
        pushTo(passRates.get(s.name) as Map<string, TrendPoint[]>, invariant, {
          run,
          value: shareOf(tally, ['pass']),
          runs: tally.runs,
          tally,
        });
      }
    }
  }
  const series = (map: Map<string, TrendPoint[]> | undefined): TrendSeries[] =>
    [...(map ?? [])].map(([name, points]) => ({ name, points }));
  return {
    runs,
    scenarios: order.map((name) => ({
      name,
      statuses: statuses.get(name) ?? [],
      metrics: series(metrics.get(name)),
      passRates: series(passRates.get(name)),
    })),
    leftOut: summaries.filter((s) => s.scenarios.length === 0).map((s) => s.file),
  };
}
