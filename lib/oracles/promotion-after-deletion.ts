// Liveness and choice: after a harness-deleted management node disappears, the node Harvester's reference
// selectPromoteNode names (over the node state right after the disappearance, and again at every node change
// until the budget expires: the controller is level-triggered) is promoted, and only it: promote-status complete
// and management labels within budgets.promotionMs. One promotion at a time: never two nodes running at once.
// Deletions are served in the order their Node objects disappeared; a later one's budget starts when the
// earlier promotion completed (Harvester promotes one node at a time).
import type { HistoryEvent, NodeEvent } from '../observe/history.ts';
import { isDeleteFault } from '../observe/history.ts';
import { formatMs } from './context.ts';
import type { OracleContext } from './context.ts';
import { NodeSet } from './node-tracker.ts';
import { withoutRunStart } from './oracle.ts';
import type { Oracle } from './oracle.ts';
import type { ManagementDisappearance, PromotionStart } from './promotion-signals.ts';
import { verdict, worstStatus } from './verdict.ts';
import type { Verdict, VerdictStatus } from './verdict.ts';

export const PROMOTION_AFTER_DELETION = 'promotion-after-deletion';

interface Outcome {
  readonly status: VerdictStatus;
  readonly summary: string;
  readonly evidence: readonly HistoryEvent[];
}

interface Window {
  readonly disappearance: ManagementDisappearance;
  activeFrom?: number;
  deadline?: number;
  /** Candidates the reference named while waiting, with the event after which each was first named. */
  readonly named: Map<string, HistoryEvent>;
  lastReason?: string;
  started?: PromotionStart;
  outcome?: Outcome;
}

function check(ctx: OracleContext): Verdict {
  const missing = withoutRunStart(ctx, PROMOTION_AFTER_DELETION);
  if (missing !== undefined || ctx.budgets === undefined) return missing as Verdict;
  const budgetMs = ctx.budgets.promotionMs;
  const { disappearances, starts, inFlightAtStart } = ctx.promotions;
  if (inFlightAtStart.length > 0) {
    const names = inFlightAtStart.map((e) => e.node.name).join(', ');
    return verdict(PROMOTION_AFTER_DELETION, 'inconclusive', `a promotion was already running when the run started (${names}); the cluster was not settled`, inFlightAtStart);
  }

  const windows: Window[] = disappearances.map((disappearance) => ({ disappearance, named: new Map() }));
  const windowByGoneSeq = new Map<number, Window>();
  for (const w of windows) windowByGoneSeq.set(w.disappearance.gone.seq, w);
  const startsBySeq = new Map<number, PromotionStart[]>();
  for (const s of starts) {
    const list = startsBySeq.get(s.event.seq);
    if (list === undefined) startsBySeq.set(s.event.seq, [s]);
    else list.push(s);
  }

  const tracker = new NodeSet();
  const running = new Map<string, NodeEvent>();
  const concurrency: Outcome[] = [];
  const unattributed: PromotionStart[] = [];
  /** Windows whose node is gone, in order; the head is the one being served. */
  const queue: Window[] = [];
  let lastClose = Number.NEGATIVE_INFINITY;

  const evaluate = (w: Window, at: HistoryEvent): void => {
    const nodes = tracker.v1Nodes();
    const candidate = ctx.reference.selectPromoteNode(nodes, new Date(at.t));
    if (candidate === undefined) w.lastReason = ctx.reference.explain?.(nodes, new Date(at.t)).reason ?? 'the reference named no node';
    else if (!w.named.has(candidate)) w.named.set(candidate, at);
  };
  const activate = (at: HistoryEvent): void => {
    const head = queue[0];
    if (head === undefined || head.activeFrom !== undefined) return;
    head.activeFrom = Math.max(head.disappearance.gone.t, lastClose);
    head.deadline = head.activeFrom + budgetMs;
    evaluate(head, at);
  };
  const close = (w: Window, outcome: Outcome, t: number, at: HistoryEvent): void => {
    w.outcome = outcome;
    lastClose = t;
    queue.shift();
    activate(at);
  };
  const gone = (w: Window): string => `${w.disappearance.deletion.node} disappeared at ${ctx.rel(w.disappearance.gone.t)}`;
  const namedText = (w: Window): string => (w.named.size === 0 ? 'none' : [...w.named.keys()].join(', '));

  const expire = (w: Window, at: HistoryEvent): void => {
    const deadline = w.deadline as number;
    if (w.started === undefined) {
      const first = [...w.named.entries()][0];
      if (first === undefined) {
        close(w, { status: 'inconclusive', summary: `${gone(w)}; the reference named no candidate within ${formatMs(budgetMs)}: ${w.lastReason ?? 'no reason given'}`, evidence: [w.disappearance.gone] }, deadline, at);
      } else {
        close(w, { status: 'fail', summary: `${gone(w)}; the reference named ${first[0]} (${ctx.rel(first[1].t)}) but no promotion started within ${formatMs(budgetMs)}`, evidence: [w.disappearance.gone, first[1]] }, deadline, at);
      }
      return;
    }
    const blind = ctx.gapsOverlapping('nodes', { from: w.started.event.t, to: deadline });
    const last = tracker.get(w.started.node)?.event;
    const evidence = [w.disappearance.gone, w.started.event, ...(last ? [last] : []), ...blind];
    const summary = `${gone(w)}; ${w.started.node} started promoting at ${ctx.rel(w.started.event.t)} but had not completed by ${ctx.rel(deadline)} (budget ${formatMs(budgetMs)})`;
    close(w, { status: blind.length > 0 ? 'inconclusive' : 'fail', summary: blind.length > 0 ? `${summary}; the node watch was blind meanwhile` : summary, evidence }, deadline, at);
  };

  const onStart = (start: PromotionStart): void => {
    const w = queue[0];
    if (w === undefined || w.activeFrom === undefined) {
      unattributed.push(start);
      return;
    }
    if (w.started !== undefined) {
      if (queue.length > 1) {
        concurrency.push({ status: 'fail', summary: `${start.node} started promoting at ${ctx.rel(start.event.t)} while ${w.started.node}'s promotion had not completed (one at a time)`, evidence: [w.started.event, start.event] });
      } else {
        unattributed.push(start);
      }
      return;
    }
    w.started = start;
    if (w.named.has(start.node)) return;
    const blind = ctx.gapsOverlapping('nodes', { from: w.activeFrom, to: start.event.t });
    const named = w.named.size === 0 ? `the reference named no node (${w.lastReason ?? 'no reason given'})` : `the reference named ${namedText(w)}`;
    const summary = `${gone(w)}; ${start.node} was promoted (${ctx.rel(start.event.t)}) but ${named}`;
    const evidence = [w.disappearance.gone, start.event, ...w.named.values(), ...blind];
    if (blind.length > 0) close(w, { status: 'inconclusive', summary: `${summary}; the node watch was blind meanwhile, so its choice may have been right`, evidence }, start.event.t, start.event);
    else close(w, { status: 'fail', summary, evidence }, start.event.t, start.event);
  };

  const changes = ctx.nodeChanges;
  for (let i = 0; i < ctx.history.length; i += 1) {
    const event = ctx.history[i] as HistoryEvent;
    let head = queue[0];
    while (head?.deadline !== undefined && event.t > head.deadline && head.outcome === undefined) {
      expire(head, event);
      head = queue[0];
    }
    for (const start of startsBySeq.get(event.seq) ?? []) onStart(start);
    const change = changes[i];
    if (event.kind !== 'node' || change === undefined) continue;
    tracker.follow(change);
    const name = event.node.name;
    if (change.after?.status === 'running') running.set(name, event);
    else running.delete(name);
    if (running.size > 1 && change.after?.status === 'running' && change.before?.status !== 'running') {
      const names = [...running.keys()].join(' and ');
      concurrency.push({ status: 'fail', summary: `${names} had promote-status running at the same time (${ctx.rel(event.t)}); Harvester promotes one node at a time`, evidence: [...running.values()] });
    }
    const w = queue[0];
    if (w?.started !== undefined && w.started.node === name && w.outcome === undefined) {
      const after = change.after;
      if (after === undefined) {
        close(w, { status: 'fail', summary: `${gone(w)}; ${name} was promoting but its Node object disappeared (${ctx.rel(event.t)})`, evidence: [w.disappearance.gone, w.started.event, event] }, event.t, event);
      } else if (after.status === 'complete' && after.management) {
        const took = event.t - w.disappearance.gone.t;
        close(w, { status: 'pass', summary: `${gone(w)}; ${name} (the reference's candidate) completed promotion at ${ctx.rel(event.t)}, ${formatMs(took)} later (budget ${formatMs(budgetMs)})`, evidence: [] }, event.t, event);
      } else if (after.status === 'failed' || after.status === 'unknown') {
        close(w, { status: 'fail', summary: `${gone(w)}; ${name}'s promotion ended with promote-status ${after.status} at ${ctx.rel(event.t)}`, evidence: [w.disappearance.gone, w.started.event, event] }, event.t, event);
      }
    }
    const arriving = windowByGoneSeq.get(event.seq);
    if (arriving !== undefined) {
      queue.push(arriving);
      activate(event);
    } else if (change.relevant && queue[0]?.activeFrom !== undefined && queue[0].started === undefined) {
      evaluate(queue[0], event);
    }
  }

  const outcomes: Outcome[] = [...concurrency];
  const perDeletion = windows.map((w) => {
    let outcome = w.outcome;
    if (outcome === undefined) {
      const left = w.deadline === undefined ? 'before its turn came' : `${formatMs(w.deadline - ctx.endT)} before the budget expired`;
      const what = w.started !== undefined ? `${w.started.node} was still promoting` : w.named.size > 0 ? `the reference named ${namedText(w)}, no promotion had started` : `no candidate yet (${w.lastReason ?? 'not evaluated'})`;
      outcome = { status: 'inconclusive', summary: `${gone(w)}; the run ended ${left}: ${what}`, evidence: [w.disappearance.gone] };
    }
    outcomes.push(outcome);
    return { node: w.disappearance.deletion.node, goneAt: w.disappearance.gone.t, named: [...w.named.keys()], promoted: w.started?.node, status: outcome.status, summary: outcome.summary };
  });
  for (const deletion of ctx.deletions) {
    if (deletion.gone !== undefined || deletion.before === undefined) continue;
    outcomes.push({ status: 'inconclusive', summary: `${deletion.node} was deleted at ${ctx.rel(deletion.applied.t)} but its Node object never disappeared (stuck Terminating?)`, evidence: [deletion.intent, deletion.applied] });
  }
  for (const event of ctx.history) {
    if (event.kind === 'action' && isDeleteFault(event.fault) && event.phase === 'unsupported') {
      outcomes.push({ status: 'inconclusive', summary: `the provider could not ${event.fault} ${event.nodes.join(', ')}`, evidence: [event] });
    }
  }
  const details = { budgetMs, deletions: perDeletion, unattributedStarts: unattributed.map((s) => ({ node: s.node, seq: s.event.seq })) };
  if (outcomes.length === 0) {
    return verdict(PROMOTION_AFTER_DELETION, 'inconclusive', 'the run deleted no management node: nothing had to be promoted', [], details);
  }
  const status = worstStatus(outcomes.map((o) => o.status)) as VerdictStatus;
  const chosen = outcomes.filter((o) => o.status === status);
  const summary = chosen.length === 1 ? (chosen[0] as Outcome).summary : `${(chosen[0] as Outcome).summary} (and ${chosen.length - 1} more)`;
  return verdict(PROMOTION_AFTER_DELETION, status, summary, chosen.flatMap((o) => o.evidence), details);
}

export const promotionAfterDeletion: Oracle = {
  name: PROMOTION_AFTER_DELETION,
  description: "after a management node disappears, exactly the reference's candidate completes promotion within budgets.promotionMs, one at a time",
  check,
};
