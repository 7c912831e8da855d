// What a promotion policy may look at besides the node list: the third argument of selectPromoteNode. Harvester's
// discussion of control-plane recovery names the directions a policy may want to try (better health checks,
// pre-promotion checks of a candidate's resources and network connectivity); the context makes them expressible.
// It is built from the Node objects the policy is given, so a policy stays a pure function of what the controller
// sees:
// - conditions and how long each has held (lastTransitionTime), pressure conditions, allocatable resources;
// - reachability: what the node's connectivity probe last found (every control plane's etcd peer port and API
//   port), from the annotation cpchaos.io/reachability. A real Harvester has no such probe: it stands for an
//   operator's probe DaemonSet. It is an annotation, not a condition, because Harvester's health check rejects a
//   node with any condition other than Ready True (pkg/util/node.go), and the reference must see the bare node.
import { parseQuantity } from '../util/quantity.ts';
import type { V1Node } from '@kubernetes/client-node';
import { timestampMs } from './contract.ts';

export const REACHABILITY_ANNOTATION = 'cpchaos.io/reachability';

/** What a node's connectivity probe found, as its annotation holds it. */
export interface ReachabilityRecord {
  /** Every control plane's etcd peer port answered a TCP connect. */
  readonly etcdPeers: boolean;
  /** Every control plane's API port answered. */
  readonly api: boolean;
  /** The `address:port` that did not answer. */
  readonly unreachable: readonly string[];
  /** When the probe ran (RFC 3339). */
  readonly checkedAt: string;
}

export interface PolicyContext {
  /** How long the node's condition of this type has had this status, or undefined (no such condition, another status, no time). */
  conditionHeldMs(node: string, type: string, status: string): number | undefined;
  /** The pressure conditions (MemoryPressure, DiskPressure, PIDPressure) that are True on the node now. */
  pressure(node: string): string[];
  /** The node's allocatable CPU (millicores) and memory (bytes), as far as its status reports them. */
  allocatable(node: string): { readonly cpuMillis?: number; readonly memoryBytes?: number };
  /** What the node's connectivity probe last found, or undefined when it never reported (or wrote nonsense). */
  reachability(node: string): ReachabilityRecord | undefined;
}

const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

export { parseQuantity };

/** Reads the annotation; undefined when absent or not a record of the probe. */
export function readReachability(node: V1Node): ReachabilityRecord | undefined {
  const raw = node.metadata?.annotations?.[REACHABILITY_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<ReachabilityRecord>;
    if (typeof parsed.etcdPeers !== 'boolean' || typeof parsed.api !== 'boolean' || typeof parsed.checkedAt !== 'string') return undefined;
    return {
      etcdPeers: parsed.etcdPeers,
      api: parsed.api,
      unreachable: Array.isArray(parsed.unreachable) ? parsed.unreachable.filter((u): u is string => typeof u === 'string') : [],
      checkedAt: parsed.checkedAt,
    };
  } catch {
    return undefined;
  }
}

/** The context for these nodes at `now`; a node it does not know is an error naming it (a policy bug, not a quiet no). */
export function policyContext(nodes: readonly V1Node[], now: Date): PolicyContext {
  const byName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  const node = (name: string): V1Node => {
    const found = byName.get(name);
    if (!found) throw new Error(`policy context: no node "${name}" in the list the policy was given`);
    return found;
  };
  return {
    conditionHeldMs: (name, type, status) => {
      const condition = node(name).status?.conditions?.find((c) => c.type === type);
      if (condition?.status !== status) return undefined;
      const sinceMs = timestampMs(condition.lastTransitionTime);
      return Number.isNaN(sinceMs) ? undefined : Math.max(0, now.getTime() - sinceMs);
    },
    pressure: (name) =>
      (node(name).status?.conditions ?? []).filter((c) => PRESSURE.includes(c.type) && c.status === 'True').map((c) => c.type),
    allocatable: (name) => {
      const allocatable = node(name).status?.allocatable ?? {};
      const cpu = allocatable['cpu'] === undefined ? undefined : parseQuantity(allocatable['cpu']);
      const memory = allocatable['memory'] === undefined ? undefined : parseQuantity(allocatable['memory']);
      return {
        ...(cpu === undefined ? {} : { cpuMillis: Math.round(cpu * 1000) }),
        ...(memory === undefined ? {} : { memoryBytes: Math.round(memory) }),
      };
    },
    reachability: (name) => readReachability(node(name)),
  };
}
