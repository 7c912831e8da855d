// Never more than 3 management nodes at any point (replay of the node watch), and once the run has deleted a
// management node, the run ends with min(3, nodes) management nodes (the replacement was promoted).
import { MANAGEMENT_NODE_TARGET } from '../harvester/contract.ts';
import type { HistoryEvent } from '../observe/history.ts';
import { formatMs } from './context.ts';
import type { OracleContext } from './context.ts';
import { NodeSet } from './node-tracker.ts';
import type { Oracle } from './oracle.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export const MANAGEMENT_COUNT = 'management-count';

interface Excess {
  readonly event: HistoryEvent;
  readonly names: string[];
  readonly evidence: HistoryEvent[];
}

function check(ctx: OracleContext): Verdict {
  const tracker = new NodeSet();
  const excesses: Excess[] = [];
  let maxCount = 0;
  let count = 0;
  let sawNodes = false;
  for (const change of ctx.nodeChanges) {
    if (change === undefined) continue;
    sawNodes = true;
    const before = count;
    tracker.follow(change);
    count = change.managementCount;
    maxCount = Math.max(maxCount, count);
    if (count > MANAGEMENT_NODE_TARGET && before <= MANAGEMENT_NODE_TARGET) {
      const entries = [...tracker.entries()].filter((e) => e.management);
      excesses.push({ event: change.event, names: entries.map((e) => e.node.name).sort(), evidence: entries.map((e) => e.event) });
    }
  }
  const total = tracker.size;
  const finalCount = count;
  const details = { maxCount, finalCount, finalNodes: total, finalManagement: tracker.managementNames() };
  if (!sawNodes) return verdict(MANAGEMENT_COUNT, 'inconclusive', 'the history has no node observations', [], details);

  const first = excesses[0];
  if (first !== undefined) {
    const times = excesses.length > 1 ? ` (${excesses.length} times)` : '';
    return verdict(
      MANAGEMENT_COUNT,
      'fail',
      `${first.names.length} management nodes at ${ctx.rel(first.event.t)} (${first.names.join(', ')}); Harvester keeps at most ${MANAGEMENT_NODE_TARGET}${times}`,
      first.evidence,
      { ...details, excesses: excesses.map((e) => ({ t: e.event.t, seq: e.event.seq, names: e.names })) },
    );
  }

  const gaps = ctx.gaps('nodes');
  const disappearances = ctx.promotions.disappearances;
  const lastGone = disappearances.at(-1);
  if (lastGone !== undefined) {
    const expected = Math.min(MANAGEMENT_NODE_TARGET, total);
    if (finalCount !== expected) {
      const budgetMs = ctx.budgets?.promotionMs;
      const finalEvidence = [lastGone.gone, ...[...tracker.entries()].map((e) => e.event)];
      const summary = `the run deleted management node ${lastGone.deletion.node} and ended with ${finalCount} management node(s) of ${total}, not ${expected}`;
      if (budgetMs === undefined || ctx.endT < lastGone.gone.t + budgetMs) {
        const left =
          budgetMs === undefined
            ? 'no promotion budget known'
            : `${formatMs(lastGone.gone.t + budgetMs - ctx.endT)} of the promotion budget left`;
        return verdict(MANAGEMENT_COUNT, 'inconclusive', `${summary}, but the run ended early (${left})`, finalEvidence, details);
      }
      return verdict(MANAGEMENT_COUNT, 'fail', summary, finalEvidence, details);
    }
  }
  if (gaps.length > 0) {
    return verdict(
      MANAGEMENT_COUNT,
      'inconclusive',
      `at most ${maxCount} management nodes seen, but the node watch was blind ${gaps.length} time(s), when more may have existed`,
      gaps,
      details,
    );
  }
  const end =
    lastGone === undefined
      ? ''
      : `; after deleting ${disappearances.length} management node(s) the run ended with ${finalCount} of ${total} (= min(3, nodes))`;
  return verdict(MANAGEMENT_COUNT, 'pass', `at most ${maxCount} management nodes at any time${end}`, [], details);
}

export const managementCount: Oracle = {
  name: MANAGEMENT_COUNT,
  description: 'never more than 3 management nodes; after a management node was deleted, the run ends with min(3, nodes) of them',
  check,
};
