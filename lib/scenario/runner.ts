// Runs one scenario: starts the cluster, records everything, executes the steps, undoes every fault, and judges
// the history with the invariants. The CLI and the mocha suites both run scenarios through here.
import { resolve } from 'node:path';
import type { StartedCluster } from '../cluster/provider.ts';
import { sandboxProvider } from '../cluster/providers.ts';
import { loadTopologyFile } from '../cluster/sandbox/topology-file.ts';
import type { SandboxTopologyOptions, TopologyNode } from '../cluster/sandbox/topology.ts';
import { WITNESS_LABEL } from '../harvester/contract.ts';
import { loadPromotionPolicy } from '../harvester/promotion.ts';
import { ClusterObserver } from '../observe/cluster-observer.ts';
import type { History, HistoryEvent } from '../observe/history.ts';
import { Recorder } from '../observe/recorder.ts';
import { runOracles, type Verdict, type VerdictStatus } from '../oracles/index.ts';
import { errorMessage, SetupError } from '../util/errors.ts';
import { TeardownStack } from '../util/teardown.ts';
import { waitFor } from '../util/wait.ts';
import { managementCount } from './cluster-state.ts';
import { createRandom } from './random.ts';
import { scenarioFaults } from './steps.ts';
import { StepExecutor } from './step-executor.ts';
import { currentNodeFromV1, resolveTargets } from './targets.ts';
import type { Scenario } from './types.ts';

export interface RunOptions {
  readonly seed: string;
  /** Module exporting selectPromoteNode for the sandbox's promote controller (default: Harvester's reference). */
  readonly promotionPolicy?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((line: string) => void) | undefined;
  /** Sees every history event as it is recorded (live reporters). */
  readonly onEvent?: ((event: HistoryEvent) => void) | undefined;
  /** Deadline for the cluster to be healthy before the first step. */
  readonly preconditionTimeoutMs?: number;
}

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

/** The sandbox topology a scenario asks for. */
export function sandboxTopologyFor(scenario: Scenario): SandboxTopologyOptions {
  const { cluster } = scenario;
  if (cluster.topology) return loadTopologyFile(resolve(cluster.topology));
  const nodes: TopologyNode[] = [
    ...Array.from({ length: cluster.controlPlanes }, (_, i) => ({ name: `cp-${i}`, role: 'control-plane' as const })),
    ...Array.from({ length: cluster.workers }, (_, i) => ({ name: `worker-${i}`, role: 'worker' as const })),
    ...Array.from({ length: cluster.witnesses }, (_, i) => ({ name: `witness-${i}`, role: 'worker' as const, labels: { [WITNESS_LABEL]: 'true' } })),
  ];
  return { nodes };
}

function sandboxPromotion(scenario: Scenario): { jobDelayMs?: number; fail?: boolean } {
  const options = scenario.cluster.sandbox ?? {};
  const delay = options['promotionJobMs'];
  const fail = options['failPromotions'];
  return { ...(typeof delay === 'number' ? { jobDelayMs: delay } : {}), ...(fail === true ? { fail: true } : {}) };
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
    const provider = sandboxProvider();
    const promotionPolicy = options.promotionPolicy ? resolve(options.promotionPolicy) : undefined;
    // Load it here first: a broken policy is bad input, reported before any cluster starts.
    if (promotionPolicy) await loadPromotionPolicy(promotionPolicy).catch((error: unknown) => {
      throw new SetupError(`--promotion-policy: ${errorMessage(error)}`, { cause: error });
    });
    const unsupportedFaults = [...scenarioFaults(scenario)].filter((kind) => !provider.supportedFaults.has(kind));
    if (unsupportedFaults.length > 0) {
      return finish(inconclusiveAll(scenario, `unsupported: provider ${provider.name} cannot ${unsupportedFaults.join(', ')}`));
    }
    progress(`starting ${provider.name} cluster`);
    const cluster: StartedCluster = await provider.start(
      { topology: sandboxTopologyFor(scenario), promotionPolicy, promotion: sandboxPromotion(scenario) },
      options.signal,
    );
    runId = (cluster as { runId?: string }).runId ?? '';
    teardown.defer('stop the cluster', () => cluster.stop());
    recorder.record({
      kind: 'run-start',
      runId,
      scenario: scenario.name,
      seed: Number.parseInt(options.seed, 16) || 0,
      provider: cluster.provider,
      nodes: cluster.nodes.map((n) => ({ name: n.name, role: n.role })),
      timers: cluster.timers,
      budgets: scenario.budgets,
      ...(promotionPolicy ? { policy: promotionPolicy } : {}),
    });
    const observer = new ClusterObserver(cluster, recorder);
    teardown.defer('stop the recorder', () => observer.stop());
    await observer.start();

    const executor = new StepExecutor({ cluster, recorder, random, signal: options.signal, onProgress: progress });
    teardown.defer('undo faults', async () => {
      const error = await executor.undoAll();
      if (error) throw error;
    });
    const healthy = await clusterHealthy(executor, recorder, options.preconditionTimeoutMs ?? 30_000);
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
      ...runOracles(recorder.history, scenario.invariants.map((i) => i.name), { budgets: budgetsOf(scenario) }),
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

function budgetsOf(scenario: Scenario): { promotionMs?: number; outageMs?: number } {
  const budgets: { promotionMs?: number; outageMs?: number } = { ...scenario.budgets };
  for (const invariant of scenario.invariants) {
    if (invariant.name === 'quorum-survives' && invariant.budgetMs !== undefined) budgets.outageMs = invariant.budgetMs;
    if (invariant.name === 'promotion-after-deletion' && invariant.budgetMs !== undefined) budgets.promotionMs = invariant.budgetMs;
  }
  return budgets;
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
