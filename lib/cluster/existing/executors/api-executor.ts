// The API executor: deletes Nodes through the target cluster's API, as a Harvester user (or kubectl) would. The
// forced variant strips the Node's finalizers first and then deletes it at the resourceVersion the strip left, so the
// object goes away at once and no removal handler runs (harvester#8968; core/force-delete.ts). A deletion has no
// undo: a deleted node must be re-installed to come back. Maintenance before a host removal is a cordon and a drain
// (evictions), as `kubectl drain` does it.
import type { ExecutorKey } from './config-types.ts';
import { drainNode } from '../../core/drain.ts';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { FORCE_DELETE_ROUNDS, forceDeleteNode } from '../../core/force-delete.ts';
import type { FaultAction, FaultStep } from './action.ts';
import { requestUrl } from './kube-request.ts';
import { untilDeleteAccepted } from '../../core/node-faults.ts';

export class ApiExecutor {
  private readonly core: CoreV1Api;

  constructor(
    private readonly target: KubeConfig,
    private readonly provider = 'existing',
  ) {
    this.core = target.makeApiClient(CoreV1Api);
  }

  private deleteAction(node: string): FaultAction {
    const describe = `DELETE ${requestUrl(this.target, `/api/v1/nodes/${node}`)}`;
    return {
      describe,
      // Sent again when the connection broke before the answer (as on the owned providers: core/node-faults.ts).
      run: () =>
        untilDeleteAccepted(describe, async () => {
          await this.core.deleteNode({ name: node });
        }),
    };
  }

  /** A force deletion (core/force-delete.ts): the finalizers stripped first, then the DELETE at the strip's resourceVersion. */
  private forceDeleteAction(node: string): FaultAction {
    const url = requestUrl(this.target, `/api/v1/nodes/${node}`);
    return {
      describe: `GET ${url} (finalizers, resourceVersion), PATCH ${url} (json) [test: those finalizers, remove /metadata/finalizers], then DELETE ${url} {"preconditions":{"resourceVersion":<the PATCH's>}}; again (up to ${FORCE_DELETE_ROUNDS} rounds) when the DELETE meets a changed Node (409)`,
      // A round whose connection broke before the answer runs again (a 404 then: the DELETE went through).
      run: () => untilDeleteAccepted(`force-deleting Node ${node}`, () => forceDeleteNode(this.core, node, this.provider)),
    };
  }

  /** Maintenance through the API: cordon, then evict the node's pods (as kubectl drain); a server without pods: a cordon. */
  private drainAction(node: string): FaultAction {
    return {
      describe: `PATCH ${requestUrl(this.target, `/api/v1/nodes/${node}`)} (merge) {"spec":{"unschedulable":true}}, then POST .../pods/<pod>/eviction for each pod on ${node} but DaemonSet and mirror pods (drain)`,
      run: async () => {
        await drainNode(this.core, node);
      },
    };
  }

  steps(kind: ExecutorKey, node: string): FaultStep[] {
    if (kind === 'maintenance') return [{ node, apply: this.drainAction(node) }];
    if (kind === 'delete-node') return [{ node, apply: this.deleteAction(node) }];
    if (kind === 'force-delete-node') return [{ node, apply: this.forceDeleteAction(node) }];
    throw new Error(`api cannot carry out ${kind}`);
  }
}
