// Runs the self-validation table: each faulty policy against its scenario; reports which invariant caught it.
import type { ScenarioResult } from '../report/result.ts';
import type { History } from '../observe/history.ts';
import { replayNodes } from '../oracles/node-tracker.ts';
import { loadScenarioFile } from '../scenario/loader.ts';
import { randomSeed } from '../scenario/random.ts';
import { runScenario } from './runner.ts';
import { projectPath, SELF_VALIDATION_CASES, type SelfValidationCase } from './self-validation.ts';

export interface SelfValidationOutcome {
  readonly case: SelfValidationCase;
  /** Every verdict the case names failed, and the end state is the one it names. */
  readonly caught: boolean;
  /** Every invariant that failed (the expected one should be among them). */
  readonly failedInvariants: readonly string[];
  /** Management nodes at the end of the run, replayed from the history (undefined without node observations). */
  readonly endManagementCount: number | undefined;
  /** What the case required and did not happen. */
  readonly missed: readonly string[];
  readonly result: ScenarioResult;
}

/** Management nodes after the last node event of the history. */
export function endManagementCount(history: History): number | undefined {
  const changes = replayNodes(history);
  for (let i = changes.length - 1; i >= 0; i -= 1) {
    const change = changes[i];
    if (change !== undefined) return change.managementCount;
  }
  return undefined;
}

/** Whether the run caught the fault: every verdict the case names failed, and the end state is the one it names. */
export function judgeSelfValidation(entry: SelfValidationCase, result: ScenarioResult): SelfValidationOutcome {
  const failedInvariants = result.verdicts.filter((v) => v.status === 'fail').map((v) => v.invariant);
  const endCount = endManagementCount(result.history);
  // A run that could not complete (the cluster did not start, the harness broke) judged nothing: say so first.
  const broken = result.verdicts.find((v) => v.invariant === 'run');
  const missed = [
    ...(broken === undefined ? [] : [broken.summary]),
    ...[entry.caughtBy, ...(entry.alsoCaughtBy ?? [])]
      .filter((name) => !failedInvariants.includes(name))
      .map((name) => `${name} did not fail`),
  ];
  if (entry.endManagementCount !== undefined && endCount !== entry.endManagementCount) {
    missed.push(`the run ended with ${endCount ?? 'unknown'} management nodes, not ${entry.endManagementCount}`);
  }
  return { case: entry, caught: missed.length === 0, failedInvariants, endManagementCount: endCount, missed, result };
}

export async function runSelfValidationCase(entry: SelfValidationCase, signal?: AbortSignal): Promise<SelfValidationOutcome> {
  const scenario = await loadScenarioFile(projectPath(entry.scenario));
  const result = await runScenario(scenario, { seed: randomSeed(), promotionPolicy: projectPath(entry.policy), signal });
  return judgeSelfValidation(entry, result);
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
  const rows = outcomes.map((o) => {
    const required = [o.case.caughtBy, ...(o.case.alsoCaughtBy ?? [])].join(', ');
    const end = o.case.endManagementCount === undefined ? '' : `; ${o.endManagementCount ?? '?'} management nodes at the end`;
    return `| ${o.case.rule} | ${o.case.fault} | \`${o.case.policy}\` | \`${o.case.scenario}\` | ${required} | ${o.caught ? 'caught' : `MISSED: ${o.missed.join('; ')}`} (failed: ${o.failedInvariants.join(', ') || 'none'}${end}) |`;
  });
  return [
    '| rule | fault | policy | scenario | invariant that must catch it | result |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
