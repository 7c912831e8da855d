// Read availability under observed failures (`cpchaos watch`): while at most a minority of the management nodes is
// down as far as the API shows (Ready not True), quorum reads through the endpoint keep being answered: every gap
// between acknowledged reads overlapping such an interval lasts at most budgets.outageMs. A watch injects nothing,
// so failures are inferred from the Nodes: a node turns Ready=Unknown only after the node-monitor grace period, so
// each interval is taken to start one grace period (plus a heartbeat) before the condition changed; an outage while
// half or more are down is expected; one while every node was Ready is listed but not judged (the watcher's own
// network may be the cause).
import { isManagementNode, readyCondition } from '../harvester/contract.ts';
import { applyNodeEvent, type TrimmedNode } from '../observe/history.ts';
import { READ_SAMPLER_PROCESS } from '../observe/read-sampler.ts';
import type { OpEvent } from '../observe/history.ts';
import { DEFAULT_OUTAGE_THRESHOLD_MS, formatMs, overlaps, type Interval } from './context.ts';
import type { OracleContext } from './context.ts';
import { toV1Node } from './node-view.ts';
import { verdict, type Verdict } from './verdict.ts';
import { writeOutages } from './write-outages.ts';

export const READ_AVAILABILITY = 'read-availability';

interface DownInterval extends Interval {
  /** When the Nodes first showed it (from: that, less the lead a failure has on its NotReady). */
  readonly observedFrom: number;
  /** Management nodes down at the interval's worst moment, and the management count then. */
  readonly down: readonly string[];
  readonly management: number;
  readonly majority: boolean;
}

/** Intervals with at least one management node not Ready, split where the down set changes. */
function downIntervals(ctx: OracleContext, leadMs: number): DownInterval[] {
  const nodes = new Map<string, TrimmedNode>();
  const out: DownInterval[] = [];
  let open: { from: number; down: string[]; management: number } | undefined;
  const close = (t: number): void => {
    if (open === undefined) return;
    // A state the Nodes passed through within one instant (two conditions changed at once) is no interval.
    if (t <= open.from) {
      open = undefined;
      return;
    }
    const majority = open.down.length * 2 >= open.management;
    out.push({
      from: Math.max(ctx.startT, open.from - leadMs),
      observedFrom: open.from,
      to: t,
      down: open.down,
      management: open.management,
      majority,
    });
    open = undefined;
  };
  for (const event of ctx.history) {
    if (event.kind !== 'node') continue;
    applyNodeEvent(nodes, event);
    const management = [...nodes.values()].filter((n) => isManagementNode(toV1Node(n)));
    const down = management.filter((n) => readyCondition(toV1Node(n))?.status !== 'True').map((n) => n.name);
    const key = down.join(',');
    if (open !== undefined && open.down.join(',') === key) continue;
    close(event.t);
    if (down.length > 0) open = { from: event.t, down, management: management.length };
  }
  close(ctx.endT);
  return out;
}

function acknowledgedReads(ctx: OracleContext): OpEvent[] {
  const out: OpEvent[] = [];
  for (const event of ctx.history)
    if (event.kind === 'op' && event.process === READ_SAMPLER_PROCESS && event.f === 'read' && event.phase === 'ok') out.push(event);
  return out;
}

export function readAvailability(ctx: OracleContext): Verdict {
  const start = ctx.runStart;
  const budgets = ctx.budgets;
  if (start === undefined || budgets === undefined) return verdict(READ_AVAILABILITY, 'inconclusive', 'the history has no run-start', []);
  const leadMs = start.timers.nodeMonitorGraceMs + start.timers.kubeletHeartbeatMs;
  const budgetMs = budgets.outageMs;
  const thresholdMs = ctx.options.outageThresholdMs ?? DEFAULT_OUTAGE_THRESHOLD_MS;
  const reads = acknowledgedReads(ctx);
  const intervals = downIntervals(ctx, leadMs);
  const outages = writeOutages(reads, ctx.endT, thresholdMs).map((outage) => {
    const during = intervals.filter((i) => overlaps(i, outage));
    const judgement =
      during.length === 0
        ? 'no-failure-seen'
        : during.some((i) => i.majority)
          ? 'majority-down'
          : outage.durationMs <= budgetMs
            ? 'within-budget'
            : 'over-budget';
    return { outage, during, judgement };
  });
  const details = {
    budgetMs,
    thresholdMs,
    leadMs,
    reads: reads.length,
    downIntervals: intervals.map((i) => ({ from: i.from, to: i.to, down: i.down, management: i.management, majority: i.majority })),
    outages: outages.map(({ outage, judgement }) => ({
      from: outage.from,
      to: outage.to,
      durationMs: outage.durationMs,
      open: outage.nextOk === undefined,
      judgement,
    })),
  };
  const over = outages.filter((o) => o.judgement === 'over-budget').sort((a, b) => b.outage.durationMs - a.outage.durationMs);
  const worst = over[0];
  if (worst !== undefined) {
    const interval = worst.during.find((i) => !i.majority) as DownInterval;
    const end = worst.outage.nextOk === undefined ? `until the watch ended (${ctx.rel(ctx.endT)})` : `until ${ctx.rel(worst.outage.to)}`;
    return verdict(
      READ_AVAILABILITY,
      'fail',
      `no read through the endpoint was answered for ${formatMs(worst.outage.durationMs)} (from ${ctx.rel(worst.outage.from)} ${end}) while ${interval.down.join(', ')} of ${interval.management} management nodes were not Ready; budget ${formatMs(budgetMs)}${over.length > 1 ? ` (${over.length} outages over budget)` : ''}`,
      [worst.outage.lastOk, ...(worst.outage.nextOk ? [worst.outage.nextOk] : [])],
      details,
    );
  }
  const minority = intervals.filter((i) => !i.majority);
  const unexplained = outages.filter((o) => o.judgement === 'no-failure-seen');
  const unexplainedText =
    unexplained.length === 0
      ? ''
      : `; ${unexplained.length} read outage(s) with every management node Ready, longest ${formatMs(Math.max(...unexplained.map((o) => o.outage.durationMs)))} (not judged: the watcher's own connection may be the cause)`;
  if (reads.length === 0)
    return verdict(READ_AVAILABILITY, 'inconclusive', 'no read through the endpoint was ever answered: no baseline', [], details);
  if (minority.length === 0) {
    const why = intervals.length > 0 ? 'only half or more of the management nodes were ever down' : 'every management node stayed Ready';
    return verdict(
      READ_AVAILABILITY,
      'inconclusive',
      `nothing to judge: ${why} (${reads.length} reads answered)${unexplainedText}`,
      [],
      details,
    );
  }
  const firstMinority = minority[0] as DownInterval;
  if (!reads.some((r) => r.t < firstMinority.observedFrom))
    return verdict(
      READ_AVAILABILITY,
      'inconclusive',
      `no read was answered before the first failure showed (${ctx.rel(firstMinority.observedFrom)}): no baseline`,
      [],
      details,
    );
  const within = outages.filter((o) => o.judgement === 'within-budget');
  const outageText =
    within.length === 0
      ? 'no read outage'
      : `${within.length} read outage(s), longest ${formatMs(Math.max(...within.map((o) => o.outage.durationMs)))}`;
  return verdict(
    READ_AVAILABILITY,
    'pass',
    `${minority.length} interval(s) with a minority of the management nodes not Ready: ${outageText} (budget ${formatMs(budgetMs)})${unexplainedText}`,
    [],
    details,
  );
}
