// A promotion that outlives its budget. Harvester puts no deadline on its promote Job (no activeDeadlineSeconds,
// harvester#2191, #8968): a stuck promotion stays "running" forever. The harness ends it as a clear failure that
// names the Job and its state, so whoever reads the report knows where to look.
import { BatchV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import { PROMOTE_JOB_NAMESPACE, PROMOTE_JOB_NODE_LABEL, promoteJobName, timestampMs } from '../contract.ts';
import { formatDuration } from '../../util/duration.ts';
import { requestWithDeadline } from '../../util/api-deadline.ts';

/** How long the list of a node's promote Jobs may go unanswered before it is aborted (its connection closed). */
const JOB_LIST_DEADLINE_MS = 10_000;

function ago(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms / 1000) * 1000));
}

/** The Job's state in one phrase: active with pods, complete, failed with its reason, suspended, or not started. */
export function describeJobState(job: V1Job, nowMs: number): string {
  const status = job.status ?? {};
  const conditions = (status.conditions ?? []).filter((c) => c.status === 'True');
  const failed = conditions.find((c) => c.type === 'Failed');
  const complete = conditions.find((c) => c.type === 'Complete');
  const suspended = conditions.find((c) => c.type === 'Suspended') ?? (job.spec?.suspend ? { reason: 'spec.suspend' } : undefined);
  const counts = `${status.active ?? 0} active, ${status.succeeded ?? 0} succeeded, ${status.failed ?? 0} failed pods (backoffLimit ${job.spec?.backoffLimit ?? 6})`;
  const started = status.startTime ? `started ${ago(nowMs - timestampMs(status.startTime))} ago` : 'not started';
  const deadline =
    job.spec?.activeDeadlineSeconds === undefined ? 'no activeDeadlineSeconds' : `activeDeadlineSeconds ${job.spec.activeDeadlineSeconds}`;
  let state: string;
  if (failed) state = `failed (${failed.reason ?? 'no reason'}${failed.message ? `: ${failed.message}` : ''})`;
  else if (complete) state = 'complete, but the node was not promoted';
  else if (suspended) state = `suspended (${suspended.reason ?? ''})`;
  else if ((status.active ?? 0) > 0) state = 'still running';
  else state = 'pending, no pod running';
  return `${state}; ${counts}; ${started}; ${deadline}`;
}

/**
 * The failure message for a promotion that did not complete within its budget. `job` is the promote Job (found by
 * its label), or undefined when there is none.
 */
export function stuckPromotionFailure(node: string, job: V1Job | undefined, budgetMs: number, nowMs: number = Date.now()): string {
  const head = `promotion of ${node} did not complete within ${formatDuration(budgetMs)}`;
  if (!job) {
    return `${head}: no promote Job exists (expected ${PROMOTE_JOB_NAMESPACE}/${promoteJobName(node)}, label ${PROMOTE_JOB_NODE_LABEL}=${node})`;
  }
  const name = `${job.metadata?.namespace ?? PROMOTE_JOB_NAMESPACE}/${job.metadata?.name ?? promoteJobName(node)}`;
  return `${head}: Job ${name} is ${describeJobState(job, nowMs)}. Harvester sets no deadline on promote Jobs, so it would stay running forever (harvester#2191, #8968)`;
}

/** The node's promote Job (by its label; the newest if there are several), or undefined. */
export async function findPromoteJob(kc: KubeConfig, node: string, deadlineMs = JOB_LIST_DEADLINE_MS): Promise<V1Job | undefined> {
  const batch = kc.makeApiClient(BatchV1Api);
  const list = await requestWithDeadline(`the promote Jobs of node ${node}`, deadlineMs, (options) =>
    batch.listNamespacedJob({ namespace: PROMOTE_JOB_NAMESPACE, labelSelector: `${PROMOTE_JOB_NODE_LABEL}=${node}` }, options),
  );
  return [...list.items].sort((a, b) => timestampMs(b.metadata?.creationTimestamp) - timestampMs(a.metadata?.creationTimestamp))[0];
}
