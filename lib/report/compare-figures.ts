// A scenario's figures in one run summary, over all its runs there (`--repeat N` puts a scenario in the summary N
// times): how often each status came out, per invariant and for the scenario, and each metric's median and max.
// `cpchaos compare` compares these; `cpchaos trend` plots them run after run.
import type { VerdictStatus } from '../oracles/verdict.ts';
import type { ScenarioStatus } from './result.ts';
import type { RunSummaryFile, SummaryScenarioRun } from './summary-read.ts';

/** How many of `runs` runs came out with each status. */
export interface StatusTally<S extends string> {
  readonly runs: number;
  readonly counts: Readonly<Partial<Record<S, number>>>;
}

export interface MetricFigures {
  /** Runs that measured the metric. */
  readonly runs: number;
  readonly median: number;
  readonly max: number;
}

export interface InvariantTally {
  readonly invariant: string;
  readonly tally: StatusTally<VerdictStatus>;
}

export interface MetricEntry {
  readonly metric: string;
  readonly figures: MetricFigures;
}

export interface ScenarioFigures {
  readonly name: string;
  readonly runs: number;
  /** Earliest start among the runs (ms since epoch). */
  readonly startedAtMs: number;
  readonly status: StatusTally<ScenarioStatus>;
  /** In the order the invariants first appear. */
  readonly verdicts: readonly InvariantTally[];
  /** In the order the metrics first appear. */
  readonly metrics: readonly MetricEntry[];
}

export function tally<S extends string>(statuses: readonly S[]): StatusTally<S> {
  const counts: Partial<Record<S, number>> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return { runs: statuses.length, counts };
}

/** Share of the runs with one of `statuses` (0 for no runs). */
export function shareOf<S extends string>(t: StatusTally<S>, statuses: readonly S[]): number {
  if (t.runs === 0) return 0;
  return statuses.reduce((sum, s) => sum + (t.counts[s] ?? 0), 0) / t.runs;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function figuresOf(name: string, runs: readonly SummaryScenarioRun[]): ScenarioFigures {
  const verdicts = new Map<string, VerdictStatus[]>();
  const metrics = new Map<string, number[]>();
  for (const run of runs) {
    for (const v of run.verdicts) verdicts.set(v.invariant, [...(verdicts.get(v.invariant) ?? []), v.status]);
    for (const [metric, value] of Object.entries(run.metrics)) metrics.set(metric, [...(metrics.get(metric) ?? []), value]);
  }
  return {
    name,
    runs: runs.length,
    startedAtMs: Math.min(...runs.map((r) => r.startedAtMs)),
    status: tally(runs.map((r) => r.status)),
    verdicts: [...verdicts].map(([invariant, statuses]) => ({ invariant, tally: tally(statuses) })),
    metrics: [...metrics].map(([metric, values]) => ({
      metric,
      figures: { runs: values.length, median: median(values), max: Math.max(...values) },
    })),
  };
}

/** Per scenario name, in the order the names first appear in the summary. */
export function scenarioFigures(summary: RunSummaryFile): ScenarioFigures[] {
  const byName = new Map<string, SummaryScenarioRun[]>();
  for (const s of summary.scenarios) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  return [...byName].map(([name, runs]) => figuresOf(name, runs));
}

/** When the run took place: its earliest scenario start (undefined for a run without scenarios). */
export function runStartMs(summary: RunSummaryFile): number | undefined {
  return summary.scenarios.length === 0 ? undefined : Math.min(...summary.scenarios.map((s) => s.startedAtMs));
}

/** `pass`, or over several runs `pass 4/5 · fail 1/5` (worst last, in the order given). */
export function formatTally<S extends string>(t: StatusTally<S>, order: readonly S[]): string {
  const present = order.filter((s) => (t.counts[s] ?? 0) > 0);
  if (t.runs === 1 && present.length === 1) return present[0] as string;
  return present.map((s) => `${s} ${t.counts[s]}/${t.runs}`).join(' · ');
}
