// Promote-status changes the harness made itself, as an operator would (annotate steps). Harvester never clears
// harvesterhci.io/promote-status; an operator does, to let promotions go on after a failure. An observed change of a
// node's promote-status is the harness's own when an annotate action on that node asked for exactly that value (null:
// removal), its intent was recorded before the change was observed, and, when the resourceVersion the harness's
// patch left and those of the node's observations are known (etcd revisions), that patch lies within the change:
// after the node's previous observation, at or before this one. Each action explains at most one change per node.
import { PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import type { ActionEvent, History, NodeEvent } from '../observe/history.ts';
import type { NodeChange } from './node-tracker.ts';
import { happenedBefore, parseRevision, revisionOf } from './order.ts';

export interface OperatorChange {
  readonly node: string;
  /** The promote-status before (undefined: none). */
  readonly from: string | undefined;
  /** The value the harness set; null when it removed the annotation. */
  readonly to: string | null;
  /** The annotate action's intent. */
  readonly intent: ActionEvent;
  /** The node event that showed the change. */
  readonly event: NodeEvent;
}

interface Request {
  readonly intent: ActionEvent;
  readonly node: string;
  readonly value: string | null;
  /** The node's resourceVersion right after the harness's patch, when recorded. */
  readonly rv: bigint | undefined;
  used: boolean;
}

/** The patch at revision `rv` lies within the change from `before` to `after` (unknown revisions: it may). */
function within(rv: bigint | undefined, before: NodeEvent, after: NodeEvent): boolean {
  if (rv === undefined) return true;
  const from = revisionOf(before);
  const to = revisionOf(after);
  return (from === undefined || from < rv) && (to === undefined || rv <= to);
}

/** The harness's own promote-status changes, by the seq of the node event that showed each. */
export function operatorStatusChanges(history: History, changes: readonly (NodeChange | undefined)[]): Map<number, OperatorChange> {
  const rvsById = new Map<string, Readonly<Record<string, string>>>();
  for (const event of history) {
    if (event.kind === 'action' && event.fault === 'annotate' && event.rvs !== undefined && event.phase !== 'intent') {
      rvsById.set(event.id, { ...rvsById.get(event.id), ...event.rvs });
    }
  }
  const out = new Map<number, OperatorChange>();
  const pending: Request[] = [];
  for (let i = 0; i < history.length; i += 1) {
    const event = history[i] as History[number];
    if (event.kind === 'action') {
      const value = event.annotations?.[PROMOTE_STATUS_ANNOTATION];
      if (event.fault !== 'annotate' || event.phase !== 'intent' || value === undefined) continue;
      const rvs = rvsById.get(event.id) ?? {};
      for (const node of event.nodes) {
        const rv = rvs[node];
        pending.push({ intent: event, node, value, rv: parseRevision(rv), used: false });
      }
      continue;
    }
    const change = changes[i];
    const before = change?.before;
    if (event.kind !== 'node' || change === undefined || before === undefined || change.after === undefined) continue;
    const from = before.status;
    const to = change.after.status;
    if (from === to) continue;
    const request = pending.find(
      (r) =>
        !r.used &&
        r.node === change.name &&
        r.value === (to ?? null) &&
        happenedBefore(r.intent, event) &&
        within(r.rv, before.event, event),
    );
    if (request === undefined) continue;
    request.used = true;
    out.set(event.seq, { node: change.name, from, to: request.value, intent: request.intent, event });
  }
  return out;
}
