// The vocabulary every layer shares about a cluster: node roles, nodes as the harness knows them, the timers a
// cluster runs with, etcd membership and the endpoints clients use. No behaviour lives here.

export type NodeRole = 'control-plane' | 'worker';

/** A node as the harness knows it: its name, its role at start, where it lives. */
export interface ClusterNode {
  readonly name: string;
  readonly role: NodeRole;
  /** Address of the node on the cluster network (sandbox: its namespace's address). */
  readonly address?: string;
  readonly zone?: string;
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

/** Timers a cluster runs with; budgets and waits are derived from them. */
export interface ClusterTimers {
  readonly kubeletHeartbeatMs: number;
  readonly nodeMonitorGraceMs: number;
  readonly etcdHeartbeatMs: number;
  readonly etcdElectionTimeoutMs: number;
}
