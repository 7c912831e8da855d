// While at most a minority of the control plane (management nodes at the time) is down or cut off, writes
// through the VIP keep working: every write outage overlapping such an interval (and no majority loss) lasts at
// most budgets.outageMs (default election timeout + 2 s), measured from the last acknowledged write before it to
// the first after it. All outages longer than the reporting threshold are listed in details.
//
// An outage over budget during which the harness machine's tasks waited for a CPU long enough that, without that wait,
// it would have been within budget (the `cpu` readings: Linux PSI) is not the cluster's to answer for: the verdict is
// inconclusive (the machine could not keep the time a budget of a few seconds needs), unless another outage fails.
import { DEFAULT_OUTAGE_THRESHOLD_MS, formatMs, overlaps } from './context.ts';
import type { OracleContext } from './context.ts';
import { intervalsWhere, majorityAffected, minorityAffected } from './fault-timeline.ts';
import { withoutRunStart } from './oracle.ts';
import type { Oracle } from './oracle.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';
import { acknowledgedVipWrites, writeOutages } from './write-outages.ts';

export const QUORUM_SURVIVES = 'quorum-survives';

type Judgement = 'within-budget' | 'over-budget' | 'contended' | 'blind' | 'majority-loss' | 'no-fault';

function check(ctx: OracleContext): Verdict {
  const missing = withoutRunStart(ctx, QUORUM_SURVIVES);
  if (missing !== undefined || ctx.budgets === undefined) return missing as Verdict;
  const budgetMs = ctx.budgets.outageMs;
  const timeline = ctx.faults;
  const minority = intervalsWhere(timeline, ctx.endT, minorityAffected);
  const majority = intervalsWhere(timeline, ctx.endT, majorityAffected);
  const acks = acknowledgedVipWrites(ctx.operations);
  const thresholdMs = ctx.options.outageThresholdMs ?? DEFAULT_OUTAGE_THRESHOLD_MS;
  const outages = writeOutages(acks, ctx.endT, thresholdMs);

  const judged = outages.map((outage) => {
    const faults = minority.filter((m) => overlaps(m, outage));
    let judgement: Judgement;
    /** The machine's CPU stall during an outage judged contended. */
    let stallMs: number | undefined;
    if (majority.some((m) => overlaps(m, outage))) judgement = 'majority-loss';
    else if (faults.length === 0) judgement = 'no-fault';
    else if (outage.durationMs <= budgetMs) judgement = 'within-budget';
    else if (ctx.gapsOverlapping('sampler', outage).length > 0) judgement = 'blind';
    else {
      const stall = ctx.cpuStallMs(outage);
      const contended = stall !== undefined && outage.durationMs - stall <= budgetMs;
      judgement = contended ? 'contended' : 'over-budget';
      if (contended) stallMs = stall;
    }
    return { outage, faults, judgement, stallMs };
  });
  const details = {
    budgetMs,
    thresholdMs,
    minorityIntervals: minority.map((m) => ({
      from: m.from,
      to: m.to,
      affected: [...new Set([...m.start.downWide, ...m.start.cut])],
      controlPlane: m.start.controlPlane,
    })),
    majorityIntervals: majority.map((m) => ({ from: m.from, to: m.to })),
    outages: judged.map((j) => ({
      from: j.outage.from,
      to: j.outage.to,
      durationMs: j.outage.durationMs,
      open: j.outage.nextOk === undefined,
      judgement: j.judgement,
      ...(j.stallMs === undefined ? {} : { cpuStallMs: j.stallMs }),
    })),
  };

  const over = judged.filter((j) => j.judgement === 'over-budget');
  const worst = over.sort((a, b) => b.outage.durationMs - a.outage.durationMs)[0];
  if (worst !== undefined) {
    const fault = worst.faults[0];
    const affected =
      fault === undefined
        ? ''
        : ` with ${[...new Set([...fault.start.downWide, ...fault.start.cut])].join(', ')} of ${fault.start.controlPlane.length} control-plane nodes down or cut off`;
    const end = worst.outage.nextOk === undefined ? `until the run ended (${ctx.rel(ctx.endT)})` : `until ${ctx.rel(worst.outage.to)}`;
    const evidence = [
      worst.outage.lastOk,
      ...(worst.outage.nextOk ? [worst.outage.nextOk] : []),
      ...worst.faults.flatMap((f) => [f.start.event, ...(f.end ? [f.end.event] : [])]),
    ];
    const more = over.length > 1 ? ` (${over.length} outages over budget)` : '';
    return verdict(
      QUORUM_SURVIVES,
      'fail',
      `no write through the VIP was acknowledged for ${formatMs(worst.outage.durationMs)} (from ${ctx.rel(worst.outage.from)} ${end})${affected}; budget ${formatMs(budgetMs)}${more}`,
      evidence,
      details,
    );
  }
  const firstMinority = minority[0];
  if (firstMinority === undefined) {
    const why =
      majority.length > 0
        ? 'it only ever took half or more of the control plane down'
        : 'the run never took a control-plane node down or cut it off';
    return verdict(QUORUM_SURVIVES, 'inconclusive', `nothing to judge: ${why}`, timeline.unsupported, details);
  }
  if (!acks.some((ack) => ack.seq < firstMinority.start.seq)) {
    return verdict(
      QUORUM_SURVIVES,
      'inconclusive',
      `the sampler had no acknowledged write through the VIP before the first fault (${ctx.rel(firstMinority.from)}): no baseline`,
      [firstMinority.start.event],
      details,
    );
  }
  const blind = judged.filter((j) => j.judgement === 'blind');
  if (blind.length > 0) {
    const b = blind[0];
    const gaps = b === undefined ? [] : ctx.gapsOverlapping('sampler', b.outage);
    return verdict(
      QUORUM_SURVIVES,
      'inconclusive',
      `${blind.length} outage(s) over budget overlap a sampler gap, when writes were not attempted`,
      gaps,
      details,
    );
  }
  const contended = judged.filter((j) => j.judgement === 'contended').sort((a, b) => b.outage.durationMs - a.outage.durationMs);
  const worstContended = contended[0];
  if (worstContended !== undefined) {
    const stallMs = worstContended.stallMs ?? 0;
    return verdict(
      QUORUM_SURVIVES,
      'inconclusive',
      `${contended.length} write outage(s) over the ${formatMs(budgetMs)} budget while this machine's CPUs were contended: the longest lasted ${formatMs(worstContended.outage.durationMs)}, and tasks waited for a CPU for ${formatMs(stallMs)} of it (Linux PSI); without that wait it would be within budget. Run on a less loaded machine to judge it`,
      [worstContended.outage.lastOk, ...(worstContended.outage.nextOk ? [worstContended.outage.nextOk] : [])],
      details,
    );
  }
  if (timeline.unsupported.length > 0) {
    return verdict(
      QUORUM_SURVIVES,
      'inconclusive',
      `the provider could not do ${timeline.unsupported.map((a) => a.fault).join(', ')}`,
      timeline.unsupported,
      details,
    );
  }
  const within = judged.filter((j) => j.judgement === 'within-budget');
  const longest = Math.max(0, ...within.map((j) => j.outage.durationMs));
  const outageText = within.length === 0 ? 'no write outage' : `${within.length} write outage(s), longest ${formatMs(longest)}`;
  return verdict(
    QUORUM_SURVIVES,
    'pass',
    `${minority.length} interval(s) with a minority of the control plane down or cut off: ${outageText} (budget ${formatMs(budgetMs)})`,
    [],
    details,
  );
}

/**
 * Whether a verdict (as a result or a report's summary.json has it) is quorum-survives held inconclusive because the
 * machine's CPU contention could explain an outage over budget: a catalogue test on a loaded machine skips it.
 */
export function isContendedVerdict(v: { readonly invariant: string; readonly status: string; readonly details?: unknown }): boolean {
  if (v.invariant !== QUORUM_SURVIVES || v.status !== 'inconclusive') return false;
  const outages = (v.details as { outages?: unknown } | undefined)?.outages;
  return Array.isArray(outages) && outages.some((o: { judgement?: unknown }) => o.judgement === 'contended');
}

export const quorumSurvives: Oracle = {
  name: QUORUM_SURVIVES,
  description: 'with only a minority of control-plane nodes down or cut off, write outages through the VIP stay within budgets.outageMs',
  check,
};
