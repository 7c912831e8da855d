// An attached existing cluster. The harness never creates or deletes it: stopping undoes the faults it injected,
// nothing more. Every fault passes the safety rails first (kill switch, quorum guard), is journaled before it is
// applied (FaultLedger), and is then run by its executors, or only described (dry-run).
import { isUndoable, propertiesOf, type AppliedFault, type FaultKind, type FaultRequest } from '../../faults/catalogue.ts';
import type { ClusterEndpoints, ClusterNode, ClusterTimers, EtcdMembership } from '../../model/cluster.ts';
import type { CoreV1Api, V1Node } from '@kubernetes/client-node';
import { applyPlan, undoActions, type FaultStep } from './executors/action.ts';
import { readEtcdMembership } from './executors/etcd-command.ts';
import { mergeFacts, type FaultPlanner, type NodeFacts } from './executors/planner.ts';
import type { ExecutorsConfig } from './executors/config-types.ts';
import type { UndoRecipe } from '../../faults/ledger.ts';
import type { DryRun } from './safety/dry-run.ts';
import type { KillSwitch } from './safety/kill-switch.ts';
import { checkQuorumGuard, nodesTakenDown, SafetyRefusal } from '../../faults/quorum-guard.ts';
import { nodeName } from '../../harvester/contract.ts';
import { requestWithDeadline } from '../../util/api-deadline.ts';
import { BaseStartedCluster, type PreparedFault } from '../core/started-cluster.ts';
import type { RunWorkspace } from '../core/workspace.ts';
import { internalAddress, managementNames, notReadyNames } from './discover.ts';

export interface ExistingClusterParts {
  readonly endpoints: ClusterEndpoints;
  /** The kubeconfig context attached through, and its server. */
  readonly context: string;
  readonly server: string;
  readonly core: CoreV1Api;
  readonly nodes: readonly ClusterNode[];
  readonly v1Nodes: readonly V1Node[];
  readonly timers: ClusterTimers;
  /** What the run records about the attachment: the profile and where it came from, the endpoint measured. */
  readonly notes?: readonly string[] | undefined;
  /** How long the measured endpoint may take to fail over (kube-vip's lease), for the outage budget. */
  readonly endpointFailoverMs?: number | undefined;
  readonly supportedFaults: ReadonlySet<FaultKind>;
  readonly config?: ExecutorsConfig | undefined;
  readonly planner?: FaultPlanner | undefined;
  readonly dryRun?: DryRun | undefined;
  readonly allowQuorumLoss: boolean;
  readonly killSwitch?: KillSwitch | undefined;
  readonly onKillSwitch?: ((reason: string) => void) | undefined;
  /** Deadline of the node listing that feeds the quorum guard. */
  readonly listTimeoutMs: number;
}

export class StartedExisting extends BaseStartedCluster {
  readonly provider = 'existing';
  private lastNodes: readonly V1Node[];
  private haltReason: string | undefined;
  private halting: Promise<void> | undefined;
  private stopping = false;

  constructor(
    workspace: RunWorkspace,
    private readonly parts: ExistingClusterParts,
  ) {
    super(workspace);
    this.lastNodes = parts.v1Nodes;
    // A kill switch already undoing: let it finish first (one undo pass at a time), then stop undoes what is left.
    this.deferBeforeStop('stop the kill switch', async () => {
      this.stopping = true;
      this.parts.killSwitch?.dispose();
      await this.halting?.catch(() => undefined);
    });
  }

  get context(): string {
    return this.parts.context;
  }

  get endpoints(): ClusterEndpoints {
    return this.parts.endpoints;
  }

  get nodes(): readonly ClusterNode[] {
    return this.parts.nodes;
  }

  get supportedFaults(): ReadonlySet<FaultKind> {
    return this.parts.supportedFaults;
  }

  get timers(): ClusterTimers {
    return this.parts.timers;
  }

  get notes(): readonly string[] {
    return this.parts.notes ?? [];
  }

  /** Only when the executors file says so (`onHarnessMachine: true`): an attached cluster is elsewhere by default. */
  get onHarnessMachine(): boolean {
    return this.parts.config?.onHarnessMachine === true;
  }

  get endpointFailoverMs(): number | undefined {
    return this.parts.endpointFailoverMs;
  }

  /**
   * Etcd members and leader from the executors file's etcd command, or undefined without one (and in a dry-run,
   * which runs nothing). A failing command throws: the caller records the sample as unavailable.
   */
  override async etcdMembership(): Promise<EtcdMembership | undefined> {
    const settings = this.parts.config?.etcd;
    if (!settings || this.parts.dryRun) return undefined;
    return readEtcdMembership(settings);
  }

  /** Lines a dry-run printed (empty when not a dry-run). */
  get dryRunLines(): readonly string[] {
    return this.parts.dryRun?.lines ?? [];
  }

  /** Why the kill switch stopped injection, if it did. */
  get halted(): string | undefined {
    return this.haltReason;
  }

  /** Nodes now, or the last list when the API does not answer (e.g. quorum is already lost). */
  private async currentNodes(): Promise<readonly V1Node[]> {
    try {
      const list = await requestWithDeadline(
        `the node list of context "${this.parts.context}" (quorum guard)`,
        this.parts.listTimeoutMs,
        (options) => this.parts.core.listNode({}, options),
      );
      this.lastNodes = list.items;
    } catch {
      // The guard then works from the last list it saw, plus the faults it holds.
    }
    return this.lastNodes;
  }

  private facts(nodes: readonly V1Node[]): (name: string) => NodeFacts {
    return (name) => {
      const v1 = nodes.find((n) => nodeName(n) === name) ?? this.parts.v1Nodes.find((n) => nodeName(n) === name);
      return mergeFacts(this.parts.config, name, v1 ? internalAddress(v1) : this.parts.nodes.find((n) => n.name === name)?.address);
    };
  }

  /**
   * The management nodes the lasting faults held now keep down (kill, pause, isolate; the minority sides of a
   * partition), minus those a later fault brought back (a restart or resume the catalogue says ends them).
   */
  private downNodes(management: readonly string[]): string[] {
    const held: { kind: FaultKind; down: Set<string> }[] = [];
    for (const request of this.ledger.activeRequests()) {
      if ('nodes' in request) {
        for (const entry of held)
          if (propertiesOf(entry.kind).endedBy.includes(request.kind)) for (const n of request.nodes) entry.down.delete(n);
      }
      if (propertiesOf(request.kind).lasting) held.push({ kind: request.kind, down: new Set(nodesTakenDown(request, management)) });
    }
    return [...new Set(held.flatMap((entry) => [...entry.down]))];
  }

  private refuse(message: string): never {
    this.parts.dryRun?.say(`[dry-run] refused: ${message}`);
    throw new SafetyRefusal(message);
  }

  /** Safety rails first (stopping, kill switch, quorum guard), then the executors' plan; nothing runs here. */
  protected async prepareFault(request: FaultRequest): Promise<PreparedFault> {
    if (this.stopping) throw new Error(`the run on context "${this.parts.context}" is stopping: no more faults`);
    if (this.haltReason) this.refuse(`kill switch tripped (${this.haltReason}): fault injection is stopped`);
    const planner = this.parts.planner;
    if (!planner) throw new Error(`context "${this.parts.context}": no executors file, so no fault can be planned`);
    const nodes = await this.currentNodes();
    const management = managementNames(nodes);
    const decision = checkQuorumGuard(
      request,
      management,
      [...this.downNodes(management), ...notReadyNames(nodes)],
      this.parts.allowQuorumLoss,
    );
    if (!decision.ok) this.refuse(decision.message);
    // Heal undoes the network faults held, newest first, before its own plan runs.
    if (request.kind === 'heal') await this.ledger.undoMatching((held) => propertiesOf(held.kind).cutsOff);
    // Planned before anything is journaled or run: a node without an executor or facts fails here, untouched.
    const plan = planner.plan(request, this.facts(nodes), nodes.map(nodeName));
    const dryRun = this.parts.dryRun;
    // A dry-run journals no undo: a cleanup after it must not run commands for faults that never happened.
    return dryRun
      ? { apply: () => dryRun.apply(plan) }
      : { apply: (journalStep) => applyPlan(plan, journalStep), undo: journaledUndo(plan.steps, !isUndoable(request.kind)) };
  }

  override async inject(request: FaultRequest): Promise<AppliedFault> {
    const applied = await super.inject(request);
    if (this.haltReason) {
      // The switch tripped while this fault was being applied: its undo-all has already run, so undo this one too.
      await applied.undo();
      this.refuse(`kill switch tripped (${this.haltReason}) while "${request.kind}" was applied; it was undone`);
    }
    return applied;
  }

  /** The kill switch's handler: stop injecting, undo everything. */
  halt(reason: string): Promise<void> {
    if (this.halting) return this.halting;
    this.haltReason = reason;
    this.parts.dryRun?.say(`[dry-run] kill switch: ${reason}; undoing every fault`);
    this.parts.onKillSwitch?.(reason);
    this.halting = this.undoAllFaults();
    return this.halting;
  }
}

/**
 * How a killed run's fault is undone later: its undo commands (argv), and the undo steps that are not commands. A
 * fault of several steps also journals them all; one that cannot be undone (remove-host) names every step as such.
 */
function journaledUndo(steps: readonly FaultStep[], notUndoable = false): UndoRecipe {
  const commands: string[][] = [];
  const manual: string[] = [];
  for (const action of undoActions(steps)) {
    if (action.argv && action.argv.length > 0) commands.push([...action.argv]);
    else manual.push(action.describe);
  }
  return {
    commands,
    manual,
    ...(steps.length > 1 ? { steps: steps.map((s) => s.apply.describe) } : {}),
    ...(notUndoable ? { notUndoable: steps.map((s) => `${s.node ? `${s.node}: ` : ''}${s.apply.describe}`) } : {}),
  };
}
