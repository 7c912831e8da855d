// An attached existing cluster. The harness never creates or deletes it: stopping undoes the faults it injected,
// nothing more. Every fault passes the safety rails first (kill switch, quorum guard), is journaled before it is
// applied (FaultLedger), and is then run by its executors, or only described (dry-run).
import type { AppliedFault, FaultKind, FaultRequest } from '../../faults/catalogue.ts';
import type { ClusterEndpoints, ClusterNode, ClusterTimers, EtcdMembership } from '../../model/cluster.ts';
import type { CoreV1Api, V1Node } from '@kubernetes/client-node';
import { applyPlan, undoActions, type FaultStep } from './executors/action.ts';
import { readEtcdMembership } from './executors/etcd-command.ts';
import { mergeFacts, type FaultPlanner, type NodeFacts } from './executors/planner.ts';
import type { ExecutorsConfig } from './executors/config-types.ts';
import type { Journal } from '../../faults/journal.ts';
import { FaultLedger } from '../../faults/ledger.ts';
import type { DryRun } from './safety/dry-run.ts';
import type { KillSwitch } from './safety/kill-switch.ts';
import { checkQuorumGuard, nodesTakenDown, SafetyRefusal } from '../../faults/quorum-guard.ts';
import { nodeName } from '../../harvester/contract.ts';
import type { TeardownStack } from '../../util/teardown.ts';
import { withDeadline } from '../../util/wait.ts';
import type { StartedCluster } from '../core/provider.ts';
import { UnsupportedFaultError } from '../core/provider.ts';
import { internalAddress, managementNames, notReadyNames } from './discover.ts';

export interface ExistingClusterParts {
  readonly runId: string;
  readonly runDir: string;
  readonly journal: Journal;
  readonly teardown: TeardownStack;
  readonly endpoints: ClusterEndpoints;
  /** The kubeconfig context attached through, and its server. */
  readonly context: string;
  readonly server: string;
  readonly core: CoreV1Api;
  readonly nodes: readonly ClusterNode[];
  readonly v1Nodes: readonly V1Node[];
  readonly timers: ClusterTimers;
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

/** A fault the harness holds, with the nodes it keeps down (for the quorum guard). */
interface ActiveFault {
  readonly request: FaultRequest;
  readonly applied: AppliedFault;
  readonly down: Set<string>;
}

const NETWORK_FAULTS: readonly FaultKind[] = ['isolate', 'partition', 'drop'];
const DOWN_FAULTS: readonly FaultKind[] = ['kill', 'pause', 'isolate'];

export class StartedExisting implements StartedCluster {
  readonly provider = 'existing';
  readonly ledger: FaultLedger;
  private readonly active: ActiveFault[] = [];
  private lastNodes: readonly V1Node[];
  private haltReason: string | undefined;
  private halting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Set when undoing left faults behind: the run folder (journal) is kept for the operator. */
  faultsLeftBehind = false;

  constructor(private readonly parts: ExistingClusterParts) {
    this.ledger = new FaultLedger(parts.journal);
    this.lastNodes = parts.v1Nodes;
  }

  get runId(): string {
    return this.parts.runId;
  }

  get runDir(): string {
    return this.parts.runDir;
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

  /**
   * Etcd members and leader from the executors file's etcd command, or undefined without one (and in a dry-run,
   * which runs nothing). A failing command throws: the caller records the sample as unavailable.
   */
  async etcdMembership(): Promise<EtcdMembership | undefined> {
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
      const list = await withDeadline(`the node list of context "${this.parts.context}" (quorum guard)`, this.parts.listTimeoutMs, () => this.parts.core.listNode());
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

  private downNodes(): string[] {
    return [...new Set(this.active.flatMap((a) => [...a.down]))];
  }

  private refuse(message: string): never {
    this.parts.dryRun?.say(`[dry-run] refused: ${message}`);
    throw new SafetyRefusal(message);
  }

  async inject(request: FaultRequest): Promise<AppliedFault> {
    if (this.stopping) throw new Error(`the run on context "${this.parts.context}" is stopping: no more faults`);
    if (this.haltReason) this.refuse(`kill switch tripped (${this.haltReason}): fault injection is stopped`);
    const planner = this.parts.planner;
    if (!planner || !this.supportedFaults.has(request.kind)) throw new UnsupportedFaultError(this.provider, request.kind);
    const nodes = await this.currentNodes();
    const management = managementNames(nodes);
    const decision = checkQuorumGuard(request, management, [...this.downNodes(), ...notReadyNames(nodes)], this.parts.allowQuorumLoss);
    if (!decision.ok) this.refuse(decision.message);
    if (request.kind === 'heal') await this.undoNetworkFaults();
    // Planned before anything is journaled or run: a node without an executor or facts fails here, untouched.
    const plan = planner.plan(request, this.facts(nodes), nodes.map(nodeName));
    const dryRun = this.parts.dryRun;
    // A dry-run journals no undo: a cleanup after it must not run commands for faults that never happened.
    const undo = dryRun ? undefined : journaledUndo(plan.steps);
    const applied = await this.ledger.apply(request, () => (dryRun ? dryRun.apply(plan) : applyPlan(plan)), undo);
    if (this.haltReason) {
      // The switch tripped while this fault was being applied: its undo-all has already run, so undo this one too.
      await applied.undo();
      this.refuse(`kill switch tripped (${this.haltReason}) while "${request.kind}" was applied; it was undone`);
    }
    return this.track(request, applied, management);
  }

  /** Remembers which nodes the fault keeps down; restart and resume bring nodes back from earlier faults. */
  private track(request: FaultRequest, applied: AppliedFault, management: readonly string[]): AppliedFault {
    if (request.kind === 'restart' || request.kind === 'resume') {
      const from: FaultKind = request.kind === 'restart' ? 'kill' : 'pause';
      for (const entry of this.active) if (entry.request.kind === from) for (const n of request.nodes) entry.down.delete(n);
    }
    let down: string[] = [];
    if (DOWN_FAULTS.includes(request.kind) && 'nodes' in request) down = [...request.nodes];
    else if (request.kind === 'partition') down = nodesTakenDown(request, management);
    const entry: ActiveFault = { request, applied, down: new Set(down) };
    this.active.push(entry);
    return {
      request,
      undo: async () => {
        const index = this.active.indexOf(entry);
        if (index >= 0) this.active.splice(index, 1);
        await applied.undo();
      },
    };
  }

  /** Heal: undoes the network faults held, newest first. */
  private async undoNetworkFaults(): Promise<void> {
    let first: unknown;
    for (const entry of [...this.active].reverse()) {
      if (!NETWORK_FAULTS.includes(entry.request.kind)) continue;
      const index = this.active.indexOf(entry);
      if (index >= 0) this.active.splice(index, 1);
      try {
        await entry.applied.undo();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  /** The kill switch's handler: stop injecting, undo everything. */
  halt(reason: string): Promise<void> {
    if (this.halting) return this.halting;
    this.haltReason = reason;
    this.parts.dryRun?.say(`[dry-run] kill switch: ${reason}; undoing every fault`);
    this.parts.onKillSwitch?.(reason);
    this.halting = this.undoAll();
    return this.halting;
  }

  private async undoAll(): Promise<void> {
    try {
      await this.ledger.undoAll();
      this.active.length = 0;
    } catch (error) {
      this.faultsLeftBehind = true;
      throw error;
    }
  }

  /** Undoes every fault (newest first) and detaches; the cluster itself is left as it is. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.parts.killSwitch?.dispose();
      let first: unknown;
      try {
        // A kill switch already undoing: let it finish, then undo whatever is left (one undo pass at a time).
        await this.halting?.catch(() => undefined);
        await this.undoAll();
      } catch (error) {
        first = error;
      }
      try {
        await this.parts.teardown.run();
      } catch (error) {
        first ??= error;
      }
      if (first !== undefined) throw first;
    })();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** How a killed run's fault is undone later: its undo commands (argv), and the undo steps that are not commands. */
function journaledUndo(steps: readonly FaultStep[]): { commands: string[][]; manual: string[] } {
  const commands: string[][] = [];
  const manual: string[] = [];
  for (const action of undoActions(steps)) {
    if (action.argv && action.argv.length > 0) commands.push([...action.argv]);
    else manual.push(action.describe);
  }
  return { commands, manual };
}
