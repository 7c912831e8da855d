// Maintenance through the Kubernetes API, as `kubectl drain` does it: cordon the node, then evict its pods except
// DaemonSet pods and mirror (static) pods. Harvester's own Maintenance Mode (harvester/docs docs/host/host.md) also
// live-migrates VMs; through the API alone the harness can only cordon and evict. An API server that serves no pods
// (the sandbox's) makes the drain a cordon, and says so.
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { mergePatch } from '../../util/patch-options.ts';

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Pods a drain evicts: not owned by a DaemonSet, not a mirror pod, not finished. */
export function evictable(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return false;
  if ((pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet')) return false;
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** `PATCH /api/v1/nodes/<node>` {"spec":{"unschedulable":true}}. */
export async function cordonNode(core: CoreV1Api, node: string): Promise<void> {
  await core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, mergePatch());
}

/**
 * Cordons the node and asks for the eviction of each evictable pod on it (the disruption budgets decide; a pod
 * already gone is fine). Returns what it did, in one line.
 */
export async function drainNode(core: CoreV1Api, node: string): Promise<string> {
  await cordonNode(core, node);
  let pods: V1Pod[];
  try {
    pods = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
  } catch (error) {
    const code = statusCode(error);
    if (code === 404 || code === 405) return `cordoned ${node}; the API server serves no pods, so the drain is a cordon`;
    throw error;
  }
  const evicting = pods.filter(evictable);
  for (const pod of evicting) {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    try {
      await core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
    }
  }
  return `cordoned ${node} and asked to evict ${evicting.length} pod(s) (${pods.length - evicting.length} DaemonSet/mirror/finished pod(s) stay)`;
}
