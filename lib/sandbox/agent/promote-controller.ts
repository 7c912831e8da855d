// Harvester's promote controller, run by the leader-elected controller manager: each pass lists Nodes and promote
// Jobs, asks promotionActions (promote-actions.ts) what to do with the pluggable policy, and makes those writes
// (promote-reconciler.ts), all through the agent's FailoverApiClient.
import { BatchV1Api } from '@kubernetes/client-node';
import type { PromotionPolicy } from '../../harvester/promotion.ts';
import { PROMOTE_JOB_NAMESPACE } from '../../harvester/contract.ts';
import type { ApiSet, FailoverApiClient } from './api-client.ts';
import { plainKubeConfig } from '../../util/kubeconfig.ts';
import type { Controller } from './controller-manager.ts';
import { mergePatch } from '../../util/patch-options.ts';
import type { PromotionAction } from '../../harvester/promote/actions.ts';
import { PromoteReconciler, type PromoteApi } from '../../harvester/promote/reconciler.ts';

export const PROMOTE_CONTROLLER_NAME = 'promote';

const batchApis = new Map<string, BatchV1Api>();

/** The batch/v1 client for the server `set` talks to (FailoverApiClient's sets carry core and coordination only). */
export function batchApiOf(set: ApiSet): BatchV1Api {
  let batch = batchApis.get(set.server);
  if (!batch) {
    batch = plainKubeConfig(set.server).makeApiClient(BatchV1Api);
    batchApis.set(set.server, batch);
  }
  return batch;
}

/** The sandbox's injected failure of a Job create (promotion.failJobCreate): true for every node, or these nodes. */
function failsJobCreate(fail: boolean | readonly string[] | undefined, node: string): boolean {
  return fail === true || (Array.isArray(fail) && fail.includes(node));
}

export interface PromoteControllerOptions {
  readonly log: (message: string) => void;
  readonly now?: () => Date;
  /** The informer resync period (default: lasso's 10 h, DEFAULT_JOB_RESYNC_MS). */
  readonly jobResyncMs?: number;
  /** Job creates for these nodes (true: all) fail as an API error would (sandbox promotion.failJobCreate). */
  readonly failJobCreate?: boolean | readonly string[];
}

/** The promote controller's API calls through the agent's failover client. */
export function failoverPromoteApi(api: FailoverApiClient, failJobCreate?: boolean | readonly string[]): PromoteApi {
  const namespace = PROMOTE_JOB_NAMESPACE;
  return {
    listNodes: async () => (await api.list('nodes', 'list nodes', (a, requestOptions) => a.core.listNode({}, requestOptions))).items,
    listJobs: async () =>
      (
        await api.list(`jobs/${namespace}`, 'list promote jobs', (a, requestOptions) =>
          batchApiOf(a).listNamespacedJob({ namespace }, requestOptions),
        )
      ).items,
    patchNode: (node, body) =>
      api.call(`set promote status of ${node}`, (a, requestOptions) => a.core.patchNode({ name: node, body }, mergePatch(requestOptions))),
    createEvent: (node, eventNamespace, body) =>
      api.call(`record promote event for ${node}`, (a, requestOptions) =>
        a.core.createNamespacedEvent({ namespace: eventNamespace, body }, requestOptions),
      ),
    createJob: (node, body) =>
      failsJobCreate(failJobCreate, node)
        ? Promise.reject(
            Object.assign(new Error(`create promote job ${body.metadata?.name ?? ''}: injected failure (promotion.failJobCreate)`), {
              code: 500,
            }),
          )
        : api.call(`create promote job ${body.metadata?.name ?? ''}`, (a, requestOptions) =>
            batchApiOf(a).createNamespacedJob({ namespace, body }, requestOptions),
          ),
    deleteJob: (name) =>
      api.call(`delete promote job ${name}`, (a, requestOptions) =>
        batchApiOf(a).deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }, requestOptions),
      ),
  };
}

export class PromoteController implements Controller {
  readonly name = PROMOTE_CONTROLLER_NAME;
  private readonly reconciler: PromoteReconciler;
  private leadingSinceMs: number | undefined;

  constructor(api: FailoverApiClient, policy: PromotionPolicy, options: PromoteControllerOptions) {
    this.reconciler = new PromoteReconciler(failoverPromoteApi(api, options.failJobCreate), policy, options);
  }

  /** One level-triggered pass. Returns the actions it made (a failing write ends the pass; the next one redoes it). */
  async reconcile(context?: { readonly leadingSinceMs: number }): Promise<PromotionAction[]> {
    // A controller that starts leading starts its informers afresh: every Job is handled as if it had changed.
    if (context && context.leadingSinceMs !== this.leadingSinceMs) {
      this.leadingSinceMs = context.leadingSinceMs;
      this.reconciler.reset();
    }
    return (await this.reconciler.pass()).actions;
  }
}
