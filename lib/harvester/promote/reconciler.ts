// One pass of Harvester's promote controller with the writes made, independent of how the API is reached: the
// sandbox's controller manager talks through its FailoverApiClient (promote-controller.ts), the harness talks to a
// kind cluster through its kubeconfig (lib/cluster/kind/promote-loop.ts). The decisions are promotionActions'.
import type { CoreV1Event, V1Job, V1Node } from '@kubernetes/client-node';
import type { PromotionPolicy } from '../promotion.ts';
import { PROMOTE_JOB_NAMESPACE, PROMOTE_JOB_NODE_LABEL, PROMOTE_STATUS_ANNOTATION, promoteStatus } from '../contract.ts';
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
}

export interface PromoteReconcilerOptions {
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

export interface PromotePass {
  /** The actions of this pass (a failing write ends the pass: the actions after it were not made). */
  readonly actions: PromotionAction[];
  /** Nodes and Jobs as listed at the start of the pass. */
  readonly nodes: readonly V1Node[];
  readonly jobs: readonly V1Job[];
}

export class PromoteReconciler {
  /** Nodes this controller marked running whose Job it has not created yet. */
  private readonly pendingJobs = new Set<string>();
  /**
   * Running nodes whose Job this controller has seen. Harvester marks a node unknown when its running Job is
   * REMOVED (an informer's remove event): a Job this controller never saw was not removed under it. That happens when
   * leadership moves between the two writes of a promotion (running, then the Job): the new leader creates the Job
   * (a 409 if the old leader's write lands after all) instead of declaring a promotion unknown that is under way.
   */
  private readonly seenJobs = new Set<string>();
  private lastSkip = '';

  constructor(
    private readonly api: PromoteApi,
    private readonly policy: PromotionPolicy,
    private readonly options: PromoteReconcilerOptions,
  ) {}

  /** One level-triggered pass: list, decide, write. A failing write ends the pass; the next one redoes it. */
  async pass(): Promise<PromotePass> {
    const [nodes, jobs] = await Promise.all([this.api.listNodes(), this.api.listJobs()]);
    const running = new Set(nodes.filter((n) => promoteStatus(n) === 'running').map((n) => n.metadata?.name ?? ''));
    for (const name of this.pendingJobs) if (!running.has(name)) this.pendingJobs.delete(name);
    for (const name of this.seenJobs) if (!running.has(name)) this.seenJobs.delete(name);
    const jobNodes = new Set(jobs.map((job) => job.metadata?.labels?.[PROMOTE_JOB_NODE_LABEL] ?? ''));
    const neverSeen = [...running].filter((name) => !jobNodes.has(name) && !this.seenJobs.has(name));
    for (const name of jobNodes) if (running.has(name)) this.seenJobs.add(name);
    const now = this.options.now?.() ?? new Date();
    const actions = promotionActions(nodes, jobs, this.policy, now, new Set([...this.pendingJobs, ...neverSeen]));
    for (const action of actions) await this.apply(action);
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
    if (action.status === 'running') this.pendingJobs.add(action.node);
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

  private async createJob(node: string, job: V1Job): Promise<void> {
    const name = job.metadata?.name ?? '';
    try {
      await this.api.createJob(node, job);
      this.options.log(`promote: created job ${PROMOTE_JOB_NAMESPACE}/${name} for ${node}`);
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
      // As in Harvester, an existing Job of that name is what the node's promotion follows from now on.
      this.options.log(`promote: job ${PROMOTE_JOB_NAMESPACE}/${name} already exists; ${node} follows it`);
    }
    this.pendingJobs.delete(node);
    this.seenJobs.add(node);
  }
}
