// The API executor: deletes Nodes through the target cluster's API, as a Harvester user (or kubectl) would. The
// forced variant also strips the Node's finalizers with a merge patch, so the object goes away at once
// (harvester#8968). A deletion has no undo: a deleted node must be re-installed to come back. Maintenance before a
// host removal is a cordon and a drain (evictions), as `kubectl drain` does it.
import type { ExecutorKey } from './config-types.ts';
import { drainNode } from '../../core/drain.ts';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { mergePatch } from '../../../util/patch-options.ts';
import type { FaultAction, FaultStep } from './action.ts';
import { requestUrl } from './kube-request.ts';
import { DELETE_RESEND_MS, untilAccepted } from '../../core/node-faults.ts';

const FINALIZERS_OFF = { metadata: { finalizers: null } };

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown }).code === 404;
}

export class ApiExecutor {
  private readonly core: CoreV1Api;

  constructor(private readonly target: KubeConfig) {
    this.core = target.makeApiClient(CoreV1Api);
  }

  private deleteAction(node: string): FaultAction {
    const describe = `DELETE ${requestUrl(this.target, `/api/v1/nodes/${node}`)}`;
    return {
      describe,
      // Sent again when the connection broke before the answer (as on the owned providers: core/node-faults.ts).
      run: () =>
        untilAccepted(
          describe,
          async () => {
            await this.core.deleteNode({ name: node });
          },
          { timeoutMs: DELETE_RESEND_MS, retryServerErrors: false, notFoundAtFirstTryIsDone: false },
        ),
    };
  }

  private finalizersOffAction(node: string): FaultAction {
    return {
      describe: `PATCH ${requestUrl(this.target, `/api/v1/nodes/${node}`)} (merge) ${JSON.stringify(FINALIZERS_OFF)}`,
      run: async () => {
        try {
          await this.core.patchNode({ name: node, body: FINALIZERS_OFF }, mergePatch());
        } catch (error) {
          // Without finalizers the deletion already removed it.
          if (!isNotFound(error)) throw error;
        }
      },
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
    if (kind === 'force-delete-node')
      return [
        { node, apply: this.deleteAction(node) },
        { node, apply: this.finalizersOffAction(node) },
      ];
    throw new Error(`api cannot carry out ${kind}`);
  }
}
