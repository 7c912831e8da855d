import type { AppliedFault, FaultKind, FaultRequest } from '../../faults/catalogue.ts';
import type { ClusterEndpoints, ClusterNode, ClusterTimers, EtcdMembership } from '../../model/cluster.ts';
// The provider interface shared by the sandbox, kind and existing-cluster targets.
// A provider is one class with a small surface; starting (or attaching) gives a StartedCluster.

/** A running (or attached) cluster. Disposing it stops it; stop() is idempotent. */
export interface StartedCluster extends AsyncDisposable {
  readonly provider: string;
  /** The run's id: its folder and journal under the runs root, and the names of what it created. */
  readonly runId: string;
  readonly endpoints: ClusterEndpoints;
  /** Nodes as they were at start (roles may change later: read the API for the current state). */
  readonly nodes: readonly ClusterNode[];
  /** The fault kinds this provider supports; a scenario asking for another is inconclusive, not failed. */
  readonly supportedFaults: ReadonlySet<FaultKind>;
  /** Timers the cluster runs with, so budgets can be derived from them. */
  readonly timers: ClusterTimers;
  /** Lines the run records as notes when it starts (an attached cluster: its profile, the endpoint measured). */
  readonly notes?: readonly string[];
  /**
   * How long the endpoint the run measures availability on (the kubeconfig's server) may take to fail over when
   * the node serving it goes away (kube-vip's VIP), so the outage budget allows for it; undefined: nothing to add.
   */
  readonly endpointFailoverMs?: number;
  /**
   * Whether the system under test runs on the harness's own machine and shares its CPUs (the sandbox's processes,
   * kind's containers): only then does this machine's CPU stall slow the system itself, so that a promotion budget it
   * overran can be put down to the machine (inconclusive) rather than to the system (fail).
   */
  readonly onHarnessMachine: boolean;
  inject(request: FaultRequest): Promise<AppliedFault>;
  /** Etcd membership and leader, or undefined when the provider cannot see etcd. */
  etcdMembership?(): Promise<EtcdMembership | undefined>;
  stop(): Promise<void>;
}

export interface ClusterProvider<Options> {
  readonly name: string;
  /** The fault kinds clusters of this provider support (known before starting one). */
  readonly supportedFaults: ReadonlySet<FaultKind>;
  start(options: Options, signal?: AbortSignal): Promise<StartedCluster>;
}

/** Thrown when a scenario asks a provider for something it cannot do; the verdict is inconclusive. */
export class UnsupportedFaultError extends Error {
  constructor(
    readonly provider: string,
    readonly fault: FaultKind,
  ) {
    super(`provider ${provider} does not support fault "${fault}"`);
    this.name = 'UnsupportedFaultError';
  }
}

/**
 * Thrown when a fault was applied (or undone) but left the cluster in a state the scenario's verdict cannot be judged
 * on (a kind node that came back with another address, say). The run is inconclusive, with `reason`; unlike
 * UnsupportedFaultError, the fault did happen.
 */
export class InconclusiveFaultError extends Error {
  constructor(
    readonly provider: string,
    readonly fault: FaultKind,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${fault} on provider ${provider} is inconclusive: ${reason}`, options);
    this.name = 'InconclusiveFaultError';
  }
}
