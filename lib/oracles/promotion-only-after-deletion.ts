// Safety: a promotion only ever follows the disappearance of a management Node the harness deleted, and
// promotions never outnumber such disappearances. A NotReady, powered-off or partitioned management node keeps
// its role (harvester#8014, #5424); a Terminating one still counts until its Node object is gone. A promotion that
// ended failed or unknown, whose promote-status the harness then cleared itself (an operator's annotate step, see
// operator-changes.ts), replaced nothing: from that clearing on it no longer counts, so the retry it unblocks may
// serve the same deletion.
import { happenedBefore } from './order.ts';
import type { HistoryEvent, NodeEvent } from '../observe/history.ts';
import type { OracleContext } from './context.ts';
import { ordinal } from './oracle.ts';
import type { Oracle } from './oracle.ts';
import type { PromotionSignal, PromotionStart } from './promotion-signals.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export const PROMOTION_ONLY_AFTER_DELETION = 'promotion-only-after-deletion';

const SIGNAL_TEXT: Record<PromotionSignal, string> = {
  'status-running': 'promote-status running',
  'promote-job': 'promote Job created',
  'management-label': 'management role label',
};

interface Violation {
  readonly start: PromotionStart;
  readonly ordinal: number;
  readonly goneBefore: number;
  readonly summary: string;
  readonly evidence: HistoryEvent[];
  /** A node-watch gap hides whether the deletion finished first. */
  readonly blind: boolean;
}

/** The last event of a node recorded before seq (failure path only: one scan). */
function lastNodeEventBefore(ctx: OracleContext, name: string, seq: number): NodeEvent | undefined {
  let found: NodeEvent | undefined;
  for (const event of ctx.history) {
    if (event.seq >= seq) break;
    if (event.kind === 'node' && event.node.name === name) found = event;
  }
  return found;
}

/** For each promotion start, the harness's clearing of its failed or unknown status, if any (its node event). */
function releasesOf(ctx: OracleContext, starts: readonly PromotionStart[]): (NodeEvent | undefined)[] {
  const clearings = [...ctx.operatorChanges.values()].filter((c) => c.to === null && (c.from === 'failed' || c.from === 'unknown'));
  return starts.map((start) => clearings.find((c) => c.node === start.node && happenedBefore(start.event, c.event))?.event);
}

function check(ctx: OracleContext): Verdict {
  const { starts, disappearances, inFlightAtStart, baselineManagement } = ctx.promotions;
  const releases = releasesOf(ctx, starts);
  const details = {
    baselineManagement,
    promotions: starts.map((s, i) => ({
      node: s.node,
      signal: s.signal,
      t: s.event.t,
      seq: s.event.seq,
      ...(releases[i] ? { clearedByHarnessSeq: releases[i].seq } : {}),
    })),
    disappearances: disappearances.map((d) => ({
      node: d.deletion.node,
      actionId: d.deletion.actionId,
      goneAt: d.gone.t,
      seq: d.gone.seq,
    })),
  };
  if (inFlightAtStart.length > 0) {
    const names = inFlightAtStart.map((e) => e.node.name).join(', ');
    return verdict(
      PROMOTION_ONLY_AFTER_DELETION,
      'inconclusive',
      `a promotion was already running when the run started (${names}); the cluster was not settled`,
      inFlightAtStart,
      details,
    );
  }
  const violations: Violation[] = [];
  let gone = 0;
  starts.forEach((start, i) => {
    while (gone < disappearances.length && happenedBefore((disappearances[gone] as (typeof disappearances)[number]).gone, start.event))
      gone += 1;
    const released = releases.slice(0, i).filter((r) => r !== undefined && happenedBefore(r, start.event)).length;
    if (gone > i - released) return;
    const late = disappearances[gone];
    const how = `${start.node} started promoting (${SIGNAL_TEXT[start.signal]}) at ${ctx.rel(start.event.t)}`;
    const evidence: HistoryEvent[] = [start.event];
    let summary: string;
    let blind = false;
    if (late !== undefined) {
      const deletion = late.deletion;
      evidence.push(deletion.intent, deletion.applied, late.gone);
      const state = lastNodeEventBefore(ctx, deletion.node, start.event.seq);
      const terminating = state?.node.deletionTimestamp !== undefined ? ' (still Terminating)' : '';
      if (state !== undefined && terminating !== '') evidence.push(state);
      summary = `${how}, before deleted management node ${deletion.node}${terminating} had disappeared (${ctx.rel(late.gone.t)})`;
      blind = ctx.gapsOverlapping('nodes', { from: deletion.intent.t, to: late.gone.t }).some((gap) => gap.from <= start.event.t);
    } else if (gone === 0) {
      summary = `${how}, but no management node deleted by the harness had disappeared`;
    } else {
      const cleared = released > 0 ? ` (${released} earlier failed promotion(s) cleared by the harness not counted)` : '';
      summary = `${how}: the ${ordinal(i + 1)} promotion, with only ${gone} harness-deleted management node(s) gone${cleared}`;
    }
    for (const d of disappearances.slice(0, gone)) evidence.push(d.gone);
    for (const earlier of starts.slice(0, i)) evidence.push(earlier.event);
    for (const deletion of ctx.deletions)
      if (deletion.gone === undefined || deletion.gone.seq > start.event.seq) evidence.push(deletion.intent);
    violations.push({ start, ordinal: i + 1, goneBefore: gone, summary, evidence, blind });
  });
  const certain = violations.filter((v) => !v.blind);
  const listed = {
    ...details,
    violations: violations.map((v) => ({ node: v.start.node, seq: v.start.event.seq, blind: v.blind, summary: v.summary })),
  };
  const first = certain[0] ?? violations[0];
  if (first !== undefined) {
    const more = violations.length > 1 ? ` (${violations.length} promotions without a prior deletion)` : '';
    if (certain.length > 0) return verdict(PROMOTION_ONLY_AFTER_DELETION, 'fail', `${first.summary}${more}`, first.evidence, listed);
    const gaps = ctx.gaps('nodes');
    return verdict(
      PROMOTION_ONLY_AFTER_DELETION,
      'inconclusive',
      `${first.summary}; but the node watch was blind in between, so the deletion may have finished first`,
      [...first.evidence, ...gaps],
      listed,
    );
  }
  if (starts.length === 0) {
    return verdict(
      PROMOTION_ONLY_AFTER_DELETION,
      'pass',
      `no promotion started (${disappearances.length} harness-deleted management node(s) disappeared)`,
      [],
      details,
    );
  }
  return verdict(
    PROMOTION_ONLY_AFTER_DELETION,
    'pass',
    `${starts.length} promotion(s), each after a harness-deleted management node had disappeared (${disappearances.length} such disappearance(s))`,
    [],
    details,
  );
}

export const promotionOnlyAfterDeletion: Oracle = {
  name: PROMOTION_ONLY_AFTER_DELETION,
  description: 'every promotion follows the disappearance of a management Node the harness deleted; promotions never outnumber them',
  check,
};
