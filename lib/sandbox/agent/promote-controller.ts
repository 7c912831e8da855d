// Harvester's promote controller, run by the leader-elected controller manager: each pass lists Nodes and promote
// Jobs, asks promotionActions (promote-actions.ts) what to do with the pluggable policy, and makes those writes
// (promote-reconciler.ts), all through the agent's FailoverApiClient.
import { BatchV1Api } from '@kubernetes/client-node';
import type { PromotionPolicy } from '../../harvester/promotion.ts';
import { PROMOTE_JOB_NAMESPACE } from '../../harvester/contract.ts';
import type { ApiSet, FailoverApiClient } from './api-client.ts';
import { kubeConfigFor } from './api-client.ts';
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
    batch = kubeConfigFor(set.server).makeApiClient(BatchV1Api);
    batchApis.set(set.server, batch);
  }
  return batch;
}

export interface PromoteControllerOptions {
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

/** The promote controller's API calls through the agent's failover client. */
export function failoverPromoteApi(api: FailoverApiClient): PromoteApi {
  const namespace = PROMOTE_JOB_NAMESPACE;
  return {
    listNodes: async () => (await api.call('list nodes', (a) => a.core.listNode())).items,
    listJobs: async () => (await api.call('list promote jobs', (a) => batchApiOf(a).listNamespacedJob({ namespace }))).items,
    patchNode: (node, body) => api.call(`set promote status of ${node}`, (a) => a.core.patchNode({ name: node, body }, mergePatch())),
    createEvent: (node, eventNamespace, body) =>
      api.call(`record promote event for ${node}`, (a) => a.core.createNamespacedEvent({ namespace: eventNamespace, body })),
    createJob: (_node, body) =>
      api.call(`create promote job ${body.metadata?.name ?? ''}`, (a) => batchApiOf(a).createNamespacedJob({ namespace, body })),
  };
}

export class PromoteController implements Controller {
  readonly name = PROMOTE_CONTROLLER_NAME;
  private readonly reconciler: PromoteReconciler;

  constructor(api: FailoverApiClient, policy: PromotionPolicy, options: PromoteControllerOptions) {
    this.reconciler = new PromoteReconciler(failoverPromoteApi(api), policy, options);
  }

  /** One level-triggered pass. Returns the actions it made (a failing write ends the pass; the next one redoes it). */
  async reconcile(): Promise<PromotionAction[]> {
    return (await this.reconciler.pass()).actions;
  }
}
