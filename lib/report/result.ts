// The result of one scenario run: what every report (terminal, JUnit, JSON, HTML) consumes.
import type { History } from '../observe/history.ts';
import { worstStatus, type Verdict, type VerdictStatus } from '../oracles/verdict.ts';
import type { KnownBug } from '../scenario/types.ts';

/**
 * A scenario's outcome: its worst verdict, or for a known-bug scenario (scenario.knownBug) `xfail` (the bug
 * reproduced as described: an expected failure) or `xpass` (the bug's verdicts passed: fixed?).
 */
export type ScenarioStatus = VerdictStatus | 'xfail' | 'xpass';

export const SCENARIO_STATUSES: readonly ScenarioStatus[] = ['fail', 'xpass', 'error', 'inconclusive', 'xfail', 'pass'];

/** What reports need of a scenario: a merged report rebuilds it from summary.json (a full Scenario is one). */
export interface ReportedScenario {
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly knownBug?: KnownBug;
  readonly source: { readonly file: string };
}

export interface ScenarioResult {
  readonly scenario: ReportedScenario;
  readonly runId: string;
  readonly seed: string;
  readonly status: ScenarioStatus;
  /** For a known-bug scenario: how the run compares with the bug's description, in a sentence. */
  readonly knownBug?: string;
  /** The invariants' verdicts plus `steps` (the steps themselves) and `expect` (the end state). */
  readonly verdicts: readonly Verdict[];
  readonly history: History;
  readonly startedAt: number;
  readonly durationMs: number;
}

export function overallStatus(verdicts: readonly Verdict[]): VerdictStatus {
  return worstStatus(verdicts.map((v) => v.status)) ?? 'pass';
}

/**
 * A scenario's status and, for a known-bug scenario, what its run says about the bug:
 * - an error or inconclusive run says nothing about the bug: its status stands;
 * - every verdict the bug makes fail failed, and nothing else failed: `xfail`, the bug reproduced as described;
 * - every verdict the bug makes fail passed: `xpass`, the bug did not reproduce (a fixed bug's reproduction steps may
 *   fail their own checks: those failures belong to the bug, not to the system);
 * - anything else (a verdict the bug does not explain failed, or the bug reproduced only in part): `fail`.
 */
export function scenarioOutcome(scenario: ReportedScenario, verdicts: readonly Verdict[]): { status: ScenarioStatus; knownBug?: string } {
  const status = overallStatus(verdicts);
  const bug = scenario.knownBug;
  if (!bug) return { status };
  const described = bug.fails.map((name) => verdicts.find((v) => v.invariant === name));
  const others = verdicts.filter((v) => !bug.fails.includes(v.invariant));
  const statusOf = (v: Verdict | undefined): VerdictStatus | undefined => v?.status;
  if (verdicts.some((v) => v.invariant === 'run') || others.some((v) => v.status === 'error')) return { status };
  if (described.some((v) => statusOf(v) === 'inconclusive' || statusOf(v) === 'error' || v === undefined)) {
    return { status: status === 'fail' && others.some((v) => v.status === 'fail') ? 'fail' : 'inconclusive' };
  }
  const failed = described.filter((v) => v?.status === 'fail').length;
  if (failed === described.length && !others.some((v) => v.status === 'fail')) {
    return { status: 'xfail', knownBug: `known bug reproduced as described (${bug.fails.join(', ')} failed): ${bug.url}` };
  }
  if (failed === 0) {
    return {
      status: 'xpass',
      knownBug: `known bug did not reproduce: ${bug.fails.join(', ')} passed. Bug fixed? Remove the known-bug tag and knownBug: ${bug.url}`,
    };
  }
  const unexplained = others.filter((v) => v.status === 'fail').map((v) => v.invariant);
  return {
    status: 'fail',
    knownBug:
      unexplained.length > 0
        ? `failed beyond the known bug (${bug.url}): ${unexplained.join(', ')} failed too`
        : `the known bug (${bug.url}) reproduced only in part: ${bug.fails.filter((_, i) => described[i]?.status !== 'fail').join(', ')} passed`,
  };
}

/** What a set of results counts as: exit 1 on a failure or an unexpected pass (unless allowed), 2 on an error. */
export function suiteExitCode(statuses: readonly ScenarioStatus[], options: { readonly allowXpass?: boolean } = {}): 0 | 1 | 2 {
  if (statuses.includes('fail') || (statuses.includes('xpass') && options.allowXpass !== true)) return 1;
  if (statuses.includes('error')) return 2;
  return 0;
}
