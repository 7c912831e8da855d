// What the node lifecycle controller does to the pods of a node it finds unreachable: kubernetes
// pkg/controller/nodelifecycle (monitorNodeHealth) calls pkg/controller/util/node MarkPodsNotReady, which sets each
// pod's Ready condition to False through the status subresource (and records a NodeNotReady event, not modelled).
// The pods keep their phase and container statuses (`kubectl get pods` still shows 1/1 Running: printPod counts
// ready containers); what reads the Ready condition (endpoints, kubectl wait) sees them not ready. Their kubelet,
// once it posts again, sets Ready back (kubelet-pods.ts).
import { podReady, type KubeletPodsApi } from './kubelet-pods.ts';

/** Marks the node's pods not ready. Returns the namespace/name of the pods it changed. */
export async function markPodsNotReady(api: KubeletPodsApi, nodeName: string, now = new Date()): Promise<string[]> {
  const changed: string[] = [];
  for (const pod of await api.listPods(nodeName)) {
    if (!podReady(pod) || pod.metadata?.deletionTimestamp) continue;
    const conditions = (pod.status?.conditions ?? []).map((c) =>
      c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c,
    );
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    await api.patchPodStatus(namespace, name, { conditions });
    changed.push(`${namespace}/${name}`);
  }
  return changed;
}
