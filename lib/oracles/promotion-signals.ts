// One pass that finds promotion starts and the disappearances of management nodes the harness deleted; shared by
// the promotion oracles. A promotion starts at the first of: promote-status becoming running, a promote Job
// appearing, a non-management node gaining a management label. Each node (incarnation) counts once.
import { PROMOTE_JOB_NAMESPACE, PROMOTE_JOB_NODE_LABEL, isManagementNode } from '../harvester/contract.ts';
import type { HarnessDeletion, History, HistoryEvent, JobEvent, NodeEvent, RunStartEvent } from '../observe/history.ts';
import { replayNodes } from './node-tracker.ts';
import type { NodeChange } from './node-tracker.ts';
import { toV1Node } from './node-view.ts';

export type PromotionSignal = 'status-running' | 'promote-job' | 'management-label';

export interface PromotionStart {
  readonly node: string;
  readonly signal: PromotionSignal;
  readonly event: HistoryEvent;
}

export interface ManagementDisappearance {
  readonly deletion: HarnessDeletion;
  /** The DELETED event: when the Node object was gone. */
  readonly gone: NodeEvent;
}

export interface PromotionAnalysis {
  /** Nodes that were management when the run started (run-start roles, and first observations before any action). */
  readonly baselineManagement: readonly string[];
  /** First observations, before any action, of non-management nodes already promoting (promote-status running). */
  readonly inFlightAtStart: readonly NodeEvent[];
  readonly starts: readonly PromotionStart[];
  /** Harness-deleted management nodes, in the order their Node objects disappeared. */
  readonly disappearances: readonly ManagementDisappearance[];
}

const PROMOTE_JOB_PREFIX = 'harvester-promote-';

export function promoteJobNode(job: JobEvent): string | undefined {
  if (job.namespace !== PROMOTE_JOB_NAMESPACE) return undefined;
  const labelled = job.labels[PROMOTE_JOB_NODE_LABEL];
  if (labelled !== undefined) return labelled;
  if (!job.name.startsWith(PROMOTE_JOB_PREFIX)) return undefined;
  return job.ownerNode ?? job.name.slice(PROMOTE_JOB_PREFIX.length);
}

function firstActionSeq(history: History): number {
  for (const event of history) if (event.kind === 'action') return event.seq;
  return Number.POSITIVE_INFINITY;
}

export function analysePromotions(
  history: History,
  runStart: RunStartEvent | undefined,
  deletions: readonly HarnessDeletion[],
  changes: readonly (NodeChange | undefined)[] = replayNodes(history),
): PromotionAnalysis {
  const beforeActions = firstActionSeq(history);
  const baseline = new Set<string>();
  for (const node of runStart?.nodes ?? []) if (node.role === 'control-plane') baseline.add(node.name);
  /** Names that cannot start a promotion: baseline management (until deleted), and nodes already counted. */
  const excluded = new Set(baseline);
  const seenNodes = new Set<string>();
  const seenJobs = new Set<string>();
  const goneBySeq = new Map<number, HarnessDeletion>();
  for (const deletion of deletions) if (deletion.gone !== undefined) goneBySeq.set(deletion.gone.seq, deletion);

  const inFlightAtStart: NodeEvent[] = [];
  const starts: PromotionStart[] = [];
  const disappearances: ManagementDisappearance[] = [];

  const start = (node: string, signal: PromotionSignal, event: HistoryEvent): void => {
    excluded.add(node);
    starts.push({ node, signal, event });
  };

  for (let i = 0; i < history.length; i += 1) {
    const event = history[i] as History[number];
    const change = changes[i];
    if (event.kind === 'node' && change !== undefined) {
      const name = event.node.name;
      if (event.type === 'DELETED') {
        const deletion = goneBySeq.get(event.seq);
        const wasManagement = change.before?.management === true || isManagementNode(toV1Node(event.node));
        if (deletion !== undefined && wasManagement) disappearances.push({ deletion, gone: event });
        excluded.delete(name);
        seenNodes.delete(name);
        continue;
      }
      const after = change.after;
      if (after === undefined) continue;
      const first = !seenNodes.has(name);
      seenNodes.add(name);
      if (first && event.seq < beforeActions) {
        if (after.management) {
          baseline.add(name);
          excluded.add(name);
        } else if (after.status === 'running') {
          inFlightAtStart.push(event);
          excluded.add(name);
        }
        continue;
      }
      if (excluded.has(name) || !change.relevant) continue;
      if (after.status === 'running' && change.before?.status !== 'running') start(name, 'status-running', event);
      else if (change.before !== undefined && !change.before.management && after.management) start(name, 'management-label', event);
    } else if (event.kind === 'job' && event.type !== 'DELETED') {
      const node = promoteJobNode(event);
      if (node === undefined) continue;
      const jobKey = `${event.namespace}/${event.name}`;
      if (seenJobs.has(jobKey)) continue;
      seenJobs.add(jobKey);
      if (event.type === 'SYNC' && event.seq < beforeActions) continue;
      if (!excluded.has(node)) start(node, 'promote-job', event);
    }
  }
  return { baselineManagement: [...baseline].sort(), inFlightAtStart, starts, disappearances };
}
