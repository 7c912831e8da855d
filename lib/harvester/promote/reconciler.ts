// One pass of Harvester's promote controller with the writes made, independent of how the API is reached: the
// sandbox's controller manager talks through its FailoverApiClient (promote-controller.ts), the harness talks to a
// kind cluster through its kubeconfig (lib/cluster/kind/promote-loop.ts). The decisions are promotionActions'.
import type { CoreV1Event, V1Job, V1Node } from '@kubernetes/client-node';
import type { PromotionPolicy } from '../promotion.ts';
import { PROMOTE_JOB_NAMESPACE, PROMOTE_STATUS_ANNOTATION } from '../contract.ts';
import { errorMessage } from '../../util/errors.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import { promotionActions, promoteEventName, type PromotionAction } from './actions.ts';

/** The API calls a promote controller makes. Each call carries its own deadline. */
export interface PromoteApi {
  listNodes(): Promise<V1Node[]>;
  /** The Jobs in harvester-system. */
  listJobs(): Promise<V1Job[]>;
  /** Merge patch of a Node. */
  patchNode(node: string, body: object): Promise<unknown>;
  createEvent(node: string, namespace: string, event: CoreV1Event): Promise<unknown>;
  createJob(node: string, job: V1Job): Promise<unknown>;
  /** Deletes the Job `name` in harvester-system with propagationPolicy Background (404: already gone). */
  deleteJob(name: string): Promise<unknown>;
}

/**
 * How often every Job is handled again as if it had changed: an informer's resync. Harvester's controllers use
 * wrangler/lasso caches, whose default resync is 600 minutes (rancher/lasso pkg/cache/cache.go resyncDefault,
 * CATTLE_RESYNC_DEFAULT) — so a Job's result is written again at most every 10 hours in a real Harvester.
 */
export const DEFAULT_JOB_RESYNC_MS = 600 * 60_000;

export interface PromoteReconcilerOptions {
  readonly log: (message: string) => void;
  readonly now?: () => Date;
  /** The informer resync period (default DEFAULT_JOB_RESYNC_MS). */
  readonly jobResyncMs?: number;
}

export interface PromotePass {
  /** The actions of this pass (a failing write ends the pass: the actions after it were not made). */
  readonly actions: PromotionAction[];
  /** Nodes and Jobs as listed at the start of the pass. */
  readonly nodes: readonly V1Node[];
  readonly jobs: readonly V1Job[];
}

function jobKey(job: V1Job): string {
  return job.metadata?.uid || job.metadata?.name || '';
}

export class PromoteReconciler {
  /**
   * The Jobs as this controller last saw them (its informer cache), by uid. A Job whose resourceVersion differs (or
   * that is new) is handled as changed; one that went away is handled as removed. Updated only when a pass
   * completes: a failing write leaves the events to be handled again, as a workqueue retries a failed handler.
   */
  private seen = new Map<string, V1Job>();
  private lastResyncMs: number | undefined;
  private lastSkip = '';

  constructor(
    private readonly api: PromoteApi,
    private readonly policy: PromotionPolicy,
    private readonly options: PromoteReconcilerOptions,
  ) {}

  /** Forgets what it saw, as a controller that starts (or starts leading) with a fresh informer cache. */
  reset(): void {
    this.seen = new Map();
    this.lastResyncMs = undefined;
  }

  /** One pass: list, find what changed since the last pass, decide, write. A failing write ends the pass. */
  async pass(): Promise<PromotePass> {
    const [nodes, jobs] = await Promise.all([this.api.listNodes(), this.api.listJobs()]);
    const now = this.options.now?.() ?? new Date();
    const resync =
      this.lastResyncMs === undefined || now.getTime() - this.lastResyncMs >= (this.options.jobResyncMs ?? DEFAULT_JOB_RESYNC_MS);
    const listed = new Map(jobs.map((job) => [jobKey(job), job]));
    const changed = resync
      ? jobs
      : jobs.filter((job) => this.seen.get(jobKey(job))?.metadata?.resourceVersion !== job.metadata?.resourceVersion);
    const removed = [...this.seen].filter(([key]) => !listed.has(key)).map(([, job]) => job);
    const actions = promotionActions(nodes, jobs, this.policy, now, { changed, removed });
    for (const action of actions) await this.apply(action);
    this.seen = listed;
    if (resync) this.lastResyncMs = now.getTime();
    return { actions, nodes, jobs };
  }

  private async apply(action: PromotionAction): Promise<void> {
    switch (action.kind) {
      case 'set-status':
        return this.setStatus(action);
      case 'emit-event':
        return this.emitEvent(action);
      case 'create-job':
        return this.createJob(action.node, action.job);
      case 'delete-job':
        return this.deleteJob(action.node, action.job);
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
    await this.api.patchNode(action.node, body);
    const cordon = action.unschedulable === undefined ? '' : action.unschedulable ? ', cordoned' : ', uncordoned';
    this.options.log(`promote: ${action.node} ${action.prev ?? '(none)'} => ${action.status}${cordon}`);
  }

  /** Events are best effort, as with the event recorder: a failure is logged, the pass goes on. */
  private async emitEvent(action: Extract<PromotionAction, { kind: 'emit-event' }>): Promise<void> {
    const namespace = action.event.metadata.namespace ?? 'default';
    try {
      await this.api.createEvent(action.node, namespace, action.event);
    } catch (error) {
      if (statusCodeOf(error) !== 409) {
        this.options.log(`promote: event for ${action.node} not recorded: ${errorMessage(error)}`);
        return;
      }
      // Name taken (same nanosecond from another writer): once more under a fresh name.
      const sequence = Math.floor(Math.random() * 1_000_000);
      const body = { ...action.event, metadata: { ...action.event.metadata, name: promoteEventName(action.node, new Date(), sequence) } };
      await this.api
        .createEvent(action.node, namespace, body)
        .catch((retryError: unknown) => this.options.log(`promote: event for ${action.node} not recorded: ${errorMessage(retryError)}`));
    }
  }

  /**
   * As Harvester's promote(): a failed create (a 409 from a Job of that name left over, or any error) is an error of
   * the handler, and nothing creates the Job later: the node stays running (harvester#1040 before PR #1053).
   */
  private async createJob(node: string, job: V1Job): Promise<void> {
    const name = job.metadata?.name ?? '';
    try {
      await this.api.createJob(node, job);
    } catch (error) {
      const exists = statusCodeOf(error) === 409 ? ' (a Job of that name already exists)' : '';
      this.options.log(`promote: creating job ${PROMOTE_JOB_NAMESPACE}/${name} for ${node} failed${exists}: ${errorMessage(error)}`);
      throw error;
    }
    this.options.log(`promote: created job ${PROMOTE_JOB_NAMESPACE}/${name} for ${node}`);
  }

  /** OnJobChanged for a Job whose Node is gone: deleted with background propagation. */
  private async deleteJob(node: string, name: string): Promise<void> {
    try {
      await this.api.deleteJob(name);
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
    this.options.log(`promote: deleted job ${PROMOTE_JOB_NAMESPACE}/${name}: node ${node} is gone`);
  }
}
