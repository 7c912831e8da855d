// The policy matrix: each scenario run under each promotion policy, side by side (cpchaos matrix). A cell is what a
// Harvester engineer compares proposals by: the verdict and the invariants that failed, which node was promoted and
// whether that promotion completed, the promotion latency and the longest write outage through the VIP.
import { PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import type { History } from '../observe/history.ts';
import { scenarioMetrics } from './metrics.ts';
import type { ScenarioResult, ScenarioStatus } from './result.ts';

export interface MatrixCell {
  readonly policy: string;
  readonly scenario: string;
  readonly status: ScenarioStatus;
  /** Invariants (and steps/expect) that failed or errored. */
  readonly failed: readonly string[];
  /** Each node that started promoting: `worker-1` (completed) or `worker-0 (running)` (the status it ended with). */
  readonly promotions: readonly string[];
  readonly promotionLatencyMs?: number;
  readonly longestWriteOutageMs?: number;
}

export interface Matrix {
  readonly policies: readonly string[];
  readonly scenarios: readonly string[];
  readonly cells: readonly MatrixCell[];
}

/**
 * Every node that started promoting during the run (its promote-status became running), in that order, with the
 * status it ended with when that is not complete: `worker-1`, `worker-0 (running)`. A promotion without any deletion
 * (an over-promotion) is listed too.
 */
export function promotionsIn(history: History): string[] {
  const order: string[] = [];
  const last = new Map<string, string>();
  for (const event of history) {
    if (event.kind !== 'node') continue;
    const status = event.node.annotations[PROMOTE_STATUS_ANNOTATION];
    if (status === undefined) continue;
    const name = event.node.name;
    if (status === 'running' && !order.includes(name)) order.push(name);
    if (order.includes(name)) last.set(name, status);
  }
  return order.map((name) => (last.get(name) === 'complete' ? name : `${name} (${last.get(name) ?? 'running'})`));
}

/** The cells of one policy's results (one per scenario; a repeated scenario keeps its last run). */
export function matrixCells(policy: string, results: readonly ScenarioResult[]): MatrixCell[] {
  const byScenario = new Map<string, MatrixCell>();
  for (const result of results) {
    const metrics = scenarioMetrics(result.history);
    const { promotionLatencyMs, longestWriteOutageMs } = metrics.values;
    byScenario.set(result.scenario.name, {
      policy,
      scenario: result.scenario.name,
      status: result.status,
      failed: result.verdicts.filter((v) => v.status === 'fail' || v.status === 'error').map((v) => v.invariant),
      promotions: promotionsIn(result.history),
      ...(promotionLatencyMs === undefined ? {} : { promotionLatencyMs }),
      ...(longestWriteOutageMs === undefined ? {} : { longestWriteOutageMs }),
    });
  }
  return [...byScenario.values()];
}

export function buildMatrix(policies: readonly string[], cells: readonly MatrixCell[]): Matrix {
  const scenarios = [...new Set(cells.map((c) => c.scenario))].sort();
  return { policies, scenarios, cells };
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A cell's phrases, in order: the verdict (with what failed), the promotions, the promotion latency (when one was
 * measured), the longest write outage. The markdown, the terminal and index.html all show these words.
 */
export function cellPhrases(cell: MatrixCell): string[] {
  const parts = [cell.failed.length > 0 ? `${cell.status} (${cell.failed.join(', ')})` : cell.status];
  parts.push(cell.promotions.length > 0 ? `promoted ${cell.promotions.join(', ')}` : 'promoted none');
  if (cell.promotionLatencyMs !== undefined) parts.push(`promotion ${seconds(cell.promotionLatencyMs)}`);
  parts.push(`longest write outage ${seconds(cell.longestWriteOutageMs)}`);
  return parts;
}

/** One cell in words: `pass; promoted worker-1; promotion 12.3 s; longest write outage 1.2 s`. */
export function describeCell(cell: MatrixCell | undefined): string {
  return cell ? cellPhrases(cell).join('; ') : 'not run';
}

export function cellOf(matrix: Matrix, policy: string, scenario: string): MatrixCell | undefined {
  return matrix.cells.find((c) => c.policy === policy && c.scenario === scenario);
}

/** A markdown table: a row per scenario, a column per policy. Pipes in the text are escaped. */
export function matrixMarkdown(matrix: Matrix): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  return [
    `| scenario | ${matrix.policies.map(escape).join(' | ')} |`,
    `| --- | ${matrix.policies.map(() => '---').join(' | ')} |`,
    ...matrix.scenarios.map(
      (scenario) =>
        `| ${escape(scenario)} | ${matrix.policies.map((policy) => escape(describeCell(cellOf(matrix, policy, scenario)))).join(' | ')} |`,
    ),
  ].join('\n');
}

/** For the terminal: a block per scenario, a line per policy. */
export function matrixLines(matrix: Matrix): string[] {
  const width = Math.max(...matrix.policies.map((p) => p.length));
  return matrix.scenarios.flatMap((scenario) => [
    scenario,
    ...matrix.policies.map((policy) => `  ${policy.padEnd(width)}  ${describeCell(cellOf(matrix, policy, scenario))}`),
  ]);
}
