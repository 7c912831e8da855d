// Harvester's promote controller, run by the leader-elected controller manager: each pass lists Nodes and promote
// Jobs, asks promotionActions (promote-actions.ts) what to do with the pluggable policy, and makes those writes.
import { BatchV1Api } from '@kubernetes/client-node';
import type { V1Job } from '@kubernetes/client-node';
import type { PromotionPolicy } from '../../../harvester/promotion.ts';
import { PROMOTE_JOB_NAMESPACE, PROMOTE_STATUS_ANNOTATION, promoteStatus } from '../../../harvester/contract.ts';
import { errorMessage } from '../../../util/errors.ts';
import type { ApiSet, FailoverApiClient } from './api-client.ts';
import { kubeConfigFor, statusCodeOf } from './api-client.ts';
import type { Controller } from './controller-manager.ts';
import { mergePatch } from './patch-options.ts';
import { promotionActions, promoteEventName, type PromotionAction } from './promote-actions.ts';

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

export class PromoteController implements Controller {
  readonly name = PROMOTE_CONTROLLER_NAME;
  /** Nodes this controller marked running whose Job it has not created yet. */
  private readonly pendingJobs = new Set<string>();
  private lastSkip = '';

  constructor(
    private readonly api: FailoverApiClient,
    private readonly policy: PromotionPolicy,
    private readonly options: PromoteControllerOptions,
  ) {}

  /** One level-triggered pass. Returns the actions it made (a failing write ends the pass; the next one redoes it). */
  async reconcile(): Promise<PromotionAction[]> {
    const [nodes, jobs] = await Promise.all([
      this.api.call('list nodes', (a) => a.core.listNode()),
      this.api.call('list promote jobs', (a) => batchApiOf(a).listNamespacedJob({ namespace: PROMOTE_JOB_NAMESPACE })),
    ]);
    for (const name of this.pendingJobs) {
      const node = nodes.items.find((n) => n.metadata?.name === name);
      if (!node || promoteStatus(node) !== 'running') this.pendingJobs.delete(name);
    }
    const now = this.options.now?.() ?? new Date();
    const actions = promotionActions(nodes.items, jobs.items, this.policy, now, this.pendingJobs);
    for (const action of actions) await this.apply(action);
    return actions;
  }

  private async apply(action: PromotionAction): Promise<void> {
    switch (action.kind) {
      case 'set-status':
        return this.setStatus(action);
      case 'emit-event':
        return this.emitEvent(action);
      case 'create-job':
        return this.createJob(action.node, action.job);
      case 'skip-choice': {
        const text = `promote: policy chose ${action.node}, ${action.reason === 'not-listed' ? 'which is not a listed node' : 'which is already running'}; nothing to do`;
        if (text !== this.lastSkip) this.options.log(text);
        this.lastSkip = text;
        return;
      }
    }
  }

  private async setStatus(action: Extract<PromotionAction, { kind: 'set-status' }>): Promise<void> {
    const metadata = {
      annotations: { [PROMOTE_STATUS_ANNOTATION]: action.status },
      ...(action.resourceVersion ? { resourceVersion: action.resourceVersion } : {}),
    };
    const body = { metadata, ...(action.unschedulable === undefined ? {} : { spec: { unschedulable: action.unschedulable } }) };
    await this.api.call(`set promote status of ${action.node}`, (a) => a.core.patchNode({ name: action.node, body }, mergePatch()));
    if (action.status === 'running') this.pendingJobs.add(action.node);
    const cordon = action.unschedulable === undefined ? '' : action.unschedulable ? ', cordoned' : ', uncordoned';
    this.options.log(`promote: ${action.node} ${action.prev ?? '(none)'} => ${action.status}${cordon}`);
  }

  /** Events are best effort, as with the event recorder: a failure is logged, the pass goes on. */
  private async emitEvent(action: Extract<PromotionAction, { kind: 'emit-event' }>): Promise<void> {
    const namespace = action.event.metadata.namespace ?? 'default';
    try {
      await this.api.call(`record promote event for ${action.node}`, (a) => a.core.createNamespacedEvent({ namespace, body: action.event }));
    } catch (error) {
      if (statusCodeOf(error) !== 409) {
        this.options.log(`promote: event for ${action.node} not recorded: ${errorMessage(error)}`);
        return;
      }
      // Name taken (same nanosecond from another writer): once more under a fresh name.
      const sequence = Math.floor(Math.random() * 1_000_000);
      const body = { ...action.event, metadata: { ...action.event.metadata, name: promoteEventName(action.node, new Date(), sequence) } };
      await this.api
        .call(`record promote event for ${action.node}`, (a) => a.core.createNamespacedEvent({ namespace, body }))
        .catch((retryError: unknown) => this.options.log(`promote: event for ${action.node} not recorded: ${errorMessage(retryError)}`));
    }
  }

  private async createJob(node: string, job: V1Job): Promise<void> {
    const name = job.metadata?.name ?? '';
    try {
      await this.api.call(`create promote job ${name}`, (a) => batchApiOf(a).createNamespacedJob({ namespace: PROMOTE_JOB_NAMESPACE, body: job }));
      this.options.log(`promote: created job ${PROMOTE_JOB_NAMESPACE}/${name} for ${node}`);
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
      // As in Harvester, an existing Job of that name is what the node's promotion follows from now on.
      this.options.log(`promote: job ${PROMOTE_JOB_NAMESPACE}/${name} already exists; ${node} follows it`);
    }
    this.pendingJobs.delete(node);
  }
}
