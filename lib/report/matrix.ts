// The policy matrix: each scenario run under each promotion policy, side by side (cpchaos matrix). A cell is what a
// Harvester engineer compares proposals by: the verdict and the invariants that failed, which node was promoted and
// whether that promotion completed, the promotion latency and the longest write outage through the VIP.
import { scenarioMetrics } from './metrics.ts';
import type { ScenarioResult, ScenarioStatus } from './result.ts';

export interface MatrixCell {
  readonly policy: string;
  readonly scenario: string;
  readonly status: ScenarioStatus;
  /** Invariants (and steps/expect) that failed or errored. */
  readonly failed: readonly string[];
  /** Each promotion after a deletion: `worker-1` (completed) or `worker-0 (not completed)`. */
  readonly promotions: readonly string[];
  readonly promotionLatencyMs?: number;
  readonly longestWriteOutageMs?: number;
}

export interface Matrix {
  readonly policies: readonly string[];
  readonly scenarios: readonly string[];
  readonly cells: readonly MatrixCell[];
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
      promotions: metrics.promotions.flatMap((p) =>
        p.promoted === undefined ? [] : [p.completedAtMs === undefined ? `${p.promoted} (not completed)` : p.promoted],
      ),
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

/** One cell in words: `pass; promoted worker-1 in 12.3 s; outage 1.2 s`. */
export function describeCell(cell: MatrixCell | undefined): string {
  if (!cell) return 'not run';
  const parts = [cell.failed.length > 0 ? `${cell.status} (${cell.failed.join(', ')})` : cell.status];
  parts.push(cell.promotions.length > 0 ? `promoted ${cell.promotions.join(', ')}` : 'promoted none');
  if (cell.promotionLatencyMs !== undefined) parts.push(`promotion ${seconds(cell.promotionLatencyMs)}`);
  parts.push(`longest write outage ${seconds(cell.longestWriteOutageMs)}`);
  return parts.join('; ');
}

function cellOf(matrix: Matrix, policy: string, scenario: string): MatrixCell | undefined {
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
