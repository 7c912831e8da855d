// Liveness and choice: after a harness-deleted management node disappears, the node Harvester's reference
// selectPromoteNode names (over the node state right after the disappearance, and again at every node change
// until the budget expires: the controller is level-triggered) is promoted, and only it: promote-status complete
// and management labels within budgets.promotionMs. One promotion at a time: never two nodes running at once.
// Deletions are served in the order their Node objects disappeared; a later one's budget starts when the
// earlier promotion completed (Harvester promotes one node at a time).
//
// The judging is a state machine over the history (promotion-after-deletion-machine.ts: each deletion window goes
// waiting → active → started → passed / failed / inconclusive); this file turns its terminal states, its
// one-at-a-time violations, and deletions that never got that far into the verdict.
import { isDeleteFault } from '../faults/catalogue.ts';
import type { HistoryEvent, NodeEvent } from '../observe/history.ts';
import type { OracleContext } from './context.ts';
import { withoutRunStart } from './oracle.ts';
import type { Oracle } from './oracle.ts';
import { judgeDeletions } from './promotion-after-deletion-machine.ts';
import type { DeletionJudgement, OneAtATimeViolation, Settled } from './promotion-after-deletion-machine.ts';
import { verdict, worstStatus } from './verdict.ts';
import type { Verdict, VerdictStatus } from './verdict.ts';

export const PROMOTION_AFTER_DELETION = 'promotion-after-deletion';

interface Outcome {
  readonly status: VerdictStatus;
  readonly summary: string;
  readonly evidence: readonly HistoryEvent[];
}

const STATUS_OF: Readonly<Record<Settled['phase'], VerdictStatus>> = { passed: 'pass', failed: 'fail', inconclusive: 'inconclusive' };

function violationOutcome(violation: OneAtATimeViolation): Outcome {
  return { status: 'fail', summary: violation.summary, evidence: violation.evidence };
}

function windowOutcome(window: Settled): Outcome {
  return { status: STATUS_OF[window.phase], summary: window.summary, evidence: window.evidence };
}

function windowDetails(window: Settled): Record<string, unknown> {
  const { deletion, gone } = window.disappearance;
  return {
    node: deletion.node,
    goneAt: gone.t,
    named: window.named.map((c) => c.node),
    promoted: window.start?.node,
    status: STATUS_OF[window.phase],
    summary: window.summary,
  };
}

/** Deletions the machine never saw as a disappearance: stuck Terminating, or the provider could not delete. */
function deletionsThatDidNotHappen(ctx: OracleContext): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const deletion of ctx.deletions) {
    if (deletion.gone !== undefined || deletion.before === undefined) continue;
    outcomes.push({
      status: 'inconclusive',
      summary: `${deletion.node} was deleted at ${ctx.rel(deletion.applied.t)} but its Node object never disappeared (stuck Terminating?)`,
      evidence: [deletion.intent, deletion.applied],
    });
  }
  for (const event of ctx.history) {
    if (event.kind === 'action' && isDeleteFault(event.fault) && event.phase === 'unsupported') {
      outcomes.push({
        status: 'inconclusive',
        summary: `the provider could not ${event.fault} ${event.nodes.join(', ')}`,
        evidence: [event],
      });
    }
  }
  return outcomes;
}

function inFlightAtStartVerdict(inFlight: readonly NodeEvent[]): Verdict {
  const names = inFlight.map((e) => e.node.name).join(', ');
  return verdict(
    PROMOTION_AFTER_DELETION,
    'inconclusive',
    `a promotion was already running when the run started (${names}); the cluster was not settled`,
    inFlight,
  );
}

/** The worst status wins; its first outcome's summary speaks for all of that status. */
function worstOutcomeVerdict(outcomes: readonly Outcome[], details: Record<string, unknown>): Verdict {
  if (outcomes.length === 0) {
    return verdict(PROMOTION_AFTER_DELETION, 'inconclusive', 'the run deleted no management node: nothing had to be promoted', [], details);
  }
  const status = worstStatus(outcomes.map((o) => o.status)) as VerdictStatus;
  const chosen = outcomes.filter((o) => o.status === status);
  const first = chosen[0] as Outcome;
  const summary = chosen.length === 1 ? first.summary : `${first.summary} (and ${chosen.length - 1} more)`;
  return verdict(
    PROMOTION_AFTER_DELETION,
    status,
    summary,
    chosen.flatMap((o) => o.evidence),
    details,
  );
}

function judgementDetails(judged: DeletionJudgement, budgetMs: number): Record<string, unknown> {
  return {
    budgetMs,
    deletions: judged.windows.map(windowDetails),
    unattributedStarts: judged.unattributed.map((s) => ({ node: s.node, seq: s.event.seq })),
  };
}

function check(ctx: OracleContext): Verdict {
  const missing = withoutRunStart(ctx, PROMOTION_AFTER_DELETION);
  if (missing !== undefined || ctx.budgets === undefined) return missing as Verdict;
  const budgetMs = ctx.budgets.promotionMs;
  if (ctx.promotions.inFlightAtStart.length > 0) return inFlightAtStartVerdict(ctx.promotions.inFlightAtStart);
  const judged = judgeDeletions({ ctx, budgetMs });
  const outcomes = [...judged.violations.map(violationOutcome), ...judged.windows.map(windowOutcome), ...deletionsThatDidNotHappen(ctx)];
  return worstOutcomeVerdict(outcomes, judgementDetails(judged, budgetMs));
}

export const promotionAfterDeletion: Oracle = {
  name: PROMOTION_AFTER_DELETION,
  description:
    "after a management node disappears, exactly the reference's candidate completes promotion within budgets.promotionMs, one at a time",
  check,
};
