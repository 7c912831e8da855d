// The suite scheduler: runs scenarios (repeated, until a failure, N at a time on their own clusters) on one
// target, and tells every reporter what happens through one event stream. The CLI and the mocha catalogue both
// run scenarios through here.
import type { ScenarioResult } from '../report/result.ts';
import { randomSeed } from '../scenario/random.ts';
import type { Scenario } from '../scenario/types.ts';
import type { Reporter, RunEvent } from './events.ts';
import { runScenario } from './runner.ts';
import type { ClusterTarget } from './targets/cluster-targets.ts';

export interface SuiteOptions {
  readonly target?: ClusterTarget | undefined;
  /** The first round's seed (each later round draws a new one); default: a random seed. */
  readonly seed?: string | undefined;
  /** Rounds over the whole selection (default 1). */
  readonly repeat?: number | undefined;
  /** Keep running rounds until a scenario fails (or the signal aborts). */
  readonly untilFailure?: boolean | undefined;
  /** Start no scenario after one failed. */
  readonly failFast?: boolean | undefined;
  /** Scenarios at once, each on its own cluster (default 1). */
  readonly parallel?: number | undefined;
  readonly dryRun?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly reporters?: readonly Reporter[] | undefined;
}

/**
 * Runs the scenarios and returns every result in the order they finished. The target's input and tools are checked
 * once before the first scenario: a SetupError (exit 2) then stops the run before any cluster exists.
 */
export async function runSuite(scenarios: readonly Scenario[], options: SuiteOptions = {}): Promise<ScenarioResult[]> {
  if (scenarios.length > 0) {
    await options.target?.prepare();
    await options.target?.preflight?.(options.signal);
  }
  const reporters = options.reporters ?? [];
  const emit = async (event: RunEvent): Promise<void> => {
    for (const reporter of reporters) await reporter.onEvent(event);
  };
  const results: ScenarioResult[] = [];
  let failed = false;
  const stopped = (): boolean =>
    options.signal?.aborted === true || (failed && (options.failFast === true || options.untilFailure === true));
  const rounds = options.untilFailure ? Number.MAX_SAFE_INTEGER : (options.repeat ?? 1);
  for (let round = 1; round <= rounds && !stopped(); round++) {
    const seed = round === 1 && options.seed ? options.seed.toLowerCase() : randomSeed();
    const queue = [...scenarios];
    const lane = async (index: number): Promise<void> => {
      for (let scenario = queue.shift(); scenario && !stopped(); scenario = queue.shift()) {
        const result = await runOne(scenario, { seed, round, lane: index }, options, emit);
        results.push(result);
        if (result.status === 'fail') failed = true;
      }
    };
    const lanes = Math.max(1, Math.min(options.parallel ?? 1, scenarios.length));
    await Promise.all(Array.from({ length: lanes }, (_, index) => lane(index)));
  }
  await emit({ type: 'suite-end', results });
  return results;
}

async function runOne(
  scenario: Scenario,
  at: { readonly seed: string; readonly round: number; readonly lane: number },
  options: SuiteOptions,
  emit: (event: RunEvent) => Promise<void>,
): Promise<ScenarioResult> {
  const { lane } = at;
  await emit({ type: 'scenario-begin', scenario, lane, seed: at.seed, round: at.round });
  // Recorder and progress callbacks are synchronous: their events are queued in order and delivered in order.
  let delivered = Promise.resolve();
  const queue = (event: RunEvent): void => {
    delivered = delivered.then(() => emit(event));
  };
  const result = await runScenario(scenario, {
    seed: at.seed,
    target: options.target,
    dryRun: options.dryRun === true,
    signal: options.signal,
    onProgress: (line) => queue({ type: 'progress', scenario, lane, line }),
    onEvent: (event) => queue({ type: 'history', scenario, lane, event }),
  });
  await delivered;
  await emit({ type: 'scenario-end', scenario, lane, result });
  return result;
}
