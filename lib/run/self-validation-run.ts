// Runs the self-validation table: each faulty policy against its scenario; reports which invariant caught it.
import type { ScenarioResult } from '../report/result.ts';
import { runStartOf, type History } from '../observe/history.ts';
import { loadPromotionPolicy, type SelectPromoteNode } from '../harvester/promotion.ts';
import { firstDisagreement } from './policy-disagreement.ts';
import { replayNodes } from '../oracles/node-tracker.ts';
import { loadScenarioFile } from '../scenario/loader.ts';
import { randomSeed } from '../scenario/random.ts';
import { runScenario } from './runner.ts';
import { projectPath, SELF_VALIDATION_CASES, type SelfValidationCase } from './self-validation.ts';

/**
 * caught: every verdict the case names failed (and the end state is the one it names); missed: the run judged and one
 * of them held; undecided: the run could not show the fault (a named verdict was inconclusive, or the recorded nodes
 * left the faulty policy no other choice than Harvester's), so it proves nothing either way and is run again.
 */
export type SelfValidationJudgement = 'caught' | 'missed' | 'undecided';

export interface SelfValidationOutcome {
  readonly case: SelfValidationCase;
  readonly judgement: SelfValidationJudgement;
  /** Every invariant that failed (the expected one should be among them). */
  readonly failedInvariants: readonly string[];
  /** Management nodes at the end of the run, replayed from the history (undefined without node observations). */
  readonly endManagementCount: number | undefined;
  /** What the case required and did not happen. */
  readonly missed: readonly string[];
  /** Why the run could not show the fault (empty unless undecided). */
  readonly undecided: readonly string[];
  /** Runs it took, the undecided ones before this one included. */
  readonly attempts: number;
  /** Why each earlier run of the case was undecided, in order. */
  readonly earlier: readonly string[];
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

/** The invariant that compares promotions with Harvester's choice: the one a run that held it may not have tested. */
const REFERENCE_JUDGED = 'promotion-after-deletion';

/**
 * Judges one run of a case (see SelfValidationJudgement). `faulty` is the case's policy: with it, a run whose
 * promotion-after-deletion held is undecided when its nodes never made the faulty policy choose otherwise than
 * Harvester's (policy-disagreement.ts), and a miss when they did.
 */
export function judgeSelfValidation(
  entry: SelfValidationCase,
  result: ScenarioResult,
  faulty?: SelectPromoteNode,
  attempts = 1,
): SelfValidationOutcome {
  const failedInvariants = result.verdicts.filter((v) => v.status === 'fail').map((v) => v.invariant);
  const endCount = endManagementCount(result.history);
  // A run that could not complete (the cluster did not start, the harness broke) judged nothing: say so first.
  const broken = result.verdicts.find((v) => v.invariant === 'run');
  const required = [entry.caughtBy, ...(entry.alsoCaughtBy ?? [])];
  const missed = [
    ...(broken === undefined ? [] : [broken.summary]),
    ...required.filter((name) => !failedInvariants.includes(name)).map((name) => `${name} did not fail`),
  ];
  if (entry.endManagementCount !== undefined && endCount !== entry.endManagementCount) {
    missed.push(`the run ended with ${endCount ?? 'unknown'} management nodes, not ${entry.endManagementCount}`);
  }
  const undecided: string[] = [];
  if (missed.length > 0 && broken === undefined) {
    for (const name of required) {
      const v = result.verdicts.find((x) => x.invariant === name);
      if (v?.status === 'inconclusive') undecided.push(`${name} was inconclusive: ${v.summary}`);
    }
    const held = result.verdicts.find((v) => v.invariant === REFERENCE_JUDGED && v.status === 'pass');
    if (undecided.length === 0 && faulty !== undefined && required.includes(REFERENCE_JUDGED) && held !== undefined) {
      const disagreement = firstDisagreement(result.history, faulty);
      if (disagreement === undefined) {
        undecided.push(
          `the nodes never made the faulty policy choose otherwise than Harvester's, so the run could not show it (${REFERENCE_JUDGED}: ${held.summary})`,
        );
      } else {
        const harvester = disagreement.harvester.length === 0 ? 'none' : disagreement.harvester.join(' or ');
        missed.push(
          `the faulty policy would have named ${disagreement.faulty} where Harvester's named ${harvester} at ${relativeTime(result.history, disagreement.t)}, and ${REFERENCE_JUDGED} held`,
        );
      }
    }
  }
  const judgement: SelfValidationJudgement = missed.length === 0 ? 'caught' : undecided.length > 0 ? 'undecided' : 'missed';
  return {
    case: entry,
    judgement,
    failedInvariants,
    endManagementCount: endCount,
    missed,
    undecided: judgement === 'undecided' ? undecided : [],
    attempts,
    earlier: [],
    result,
  };
}

/** `t` from the run's start, as the reports write it ("+12.3 s"). */
function relativeTime(history: History, t: number): string {
  return `+${((t - (runStartOf(history)?.t ?? t)) / 1000).toFixed(1)} s`;
}

/** Runs per case at most: an undecided run is repeated (each shows the fault unless the machine's load hides it). */
export const MAX_ATTEMPTS = 3;

/** Runs a case until a run decides it (caught or missed), at most `maxAttempts` runs. */
export async function runSelfValidationCase(
  entry: SelfValidationCase,
  signal?: AbortSignal,
  maxAttempts = MAX_ATTEMPTS,
): Promise<SelfValidationOutcome> {
  const scenario = await loadScenarioFile(projectPath(entry.scenario));
  const { selectPromoteNode: faulty } = await loadPromotionPolicy(projectPath(entry.policy));
  const earlier: string[] = [];
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    const result = await runScenario(scenario, { seed: randomSeed(), promotionPolicy: projectPath(entry.policy), signal });
    const outcome = { ...judgeSelfValidation(entry, result, faulty, attempt), earlier: [...earlier] };
    if (outcome.judgement !== 'undecided' || attempt >= maxAttempts) return outcome;
    earlier.push(outcome.undecided.join('; '));
  }
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

/** How a case ended, in words: caught, MISSED or UNDECIDED with the reasons, and the runs it took. */
export function judgementText(o: SelfValidationOutcome): string {
  const earlier = o.earlier.map((why, i) => `run ${i + 1} undecided: ${why}`);
  const runs = earlier.length > 0 ? ` in ${o.attempts} runs (${earlier.join('; ')})` : '';
  if (o.judgement === 'caught') return `caught${runs}`;
  if (o.judgement === 'missed') return `MISSED${runs}: ${o.missed.join('; ')}`;
  const last = earlier.length > 0 ? `run ${o.attempts}: ${o.undecided.join('; ')}` : o.undecided.join('; ');
  return `UNDECIDED after ${o.attempts} run(s): ${[...earlier, last].join('; ')}`;
}

/** The README's track-record table. */
export function trackRecordTable(outcomes: readonly SelfValidationOutcome[]): string {
  const rows = outcomes.map((o) => {
    const required = [o.case.caughtBy, ...(o.case.alsoCaughtBy ?? [])].join(', ');
    const end = o.case.endManagementCount === undefined ? '' : `; ${o.endManagementCount ?? '?'} management nodes at the end`;
    return `| ${o.case.rule} | ${o.case.fault} | \`${o.case.policy}\` | \`${o.case.scenario}\` | ${required} | ${judgementText(o)} (failed: ${o.failedInvariants.join(', ') || 'none'}${end}) |`;
  });
  return [
    '| rule | fault | policy | scenario | invariant that must catch it | result |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
