// Runs one scenario: starts the cluster, records everything, executes the steps, undoes every fault, and judges
// the history with the invariants. The CLI and the mocha suites both run scenarios through here.
import type { StartedCluster } from '../cluster/core/provider.ts';
import { ClusterObserver, DEFAULT_OBSERVER_OPTIONS } from '../observe/cluster-observer.ts';
import type { HistoryEvent } from '../observe/history.ts';
import { Recorder } from '../observe/recorder.ts';
import { runOracles, type Verdict } from '../oracles/index.ts';
import { overallStatus, type ScenarioResult } from '../report/result.ts';
import { errorMessage, SetupError } from '../util/errors.ts';
import { findPromoteJob, stuckPromotionFailure } from '../harvester/promote/stuck-promotion.ts';
import { loadKubeConfig } from '../util/kubeconfig.ts';
import { sandboxTarget, shapeMismatch, type ClusterTarget } from './targets/cluster-targets.ts';
import { TeardownStack } from '../util/teardown.ts';
import { waitFor } from '../util/wait.ts';
import { managementCount } from './cluster-state.ts';
import { createRandom } from '../scenario/random.ts';
import { scenarioFaults } from '../scenario/steps.ts';
import { StepExecutor } from './step-executor.ts';
import { currentNodeFromV1, resolveTargets } from '../scenario/targets.ts';
import type { Scenario } from '../scenario/types.ts';

export interface RunOptions {
  readonly seed: string;
  /** Where the scenario runs (default: a sandbox with promotionPolicy). */
  readonly target?: ClusterTarget | undefined;
  /** Module exporting selectPromoteNode for the sandbox's promote controller (default: Harvester's reference). */
  readonly promotionPolicy?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((line: string) => void) | undefined;
  /** Sees every history event as it is recorded (live reporters). */
  readonly onEvent?: ((event: HistoryEvent) => void) | undefined;
  /** Attach and plan only: print each fault's commands, run nothing, write nothing (the existing provider). */
  readonly dryRun?: boolean | undefined;
  /** Deadline for the cluster to be healthy before the first step. */
  readonly preconditionTimeoutMs?: number;
}

function inconclusiveAll(scenario: Scenario, summary: string): Verdict[] {
  return [...scenario.invariants.map((i) => i.name), 'steps', 'expect'].map((invariant) => ({ invariant, status: 'inconclusive' as const, summary, evidence: [] }));
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const recorder = new Recorder();
  if (options.onEvent) recorder.subscribe(options.onEvent);
  const teardown = new TeardownStack();
  const random = createRandom(options.seed);
  const progress = options.onProgress ?? (() => undefined);
  let runId = '';
  let verdicts: Verdict[] = [];
  let teardownError: unknown;
  try {
    const target = options.target ?? sandboxTarget({ promotionPolicy: options.promotionPolicy });
    await target.prepare();
    const promotionPolicy = target.promotionPolicy;
    const unsupportedFaults = [...scenarioFaults(scenario)].filter((kind) => !target.supportedFaults.has(kind));
    if (unsupportedFaults.length > 0) {
      return finish(inconclusiveAll(scenario, `unsupported: provider ${target.name} cannot ${unsupportedFaults.join(', ')}`));
    }
    const unsupported = target.unsupported?.(scenario);
    if (unsupported) return finish(inconclusiveAll(scenario, `unsupported on ${target.name}: ${unsupported}`));
    progress(`${target.attaches ? 'attaching to the' : 'starting a'} ${target.name} cluster`);
    const cluster: StartedCluster = await target.start(scenario, options.signal);
    runId = cluster.runId;
    teardown.defer('stop the cluster', () => cluster.stop());
    const mismatch = shapeMismatch(scenario, cluster);
    if (mismatch) return finish(inconclusiveAll(scenario, `precondition not met: ${mismatch}`));
    const budgets = target.budgets(budgetsOf(scenario), cluster);
    const timeScale = target.timeScale(cluster);
    recorder.record({
      kind: 'run-start',
      runId,
      scenario: scenario.name,
      seed: Number.parseInt(options.seed, 16) || 0,
      provider: cluster.provider,
      nodes: cluster.nodes.map((n) => ({ name: n.name, role: n.role })),
      timers: cluster.timers,
      budgets,
      ...(promotionPolicy ? { policy: promotionPolicy } : {}),
    });
    if (options.dryRun) return finish(await dryRunSteps(scenario, cluster, recorder, random, options, progress));
    const observer = new ClusterObserver(cluster, recorder, { ...DEFAULT_OBSERVER_OPTIONS, ...(target.etcdSampleIntervalMs ? { etcdSampleIntervalMs: target.etcdSampleIntervalMs } : {}) });
    teardown.defer('stop the recorder', () => observer.stop());
    await observer.start();

    const executor = new StepExecutor({ cluster, recorder, random, signal: options.signal, onProgress: progress, timeScale, describeStuckPromotion: (node, waitedMs) => describeStuckPromotion(cluster, node, waitedMs) });
    teardown.defer('undo faults', async () => {
      const error = await executor.undoAll();
      if (error) throw error;
    });
    const healthy = await clusterHealthy(executor, recorder, (options.preconditionTimeoutMs ?? 30_000) * timeScale);
    if (!healthy.ok) {
      recorder.record({ kind: 'note', message: `precondition not met: ${healthy.reason}` });
      return finish(inconclusiveAll(scenario, `precondition not met: ${healthy.reason}`));
    }
    progress(`cluster ${runId} healthy; running ${scenario.steps.length} steps`);
    await executor.runAll(scenario.steps);

    const expectProblems = executor.failures.some((f) => f.stopsRun) ? ['not checked: the steps did not complete'] : await checkExpectations(scenario, executor);
    const undoError = await executor.undoAll();
    if (undoError) recorder.record({ kind: 'note', message: `undoing faults failed: ${errorMessage(undoError)}` });
    // After healing, one more acknowledged write, so the last reads show every acknowledged write survived.
    await waitFor('an acknowledged write after undoing all faults', async () => (await executor.apiState()) === 'writable', { timeoutMs: 30_000, intervalMs: 250 }).catch(
      () => recorder.record({ kind: 'note', message: 'the API did not accept a write within 30 s after the faults were undone' }),
    );
    await sleepForFinalSamples();
    await observer.stop();
    recorder.record({ kind: 'run-end' });
    verdicts = [
      ...runOracles(recorder.history, scenario.invariants.map((i) => i.name), { budgets }),
      stepsVerdict(executor),
      expectVerdict(expectProblems, executor),
    ];
    return finish(verdicts);
  } catch (error) {
    if (error instanceof SetupError) throw error;
    recorder.record({ kind: 'note', message: `run aborted: ${errorMessage(error)}` });
    return finish([...verdicts, { invariant: 'run', status: options.signal?.aborted ? 'inconclusive' : 'fail', summary: `the run could not complete: ${errorMessage(error)}`, evidence: [] }]);
  } finally {
    try {
      await teardown.run();
    } catch (error) {
      teardownError = error;
    }
    if (teardownError) progress(`teardown failed: ${errorMessage(teardownError)}`);
  }

  function finish(list: Verdict[]): ScenarioResult {
    return { scenario, runId, seed: options.seed, status: overallStatus(list), verdicts: list, history: recorder.history, startedAt, durationMs: Date.now() - startedAt };
  }
}

/** A dry-run: fault steps are planned (the cluster prints their commands), nothing else runs; no verdict is given. */
async function dryRunSteps(scenario: Scenario, cluster: StartedCluster, recorder: Recorder, random: ReturnType<typeof createRandom>, options: RunOptions, progress: (line: string) => void): Promise<Verdict[]> {
  const executor = new StepExecutor({ cluster, recorder, random, signal: options.signal, onProgress: progress, dryRun: true });
  await executor.runAll(scenario.steps);
  const undoError = await executor.undoAll();
  const problems = [...executor.failures.map((f) => `step ${f.stepIndex + 1}: ${f.message}`), ...(undoError ? [`undo: ${errorMessage(undoError)}`] : [])];
  return inconclusiveAll(scenario, problems.length > 0 ? `dry-run: ${problems.join('; ')}` : 'dry-run: every fault was planned, nothing was run');
}

function budgetsOf(scenario: Scenario): { promotionMs?: number; outageMs?: number } {
  const budgets: { promotionMs?: number; outageMs?: number } = { ...scenario.budgets };
  for (const invariant of scenario.invariants) {
    if (invariant.name === 'quorum-survives' && invariant.budgetMs !== undefined) budgets.outageMs = invariant.budgetMs;
    if (invariant.name === 'promotion-after-deletion' && invariant.budgetMs !== undefined) budgets.promotionMs = invariant.budgetMs;
  }
  return budgets;
}

/** What the promote Job of a node is doing, for a promotion wait that timed out (Harvester sets no deadline). */
async function describeStuckPromotion(cluster: StartedCluster, node: string, waitedMs: number): Promise<string> {
  const job = await findPromoteJob(loadKubeConfig(cluster.endpoints.kubeconfigPath), node);
  return stuckPromotionFailure(node, job, waitedMs);
}

function sleepForFinalSamples(): Promise<void> {
  return new Promise((r) => setTimeout(r, 1000));
}

async function clusterHealthy(executor: StepExecutor, recorder: Recorder, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await waitFor('every node Ready and a write acknowledged through the VIP', async () => {
      const nodes = await executor.listNodes();
      const ready = nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      const acknowledged = recorder.history.some((e) => e.kind === 'op' && e.process === 'vip' && e.f === 'cas' && e.phase === 'ok');
      return ready && acknowledged;
    }, { timeoutMs, intervalMs: 200 });
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: errorMessage(error) };
  }
}

async function checkExpectations(scenario: Scenario, executor: StepExecutor): Promise<string[]> {
  const problems = await executor.evaluate(scenario.expect.assertions);
  const expected = scenario.expect.promoted;
  if (expected !== undefined) {
    const nodes = await executor.listNodes();
    const startRoles = new Map(executor.startNodes.map((n) => [n.name, n.role]));
    const promoted = nodes
      .filter((n) => startRoles.get(n.metadata?.name ?? '') === 'worker' && managementCount([n]) === 1)
      .map((n) => n.metadata?.name ?? '')
      .sort();
    let wanted: string[] = [];
    try {
      wanted = [...resolveTargets(expected, { startNodes: executor.startNodes, currentNodes: nodes.map(currentNodeFromV1), candidate: () => undefined, bindings: new Map(), random: createRandom('0') })].sort();
    } catch (error) {
      problems.push(`expect.promoted: ${errorMessage(error)}`);
    }
    if (JSON.stringify(promoted) !== JSON.stringify(wanted)) {
      problems.push(`promoted ${promoted.length > 0 ? promoted.join(', ') : 'none'}, expected ${wanted.length > 0 ? wanted.join(', ') : 'none'}`);
    }
  }
  return problems;
}

function stepsVerdict(executor: StepExecutor): Verdict {
  if (executor.unsupported.length > 0) {
    return { invariant: 'steps', status: 'inconclusive', summary: `unsupported: ${executor.unsupported.join('; ')}`, evidence: [] };
  }
  if (executor.failures.length > 0) {
    return { invariant: 'steps', status: 'fail', summary: executor.failures.map((f) => `step ${f.stepIndex + 1}: ${f.message}`).join('; '), evidence: [] };
  }
  return { invariant: 'steps', status: 'pass', summary: 'every step ran and every check held', evidence: [] };
}

function expectVerdict(problems: readonly string[], executor: StepExecutor): Verdict {
  if (executor.failures.some((f) => f.stopsRun)) {
    return { invariant: 'expect', status: 'inconclusive', summary: 'the end state was not checked: the steps did not complete', evidence: [] };
  }
  return problems.length > 0
    ? { invariant: 'expect', status: 'fail', summary: problems.join('; '), evidence: [] }
    : { invariant: 'expect', status: 'pass', summary: 'the end state is as expected', evidence: [] };
}
