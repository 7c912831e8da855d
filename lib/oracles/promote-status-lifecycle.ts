// Per Node object, harvesterhci.io/promote-status only moves none -> running -> complete | failed | unknown:
// Harvester never clears it, never moves it back to running or away from a final status. A node's first observation
// is taken as it is. A skipped step (none -> complete) seen across a relist or a node-watch gap is unobserved, not
// illegal. A change the harness's own annotate step made (an operator clearing a failed promotion, see
// operator-changes.ts) is not Harvester's: it is accepted and listed, and the lifecycle goes on from the new value.
// One more transition is Harvester's: (none) -> complete | failed on a Node object that held that very status before
// it was cleared. Harvester's Job handler writes the Job's result whatever the node's current status
// (promote_controller.go OnJobChanged -> setPromoteResult skips only an equal status), so a resync of the finished Job
// writes it again after an operator cleared it.
import { isLegalPromoteTransition, isPromoteStatus } from '../harvester/contract.ts';
import type { PromoteStatus } from '../harvester/contract.ts';
import type { HistoryEvent, NodeEvent } from '../observe/history.ts';
import type { OracleContext } from './context.ts';
import type { Oracle } from './oracle.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export const PROMOTE_STATUS_LIFECYCLE = 'promote-status-lifecycle';

/** Whether next can follow prev through legal transitions (possibly several). */
function reachable(prev: PromoteStatus | undefined, next: PromoteStatus | undefined): boolean {
  if (prev === undefined) return next !== undefined;
  return prev === 'running' && next !== undefined && next !== 'running';
}

function show(status: string | undefined): string {
  return status === undefined ? '(none)' : status;
}

interface Finding {
  readonly summary: string;
  readonly evidence: HistoryEvent[];
}

function check(ctx: OracleContext): Verdict {
  const gaps = ctx.gaps('nodes');
  const illegal: Finding[] = [];
  const unobserved: Finding[] = [];
  const transitions: { node: string; from: string; to: string; t: number }[] = [];
  const byOperator: { node: string; from: string; to: string; t: number; action: string }[] = [];
  const reapplied: { node: string; status: string; t: number }[] = [];
  /** The last final status (complete / failed) each Node object (by uid) held. */
  const lastFinal = new Map<string, string>();
  for (const change of ctx.nodeChanges) {
    if (change === undefined || !change.relevant) continue;
    const event = change.event;
    const before = change.before;
    const after = change.after;
    if (after === undefined) continue;
    const next = after.status;
    const uid = after.node.uid || after.node.name;
    const heldBefore = lastFinal.get(uid);
    if (next === 'complete' || next === 'failed') lastFinal.set(uid, next);
    if (before === undefined) {
      if (next !== undefined && !isPromoteStatus(next)) {
        illegal.push({
          summary: `${after.node.name} has promote-status ${JSON.stringify(next)}, which Harvester never writes`,
          evidence: [event],
        });
      }
      continue;
    }
    const prev = before.status;
    if (prev === next) continue;
    const operator = ctx.operatorChanges.get(event.seq);
    if (operator !== undefined) {
      byOperator.push({ node: after.node.name, from: show(prev), to: show(next), t: event.t, action: operator.intent.id });
      continue;
    }
    transitions.push({ node: after.node.name, from: show(prev), to: show(next), t: event.t });
    const text = `${after.node.name}: promote-status ${show(prev)} -> ${show(next)} at ${ctx.rel(event.t)}`;
    if (next !== undefined && !isPromoteStatus(next)) {
      illegal.push({ summary: `${text}; ${JSON.stringify(next)} is not a status Harvester writes`, evidence: [before.event, event] });
      continue;
    }
    const p = isPromoteStatus(prev) ? prev : undefined;
    if (isLegalPromoteTransition(p, next)) continue;
    if (prev === undefined && next !== undefined && next === heldBefore && before.node.uid === after.node.uid) {
      reapplied.push({ node: after.node.name, status: next, t: event.t });
      continue;
    }
    const blind = gapsBetween(gaps, before.event, event);
    if (reachable(p, next) && (event.type === 'SYNC' || blind.length > 0)) {
      unobserved.push({
        summary: `${text}, a skipped step the recorder did not see (relist or watch gap)`,
        evidence: [before.event, event, ...blind],
      });
    } else {
      const cleared = next === undefined ? '; no annotate step of the harness asked for this clearing' : '';
      illegal.push({
        summary: `${text} is not a legal transition (none -> running -> complete | failed | unknown; never cleared)${cleared}`,
        evidence: [before.event, event],
      });
    }
  }
  const details = {
    transitions,
    byOperator,
    reapplied,
    illegal: illegal.map((f) => f.summary),
    unobserved: unobserved.map((f) => f.summary),
  };
  const first = illegal[0];
  if (first !== undefined) {
    const more = illegal.length > 1 ? ` (${illegal.length} illegal transitions)` : '';
    return verdict(PROMOTE_STATUS_LIFECYCLE, 'fail', `${first.summary}${more}`, first.evidence, details);
  }
  const skipped = unobserved[0];
  if (skipped !== undefined) return verdict(PROMOTE_STATUS_LIFECYCLE, 'inconclusive', skipped.summary, skipped.evidence, details);
  const operatorText =
    byOperator.length === 0
      ? ''
      : `; ${byOperator.length} change(s) made by the harness's own annotate steps (${byOperator.map((c) => `${c.node} ${c.from} -> ${c.to}`).join(', ')})`;
  const reappliedText =
    reapplied.length === 0
      ? ''
      : `; ${reapplied.map((r) => `${r.node} (none) -> ${r.status}`).join(', ')}: a finished Job's result written again after its status was cleared (Harvester's Job handler, on a resync)`;
  const summary = `${transitions.length === 0 ? 'no promote-status changed' : `${transitions.length} promote-status transition(s), all legal`}${operatorText}${reappliedText}`;
  return verdict(PROMOTE_STATUS_LIFECYCLE, 'pass', summary, [], details);
}

function gapsBetween(gaps: readonly HistoryEvent[], from: NodeEvent, to: NodeEvent): HistoryEvent[] {
  return gaps.filter((gap) => gap.kind === 'gap' && gap.to >= from.t && gap.from <= to.t);
}

export const promoteStatusLifecycle: Oracle = {
  name: PROMOTE_STATUS_LIFECYCLE,
  description:
    'promote-status only moves none -> running -> complete | failed | unknown on each Node object (changes the harness made itself excepted)',
  check,
};
