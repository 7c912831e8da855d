// The promote controller's decisions, pure: from the listed Nodes and promote Jobs, the Job events of this pass, the
// policy's choice and the time, the writes Harvester's promote controller would make
// (harvester/harvester pkg/controller/master/node/promote_controller.go @3d63c2af). One pass at a time:
//   (a) OnJobChanged, for each promote Job that changed (or on a resync): its Node gone -> the Job is deleted
//       (background propagation); succeeded -> complete (uncordoned); failed -> failed (cordon kept). The result is
//       written WHATEVER the node's current status (setPromoteResult only skips when the status is already that one):
//       a resync after an operator cleared `failed` writes `failed` again;
//   (b) OnJobRemove, for each promote Job that went away unfinished: its node, if still running -> unknown;
//   (c) OnNodeChanged: the policy sees the nodes as (a)/(b) leave them; a node it names that is not running is marked
//       running and cordoned (setPromoteStart), then gets its Job (createPromoteJob). Nothing creates a Job for a node
//       that is already running: selectPromoteNode returns nil while any node is running, so a Job create that failed
//       after `running` was written leaves the promotion stuck in running. Nothing beyond the policy gates (c): a
//       faulty policy's fault shows.
import type { CoreV1Event, V1Job, V1Node } from '@kubernetes/client-node';
import type { PromotionPolicy } from '../promotion.ts';
import { policyContext } from '../policy-context.ts';
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
  /** Delete a promote Job whose Node is gone, with background propagation (OnJobChanged's deleteJob). */
  | { readonly kind: 'delete-job'; readonly node: string; readonly job: string }
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

/** The status a finished Job writes (setPromoteResult), or undefined while it is still active. */
function jobResult(job: V1Job): { status: PromoteStatus; unschedulable?: boolean } | undefined {
  const outcome = jobOutcome(job);
  if (outcome === 'succeeded') return { status: 'complete', unschedulable: false };
  if (outcome === 'failed') return { status: 'failed' };
  return undefined;
}

/** The Job events of one pass, as the informers of Harvester's controller deliver them. */
export interface PromoteJobEvents {
  /**
   * Jobs OnJobChanged handles this pass: created or changed since the controller last saw them, or every Job on a
   * resync (and on the controller's first list). Undefined: every listed Job (a resync).
   */
  readonly changed?: readonly V1Job[];
  /** Jobs that went away since the last pass, as last seen (OnJobRemove). */
  readonly removed?: readonly V1Job[];
}

function promoteNodeOf(job: V1Job): string | undefined {
  return job.metadata?.labels?.[PROMOTE_JOB_NODE_LABEL];
}

/** One pass of the promote controller. `jobs` are the Jobs in harvester-system as listed; `events` what changed. */
export function promotionActions(
  nodes: readonly V1Node[],
  jobs: readonly V1Job[],
  policy: PromotionPolicy,
  now: Date,
  events: PromoteJobEvents = {},
): PromotionAction[] {
  const actions: PromotionAction[] = [];
  let view = [...nodes];
  const viewIndex = new Map(view.map((node, i) => [nodeName(node), i]));
  let sequence = 0;
  const setStatus = (node: V1Node, next: PromoteStatus, unschedulable: boolean | undefined): void => {
    const name = nodeName(node);
    // A node already changed in this pass has no resourceVersion left (withStatus): its patch has no precondition.
    actions.push({
      kind: 'set-status',
      node: name,
      prev: rawStatus(node),
      status: next,
      ...(unschedulable === undefined ? {} : { unschedulable }),
      ...(node.metadata?.resourceVersion ? { resourceVersion: node.metadata.resourceVersion } : {}),
    });
    actions.push({ kind: 'emit-event', node: name, event: promoteEvent(node, rawStatus(node), next, now, sequence++) });
    const index = viewIndex.get(name);
    if (index !== undefined) view = view.map((n, i) => (i === index ? withStatus(node, next, unschedulable) : n));
  };
  const current = (name: string): V1Node | undefined => view[viewIndex.get(name) ?? -1];

  // (a) OnJobChanged.
  for (const job of events.changed ?? jobs) {
    const name = promoteNodeOf(job);
    if (name === undefined || job.metadata?.deletionTimestamp) continue;
    const node = current(name);
    if (!node) {
      actions.push({ kind: 'delete-job', node: name, job: job.metadata?.name ?? '' });
      continue;
    }
    const result = jobResult(job);
    if (result && rawStatus(node) !== result.status) setStatus(node, result.status, result.unschedulable);
  }
  // (b) OnJobRemove: a finished Job's removal changes nothing; an unfinished one's leaves its running node unknown.
  for (const job of events.removed ?? []) {
    const name = promoteNodeOf(job);
    if (name === undefined || jobOutcome(job) !== 'active') continue;
    const node = current(name);
    if (node && promoteStatus(node) === 'running') setStatus(node, 'unknown', undefined);
  }

  // (c) OnNodeChanged.
  const choice = policy.selectPromoteNode(view, now, policyContext(view, now));
  if (choice === undefined) return actions;
  const chosen = current(choice);
  if (!chosen) return [...actions, { kind: 'skip-choice', node: choice, reason: 'not-listed' }];
  if (promoteStatus(chosen) === 'running') return [...actions, { kind: 'skip-choice', node: choice, reason: 'already-running' }];
  setStatus(chosen, 'running', true);
  actions.push({ kind: 'create-job', node: choice, job: buildPromoteJob(chosen) });
  return actions;
}
