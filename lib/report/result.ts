// The result of one scenario run: what every report (terminal, JUnit, JSON, HTML) consumes.
import type { History } from '../observe/history.ts';
import type { Verdict, VerdictStatus } from '../oracles/verdict.ts';
import type { Scenario } from '../scenario/types.ts';

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly runId: string;
  readonly seed: string;
  readonly status: VerdictStatus;
  /** The invariants' verdicts plus `steps` (the steps themselves) and `expect` (the end state). */
  readonly verdicts: readonly Verdict[];
  readonly history: History;
  readonly startedAt: number;
  readonly durationMs: number;
}

export function overallStatus(verdicts: readonly Verdict[]): VerdictStatus {
  if (verdicts.some((v) => v.status === 'fail')) return 'fail';
  if (verdicts.some((v) => v.status === 'inconclusive')) return 'inconclusive';
  return 'pass';
}
