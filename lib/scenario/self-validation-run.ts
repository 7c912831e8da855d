// Runs the self-validation table: each faulty policy against its scenario; reports which invariant caught it.
import { loadScenarioFile } from './loader.ts';
import { randomSeed } from './random.ts';
import { runScenario, type ScenarioResult } from './runner.ts';
import { projectPath, SELF_VALIDATION_CASES, type SelfValidationCase } from './self-validation.ts';

export interface SelfValidationOutcome {
  readonly case: SelfValidationCase;
  readonly caught: boolean;
  /** Every invariant that failed (the expected one should be among them). */
  readonly failedInvariants: readonly string[];
  readonly result: ScenarioResult;
}

export async function runSelfValidationCase(entry: SelfValidationCase, signal?: AbortSignal): Promise<SelfValidationOutcome> {
  const scenario = await loadScenarioFile(projectPath(entry.scenario));
  const result = await runScenario(scenario, { seed: randomSeed(), promotionPolicy: projectPath(entry.policy), signal });
  const failedInvariants = result.verdicts.filter((v) => v.status === 'fail').map((v) => v.invariant);
  return { case: entry, caught: failedInvariants.includes(entry.caughtBy), failedInvariants, result };
}

export async function runSelfValidation(
  onOutcome: (outcome: SelfValidationOutcome) => void,
  signal?: AbortSignal,
  cases: readonly SelfValidationCase[] = SELF_VALIDATION_CASES,
): Promise<SelfValidationOutcome[]> {
  const outcomes: SelfValidationOutcome[] = [];
  for (const entry of cases) {
    signal?.throwIfAborted();
    const outcome = await runSelfValidationCase(entry, signal);
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return outcomes;
}

/** The README's track-record table. */
export function trackRecordTable(outcomes: readonly SelfValidationOutcome[]): string {
  const rows = outcomes.map((o) => `| ${o.case.fault} | \`${o.case.policy}\` | \`${o.case.scenario}\` | ${o.case.caughtBy} | ${o.caught ? 'caught' : 'MISSED'} (failed: ${o.failedInvariants.join(', ') || 'none'}) |`);
  return ['| fault | policy | scenario | invariant that must catch it | result |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
