// A comparison as table rows, the same for the terminal, markdown and HTML renderers: per scenario its status, its
// invariants and its metrics, each with base, candidate and what changed.
import { formatTally } from './compare-figures.ts';
import { formatThreshold } from './compare-thresholds.ts';
import {
  formatDelta,
  formatMetricFigures,
  SCENARIO_RANK,
  VERDICT_RANK,
  type Change,
  type MetricComparison,
  type RunComparison,
  type ScenarioComparison,
  type StatusComparison,
} from './compare.ts';

export interface ComparisonRow {
  readonly scenario: string;
  /** The scenario's first row (the renderers print its name only there). */
  readonly first: boolean;
  /** `note`: a line standing for rows left out (unchanged invariants). */
  readonly kind: 'status' | 'invariant' | 'metric' | 'note';
  /** 'status', the invariant, the metric, or the note. */
  readonly subject: string;
  readonly base: string;
  readonly candidate: string;
  readonly change?: Change;
  /** Metrics: the delta and the threshold. */
  readonly detail: string;
}

export const CHANGE_LABEL: Readonly<Record<Change, string>> = {
  regression: 'REGRESSION',
  worse: 'worse',
  better: 'better',
  same: 'same',
  added: 'added',
  removed: 'removed',
};

const NONE = '—';

function statusCells<S extends string>(c: StatusComparison<S>, rank: readonly S[]): { base: string; candidate: string } {
  return {
    base: c.base === undefined ? NONE : formatTally(c.base, rank),
    candidate: c.candidate === undefined ? NONE : formatTally(c.candidate, rank),
  };
}

/** The change when there is one, and the threshold when one is set: `+600 ms (+50%), threshold +500`. */
function metricDetail(m: MetricComparison): string {
  const delta = m.delta === undefined || m.delta === 0 ? '' : formatDelta(m);
  const threshold = m.threshold === undefined ? '' : `threshold ${formatThreshold(m.threshold)}`;
  return [delta, threshold].filter((s) => s !== '').join(', ');
}

function scenarioRows(s: ScenarioComparison, showUnchanged: boolean): ComparisonRow[] {
  const rows: Omit<ComparisonRow, 'first' | 'scenario'>[] = [];
  rows.push({ kind: 'status', subject: 'status', ...statusCells(s.status, SCENARIO_RANK), change: s.status.change, detail: '' });
  // A scenario on one side only: nothing to compare, its status row says so.
  if (s.presence !== 'both' && !showUnchanged) return rows.map((r, i) => ({ ...r, scenario: s.name, first: i === 0 }));
  const unchanged = s.verdicts.filter((v) => v.change === 'same');
  for (const v of s.verdicts) {
    if (v.change === 'same' && !showUnchanged) continue;
    rows.push({ kind: 'invariant', subject: v.invariant, ...statusCells(v, VERDICT_RANK), change: v.change, detail: '' });
  }
  if (!showUnchanged && unchanged.length > 0) {
    const subject = `${unchanged.length} ${unchanged.length === 1 ? 'invariant' : 'invariants'} unchanged`;
    rows.push({ kind: 'note', subject, base: '', candidate: '', detail: unchanged.map((v) => v.invariant).join(', ') });
  }
  for (const m of s.metrics) {
    rows.push({
      kind: 'metric',
      subject: m.metric,
      base: m.base === undefined ? NONE : formatMetricFigures(m.metric, m.base),
      candidate: m.candidate === undefined ? NONE : formatMetricFigures(m.metric, m.candidate),
      change: m.change,
      detail: metricDetail(m),
    });
  }
  return rows.map((r, i) => ({ ...r, scenario: s.name, first: i === 0 }));
}

/**
 * Every scenario's rows. Unless `showUnchanged`: unchanged invariants become one note row per scenario, and a
 * scenario on one side only is its status row alone.
 */
export function comparisonRows(c: RunComparison, options: { readonly showUnchanged?: boolean } = {}): ComparisonRow[] {
  return c.scenarios.flatMap((s) => scenarioRows(s, options.showUnchanged === true));
}

/** `No regressions (5 scenarios compared).` or `2 regressions in 1 scenario.` */
export function verdictLine(c: RunComparison): string {
  const compared = c.scenarios.filter((s) => s.presence === 'both').length;
  const extra = [
    ...(c.scenarios.some((s) => s.presence === 'added') ? [`${c.scenarios.filter((s) => s.presence === 'added').length} added`] : []),
    ...(c.scenarios.some((s) => s.presence === 'removed') ? [`${c.scenarios.filter((s) => s.presence === 'removed').length} removed`] : []),
  ];
  const scope = `${compared} ${compared === 1 ? 'scenario' : 'scenarios'} compared${extra.length > 0 ? `, ${extra.join(', ')}` : ''}`;
  if (c.regressions.length === 0) return `No regressions (${scope}).`;
  const hit = new Set(c.regressions.map((r) => r.scenario)).size;
  return `${c.regressions.length} ${c.regressions.length === 1 ? 'regression' : 'regressions'} in ${hit} ${hit === 1 ? 'scenario' : 'scenarios'} (${scope}).`;
}
