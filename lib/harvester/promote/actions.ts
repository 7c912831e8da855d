// The promote controller's decisions, pure: from the listed Nodes and promote Jobs, the policy's choice and the time,
// the writes Harvester's promote controller would make. Level-triggered, one pass at a time:
//   (a) a node whose promote-status is running follows its Job: succeeded -> complete (uncordoned),
//       failed -> failed (stays cordoned), gone -> unknown;
//   (b) the policy sees the nodes as (a) leaves them; a node it names that is not running is marked running and
//       cordoned, and gets its Job. Nothing beyond the policy gates (b): a faulty policy's fault shows.
import type { CoreV1Event, V1Job, V1Node } from '@kubernetes/client-node';
import type { PromotionPolicy } from '../promotion.ts';
import {
  PROMOTE_EVENT_SOURCE_COMPONENT,
  PROMOTE_JOB_BACKOFF_LIMIT,
  PROMOTE_JOB_NAMESPACE,
  PROMOTE_JOB_NODE_LABEL,
  PROMOTE_STATUS_ANNOTATION,
  nodeName,
  promoteEventMessage,
  promoteEventReason,
  promoteEventType,
  promoteJobName,
  promoteStatus,
  promotesAsWitness,
  type PromoteStatus,
} from '../contract.ts';

/** Harvester's promote job runs this script from the harvester-helpers ConfigMap. */
export const PROMOTE_SCRIPT = '/harvester-helpers/promote.sh';
export const PROMOTE_CONTAINER_NAME = 'promote';
export const PROMOTE_IMAGE = 'cpchaos/promote';
/** The argument promote.sh gets for a witness (etcd-only) promotion. */
export const WITNESS_PROMOTE_PARAMETER = 'rke.cattle.io/etcd-role=true';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** Node events have no namespace of their own; the recorder puts them in default. */
export const NODE_EVENT_NAMESPACE = 'default';
/** Kubernetes' default backoffLimit, for a Job that does not say. */
const DEFAULT_JOB_BACKOFF_LIMIT = 6;

export type JobOutcome = 'succeeded' | 'failed' | 'active';

export type PromotionAction =
  /** Patch the node's promote-status annotation, and spec.unschedulable when given (true: cordon, false: uncordon). */
  | {
      readonly kind: 'set-status';
      readonly node: string;
      readonly prev: string | undefined;
      readonly status: PromoteStatus;
      readonly unschedulable?: boolean;
      /** Precondition of the patch: the node as listed (absent when an earlier action of the pass changed it). */
      readonly resourceVersion?: string;
    }
  | { readonly kind: 'create-job'; readonly node: string; readonly job: V1Job }
  | { readonly kind: 'emit-event'; readonly node: string; readonly event: CoreV1Event }
  /** The policy named a node the controller does not act on: not in the list, or already running. */
  | { readonly kind: 'skip-choice'; readonly node: string; readonly reason: 'not-listed' | 'already-running' };

function hasTrueCondition(job: V1Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Succeeded: succeeded >= 1 or Complete=True. Failed: Failed=True or more failures than backoffLimit. */
export function jobOutcome(job: V1Job): JobOutcome {
  if ((job.status?.succeeded ?? 0) >= 1 || hasTrueCondition(job, 'Complete')) return 'succeeded';
  const backoffLimit = job.spec?.backoffLimit ?? DEFAULT_JOB_BACKOFF_LIMIT;
  if (hasTrueCondition(job, 'Failed') || (job.status?.failed ?? 0) > backoffLimit) return 'failed';
  return 'active';
}

/** Harvester's promote Job for `node`: owned by the Node, pinned to it, promote.sh in a privileged host container. */
export function buildPromoteJob(node: V1Node): V1Job {
  const name = nodeName(node);
  const args = ['-e', PROMOTE_SCRIPT, promotesAsWitness(node) ? WITNESS_PROMOTE_PARAMETER : ''];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: promoteJobName(name),
      namespace: PROMOTE_JOB_NAMESPACE,
      labels: { [PROMOTE_JOB_NODE_LABEL]: name },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid ?? '' }],
    },
    spec: {
      backoffLimit: PROMOTE_JOB_BACKOFF_LIMIT,
      template: {
        metadata: { labels: { [PROMOTE_JOB_NODE_LABEL]: name } },
        spec: {
          nodeName: name,
          nodeSelector: { [HOSTNAME_LABEL]: name },
          hostNetwork: true,
          hostPID: true,
          hostIPC: true,
          restartPolicy: 'Never',
          serviceAccountName: 'harvester',
          tolerations: [
            { operator: 'Exists', effect: 'NoSchedule' },
            { operator: 'Exists', effect: 'NoExecute' },
          ],
          containers: [
            {
              name: PROMOTE_CONTAINER_NAME,
              image: PROMOTE_IMAGE,
              command: ['sh'],
              args,
              env: [{ name: 'HARVESTER_PROMOTE_NODE_NAME', value: name }],
              securityContext: { privileged: true },
            },
          ],
        },
      },
    },
  };
}

/** `<node>.<hex>` as the event recorder names events: nanoseconds of `now`, plus `sequence` to keep a pass unique. */
export function promoteEventName(node: string, now: Date, sequence = 0): string {
  const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(sequence);
  return `${node}.${nanos.toString(16)}`;
}

/** The Event Harvester's recorder writes on a promote-status change, on the Node object. */
export function promoteEvent(node: V1Node, prev: string | undefined, next: PromoteStatus, now: Date, sequence = 0): CoreV1Event {
  const name = nodeName(node);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: promoteEventName(name, now, sequence), namespace: NODE_EVENT_NAMESPACE },
    involvedObject: { kind: 'Node', name, uid: node.metadata?.uid ?? '' },
    reason: promoteEventReason(next),
    message: promoteEventMessage(name, prev, next),
    type: promoteEventType(next),
    source: { component: PROMOTE_EVENT_SOURCE_COMPONENT },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

function rawStatus(node: V1Node): string | undefined {
  return node.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION];
}

/** The node as it is after a set-status action: for the policy's view later in the same pass. */
function withStatus(node: V1Node, status: PromoteStatus, unschedulable: boolean | undefined): V1Node {
  const metadata = { ...node.metadata, annotations: { ...node.metadata?.annotations, [PROMOTE_STATUS_ANNOTATION]: status } };
  delete metadata.resourceVersion;
  const spec = unschedulable === undefined ? node.spec : { ...node.spec, unschedulable };
  return { ...node, metadata, ...(spec ? { spec } : {}) };
}

/** Where a running node's promotion stands: its next status, or undefined while its Job is still active. */
function followJob(job: V1Job | undefined): { status: PromoteStatus; unschedulable?: boolean } | undefined {
  if (!job) return { status: 'unknown' };
  const outcome = jobOutcome(job);
  if (outcome === 'succeeded') return { status: 'complete', unschedulable: false };
  if (outcome === 'failed') return { status: 'failed' };
  return undefined;
}

/**
 * One pass of the promote controller. `jobs` are the Jobs in harvester-system; `pendingJobs` names nodes this
 * controller marked running whose Job it has not created yet (their Job is created again, not reported gone).
 */
export function promotionActions(
  nodes: readonly V1Node[],
  jobs: readonly V1Job[],
  policy: PromotionPolicy,
  now: Date,
  pendingJobs: ReadonlySet<string> = new Set(),
): PromotionAction[] {
  const actions: PromotionAction[] = [];
  const jobByName = new Map(jobs.map((job) => [job.metadata?.name ?? '', job]));
  let events = 0;
  const view = nodes.map((node) => {
    const name = nodeName(node);
    if (promoteStatus(node) !== 'running') return node;
    const job = jobByName.get(promoteJobName(name));
    if (!job && pendingJobs.has(name)) {
      actions.push({ kind: 'create-job', node: name, job: buildPromoteJob(node) });
      return node;
    }
    const next = followJob(job);
    if (!next) return node;
    actions.push({
      kind: 'set-status',
      node: name,
      prev: 'running',
      status: next.status,
      ...(next.unschedulable === undefined ? {} : { unschedulable: next.unschedulable }),
      ...(node.metadata?.resourceVersion ? { resourceVersion: node.metadata.resourceVersion } : {}),
    });
    actions.push({ kind: 'emit-event', node: name, event: promoteEvent(node, 'running', next.status, now, events++) });
    return withStatus(node, next.status, next.unschedulable);
  });

  const choice = policy.selectPromoteNode(view, now);
  if (choice === undefined) return actions;
  const chosen = view.find((node) => nodeName(node) === choice);
  if (!chosen) return [...actions, { kind: 'skip-choice', node: choice, reason: 'not-listed' }];
  if (promoteStatus(chosen) === 'running') return [...actions, { kind: 'skip-choice', node: choice, reason: 'already-running' }];
  const prev = rawStatus(chosen);
  const resourceVersion = chosen.metadata?.resourceVersion;
  actions.push(
    { kind: 'set-status', node: choice, prev, status: 'running', unschedulable: true, ...(resourceVersion ? { resourceVersion } : {}) },
    { kind: 'emit-event', node: choice, event: promoteEvent(chosen, prev, 'running', now, events++) },
    { kind: 'create-job', node: choice, job: buildPromoteJob(chosen) },
  );
  return actions;
}
