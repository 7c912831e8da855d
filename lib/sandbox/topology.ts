// The shape of a sandbox cluster: nodes, roles, zones, addresses and compressed timers.
import type { ClusterNode, ClusterTimers, NodeRole } from '../model/cluster.ts';
import { SetupError } from '../util/errors.ts';
import {
  CONTROL_PLANE_ROLE_LABEL,
  ETCD_ROLE_LABEL,
  HARVESTER_MANAGED_LABEL,
  MASTER_ROLE_LABEL,
  ZONE_LABEL,
} from '../harvester/contract.ts';

/** The labels a Harvester node registers with: managed, and the management roles on control-plane nodes. */
export function harvesterNodeLabels(role: NodeRole): Record<string, string> {
  return role === 'control-plane'
    ? { [HARVESTER_MANAGED_LABEL]: 'true', [CONTROL_PLANE_ROLE_LABEL]: 'true', [ETCD_ROLE_LABEL]: 'true', [MASTER_ROLE_LABEL]: 'true' }
    : { [HARVESTER_MANAGED_LABEL]: 'true' };
}

export interface SandboxTimers extends ClusterTimers {
  /** How long a controller leader's Lease lasts without renewal. */
  readonly leaderLeaseMs: number;
  /** Deadline the API server puts on every etcd call. */
  readonly apiRequestDeadlineMs: number;
}

export interface TopologyNode {
  readonly name: string;
  readonly role: NodeRole;
  readonly zone?: string;
  /** Extra labels the kubelet registers the Node with. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface SandboxTopologyOptions {
  readonly controlPlanes?: number;
  readonly workers?: number;
  /** Explicit nodes; when given, controlPlanes/workers are derived from it. */
  readonly nodes?: readonly TopologyNode[];
  readonly timers?: Partial<SandboxTimers>;
}

export interface SandboxNode extends ClusterNode {
  readonly index: number;
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface SandboxTopology {
  readonly nodes: readonly SandboxNode[];
  readonly timers: SandboxTimers;
  /** Prefix length of the cluster network. */
  readonly prefixLength: number;
}

export const DEFAULT_TIMERS: SandboxTimers = {
  kubeletHeartbeatMs: 250,
  nodeMonitorGraceMs: 2500,
  etcdHeartbeatMs: 100,
  etcdElectionTimeoutMs: 1000,
  leaderLeaseMs: 1500,
  apiRequestDeadlineMs: 2000,
};

const MAX_NODES = 200;
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** The cluster network lives only inside the run's own namespaces; it is never routed from the root namespace. */
export function nodeAddress(index: number): string {
  return `10.213.${Math.floor((index + 1) / 250)}.${((index + 1) % 250) + 1}`;
}

export function resolveTopology(options: SandboxTopologyOptions = {}): SandboxTopology {
  const nodes = options.nodes ?? defaultNodes(options.controlPlanes ?? 3, options.workers ?? 1);
  if (nodes.length === 0) throw new SetupError('sandbox topology: at least one node is needed');
  if (nodes.length > MAX_NODES) throw new SetupError(`sandbox topology: at most ${MAX_NODES} nodes, got ${nodes.length}`);
  if (!nodes.some((n) => n.role === 'control-plane')) {
    throw new SetupError('sandbox topology: at least one control-plane node is needed');
  }
  const seen = new Set<string>();
  const resolved = nodes.map((node, index): SandboxNode => {
    if (!NAME_PATTERN.test(node.name)) {
      throw new SetupError(`sandbox topology: nodes[${index}].name: "${node.name}" is not a DNS label of at most 32 characters`);
    }
    if (seen.has(node.name)) throw new SetupError(`sandbox topology: nodes[${index}].name: duplicate node name "${node.name}"`);
    seen.add(node.name);
    return {
      name: node.name,
      role: node.role,
      index,
      address: nodeAddress(index),
      labels: { ...harvesterNodeLabels(node.role), ...(node.labels ?? {}), ...(node.zone ? { [ZONE_LABEL]: node.zone } : {}) },
      ...(node.zone ? { zone: node.zone } : {}),
    };
  });
  const timers = { ...DEFAULT_TIMERS, ...definedOnly(options.timers ?? {}) };
  for (const [key, value] of Object.entries(timers)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new SetupError(`sandbox topology: timers.${key}: expected a positive duration, got ${value}`);
  }
  if (timers.etcdElectionTimeoutMs < 5 * timers.etcdHeartbeatMs) {
    throw new SetupError('sandbox topology: timers.etcdElectionTimeout must be at least 5 times timers.etcdHeartbeat (etcd requires it)');
  }
  if (timers.nodeMonitorGraceMs < 2 * timers.kubeletHeartbeatMs) {
    throw new SetupError('sandbox topology: timers.nodeMonitorGrace must be at least twice timers.kubeletHeartbeat');
  }
  return { nodes: resolved, timers, prefixLength: 16 };
}

function defaultNodes(controlPlanes: number, workers: number): TopologyNode[] {
  if (!Number.isInteger(controlPlanes) || controlPlanes < 1) {
    throw new SetupError(`sandbox topology: controlPlanes: expected an integer >= 1, got ${controlPlanes}`);
  }
  if (!Number.isInteger(workers) || workers < 0) {
    throw new SetupError(`sandbox topology: workers: expected an integer >= 0, got ${workers}`);
  }
  return [
    ...Array.from({ length: controlPlanes }, (_, i) => ({ name: `cp-${i}`, role: 'control-plane' as const })),
    ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i}`, role: 'worker' as const })),
  ];
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
