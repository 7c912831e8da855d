// What every started cluster shares: its workspace (run id, folder, journal, teardown), the fault ledger (the one
// stack of applied faults), the check that a fault is supported, hooks that must run before faults are undone,
// and one idempotent stop: hooks, then every fault undone newest first, then the teardown. A provider's cluster
// extends this and says how it applies a fault (applyFault) and what it is (provider, nodes, timers, ...).
import type { AppliedFault, FaultKind, FaultRequest } from '../../faults/catalogue.ts';
import type { Journal } from '../../faults/journal.ts';
import { FaultLedger, type StepJournal, type UndoRecipe } from '../../faults/ledger.ts';
import type { ClusterEndpoints, ClusterNode, ClusterTimers, EtcdMembership } from '../../model/cluster.ts';
import { errorMessage } from '../../util/errors.ts';
import type { TeardownStack } from '../../util/teardown.ts';
import type { StartedCluster } from './provider.ts';
import { UnsupportedFaultError } from './provider.ts';
import type { RunWorkspace } from './workspace.ts';

/** A fault ready to be journaled and applied, and how a later process undoes it if this one dies. */
export interface PreparedFault {
  /** Applies the fault; a fault of several steps journals each one through `journalStep` before applying it. */
  apply(journalStep?: StepJournal): Promise<AppliedFault>;
  readonly undo?: UndoRecipe | undefined;
}

export abstract class BaseStartedCluster implements StartedCluster {
  abstract readonly provider: string;
  abstract readonly supportedFaults: ReadonlySet<FaultKind>;
  abstract readonly timers: ClusterTimers;
  abstract readonly nodes: readonly ClusterNode[];
  abstract readonly endpoints: ClusterEndpoints;
  abstract readonly onHarnessMachine: boolean;
  readonly ledger: FaultLedger;
  /** Set when undoing faults failed: something may be left applied on the cluster. */
  faultsLeftBehind = false;
  private readonly beforeStop: { readonly what: string; readonly run: () => Promise<void> }[] = [];
  private stopped: Promise<void> | undefined;

  protected constructor(protected readonly workspace: RunWorkspace) {
    this.ledger = new FaultLedger(workspace.journal);
  }

  get runId(): string {
    return this.workspace.runId;
  }

  get runDir(): string {
    return this.workspace.runDir;
  }

  protected get journal(): Journal {
    return this.workspace.journal;
  }

  protected get teardown(): TeardownStack {
    return this.workspace.teardown;
  }

  /**
   * Everything that comes before a supported fault is journaled (safety rails, planning): throws to refuse it,
   * else says how to apply it. Nothing may be applied here.
   */
  protected abstract prepareFault(request: FaultRequest): Promise<PreparedFault>;

  etcdMembership?(): Promise<EtcdMembership | undefined>;

  /** Journals an object the run is about to create in the cluster, so `cpchaos cleanup` can delete it. */
  objectCreating(object: { readonly kind: 'ConfigMap'; readonly namespace: string; readonly name: string }): void {
    this.journal.record({ type: 'object', ...object, kubeconfig: this.endpoints.kubeconfigPath });
  }

  objectDeleted(object: { readonly kind: 'ConfigMap'; readonly namespace: string; readonly name: string }): void {
    this.journal.record({ type: 'object-deleted', ...object });
  }

  /** Refuses an unsupported fault; journals a supported one (in the ledger) before applying it. */
  async inject(request: FaultRequest): Promise<AppliedFault> {
    if (!this.supportedFaults.has(request.kind)) throw new UnsupportedFaultError(this.provider, request.kind);
    const prepared = await this.prepareFault(request);
    return this.ledger.apply(request, (_request, journalStep) => prepared.apply(journalStep), prepared.undo);
  }

  /** Undoes every applied fault, newest first; a failure marks faults as left behind before it is rethrown. */
  protected async undoAllFaults(): Promise<void> {
    try {
      await this.ledger.undoAll();
    } catch (error) {
      this.faultsLeftBehind = true;
      throw error;
    }
  }

  /**
   * Runs `run` when the cluster stops, before its faults are undone (newest first): for what works on the cluster
   * from the harness, such as a promote loop, which must end before the cluster does.
   */
  deferBeforeStop(what: string, run: () => Promise<void>): void {
    this.beforeStop.unshift({ what, run });
  }

  /** Hooks, then every fault undone (newest first), then the teardown; all of it always runs; idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async stopOnce(): Promise<void> {
    let first: unknown;
    for (const hook of this.beforeStop.splice(0)) {
      try {
        await hook.run();
      } catch (error) {
        first ??= new Error(`${hook.what} failed: ${errorMessage(error)}`, { cause: error });
      }
    }
    try {
      await this.undoAllFaults();
    } catch (error) {
      first ??= error;
    }
    try {
      await this.teardown.run();
    } catch (error) {
      first ??= error;
    }
    if (first !== undefined) throw first;
  }
}

/** A start that failed part-way: stop what was started, then rethrow the start's own error (not the stop's). */
export async function stopAndRethrow(cluster: { stop(): Promise<void> }, error: unknown): Promise<never> {
  try {
    await cluster.stop();
  } catch {
    // The start error is the one to report.
  }
  throw error;
}
