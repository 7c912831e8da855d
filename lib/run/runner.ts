// Runs one scenario: starts the cluster, records everything, executes the steps, undoes every fault, and judges
// the history with the invariants. The CLI and the mocha suites both run scenarios through here.
import { InconclusiveFaultError, type StartedCluster } from '../cluster/core/provider.ts';
import { ClusterObserver, DEFAULT_OBSERVER_OPTIONS } from '../observe/cluster-observer.ts';
import type { HistoryEvent } from '../observe/history.ts';
import { Recorder } from '../observe/recorder.ts';
import { runOracles, type Verdict } from '../oracles/index.ts';
import { scenarioOutcome, type ScenarioResult } from '../report/result.ts';
import { errorMessage, SetupError } from '../util/errors.ts';
import { findPromoteJob, stuckPromotionFailure } from '../harvester/promote/stuck-promotion.ts';
import { loadKubeConfig } from '../util/kubeconfig.ts';
import { requestWithDeadline } from '../util/api-deadline.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { creationOrderMismatch, needsDistinctCreationSeconds } from './targets/creation-order.ts';
import { sandboxTarget, shapeMismatch, type ClusterTarget } from './targets/cluster-targets.ts';
import { TeardownStack } from '../util/teardown.ts';
import { waitFor } from '../util/wait.ts';
import { managementCount } from './cluster-state.ts';
import { createRandom } from '../scenario/random.ts';
import { scenarioFaults } from '../scenario/steps.ts';
import { StepExecutor } from './step-executor.ts';
import { expectVerdict, stepsVerdict } from './step-verdicts.ts';
import { currentNodeFromV1, resolveTargets } from '../scenario/targets.ts';
import type { Scenario } from '../scenario/types.ts';

/** The node list a precondition reads: as long as the step executor's requests may take. */
const PRECONDITION_LIST_DEADLINE_MS = 10_000;

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
  return [...scenario.invariants.map((i) => i.name), 'steps', 'expect'].map((invariant) => ({
    invariant,
    status: 'inconclusive' as const,
    summary,
    evidence: [],
  }));
}

/** Settles a run early: the verdicts stand for every invariant (unsupported, a precondition not met, a dry-run). */
class Settled extends Error {
  constructor(readonly verdicts: Verdict[]) {
    super(verdicts[0]?.summary ?? 'settled');
    this.name = 'Settled';
  }
}

/** One scenario run's shared state, and its phases in order: admit, start, observe, precondition, steps, settle, judge. */
class ScenarioRun {
  readonly recorder = new Recorder();
  readonly teardown = new TeardownStack();
  readonly random: ReturnType<typeof createRandom>;
  readonly progress: (line: string) => void;
  readonly target: ClusterTarget;
  runId = '';

  constructor(
    readonly scenario: Scenario,
    readonly options: RunOptions,
  ) {
    if (options.onEvent) this.recorder.subscribe(options.onEvent);
    this.random = createRandom(options.seed);
    this.progress = options.onProgress ?? (() => undefined);
    this.target = options.target ?? sandboxTarget({ promotionPolicy: options.promotionPolicy });
  }

  /** Checks the target's input, then whether the scenario can run there at all. */
  async admit(): Promise<void> {
    const { target, scenario } = this;
    await target.prepare();
    const unsupportedFaults = [...scenarioFaults(scenario)].filter((kind) => !target.supportedFaults.has(kind));
    if (unsupportedFaults.length > 0)
      throw this.inconclusive(`unsupported: provider ${target.name} cannot ${unsupportedFaults.join(', ')}`);
    const unsupported = target.unsupported?.(scenario);
    if (unsupported) throw this.inconclusive(`unsupported on ${target.name}: ${unsupported}`);
  }

  /** Starts (or attaches to) the cluster, checks its shape and records the run's start. */
  async start(): Promise<{ cluster: StartedCluster; timeScale: number; budgets: ReturnType<ClusterTarget['budgets']> }> {
    const { target, scenario } = this;
    this.progress(`${target.attaches ? 'attaching to the' : 'starting a'} ${target.name} cluster`);
    const cluster = await target.start(scenario, this.options.signal);
    this.runId = cluster.runId;
    this.teardown.defer('stop the cluster', () => cluster.stop());
    const mismatch = shapeMismatch(scenario, cluster);
    if (mismatch) throw this.inconclusive(`precondition not met: ${mismatch}`);
    if (needsDistinctCreationSeconds(scenario)) {
      const core = loadKubeConfig(cluster.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
      const nodes = await requestWithDeadline('the node list (creation order precondition)', PRECONDITION_LIST_DEADLINE_MS, (options) =>
        core.listNode({}, options),
      );
      const order = creationOrderMismatch(cluster.nodes, nodes.items);
      if (order) throw this.inconclusive(`precondition not met: ${order}`);
    }
    const budgets = target.budgets(budgetsOf(scenario), cluster);
    this.recorder.record({
      kind: 'run-start',
      runId: this.runId,
      scenario: scenario.name,
      seed: Number.parseInt(this.options.seed, 16) || 0,
      provider: cluster.provider,
      nodes: cluster.nodes.map((n) => ({ name: n.name, role: n.role })),
      timers: cluster.timers,
      budgets,
      clusterOnHarnessMachine: cluster.onHarnessMachine,
      ...(target.promotionPolicy ? { policy: target.promotionPolicy } : {}),
    });
    // What the target says about the cluster (an existing one: its profile, the endpoint availability is measured on).
    for (const message of cluster.notes ?? []) this.recorder.record({ kind: 'note', message });
    return { cluster, timeScale: target.timeScale(cluster), budgets };
  }

  /** Records the cluster until the run settles. */
  async observe(cluster: StartedCluster): Promise<ClusterObserver> {
    const interval = this.target.etcdSampleIntervalMs;
    const observer = new ClusterObserver(cluster, this.recorder, {
      ...DEFAULT_OBSERVER_OPTIONS,
      ...(interval ? { etcdSampleIntervalMs: interval } : {}),
    });
    this.teardown.defer('stop the recorder', () => observer.stop());
    await observer.start();
    return observer;
  }

  executor(cluster: StartedCluster, timeScale: number): StepExecutor {
    const executor = new StepExecutor({
      cluster,
      recorder: this.recorder,
      random: this.random,
      signal: this.options.signal,
      onProgress: this.progress,
      timeScale,
      waitSlackMs: cluster.endpointFailoverMs ?? 0,
      describeStuckPromotion: (node, waitedMs) => describeStuckPromotion(cluster, node, waitedMs),
    });
    this.teardown.defer('undo faults', async () => {
      const error = await executor.undoAll();
      if (error) throw error;
    });
    return executor;
  }

  /** Every node Ready and a write acknowledged before the first step; else the run proves nothing. */
  async precondition(executor: StepExecutor, timeScale: number): Promise<void> {
    const healthy = await clusterHealthy(executor, this.recorder, (this.options.preconditionTimeoutMs ?? 30_000) * timeScale);
    if (healthy.ok) return;
    this.recorder.record({ kind: 'note', message: `precondition not met: ${healthy.reason}` });
    throw this.inconclusive(`precondition not met: ${healthy.reason}`);
  }

  /** Runs the steps and checks the expected end state (unless the steps stopped the run). */
  async steps(executor: StepExecutor): Promise<string[]> {
    this.progress(`cluster ${this.runId} healthy; running ${this.scenario.steps.length} steps`);
    await executor.runAll(this.scenario.steps);
    return executor.failures.some((f) => f.stopsRun)
      ? ['not checked: the steps did not complete']
      : checkExpectations(this.scenario, executor);
  }

  /** Undoes every fault, waits for one more acknowledged write and the last samples, and ends the history. */
  async settle(executor: StepExecutor, observer: ClusterObserver): Promise<void> {
    const { recorder } = this;
    const undoError = await executor.undoAll();
    if (undoError instanceof InconclusiveFaultError) executor.inconclusive.push(undoError.message);
    if (undoError) recorder.record({ kind: 'note', message: `undoing faults failed: ${errorMessage(undoError)}` });
    // After healing, one more acknowledged write, so the last reads show every acknowledged write survived.
    await waitFor('an acknowledged write after undoing all faults', async () => (await executor.apiState()) === 'writable', {
      timeoutMs: 30_000,
      intervalMs: 250,
    }).catch(() => recorder.record({ kind: 'note', message: 'the API did not accept a write within 30 s after the faults were undone' }));
    await sleepForFinalSamples();
    await observer.stop();
    recorder.record({ kind: 'run-end' });
  }

  judge(budgets: ReturnType<ClusterTarget['budgets']>, executor: StepExecutor, expectProblems: readonly string[]): Verdict[] {
    return [
      ...runOracles(
        this.recorder.history,
        this.scenario.invariants.map((i) => i.name),
        { budgets },
      ),
      stepsVerdict(executor),
      expectVerdict(expectProblems, executor),
    ];
  }

  inconclusive(summary: string): Settled {
    return new Settled(inconclusiveAll(this.scenario, summary));
  }

  result(verdicts: Verdict[], startedAt: number): ScenarioResult {
    return {
      scenario: this.scenario,
      runId: this.runId,
      seed: this.options.seed,
      ...scenarioOutcome(this.scenario, verdicts),
      verdicts,
      history: this.recorder.history,
      startedAt,
      durationMs: Date.now() - startedAt,
    };
  }
}

async function runPhases(run: ScenarioRun): Promise<Verdict[]> {
  await run.admit();
  const { cluster, timeScale, budgets } = await run.start();
  if (run.options.dryRun) return dryRunSteps(run.scenario, cluster, run.recorder, run.random, run.options, run.progress);
  const observer = await run.observe(cluster);
  const executor = run.executor(cluster, timeScale);
  await run.precondition(executor, timeScale);
  const expectProblems = await run.steps(executor);
  await run.settle(executor, observer);
  return run.judge(budgets, executor, expectProblems);
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const run = new ScenarioRun(scenario, options);
  try {
    return run.result(await runPhases(run), startedAt);
  } catch (error) {
    if (error instanceof Settled) return run.result(error.verdicts, startedAt);
    if (error instanceof SetupError) throw error;
    run.recorder.record({ kind: 'note', message: `run aborted: ${errorMessage(error)}` });
    // The harness or its environment broke (a cluster that would not start, a tool that failed, an API the harness
    // could not reach to go on): the run judged nothing, which is an error, never a failure of the system.
    const status = options.signal?.aborted ? 'inconclusive' : 'error';
    return run.result(
      [{ invariant: 'run', status, summary: `the run could not complete: ${errorMessage(error)}`, evidence: [] }],
      startedAt,
    );
  } finally {
    await run.teardown.run().catch((error: unknown) => run.progress(`teardown failed: ${errorMessage(error)}`));
  }
}

/** A dry-run: fault steps are planned (the cluster prints their commands), nothing else runs; no verdict is given. */
async function dryRunSteps(
  scenario: Scenario,
  cluster: StartedCluster,
  recorder: Recorder,
  random: ReturnType<typeof createRandom>,
  options: RunOptions,
  progress: (line: string) => void,
): Promise<Verdict[]> {
  const executor = new StepExecutor({ cluster, recorder, random, signal: options.signal, onProgress: progress, dryRun: true });
  await executor.runAll(scenario.steps);
  const undoError = await executor.undoAll();
  const problems = [
    ...executor.failures.map((f) => `step ${f.stepIndex + 1}: ${f.message}`),
    ...(undoError ? [`undo: ${errorMessage(undoError)}`] : []),
  ];
  return inconclusiveAll(
    scenario,
    problems.length > 0 ? `dry-run: ${problems.join('; ')}` : 'dry-run: every fault was planned, nothing was run',
  );
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

async function clusterHealthy(
  executor: StepExecutor,
  recorder: Recorder,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await waitFor(
      'every node Ready and a write acknowledged through the VIP',
      async () => {
        const nodes = await executor.listNodes();
        const ready = nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        const acknowledged = recorder.history.some((e) => e.kind === 'op' && e.process === 'vip' && e.f === 'cas' && e.phase === 'ok');
        return ready && acknowledged;
      },
      { timeoutMs, intervalMs: 200 },
    );
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
      wanted = [
        ...resolveTargets(expected, {
          startNodes: executor.startNodes,
          currentNodes: nodes.map(currentNodeFromV1),
          candidate: () => undefined,
          bindings: new Map(),
          random: createRandom('0'),
        }),
      ].sort();
    } catch (error) {
      problems.push(`expect.promoted: ${errorMessage(error)}`);
    }
    if (JSON.stringify(promoted) !== JSON.stringify(wanted)) {
      problems.push(
        `promoted ${promoted.length > 0 ? promoted.join(', ') : 'none'}, expected ${wanted.length > 0 ? wanted.join(', ') : 'none'}`,
      );
    }
  }
  return problems;
}
