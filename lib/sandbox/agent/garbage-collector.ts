// The garbage collector of kube-controller-manager (kubernetes pkg/controller/garbagecollector, garbagecollector.go
// attemptToDeleteItem / classifyReferences), for what the sandbox has: Jobs owned by Nodes. A dependent's owner
// reference is dangling when no owner of that kind and name exists, or the one that exists has another uid (a Node
// reinstalled under the same name is another owner); a dependent whose every owner reference dangles is deleted with
// background propagation. An owner being deleted (Terminating: finalizers still held) still exists, so its dependents
// stay until the object is gone. This is what removes Harvester's promote Job with its Node (the Job carries an
// ownerReference to the Node: harvester/harvester promote_controller.go buildPromoteJob, "Add ownerreference to
// promote job" ada6b5736, PR #1053 for issue #1040).
import type { V1Job, V1Node } from '@kubernetes/client-node';
import type { FailoverApiClient } from './api-client.ts';
import { batchApiOf } from './promote-controller.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';

export interface GarbageCollectorApi {
  listNodes(): Promise<V1Node[]>;
  /** Jobs of every namespace. */
  listJobs(): Promise<V1Job[]>;
  /** Deletes a Job with propagationPolicy Background and a uid precondition (404 / 409: nothing to do). */
  deleteJob(namespace: string, name: string, uid: string): Promise<unknown>;
}

/** The Jobs to collect: every owner reference names a Node, and none of those Nodes exists with that uid. */
export function garbageJobs(nodes: readonly V1Node[], jobs: readonly V1Job[]): V1Job[] {
  const nodeUids = new Map(nodes.map((n) => [n.metadata?.name ?? '', n.metadata?.uid ?? '']));
  return jobs.filter((job) => {
    const owners = job.metadata?.ownerReferences ?? [];
    if (owners.length === 0 || job.metadata?.deletionTimestamp) return false;
    // Owners of other kinds are not known here: such a dependent is left alone.
    if (!owners.every((o) => o.kind === 'Node' && o.apiVersion === 'v1')) return false;
    return owners.every((o) => nodeUids.get(o.name) !== o.uid);
  });
}

/** One pass: deletes the Jobs whose owning Nodes are all gone. Returns their namespace/name. */
export async function collectGarbage(api: GarbageCollectorApi, log: (message: string) => void): Promise<string[]> {
  const [nodes, jobs] = await Promise.all([api.listNodes(), api.listJobs()]);
  const collected: string[] = [];
  for (const job of garbageJobs(nodes, jobs)) {
    const namespace = job.metadata?.namespace ?? 'default';
    const name = job.metadata?.name ?? '';
    await api.deleteJob(namespace, name, job.metadata?.uid ?? '');
    const owners = (job.metadata?.ownerReferences ?? []).map((o) => `Node ${o.name} (uid ${o.uid})`).join(', ');
    log(`garbage collector: deleted Job ${namespace}/${name}: its owner ${owners} is gone`);
    collected.push(`${namespace}/${name}`);
  }
  return collected;
}

/** The collector's API calls through the agent's failover client. */
export function failoverGarbageCollectorApi(api: FailoverApiClient): GarbageCollectorApi {
  return {
    listNodes: async () => (await api.list('nodes', 'list nodes', (a, requestOptions) => a.core.listNode({}, requestOptions))).items,
    listJobs: async () =>
      (await api.list('jobs', 'list jobs', (a, requestOptions) => batchApiOf(a).listJobForAllNamespaces({}, requestOptions))).items,
    deleteJob: async (namespace, name, uid) => {
      try {
        await api.call(`collect job ${namespace}/${name}`, (a, requestOptions) =>
          batchApiOf(a).deleteNamespacedJob(
            { name, namespace, body: { propagationPolicy: 'Background', preconditions: { uid } } },
            requestOptions,
          ),
        );
      } catch (error) {
        const code = statusCodeOf(error);
        if (code !== 404 && code !== 409) throw error;
      }
    },
  };
}
