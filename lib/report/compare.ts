// `cpchaos compare`: did the candidate run get worse than the base run? Scenarios are matched by name; per scenario
// its status, each invariant's verdict and each metric are compared, and each difference is labelled:
//
// - regression: the scenario status got worse (from pass or xfail to fail, xpass or error), an invariant went from
//   pass to fail or error, or a metric rose over its threshold (compare-thresholds.ts);
// - worse / better / same: any other change (an invariant from pass to inconclusive is worse, not a regression: the
//   run could not check it; a metric that rose within its threshold, or with no threshold, is worse);
// - added / removed: only in the candidate / only in the base (never a regression: there is nothing to compare).
//
// A scenario run several times in one summary (--repeat) is compared on its figures over those runs
// (compare-figures.ts): a status counts as a regression when the base had it passing in at least one run and the
// candidate's share of failing runs is higher (for single runs: exactly the rule above); a metric is compared on its
// median over the runs (the max is shown beside it).
import type { VerdictStatus } from '../oracles/verdict.ts';
import { formatTally, scenarioFigures, shareOf, type MetricFigures, type ScenarioFigures, type StatusTally } from './compare-figures.ts';
import {
  exceedsThreshold,
  formatThreshold,
  thresholdFor,
  ANY_METRIC,
  type MetricThreshold,
  type Thresholds,
} from './compare-thresholds.ts';
import type { ScenarioStatus } from './result.ts';
import type { RunSummaryFile } from './summary-read.ts';

export type Change = 'regression' | 'worse' | 'better' | 'same' | 'added' | 'removed';

export interface StatusComparison<S extends string> {
  readonly base?: StatusTally<S>;
  readonly candidate?: StatusTally<S>;
  readonly change: Change;
}

export interface VerdictComparison extends StatusComparison<VerdictStatus> {
  readonly invariant: string;
}

export interface MetricComparison {
  readonly metric: string;
  readonly base?: MetricFigures;
  readonly candidate?: MetricFigures;
  /** Candidate median minus base median. */
  readonly delta?: number;
  /** delta in percent of the base median; undefined when the base is 0 and the metric rose. */
  readonly deltaPct?: number;
  readonly threshold?: MetricThreshold;
  readonly change: Change;
}

export interface Regression {
  readonly scenario: string;
  readonly kind: 'status' | 'invariant' | 'metric';
  /** The invariant or metric ('status' for the scenario status). */
  readonly subject: string;
  /** One line: scenario, subject, base -> candidate, and for a metric the threshold. */
  readonly message: string;
}

export interface ScenarioComparison {
  readonly name: string;
  readonly presence: 'both' | 'added' | 'removed';
  readonly status: StatusComparison<ScenarioStatus>;
  readonly verdicts: readonly VerdictComparison[];
  readonly metrics: readonly MetricComparison[];
  readonly regressions: readonly Regression[];
}

export interface RunComparison {
  readonly base: { readonly file: string; readonly runs: number };
  readonly candidate: { readonly file: string; readonly runs: number };
  /** The base's scenarios in order, then those only in the candidate. */
  readonly scenarios: readonly ScenarioComparison[];
  readonly regressions: readonly Regression[];
  /** Thresholds that name a metric neither run has (a typo, or a metric these scenarios do not measure). */
  readonly unusedThresholds: readonly string[];
}

/** Best first. */
export const VERDICT_RANK: readonly VerdictStatus[] = ['pass', 'inconclusive', 'error', 'fail'];
export const SCENARIO_RANK: readonly ScenarioStatus[] = ['pass', 'xfail', 'inconclusive', 'error', 'xpass', 'fail'];

const VERDICT_BAD: readonly VerdictStatus[] = ['fail', 'error'];
const SCENARIO_GOOD: readonly ScenarioStatus[] = ['pass', 'xfail'];
const SCENARIO_BAD: readonly ScenarioStatus[] = ['fail', 'xpass', 'error'];

function meanRank<S extends string>(t: StatusTally<S>, rank: readonly S[]): number {
  let sum = 0;
  for (const [status, count] of Object.entries(t.counts) as [S, number][]) sum += rank.indexOf(status) * count;
  return t.runs === 0 ? 0 : sum / t.runs;
}

function compareStatus<S extends string>(
  base: StatusTally<S> | undefined,
  candidate: StatusTally<S> | undefined,
  rule: { readonly rank: readonly S[]; readonly good: readonly S[]; readonly bad: readonly S[] },
): StatusComparison<S> {
  if (base === undefined || candidate === undefined) {
    return { ...(base && { base }), ...(candidate && { candidate }), change: base === undefined ? 'added' : 'removed' };
  }
  const regression = shareOf(base, rule.good) > 0 && shareOf(candidate, rule.bad) > shareOf(base, rule.bad);
  const delta = meanRank(candidate, rule.rank) - meanRank(base, rule.rank);
  return { base, candidate, change: regression ? 'regression' : delta > 0 ? 'worse' : delta < 0 ? 'better' : 'same' };
}

function compareMetric(metric: string, base: MetricFigures | undefined, candidate: MetricFigures | undefined, thresholds: Thresholds) {
  const threshold = thresholdFor(thresholds, metric);
  const withThreshold = threshold === undefined ? {} : { threshold };
  if (base === undefined || candidate === undefined) {
    return {
      metric,
      ...(base && { base }),
      ...(candidate && { candidate }),
      ...withThreshold,
      change: base ? 'removed' : 'added',
    } as const;
  }
  const delta = candidate.median - base.median;
  const deltaPct = base.median !== 0 ? (delta / base.median) * 100 : delta === 0 ? 0 : undefined;
  const over = threshold !== undefined && exceedsThreshold(threshold, base.median, delta);
  const change: Change = over ? 'regression' : delta > 0 ? 'worse' : delta < 0 ? 'better' : 'same';
  return { metric, base, candidate, delta, ...(deltaPct === undefined ? {} : { deltaPct }), ...withThreshold, change };
}

/** `1200 ms`, `3`; several runs: `median 1200 ms (max 1500 ms)`. A name ending in `Ms` is in milliseconds. */
export function formatMetricValue(metric: string, value: number): string {
  const number = Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
  return metric.endsWith('Ms') ? `${number} ms` : number;
}

export function formatMetricFigures(metric: string, f: MetricFigures): string {
  if (f.runs === 1 || f.max === f.median) return formatMetricValue(metric, f.median);
  return `${formatMetricValue(metric, f.median)} (max ${formatMetricValue(metric, f.max)})`;
}

/** `+1300 ms (+108.3%)`, `-20 ms (-10%)`, `+1 (from 0)`. */
export function formatDelta(m: MetricComparison): string {
  if (m.delta === undefined) return '';
  const sign = m.delta > 0 ? '+' : m.delta < 0 ? '-' : '±';
  const abs = `${sign}${formatMetricValue(m.metric, Math.abs(m.delta))}`;
  if (m.delta === 0) return abs;
  if (m.deltaPct === undefined) return `${abs} (from 0)`;
  return `${abs} (${m.deltaPct > 0 ? '+' : ''}${Number(m.deltaPct.toFixed(1))}%)`;
}

function regressionsOf(s: Omit<ScenarioComparison, 'regressions'>): Regression[] {
  const out: Regression[] = [];
  const statuses = <T extends string>(c: StatusComparison<T>, rank: readonly T[]): string =>
    `${formatTally(c.base as StatusTally<T>, rank)} -> ${formatTally(c.candidate as StatusTally<T>, rank)}`;
  if (s.status.change === 'regression') {
    out.push({ scenario: s.name, kind: 'status', subject: 'status', message: `${s.name}: scenario ${statuses(s.status, SCENARIO_RANK)}` });
  }
  for (const v of s.verdicts.filter((v) => v.change === 'regression')) {
    const message = `${s.name}: invariant ${v.invariant} ${statuses(v, VERDICT_RANK)}`;
    out.push({ scenario: s.name, kind: 'invariant', subject: v.invariant, message });
  }
  for (const m of s.metrics.filter((m) => m.change === 'regression')) {
    const [base, candidate] = [m.base as MetricFigures, m.candidate as MetricFigures];
    const message = `${s.name}: metric ${m.metric} ${formatMetricFigures(m.metric, base)} -> ${formatMetricFigures(m.metric, candidate)}, ${formatDelta(m)}: over its threshold ${formatThreshold(m.threshold as MetricThreshold)}`;
    out.push({ scenario: s.name, kind: 'metric', subject: m.metric, message });
  }
  return out;
}

function compareScenario(name: string, base: ScenarioFigures | undefined, candidate: ScenarioFigures | undefined, thresholds: Thresholds) {
  const invariants = [...new Set([...(base?.verdicts ?? []), ...(candidate?.verdicts ?? [])].map((v) => v.invariant))];
  const metrics = [...new Set([...(base?.metrics ?? []), ...(candidate?.metrics ?? [])].map((m) => m.metric))];
  const both = base !== undefined && candidate !== undefined;
  const s = {
    name,
    presence: both ? 'both' : base === undefined ? 'added' : 'removed',
    status: compareStatus(base?.status, candidate?.status, { rank: SCENARIO_RANK, good: SCENARIO_GOOD, bad: SCENARIO_BAD }),
    verdicts: invariants.map((invariant) => ({
      invariant,
      ...compareStatus(
        base?.verdicts.find((v) => v.invariant === invariant)?.tally,
        candidate?.verdicts.find((v) => v.invariant === invariant)?.tally,
        { rank: VERDICT_RANK, good: ['pass'], bad: VERDICT_BAD },
      ),
    })),
    metrics: metrics.map((metric) =>
      compareMetric(
        metric,
        base?.metrics.find((m) => m.metric === metric)?.figures,
        candidate?.metrics.find((m) => m.metric === metric)?.figures,
        thresholds,
      ),
    ),
  } satisfies Omit<ScenarioComparison, 'regressions'>;
  // A scenario only on one side has nothing to compare with: no regressions.
  return { ...s, regressions: both ? regressionsOf(s) : [] };
}

export function compareRuns(base: RunSummaryFile, candidate: RunSummaryFile, thresholds: Thresholds = {}): RunComparison {
  const baseFigures = scenarioFigures(base);
  const candidateFigures = scenarioFigures(candidate);
  const names = [...new Set([...baseFigures, ...candidateFigures].map((s) => s.name))];
  const scenarios = names.map((name) =>
    compareScenario(
      name,
      baseFigures.find((s) => s.name === name),
      candidateFigures.find((s) => s.name === name),
      thresholds,
    ),
  );
  const measured = new Set(scenarios.flatMap((s) => s.metrics.map((m) => m.metric)));
  return {
    base: { file: base.file, runs: base.scenarios.length },
    candidate: { file: candidate.file, runs: candidate.scenarios.length },
    scenarios,
    regressions: scenarios.flatMap((s) => s.regressions),
    unusedThresholds: Object.keys(thresholds).filter((name) => name !== ANY_METRIC && !measured.has(name)),
  };
}
