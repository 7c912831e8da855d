// The API executor: deletes Nodes through the target cluster's API, as a Harvester user (or kubectl) would. The
// forced variant also strips the Node's finalizers, so the object goes away at once (harvester#8968), unless a
// controller released one first: then the fault is inconclusive (core/force-delete.ts). A deletion has no undo: a deleted node must be re-installed to come back. Maintenance before a
// host removal is a cordon and a drain (evictions), as `kubectl drain` does it.
import type { ExecutorKey } from './config-types.ts';
import { drainNode } from '../../core/drain.ts';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { finalizersOf, stripFinalizers } from '../../core/force-delete.ts';
import type { FaultAction, FaultStep } from './action.ts';
import { requestUrl } from './kube-request.ts';
import { DELETE_RESEND_MS, untilAccepted } from '../../core/node-faults.ts';

export class ApiExecutor {
  private readonly core: CoreV1Api;

  constructor(
    private readonly target: KubeConfig,
    private readonly provider = 'existing',
  ) {
    this.core = target.makeApiClient(CoreV1Api);
  }

  /** `before`, when given, is told the Node's finalizers, read just before the DELETE (a force deletion's strip tests them). */
  private deleteAction(node: string, before?: (finalizers: string[]) => void): FaultAction {
    const describe = `DELETE ${requestUrl(this.target, `/api/v1/nodes/${node}`)}`;
    return {
      describe: before ? `GET ${requestUrl(this.target, `/api/v1/nodes/${node}`)} (its finalizers), then ${describe}` : describe,
      // Sent again when the connection broke before the answer (as on the owned providers: core/node-faults.ts).
      run: async () => {
        if (before) before(await finalizersOf(this.core, node));
        await untilAccepted(
          describe,
          async () => {
            await this.core.deleteNode({ name: node });
          },
          { timeoutMs: DELETE_RESEND_MS, retryServerErrors: false, notFoundAtFirstTryIsDone: false },
        );
      },
    };
  }

  /** The strip of a force deletion (core/force-delete.ts): inconclusive when a finalizer was released before it. */
  private finalizersOffAction(node: string, before: () => readonly string[]): FaultAction {
    return {
      describe: `PATCH ${requestUrl(this.target, `/api/v1/nodes/${node}`)} (json) [test: the finalizers read before the DELETE, remove /metadata/finalizers]`,
      run: () => stripFinalizers(this.core, node, before(), this.provider),
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
    if (kind === 'force-delete-node') {
      let finalizers: readonly string[] = [];
      return [
        { node, apply: this.deleteAction(node, (f) => (finalizers = f)) },
        { node, apply: this.finalizersOffAction(node, () => finalizers) },
      ];
    }
    throw new Error(`api cannot carry out ${kind}`);
  }
}
