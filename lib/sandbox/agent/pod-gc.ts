// The pod garbage collector of kube-controller-manager (kubernetes pkg/controller/podgc/gc_controller.go gcOrphaned),
// for pods bound to a node that no longer exists: once the node has been missing for the quarantine period, the pod
// is marked Failed with a DisruptionTarget condition (reason DeletionByPodGC) and deleted with grace period 0. A node
// being deleted (finalizers still holding it) still exists: its pods stay, its kubelet keeps running them. The
// collector lists pods first and nodes only when some pod is bound, so an idle sandbox pays one list a pass.
import type { V1Node, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import type { FailoverApiClient } from './api-client.ts';
import { failoverKubeletPodsApi } from './kubelet-pods.ts';

export interface PodGcApi {
  /** Pods of every namespace. */
  listPods(): Promise<V1Pod[]>;
  listNodes(): Promise<V1Node[]>;
  patchPodStatus(namespace: string, name: string, status: V1PodStatus): Promise<unknown>;
  /** Deletes with grace period 0 and a uid precondition; 404 / 409: nothing to do. */
  deletePod(namespace: string, name: string, uid: string): Promise<unknown>;
}

export interface PodGcOptions {
  /** How long a node must be missing before its pods go (gc_controller.go quarantineTime, 40 s upstream). */
  readonly quarantineMs: number;
  readonly log: (message: string) => void;
}

/** The failed status podgc writes before deleting an orphaned pod (gc_controller.go markFailedAndDeletePod). */
function orphanedStatus(pod: V1Pod, now: Date): V1PodStatus {
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  return {
    ...(terminal ? {} : { phase: 'Failed' }),
    conditions: [
      ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
      {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
        lastTransitionTime: now,
      },
    ],
  };
}

export class PodGarbageCollector {
  readonly name = 'pod-gc';
  /** Node name -> when a pass first found pods bound to it and the node missing. */
  private readonly missingSinceMs = new Map<string, number>();

  constructor(
    private readonly api: PodGcApi,
    private readonly options: PodGcOptions,
  ) {}

  /** One pass. Returns the namespace/name of the pods it deleted. */
  async reconcile(): Promise<string[]> {
    const bound = (await this.api.listPods()).filter((p) => p.spec?.nodeName);
    if (bound.length === 0) {
      this.missingSinceMs.clear();
      return [];
    }
    const nodes = new Set((await this.api.listNodes()).map((n) => n.metadata?.name ?? ''));
    const nowMs = Date.now();
    const missing = new Set(bound.map((p) => p.spec?.nodeName ?? '').filter((n) => !nodes.has(n)));
    for (const name of [...this.missingSinceMs.keys()]) if (!missing.has(name)) this.missingSinceMs.delete(name);
    for (const name of missing) if (!this.missingSinceMs.has(name)) this.missingSinceMs.set(name, nowMs);
    const deleted: string[] = [];
    for (const pod of bound) {
      const nodeName = pod.spec?.nodeName ?? '';
      const since = this.missingSinceMs.get(nodeName);
      if (since === undefined || nowMs - since < this.options.quarantineMs) continue;
      const namespace = pod.metadata?.namespace ?? 'default';
      const name = pod.metadata?.name ?? '';
      await this.api.patchPodStatus(namespace, name, orphanedStatus(pod, new Date(nowMs)));
      await this.api.deletePod(namespace, name, pod.metadata?.uid ?? '');
      this.options.log(`pod garbage collector: deleted pod ${namespace}/${name}: its node ${nodeName} no longer exists`);
      deleted.push(`${namespace}/${name}`);
    }
    return deleted;
  }
}

/** The collector's calls through the controllers' client (the node's own API server): linearizable lists. */
export function failoverPodGcApi(api: FailoverApiClient): PodGcApi {
  const pods = failoverKubeletPodsApi(api);
  return {
    listPods: async () =>
      (await api.list('pods', 'list pods', (a, requestOptions) => a.core.listPodForAllNamespaces({}, requestOptions))).items,
    listNodes: async () => (await api.list('nodes', 'list nodes', (a, requestOptions) => a.core.listNode({}, requestOptions))).items,
    patchPodStatus: pods.patchPodStatus,
    deletePod: pods.deletePod,
  };
}
