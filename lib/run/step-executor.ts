// Executes a scenario's steps against a started cluster, recording every harness action before applying it.
import type { PortMatch } from '../faults/ports.ts';
import { isPermanent, type AppliedFault, type FaultRequest, type ActionKind } from '../faults/catalogue.ts';
import type { ClusterNode } from '../model/cluster.ts';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import type { StartedCluster } from '../cluster/core/provider.ts';
import { InconclusiveFaultError, UnsupportedFaultError } from '../cluster/core/provider.ts';
import { loadKubeConfig, statusCodeOf } from '../util/kubeconfig.ts';
import { mergePatch } from '../util/patch-options.ts';
import { requestWithDeadline, type RequestOptions } from '../util/api-deadline.ts';
import { runObjects, SAMPLER_NAMESPACE } from '../observe/write-sampler.ts';
import { explainSelection, selectPromoteNode } from '../harvester/promotion.ts';
import { membershipAsNodes } from '../harvester/etcd-members.ts';
import { nodeName } from '../harvester/contract.ts';
import type { Recorder } from '../observe/recorder.ts';
import { errorMessage } from '../util/errors.ts';
import { sleepMs, waitFor } from '../util/wait.ts';
import { managementCount, nodeNamed, promoteStatusOf, readinessOf } from './cluster-state.ts';
import type { Random } from '../scenario/random.ts';
import { describeAssertion, describeCondition, describeStep } from '../scenario/steps.ts';
import { currentNodeFromV1, resolveGroups, resolveTargets, TargetError, type TargetContext } from '../scenario/targets.ts';
import type { Assertion, Selector, Step, WaitCondition } from '../scenario/types.ts';

/** How long checks and expectations ask again for a node list that got no answer or a 5xx. */
const CHECK_LIST_RETRY_MS = 10_000;

/**
 * How long one API request of a step may go unanswered (an endpoint cut off, or with no holder): then it is aborted,
 * its connection closed, and it fails as timed out; a wait or check asks again, an action fails. Without it, a
 * request to an API server that never answers would hold its step, and its connection, for good.
 */
const API_REQUEST_DEADLINE_MS = 10_000;

let probeCounter = 0;
/** The probe object's key for `wait: {api: writable}` polls (the write probe's register uses another). */
const API_STATE_KEY = 'api-state';

/**
 * Whose failure a step's is: the system under test (a wait or check it did not meet), the harness or its environment
 * (a fault or API action that could not be carried out), or the cluster's state before the step (a target that
 * could not be resolved, such as an etcd leader nobody knows).
 */
export type StepBlame = 'system' | 'harness' | 'precondition';

/** A step that could not be carried out or whose check did not hold. */
export class StepFailure extends Error {
  constructor(
    readonly stepIndex: number,
    message: string,
    readonly stopsRun: boolean,
    options?: { cause?: unknown; blame?: StepBlame },
  ) {
    super(message, options);
    this.name = 'StepFailure';
    this.blame = options?.blame ?? 'system';
  }

  readonly blame: StepBlame;
}

/** The blame of an error a step threw that is not a StepFailure. */
function blameOf(error: unknown): StepBlame {
  const precondition = error instanceof TargetError || error instanceof UnsupportedFaultError || error instanceof InconclusiveFaultError;
  return precondition ? 'precondition' : 'harness';
}

export interface StepExecutorOptions {
  readonly cluster: StartedCluster;
  readonly recorder: Recorder;
  readonly random: Random;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((line: string) => void) | undefined;
  /** Waits and holds are written for the sandbox's timers; they last this many times longer here (default 1). */
  readonly timeScale?: number | undefined;
  /**
   * How long the endpoint the harness observes the cluster through may take to fail over (an existing cluster's
   * kube-vip VIP: StartedCluster.endpointFailoverMs), added to every wait's deadline: a wait cannot see the cluster
   * while its endpoint has no holder, as the outage budget allows for the same (default 0).
   */
  readonly waitSlackMs?: number | undefined;
  /** Dry-run: fault steps go to the cluster (whose dry-run prints their commands); every other step is skipped. */
  readonly dryRun?: boolean | undefined;
  /** Explains a promotion that did not reach its status in time (the promote Job's state). */
  readonly describeStuckPromotion?: ((node: string, waitedMs: number) => Promise<string>) | undefined;
  /** How long one API request may go unanswered before it is aborted (default API_REQUEST_DEADLINE_MS). */
  readonly requestDeadlineMs?: number | undefined;
  /**
   * How long an operator's Node patch (cordon, uncordon, label, annotate) is sent again while the API gives no answer
   * or a 5xx (default OPERATOR_RETRY_MS).
   */
  readonly operatorRetryMs?: number | undefined;
}

/**
 * How long an operator's Node patch is sent again while the API gives no answer or a 5xx, as a person retries kubectl.
 * Seen on the sandbox: a label right after a control plane's deletion went through the VIP to that node's API
 * server, whose etcd member was already removed (503, "connect ECONNREFUSED 127.0.0.1:2379"); a real VIP can forward
 * there too until its health check drops the backend.
 */
export const OPERATOR_RETRY_MS = 10_000;

/** Steps a dry-run still plans: the faults (the cluster's dry-run prints their commands instead of running them). */
const DRY_RUN_STEPS: ReadonlySet<Step['kind']> = new Set([
  'kill',
  'restart',
  'pause',
  'resume',
  'isolate',
  'delete-node',
  'remove-host',
  'rejoin',
  'partition',
  'drop',
  'heal',
]);

export class StepExecutor {
  readonly applied: { id: string; fault: AppliedFault; action: ActionKind; nodes: readonly string[] }[] = [];
  readonly failures: StepFailure[] = [];
  readonly unsupported: string[] = [];
  /** Faults that happened but left the cluster in a state no verdict can be judged on. */
  readonly inconclusive: string[] = [];
  private readonly bindings = new Map<string, readonly string[]>();
  private readonly core: CoreV1Api;
  private actionCounter = 0;

  constructor(private readonly options: StepExecutorOptions) {
    this.core = loadKubeConfig(options.cluster.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
  }

  get startNodes(): readonly ClusterNode[] {
    return this.options.cluster.nodes;
  }

  async listNodes(): Promise<V1Node[]> {
    return (await this.request('the node list', (options) => this.core.listNode({}, options))).items;
  }

  /** One API request, aborted (its connection closed) when it gets no answer in time: it then fails as timed out. */
  private request<T>(what: string, call: (options: RequestOptions) => Promise<T>, base?: RequestOptions): Promise<T> {
    return requestWithDeadline(what, this.options.requestDeadlineMs ?? API_REQUEST_DEADLINE_MS, call, base);
  }

  /**
   * Runs `request` again while it fails without an answer or with a 5xx, until operatorRetryMs have passed; then, or
   * on any other answer (a 404, a 422), its last error.
   */
  private async untilAnswered<T>(request: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.options.operatorRetryMs ?? OPERATOR_RETRY_MS);
    for (;;) {
      try {
        return await request();
      } catch (error) {
        const code = statusCodeOf(error);
        const transient = code === undefined || code >= 500;
        if (!transient || Date.now() >= deadline || this.options.signal?.aborted) throw error;
      }
      await sleepMs(250, undefined, this.options.signal ? { signal: this.options.signal } : undefined);
    }
  }

  private async targetContext(): Promise<TargetContext> {
    // Selectors by name, index or binding need no API; the others say so when the API cannot answer (no quorum).
    let nodes: V1Node[] = [];
    try {
      nodes = await this.listNodes();
    } catch {
      nodes = [];
    }
    let leader: string | undefined;
    let members: string[] | undefined;
    try {
      const membership = await this.options.cluster.etcdMembership?.();
      // Member names as node names: RKE2 names members `<node>-<8 hex>` (lib/harvester/etcd-members.ts).
      const known = [...this.options.cluster.nodes.map((n) => n.name), ...nodes.map(nodeName)];
      const named = membership ? membershipAsNodes(membership, known) : undefined;
      leader = named?.leader;
      members = named?.members;
    } catch {
      // etcd not reachable now: etcd-leader cannot be resolved, and says so
    }
    return {
      startNodes: this.options.cluster.nodes as readonly ClusterNode[],
      currentNodes: nodes.map(currentNodeFromV1),
      etcdLeader: leader,
      etcdMembers: members,
      candidate: () => selectPromoteNode(nodes, new Date()),
      bindings: this.bindings,
      random: this.options.random,
    };
  }

  /** Runs every step in order; a failed wait or fault stops the rest, a failed check does not. */
  async runAll(steps: readonly Step[]): Promise<void> {
    for (const [index, step] of steps.entries()) {
      this.options.signal?.throwIfAborted();
      const description = describeStep(step);
      this.options.onProgress?.(`step ${index + 1}/${steps.length}: ${description}`);
      this.options.recorder.record({ kind: 'step', index, step: description, phase: 'begin' });
      try {
        await this.run(index, step);
        this.options.recorder.record({ kind: 'step', index, step: description, phase: 'end', ok: true });
      } catch (error) {
        const failure =
          error instanceof StepFailure
            ? error
            : new StepFailure(index, `${description}: ${errorMessage(error)}`, true, { cause: error, blame: blameOf(error) });
        this.failures.push(failure);
        this.options.recorder.record({ kind: 'step', index, step: description, phase: 'end', ok: false, error: failure.message });
        this.options.onProgress?.(`  failed: ${failure.message}`);
        if (failure.stopsRun || this.options.signal?.aborted) return;
      }
    }
  }

  private async run(index: number, step: Step): Promise<void> {
    if (this.options.dryRun && !DRY_RUN_STEPS.has(step.kind)) {
      this.options.onProgress?.('  [dry-run] skipped (it would read or write the cluster)');
      return;
    }
    switch (step.kind) {
      case 'kill':
      case 'restart':
      case 'pause':
      case 'resume':
      case 'memory-pressure':
      case 'relieve': {
        const nodes = resolveTargets(step.targets, await this.targetContext());
        this.bind(step.as, nodes);
        await this.fault(index, step.kind, { kind: step.kind, nodes }, { nodes });
        return;
      }
      case 'isolate': {
        const nodes = resolveTargets(step.targets, await this.targetContext());
        this.bind(step.as, nodes);
        const ports = step.ports ? { ports: step.ports } : {};
        await this.fault(index, 'isolate', { kind: 'isolate', nodes, ...ports }, { nodes, ...ports });
        return;
      }
      case 'delete-node': {
        const nodes = resolveTargets(step.targets, await this.targetContext());
        this.bind(step.as, nodes);
        const kind = step.forceFinalizers ? 'force-delete-node' : 'delete-node';
        await this.fault(index, kind, { kind, nodes }, { nodes });
        return;
      }
      case 'remove-host': {
        // One fault of several steps (maintenance, uninstall, power-off, Node DELETE): the cluster journals each
        // step before it runs; the history records the removal as one action.
        const nodes = resolveTargets(step.targets, await this.targetContext());
        this.bind(step.as, nodes);
        await this.fault(index, 'remove-host', { kind: 'remove-host', nodes }, { nodes });
        return;
      }
      case 'rejoin': {
        const nodes = resolveTargets(step.targets, await this.targetContext());
        this.bind(step.as, nodes);
        await this.fault(index, 'rejoin', { kind: 'rejoin', nodes }, { nodes });
        return;
      }
      case 'partition': {
        const groups = resolveGroups(step.groups, await this.targetContext());
        const ports = step.ports ? { ports: step.ports } : {};
        await this.fault(index, 'partition', { kind: 'partition', groups, ...ports }, { nodes: groups.flat(), groups, ...ports });
        return;
      }
      case 'drop': {
        const ctx = await this.targetContext();
        const from = resolveTargets(step.from, ctx);
        const to = resolveTargets(step.to, ctx);
        const ports = step.ports ? { ports: step.ports } : {};
        await this.fault(index, 'drop', { kind: 'drop', from, to, ...ports }, { nodes: [...from, ...to], from, to, ...ports });
        return;
      }
      case 'heal':
        await this.fault(index, 'heal', { kind: 'heal' }, { nodes: [] });
        return;
      case 'cordon':
      case 'uncordon':
      case 'label':
      case 'annotate': {
        const nodes = resolveTargets(step.targets, await this.targetContext());
        this.bind(step.as, nodes);
        const body =
          step.kind === 'label'
            ? { metadata: { labels: step.labels } }
            : step.kind === 'annotate'
              ? { metadata: { annotations: step.annotations } }
              : { spec: { unschedulable: step.kind === 'cordon' ? true : null } };
        const extra = step.kind === 'annotate' ? { annotations: step.annotations } : {};
        await this.apiAction(index, step.kind, nodes, extra, async (name) => {
          // A merge patch is idempotent: sent again after an answer that was lost, it changes nothing more.
          const patched = await this.untilAnswered(() =>
            this.request(`the ${step.kind} patch of node ${name}`, (options) => this.core.patchNode({ name, body }, mergePatch(options))),
          );
          return patched.metadata?.resourceVersion;
        });
        return;
      }
      case 'hold':
        await sleepMs(this.scaled(step.holdMs), undefined, this.options.signal ? { signal: this.options.signal } : undefined);
        return;
      case 'wait':
        await this.waitUntil(index, step.until, this.scaled(step.timeoutMs) + (this.options.waitSlackMs ?? 0));
        return;
      case 'check': {
        const problems = await this.evaluate(step.assertions);
        if (problems.length > 0) throw new StepFailure(index, `check failed: ${problems.join('; ')}`, false);
        return;
      }
      default: {
        // Every step kind is handled above: a new one fails to compile here.
        const unhandled: never = step;
        throw new Error(`step ${index + 1}: no executor for ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private bind(name: string | undefined, nodes: readonly string[]): void {
    if (name) this.bindings.set(name, nodes);
  }

  private nextActionId(): string {
    return `a${++this.actionCounter}`;
  }

  private async fault(
    index: number,
    action: ActionKind,
    request: FaultRequest,
    shape: {
      nodes: readonly string[];
      groups?: readonly (readonly string[])[];
      from?: readonly string[];
      to?: readonly string[];
      ports?: readonly PortMatch[];
    },
  ): Promise<void> {
    const id = this.nextActionId();
    const { recorder, cluster } = this.options;
    if (!cluster.supportedFaults.has(request.kind)) {
      recorder.record({ kind: 'action', id, phase: 'unsupported', fault: action, ...shape });
      this.unsupported.push(`${action} (provider ${cluster.provider})`);
      throw new StepFailure(index, `provider ${cluster.provider} does not support ${action}`, true, { blame: 'precondition' });
    }
    recorder.record({ kind: 'action', id, phase: 'intent', fault: action, ...shape });
    try {
      const fault = await cluster.inject(request);
      recorder.record({ kind: 'action', id, phase: 'applied', fault: action, ...shape });
      this.applied.push({ id, fault, action, nodes: shape.nodes });
    } catch (error) {
      if (error instanceof UnsupportedFaultError) {
        recorder.record({ kind: 'action', id, phase: 'unsupported', fault: action, ...shape });
        this.unsupported.push(error.message);
      } else if (error instanceof InconclusiveFaultError) {
        // The fault happened, but left the cluster in a state no verdict can be judged on (a kind node that came
        // back with another address): the run is inconclusive, not failed.
        recorder.record({ kind: 'action', id, phase: 'applied', fault: action, ...shape });
        recorder.record({ kind: 'note', message: error.message });
        this.inconclusive.push(error.message);
      } else {
        recorder.record({ kind: 'action', id, phase: 'failed', fault: action, ...shape, error: errorMessage(error) });
      }
      throw error;
    }
  }

  /**
   * An action through the API, node by node: the intent is recorded before the first patch; `applied` (or `failed`)
   * carries the resourceVersion each patched node had right after the harness's patch.
   */
  private async apiAction(
    index: number,
    action: ActionKind,
    nodes: readonly string[],
    extra: { readonly annotations?: Readonly<Record<string, string | null>> },
    apply: (node: string) => Promise<string | undefined>,
  ): Promise<void> {
    const id = this.nextActionId();
    this.options.recorder.record({ kind: 'action', id, phase: 'intent', fault: action, nodes, ...extra });
    const rvs: Record<string, string> = {};
    try {
      for (const node of nodes) {
        const rv = await apply(node);
        if (rv !== undefined) rvs[node] = rv;
      }
    } catch (error) {
      this.options.recorder.record({
        kind: 'action',
        id,
        phase: 'failed',
        fault: action,
        nodes,
        ...extra,
        rvs,
        error: errorMessage(error),
      });
      throw new StepFailure(index, `${action} ${nodes.join(', ')}: ${errorMessage(error)}`, true, { cause: error, blame: 'harness' });
    }
    this.options.recorder.record({ kind: 'action', id, phase: 'applied', fault: action, nodes, ...extra, rvs });
  }

  /** Undoes every applied fault, newest first, recording each undo; keeps going past failures. */
  async undoAll(): Promise<unknown> {
    let first: unknown;
    while (this.applied.length > 0) {
      const entry = this.applied.pop() as (typeof this.applied)[number];
      try {
        await entry.fault.undo();
        // A removed host stays removed: its lasting effect is not ended by the run's end (oracles keep it down).
        if (!isPermanent(entry.action))
          this.options.recorder.record({ kind: 'action', id: entry.id, phase: 'undone', fault: entry.action, nodes: entry.nodes });
      } catch (error) {
        first ??= error;
      }
    }
    return first;
  }

  private async resolveName(selector: Selector): Promise<string> {
    const names = resolveTargets([selector], await this.targetContext());
    if (names.length !== 1) throw new Error(`expected one node, got ${names.length}`);
    return names[0] as string;
  }

  private async waitUntil(index: number, condition: WaitCondition, timeoutMs: number): Promise<void> {
    const what = describeCondition(condition);
    const check = this.promotionCandidates(condition) ?? (() => this.holds(condition));
    try {
      await waitFor(what, check, { timeoutMs, intervalMs: 200, signal: this.options.signal });
    } catch (error) {
      let message = errorMessage(error);
      if (condition.kind === 'promotion' && this.options.describeStuckPromotion && !this.options.signal?.aborted) {
        const node = await this.resolveName(condition.node).catch(() => undefined);
        const stuck = node === undefined ? undefined : await this.options.describeStuckPromotion(node, timeoutMs).catch(() => undefined);
        if (stuck) message = `${message}: ${stuck}`;
      }
      throw new StepFailure(index, message, true, { cause: error });
    }
  }

  private scaled(ms: number): number {
    return Math.round(ms * (this.options.timeScale ?? 1));
  }

  /** Whether a wait condition holds now. */
  /**
   * A promotion wait on `promotion-candidate` follows the candidates while it waits: every node the reference
   * names at a poll (all tied ones: Harvester's list order is random), and, once a promotion runs and the
   * reference names nobody (one at a time), the node being promoted. It holds when any of them has the status.
   */
  private promotionCandidates(condition: WaitCondition): (() => Promise<boolean>) | undefined {
    if (condition.kind !== 'promotion' || condition.node.kind !== 'promotion-candidate') return undefined;
    const named = new Set<string>();
    return async () => {
      const nodes = await this.listNodes();
      const selection = explainSelection(nodes, new Date());
      for (const name of selection.tied) named.add(name);
      if (selection.outcome === 'promotion-in-flight') {
        for (const node of nodes) if (promoteStatusOf(node) === 'running' && node.metadata?.name) named.add(node.metadata.name);
      }
      return [...named].some((name) => promoteStatusOf(nodeNamed(nodes, name)) === condition.status);
    };
  }

  private async holds(condition: WaitCondition): Promise<boolean> {
    switch (condition.kind) {
      case 'node': {
        const name = await this.resolveName(condition.node);
        return readinessOf(nodeNamed(await this.listNodes(), name)) === condition.ready;
      }
      case 'nodeGone': {
        const name = await this.resolveName(condition.node);
        return !(await this.listNodes()).some((node) => node.metadata?.name === name);
      }
      case 'promotion': {
        const name = await this.resolveName(condition.node);
        return promoteStatusOf(nodeNamed(await this.listNodes(), name)) === condition.status;
      }
      case 'etcdMembers':
        return (await this.options.cluster.etcdMembership?.())?.members.length === condition.count;
      case 'managementCount':
        return managementCount(await this.listNodes()) === condition.count;
      case 'api':
        return (await this.apiState()) === condition.state;
    }
  }

  /**
   * Whether the API accepts a write now, or at least a read. The write goes to the run's probe object (a key of
   * its own, beside the write probe's register), so polling leaves nothing behind.
   */
  async apiState(): Promise<'writable' | 'readable' | 'unavailable'> {
    try {
      const probe = runObjects(this.options.cluster.runId).probe;
      await this.request(`a write of ConfigMap ${SAMPLER_NAMESPACE}/${probe}`, (options) =>
        this.core.patchNamespacedConfigMap(
          { name: probe, namespace: SAMPLER_NAMESPACE, body: { data: { [API_STATE_KEY]: String(++probeCounter) } } },
          mergePatch(options),
        ),
      );
      return 'writable';
    } catch {
      try {
        await this.listNodes();
        return 'readable';
      } catch {
        return 'unavailable';
      }
    }
  }

  /**
   * Nodes for checks and the final expectations. A list that gets no answer or a 5xx (the VIP still forwards to an
   * API server whose etcd member was just removed, or it moves) is asked again for a while, as a person would
   * retry kubectl: only an API that stays unable to answer makes the run an error.
   */
  private listNodesAnswered(): Promise<V1Node[]> {
    return waitFor('a node list the checks can read (the API answered 5xx or not at all)', () => this.listNodes(), {
      timeoutMs: CHECK_LIST_RETRY_MS,
      intervalMs: 250,
    });
  }

  /** Evaluates point assertions; returns what did not hold. */
  async evaluate(assertions: readonly Assertion[]): Promise<string[]> {
    const problems: string[] = [];
    const nodes = await this.listNodesAnswered();
    for (const assertion of assertions) {
      const described = describeAssertion(assertion);
      try {
        switch (assertion.kind) {
          case 'managementCount': {
            const count = managementCount(nodes);
            if (count !== assertion.count) problems.push(`${described}: there are ${count}`);
            break;
          }
          case 'etcdMembers': {
            const count = (await this.options.cluster.etcdMembership?.())?.members.length;
            if (count !== assertion.count) problems.push(`${described}: there are ${count ?? 'unknown'}`);
            break;
          }
          case 'nodeReady': {
            const name = await this.resolveName(assertion.node);
            const ready = readinessOf(nodeNamed(nodes, name));
            if (ready !== assertion.ready) problems.push(`${described}: ${name} is Ready=${ready ?? 'missing'}`);
            break;
          }
          case 'promoteStatus': {
            const name = await this.resolveName(assertion.node);
            const status = promoteStatusOf(nodeNamed(nodes, name));
            if (status !== assertion.status) problems.push(`${described}: ${name} has ${status ?? 'no promote status'}`);
            break;
          }
          case 'roles': {
            const ctx = await this.targetContext();
            for (const { node, role } of assertion.roles) {
              const name = await this.resolveName(node);
              const actual = ctx.currentNodes.find((n) => n.name === name)?.role;
              if (actual !== role) problems.push(`${name} has role ${actual ?? 'none (gone)'}, expected ${role}`);
            }
            break;
          }
          case 'terminating': {
            for (const name of resolveTargets(assertion.nodes, await this.targetContext())) {
              const node = nodeNamed(nodes, name);
              if (node === undefined) problems.push(`${described}: ${name} is gone`);
              else if (!node.metadata?.deletionTimestamp) problems.push(`${described}: ${name} is not being deleted`);
            }
            break;
          }
          case 'promotionsRunning': {
            const running = nodes.filter((n) => promoteStatusOf(n) === 'running').map((n) => nodeName(n));
            if (running.length !== assertion.count)
              problems.push(`${described}: there are ${running.length}${running.length > 0 ? ` (${running.join(', ')})` : ''}`);
            break;
          }
        }
      } catch (error) {
        problems.push(`${described}: ${errorMessage(error)}`);
      }
    }
    return problems;
  }
}
