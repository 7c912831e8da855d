// Node lifecycle, as kube-controller-manager's: a node whose Lease was not renewed within the grace period turns
// Ready=Unknown and gets the unreachable taints, its pods Ready=False (node-lifecycle-pods.ts); when its kubelet
// posts Ready again, the taints go (and the kubelet sets its pods ready again).
import type { V1Lease, V1Node, V1NodeCondition, V1Taint } from '@kubernetes/client-node';
import type { FailoverApiClient } from './api-client.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { NODE_LEASE_NAMESPACE } from './kubelet.ts';
import { failoverKubeletPodsApi } from './kubelet-pods.ts';
import { markPodsNotReady } from './node-lifecycle-pods.ts';

export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';

export interface NodeLifecycleOptions {
  readonly gracePeriodMs: number;
  /** When this controller started leading: no node is judged before a full grace period has passed. */
  readonly leadingSinceMs: () => number;
}

function renewMs(lease: V1Lease | undefined): number {
  const time = lease?.spec?.renewTime;
  return time ? new Date(time).getTime() : 0;
}

export function unreachableTaints(now: Date): V1Taint[] {
  return [
    { key: UNREACHABLE_TAINT_KEY, effect: 'NoSchedule', timeAdded: now },
    { key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute', timeAdded: now },
  ];
}

/** One pass over all nodes. Returns how many nodes it changed. */
export async function reconcileNodeLifecycle(api: FailoverApiClient, options: NodeLifecycleOptions): Promise<number> {
  const [nodes, leases] = await Promise.all([
    api.list('nodes', 'list nodes', (a, requestOptions) => a.core.listNode({}, requestOptions)),
    // From the API server's cache, as upstream reads an informer's (a Lease there is never newer than in etcd)...
    api.list(`leases/${NODE_LEASE_NAMESPACE}`, 'list node leases', (a, requestOptions) =>
      a.coordination.listNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, resourceVersion: '0' }, requestOptions),
    ),
  ]);
  let leaseByNode = new Map(leases.items.map((l) => [l.metadata?.name ?? '', l]));
  const nowMs = Date.now();
  if (nowMs - options.leadingSinceMs() < options.gracePeriodMs) return 0;
  const isStale = (name: string): boolean => nowMs - renewMs(leaseByNode.get(name)) > options.gracePeriodMs;
  // ...but before a node is marked Unknown its Lease is read as it is now: with the sandbox's compressed grace a Lease
  // has under 2 s of slack, and the cache's delivery lag on a loaded machine must not count against it.
  if (nodes.items.some((n) => !n.metadata?.deletionTimestamp && isStale(n.metadata?.name ?? '') && readyStatus(n) !== 'Unknown')) {
    const latest = await api.call('read the latest node leases', (a, requestOptions) =>
      a.coordination.listNamespacedLease({ namespace: NODE_LEASE_NAMESPACE }, requestOptions),
    );
    leaseByNode = new Map(latest.items.map((l) => [l.metadata?.name ?? '', l]));
  }
  let changed = 0;
  for (const node of nodes.items) {
    const name = node.metadata?.name;
    if (!name || node.metadata?.deletionTimestamp) continue;
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    const taints = node.spec?.taints ?? [];
    const hasUnreachable = taints.some((t) => t.key === UNREACHABLE_TAINT_KEY);
    const stale = isStale(name);
    if (stale && ready?.status !== 'Unknown') {
      await markUnknown(api, node, conditions);
      changed++;
    } else if (!stale && ready?.status === 'True' && hasUnreachable) {
      const kept = taints.filter((t) => t.key !== UNREACHABLE_TAINT_KEY);
      await api.call('remove unreachable taints', (a, requestOptions) =>
        a.core.patchNode({ name, body: { spec: { taints: kept.length > 0 ? kept : null } } }, mergePatch(requestOptions)),
      );
      changed++;
    }
  }
  return changed;
}

function readyStatus(node: V1Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/** The conditions the kubelet posts (kubernetes pkg/controller/nodelifecycle nodeConditionTypes). */
const KUBELET_CONDITION_TYPES: readonly string[] = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

async function markUnknown(api: FailoverApiClient, node: V1Node, conditions: V1NodeCondition[]): Promise<void> {
  const name = node.metadata?.name as string;
  const now = new Date();
  // tryUpdateNodeHealth marks each of the kubelet's conditions (Ready and the pressure ones) Unknown, not only Ready.
  const next = conditions.map((c) =>
    KUBELET_CONDITION_TYPES.includes(c.type) && c.status !== 'Unknown'
      ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now }
      : c,
  );
  if (!next.some((c) => c.type === 'Ready')) {
    next.push({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastTransitionTime: now,
    });
  }
  await api.call('mark node unknown', (a, requestOptions) =>
    a.core.patchNodeStatus({ name, body: { status: { conditions: next } } }, mergePatch(requestOptions)),
  );
  const taints = (node.spec?.taints ?? []).filter((t) => t.key !== UNREACHABLE_TAINT_KEY);
  await api.call('taint unreachable node', (a, requestOptions) =>
    a.core.patchNode({ name, body: { spec: { taints: [...taints, ...unreachableTaints(now)] } } }, mergePatch(requestOptions)),
  );
  await markPodsNotReady(failoverKubeletPodsApi(api), name, now);
}
