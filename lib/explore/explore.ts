// The exploration loop: generate a schedule, run it, judge it; a schedule that violates an invariant is re-run k
// times (each must fail the same invariant: an error or inconclusive run confirms nothing), then shrunk, and the
// minimal scenario is written with every failing schedule. Deterministic for a seed: schedule i comes from
// `${seed}-${i}`, so the same seed and count budget try the same schedules. The out folder gets explore.json and
// explore.md (the summary and its coverage table), and the reports of failing runs (explore-report.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScenarioResult } from '../report/result.ts';
import { runScenario } from '../run/runner.ts';
import type { ClusterTarget } from '../run/targets/cluster-targets.ts';
import { parseScenario } from '../scenario/loader.ts';
import { createRandom } from '../scenario/random.ts';
import { stepFault } from '../scenario/steps.ts';
import { formatSelector } from '../scenario/targets.ts';
import type { Scenario, ScenarioSpec, Step } from '../scenario/types.ts';
import { writeExploreSummary, writeFailingRunReport } from './explore-report.ts';
import { generateSchedule } from './generate.ts';
import { scenarioYaml } from './render.ts';
import { shrinkSchedule } from './shrink.ts';

/** What the loop needs of a run: its status and verdicts. */
export type ExploreOutcome = Pick<ScenarioResult, 'status' | 'verdicts'>;

/** Runs one scenario (default: runScenario on the chosen target). */
export type ScheduleRunner = (
  scenario: Scenario,
  options: { readonly seed: string; readonly signal?: AbortSignal },
) => Promise<ExploreOutcome>;

export interface ExploreOptions {
  readonly seed: string;
  /** Where failing schedules and minimal.yaml go. */
  readonly outDir: string;
  /** Stop after this many schedules (default: no count limit). */
  readonly maxSchedules?: number;
  /** Stop starting new schedules after this long (default: no time limit). */
  readonly budgetMs?: number;
  readonly maxFaultSteps?: number;
  /** Deletions may force-remove finalizers (GenerateOptions.forceDeletions; default false). */
  readonly forceDeletions?: boolean;
  /** Re-runs that must each fail the same invariant (default 2). */
  readonly confirmRuns?: number;
  /** Most candidate schedules the shrinker runs (each run confirmRuns times). */
  readonly maxShrinkTests?: number;
  readonly runner?: ScheduleRunner;
  /** For the default runner: where to run (default: a sandbox with promotionPolicy). */
  readonly target?: ClusterTarget;
  readonly promotionPolicy?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  /** The clock for the time budget (tests pass a fake one). */
  readonly now?: () => number;
}

export interface Finding {
  readonly invariant: string;
  readonly summary: string;
  /** The schedule's seed (`${seed}-${index}`). */
  readonly scheduleSeed: string;
  readonly failingFile: string;
  readonly minimalFile: string;
  readonly minimal: ScenarioSpec;
  readonly shrinkRuns: number;
  /** The reports of the minimal scenario's last failing run (a folder as `cpchaos run` writes), when the runner gave them. */
  readonly minimalReport?: string;
}

export interface ExploreSummary {
  readonly seed: string;
  readonly schedulesTried: number;
  /** Runs in all (schedules, confirmations, shrinking). */
  readonly runs: number;
  /** Schedules whose run errored or was inconclusive (judged nothing). */
  readonly unjudged: number;
  /** A violation seen once that the re-runs did not confirm (flaky): schedule seed and invariant. */
  readonly unconfirmed: readonly { readonly scheduleSeed: string; readonly invariant: string }[];
  /** Distinct sets of fault kinds the tried schedules used, e.g. "delete-node+kill". */
  readonly faultCombinations: readonly string[];
  /** Step kind -> target role -> how many steps of the tried schedules. */
  readonly coverage: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly finding?: Finding;
}

/** The invariant a run violated (the first failed invariant verdict); steps, expect and run are not invariants. */
export function violatedInvariant(scenario: ScenarioSpec, outcome: ExploreOutcome): { invariant: string; summary: string } | undefined {
  const names = new Set<string>(scenario.invariants.map((i) => i.name));
  const failed = outcome.verdicts.find((v) => v.status === 'fail' && names.has(v.invariant));
  return failed ? { invariant: failed.invariant, summary: failed.summary } : undefined;
}

/** An 8-hex run seed for a schedule, for the runner's own random choices. */
export function runSeedOf(scheduleSeed: string): string {
  return createRandom(`run/${scheduleSeed}`).int(0x1_0000_0000).toString(16).padStart(8, '0');
}

function targetRole(step: Step): string {
  const selectors =
    'targets' in step ? step.targets : step.kind === 'partition' ? step.groups.flat() : step.kind === 'drop' ? step.from : [];
  if (selectors.length === 0) return step.kind === 'wait' ? step.until.kind : 'cluster';
  const roles = new Set(
    selectors.map((s) => {
      const text = formatSelector(s);
      if (text.startsWith('worker')) return 'worker';
      if (s.kind === 'ref') return 'bound';
      return text.startsWith('control-plane') ? 'control-plane' : text;
    }),
  );
  return [...roles].sort().join('+');
}

class Coverage {
  readonly table: Record<string, Record<string, number>> = {};
  readonly combinations = new Set<string>();

  add(spec: ScenarioSpec): void {
    for (const step of spec.steps) {
      const row = (this.table[step.kind] ??= {});
      const role = targetRole(step);
      row[role] = (row[role] ?? 0) + 1;
    }
    const kinds = new Set(spec.steps.flatMap((s) => (s.kind === 'cordon' || s.kind === 'label' ? [s.kind] : [stepFault(s) ?? []].flat())));
    this.combinations.add([...kinds].sort().join('+') || 'none');
  }
}

/**
 * Confirmations (each of confirmRuns runs) of the shrunk schedule before it is written: a hold shortened to the edge
 * of failing may have failed its runs by chance (seen on the sandbox: a minimal scenario whose 1 s hold raced a Node's
 * removal, inconclusive when run again).
 */
const FINAL_SHRINK_CHECKS = 2;

export async function explore(options: ExploreOptions): Promise<ExploreSummary> {
  const progress = options.onProgress ?? (() => undefined);
  const now = options.now ?? Date.now;
  const confirmRuns = options.confirmRuns ?? 2;
  const runner: ScheduleRunner =
    options.runner ??
    ((scenario, o) =>
      runScenario(scenario, { seed: o.seed, target: options.target, promotionPolicy: options.promotionPolicy, signal: o.signal }));
  const startedAt = now();
  const coverage = new Coverage();
  const unconfirmed: { scheduleSeed: string; invariant: string }[] = [];
  let runs = 0;
  let unjudged = 0;
  let tried = 0;
  await mkdir(options.outDir, { recursive: true });
  /** The last run of each schedule (by its steps) that failed the invariant being confirmed: the minimal's report. */
  const failingOutcomes = new Map<string, ExploreOutcome>();

  const run = async (spec: ScenarioSpec, scheduleSeed: string, file: string): Promise<ExploreOutcome> => {
    runs++;
    const scenario = parseScenario(scenarioYaml(spec), file);
    return runner(scenario, { seed: runSeedOf(scheduleSeed), ...(options.signal ? { signal: options.signal } : {}) });
  };
  /** k of k runs fail the invariant. */
  const confirmed = async (spec: ScenarioSpec, scheduleSeed: string, invariant: string, file: string): Promise<boolean> => {
    for (let i = 0; i < confirmRuns; i++) {
      if (options.signal?.aborted) return false;
      const outcome = await run(spec, scheduleSeed, file);
      if (violatedInvariant(spec, outcome)?.invariant !== invariant || outcome.status === 'error') return false;
      failingOutcomes.set(JSON.stringify(spec.steps), outcome);
    }
    return true;
  };

  for (let index = 0; ; index++) {
    if (options.signal?.aborted) break;
    if (options.maxSchedules !== undefined && tried >= options.maxSchedules) break;
    if (options.budgetMs !== undefined && now() - startedAt >= options.budgetMs) break;
    const scheduleSeed = `${options.seed}-${index}`;
    const { spec } = generateSchedule({
      seed: scheduleSeed,
      name: `explore-${scheduleSeed.toLowerCase()}`,
      ...(options.maxFaultSteps === undefined ? {} : { maxFaultSteps: options.maxFaultSteps }),
      ...(options.forceDeletions === undefined ? {} : { forceDeletions: options.forceDeletions }),
    });
    tried++;
    coverage.add(spec);
    const file = join(options.outDir, `schedule-${scheduleSeed}.yaml`);
    progress(`schedule ${index + 1} (seed ${scheduleSeed}): ${spec.steps.length} steps`);
    const outcome = await run(spec, scheduleSeed, file);
    const violation = violatedInvariant(spec, outcome);
    if (!violation) {
      if (outcome.status === 'error' || outcome.status === 'inconclusive') unjudged++;
      progress(`schedule ${index + 1}: ${outcome.status}`);
      continue;
    }
    await writeFile(file, scenarioYaml(spec), 'utf8');
    await writeFailingRunReport(join(options.outDir, `schedule-${scheduleSeed}.report`), outcome);
    progress(`schedule ${index + 1}: ${violation.invariant} failed: ${violation.summary}; confirming (${confirmRuns} runs)`);
    if (!(await confirmed(spec, scheduleSeed, violation.invariant, file))) {
      unconfirmed.push({ scheduleSeed, invariant: violation.invariant });
      progress(`schedule ${index + 1}: not confirmed on every re-run; going on`);
      continue;
    }
    progress(`schedule ${index + 1}: confirmed; shrinking`);
    const shrunk = await shrinkSchedule(spec, {
      stillFails: (candidate) => confirmed(candidate, scheduleSeed, violation.invariant, join(options.outDir, 'candidate.yaml')),
      ...(options.maxShrinkTests === undefined ? {} : { maxTests: options.maxShrinkTests }),
      finalChecks: FINAL_SHRINK_CHECKS,
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: progress,
    });
    const minimal: ScenarioSpec = {
      ...shrunk.minimal,
      name: `minimal-${options.seed.toLowerCase()}`,
      description:
        `Found by cpchaos explore --seed ${options.seed} (schedule ${scheduleSeed}, run seed ${runSeedOf(scheduleSeed)}), ` +
        `shrunk from ${spec.steps.length} to ${shrunk.minimal.steps.length} steps; violates ${violation.invariant}: ${violation.summary}`,
    };
    const minimalFile = join(options.outDir, 'minimal.yaml');
    await writeFile(minimalFile, scenarioYaml(minimal), 'utf8');
    progress(`minimal scenario: ${minimalFile} (${minimal.steps.length} steps, ${shrunk.tests} candidates run)`);
    const minimalOutcome = failingOutcomes.get(JSON.stringify(minimal.steps));
    const minimalReport = join(options.outDir, 'report');
    const reported = minimalOutcome !== undefined && (await writeFailingRunReport(minimalReport, minimalOutcome));
    return finished({
      ...summaryOf(),
      finding: {
        invariant: violation.invariant,
        summary: violation.summary,
        scheduleSeed,
        failingFile: file,
        minimalFile,
        minimal,
        shrinkRuns: shrunk.tests,
        ...(reported ? { minimalReport } : {}),
      },
    });
  }
  return finished(summaryOf());

  async function finished(summary: ExploreSummary): Promise<ExploreSummary> {
    await writeExploreSummary(options.outDir, summary);
    return summary;
  }

  function summaryOf(): ExploreSummary {
    return {
      seed: options.seed,
      schedulesTried: tried,
      runs,
      unjudged,
      unconfirmed,
      faultCombinations: [...coverage.combinations].sort(),
      coverage: coverage.table,
    };
  }
}
