// The sandbox kubelet's pods: no containers run, but a pod bound to this node (spec.nodeName) goes through a real
// kubelet's API-visible lifecycle. A Pending pod is started: status Running, its containers ready (kubernetes
// pkg/kubelet/kubelet_pods.go generateAPIPodStatus, status/status_manager.go). A pod being deleted (a graceful delete
// or an eviction marked it) is finished: the kubelet would stop its containers, then its status manager deletes it
// with grace period 0 and a uid precondition (status_manager.go syncPod, canBeDeleted). A running pod the node
// lifecycle controller marked not ready (node-lifecycle-pods.ts) is ready again, as the status manager re-posts the
// kubelet's view. The sync runs on the kubelet's heartbeat (agent main.ts), and only while the kubelet runs: a pod on
// a node whose agent is down stays as it was, as on a real node. Pods of a deleted node are the pod garbage
// collector's (pod-gc.ts).
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import type { FailoverApiClient } from './api-client.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import { mergePatch } from '../../util/patch-options.ts';

export interface KubeletPodsApi {
  /** The pods bound to the node, every namespace. */
  listPods(nodeName: string): Promise<V1Pod[]>;
  patchPodStatus(namespace: string, name: string, status: V1PodStatus): Promise<unknown>;
  /** Deletes with grace period 0 and a uid precondition; 404 and 409 (another pod by now) are nothing to do. */
  deletePod(namespace: string, name: string, uid: string): Promise<unknown>;
}

export interface PodSyncResult {
  readonly started: string[];
  /** Running pods whose Ready condition it set back to True. */
  readonly readied: string[];
  readonly removed: string[];
}

/** Whether the pod's Ready condition is True. */
export function podReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

const key = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/** The status of a pod whose containers all started at `now` on a host at `hostIP`. */
export function runningStatus(pod: V1Pod, hostIP: string, now: Date): V1PodStatus {
  const condition = (type: string): V1PodCondition => ({ type, status: 'True', lastTransitionTime: now });
  const containerStatuses: V1ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    containerID: `cpchaos://${pod.metadata?.uid ?? ''}/${c.name}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: now } },
  }));
  // No pod network in the sandbox: only a host-network pod has an IP (the node's).
  const podIPs = pod.spec?.hostNetwork ? { podIP: hostIP, podIPs: [{ ip: hostIP }] } : {};
  return {
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...podIPs,
    startTime: now,
    containerStatuses,
  };
}

/** One pass over the node's pods: finishes the ones being deleted, starts the Pending ones. */
export async function syncNodePods(api: KubeletPodsApi, nodeName: string, hostIP: string, now = new Date()): Promise<PodSyncResult> {
  const result: PodSyncResult = { started: [], readied: [], removed: [] };
  for (const pod of await api.listPods(nodeName)) {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp) {
      await api.deletePod(namespace, name, pod.metadata.uid ?? '');
      result.removed.push(key(pod));
    } else if ((pod.status?.phase ?? 'Pending') === 'Pending') {
      await api.patchPodStatus(namespace, name, runningStatus(pod, hostIP, now));
      result.started.push(key(pod));
    } else if (pod.status?.phase === 'Running' && !podReady(pod)) {
      // The node lifecycle controller marked it not ready while this kubelet was away (node-lifecycle-pods.ts).
      const conditions = (pod.status.conditions ?? []).map((c) =>
        c.type === 'Ready' ? { ...c, status: 'True', lastTransitionTime: now } : c,
      );
      await api.patchPodStatus(namespace, name, { conditions });
      result.readied.push(key(pod));
    }
  }
  return result;
}

function ignoreGone(error: unknown): void {
  const code = statusCodeOf(error);
  if (code !== 404 && code !== 409) throw error;
}

/**
 * The pod calls through the agent's failover client. The list reads at resourceVersion 0 (any member's state, like
 * a kubelet's first list from the watch cache): a read on the heartbeat that needs no quorum round.
 */
export function failoverKubeletPodsApi(api: FailoverApiClient): KubeletPodsApi {
  return {
    listPods: async (nodeName) =>
      (
        await api.call('list own pods', (a, requestOptions) =>
          a.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}`, resourceVersion: '0' }, requestOptions),
        )
      ).items,
    patchPodStatus: (namespace, name, status) =>
      api
        .call(`start pod ${namespace}/${name}`, (a, requestOptions) =>
          a.core.patchNamespacedPodStatus({ name, namespace, body: { status } }, mergePatch(requestOptions)),
        )
        .catch(ignoreGone),
    deletePod: (namespace, name, uid) =>
      api
        .call(`remove pod ${namespace}/${name}`, (a, requestOptions) =>
          a.core.deleteNamespacedPod({ name, namespace, body: { gracePeriodSeconds: 0, preconditions: { uid } } }, requestOptions),
        )
        .catch(ignoreGone),
  };
}
