// The provider interface shared by the sandbox, kind and existing-cluster targets.
// A provider is one class with a small surface; starting (or attaching) gives a StartedCluster.

export type NodeRole = 'control-plane' | 'worker';

/** A node as the harness knows it: its name, its role at start, where it lives. */
export interface ClusterNode {
  readonly name: string;
  readonly role: NodeRole;
  /** Address of the node on the cluster network (sandbox: its namespace's address). */
  readonly address?: string;
  readonly zone?: string;
}

/** Every fault a scenario can ask for. */
export type FaultKind =
  | 'kill'
  | 'restart'
  | 'pause'
  | 'resume'
  | 'isolate'
  | 'partition'
  | 'drop'
  | 'heal'
  | 'delete-node'
  | 'force-delete-node';

export const ALL_FAULT_KINDS: readonly FaultKind[] = [
  'kill', 'restart', 'pause', 'resume', 'isolate', 'partition', 'drop', 'heal', 'delete-node', 'force-delete-node',
];

/** A fault request, provider-neutral. Targets are node names already resolved by the scenario layer. */
export type FaultRequest =
  | { readonly kind: 'kill' | 'restart' | 'pause' | 'resume' | 'isolate'; readonly nodes: readonly string[] }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly kind: 'drop'; readonly from: readonly string[]; readonly to: readonly string[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'delete-node' | 'force-delete-node'; readonly nodes: readonly string[] };

/** A fault that was applied and can be undone. undo() is idempotent. */
export interface AppliedFault {
  readonly request: FaultRequest;
  undo(): Promise<void>;
}

/** Etcd as a provider can show it: members and the current leader. */
export interface EtcdMembership {
  readonly members: readonly { readonly name: string; readonly id: string }[];
  readonly leader?: string;
}

export interface ClusterEndpoints {
  /** Path of a kubeconfig file whose server is the cluster's virtual IP (or its one API endpoint). */
  readonly kubeconfigPath: string;
  /** Per-node API endpoints (node name -> kubeconfig path), where the provider has them. */
  readonly nodeKubeconfigPaths: ReadonlyMap<string, string>;
}

/** A running (or attached) cluster. Disposing it stops it; stop() is idempotent. */
export interface StartedCluster extends AsyncDisposable {
  readonly provider: string;
  readonly endpoints: ClusterEndpoints;
  /** Nodes as they were at start (roles may change later: read the API for the current state). */
  readonly nodes: readonly ClusterNode[];
  /** The fault kinds this provider supports; a scenario asking for another is inconclusive, not failed. */
  readonly supportedFaults: ReadonlySet<FaultKind>;
  /** Timers the cluster runs with, so budgets can be derived from them. */
  readonly timers: ClusterTimers;
  inject(request: FaultRequest): Promise<AppliedFault>;
  /** Etcd membership and leader, or undefined when the provider cannot see etcd. */
  etcdMembership?(): Promise<EtcdMembership | undefined>;
  stop(): Promise<void>;
}

export interface ClusterTimers {
  readonly kubeletHeartbeatMs: number;
  readonly nodeMonitorGraceMs: number;
  readonly etcdHeartbeatMs: number;
  readonly etcdElectionTimeoutMs: number;
}

export interface ClusterProvider<Options> {
  readonly name: string;
  /** The fault kinds clusters of this provider support (known before starting one). */
  readonly supportedFaults: ReadonlySet<FaultKind>;
  start(options: Options, signal?: AbortSignal): Promise<StartedCluster>;
}

/** Thrown when a scenario asks a provider for something it cannot do; the verdict is inconclusive. */
export class UnsupportedFaultError extends Error {
  constructor(readonly provider: string, readonly fault: FaultKind) {
    super(`provider ${provider} does not support fault "${fault}"`);
    this.name = 'UnsupportedFaultError';
  }
}
