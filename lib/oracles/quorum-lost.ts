// When half or more of the control plane is down (kill/pause, for certain: from the fault's applied record until
// its recovery is intended), etcd has no quorum: no write through the VIP invoked an election timeout after the
// loss and completed before recovery began may be acknowledged. After recovery, writes are acknowledged again
// within budgets.recoveryMs (from the recovery being applied).
import type { HistoryEvent } from '../observe/history.ts';
import { formatMs } from './context.ts';
import type { OracleContext } from './context.ts';
import { intervalsWhere, majorityDown, majorityDownWide } from './fault-timeline.ts';
import type { TimelineInterval } from './fault-timeline.ts';
import { eventsOf } from './operations.ts';
import { withoutRunStart } from './oracle.ts';
import type { Oracle } from './oracle.ts';
import { verdict, worstStatus } from './verdict.ts';
import type { Verdict, VerdictStatus } from './verdict.ts';
import { acknowledgedVipWrites, vipWrites } from './write-outages.ts';

export const QUORUM_LOST = 'quorum-lost';

interface Finding {
  readonly status: VerdictStatus;
  readonly summary: string;
  readonly evidence: readonly HistoryEvent[];
}

function check(ctx: OracleContext): Verdict {
  const missing = withoutRunStart(ctx, QUORUM_LOST);
  if (missing !== undefined || ctx.budgets === undefined || ctx.timers === undefined) return missing as Verdict;
  const electionMs = ctx.timers.etcdElectionTimeoutMs;
  const recoveryMs = ctx.budgets.recoveryMs;
  const losses = intervalsWhere(ctx.faults, ctx.endT, majorityDown);
  const wideLosses = intervalsWhere(ctx.faults, ctx.endT, majorityDownWide);
  const writes = vipWrites(ctx.operations);
  const acks = acknowledgedVipWrites(ctx.operations);
  const findings: Finding[] = [];
  const perLoss = losses.map((loss) => {
    const finding = judgeLoss(ctx, loss, wideLosses, writes, acks, electionMs, recoveryMs);
    findings.push(finding);
    return {
      from: loss.from,
      to: loss.to,
      down: loss.start.downNarrow,
      controlPlane: loss.start.controlPlane,
      status: finding.status,
      summary: finding.summary,
    };
  });
  const details = { electionTimeoutMs: electionMs, recoveryMs, losses: perLoss };
  if (findings.length === 0) {
    return verdict(
      QUORUM_LOST,
      'inconclusive',
      'the run never took half or more of the control plane down (kill/pause)',
      ctx.faults.unsupported,
      details,
    );
  }
  const status = worstStatus(findings.map((f) => f.status)) as VerdictStatus;
  const chosen = findings.filter((f) => f.status === status);
  const summary =
    chosen.length === 1 ? (chosen[0] as Finding).summary : `${(chosen[0] as Finding).summary} (and ${chosen.length - 1} more)`;
  return verdict(
    QUORUM_LOST,
    status,
    summary,
    chosen.flatMap((f) => f.evidence),
    details,
  );
}

function judgeLoss(
  ctx: OracleContext,
  loss: TimelineInterval,
  wideLosses: readonly TimelineInterval[],
  writes: ReturnType<typeof vipWrites>,
  acks: ReturnType<typeof acknowledgedVipWrites>,
  electionMs: number,
  recoveryMs: number,
): Finding {
  const down = `${loss.start.downNarrow.join(', ')} of ${loss.start.controlPlane.length} control-plane nodes down from ${ctx.rel(loss.from)}`;
  const settled = loss.from + electionMs;
  const recovering = loss.end !== undefined;
  const lossEvidence = [loss.start.event, ...(loss.end ? [loss.end.event] : [])];
  const bad = writes.filter(
    (op) =>
      op.outcome === 'ok' &&
      op.invoke.t > settled &&
      op.completion !== undefined &&
      op.completion.t < loss.to &&
      op.completion.seq < (loss.end?.seq ?? Infinity),
  );
  const firstBad = bad[0];
  if (firstBad !== undefined) {
    return {
      status: 'fail',
      summary: `a write through the VIP invoked at ${ctx.rel(firstBad.invoke.t)} was acknowledged at ${ctx.rel(firstBad.completion?.t ?? 0)} with ${down} (quorum lost; ${bad.length} such write(s))`,
      evidence: [...lossEvidence, ...bad.slice(0, 5).flatMap(eventsOf)],
    };
  }
  if (settled >= loss.to) {
    return {
      status: 'inconclusive',
      summary: `${down}, for less than the election timeout (${formatMs(electionMs)})`,
      evidence: lossEvidence,
    };
  }
  const attempted = writes.filter((op) => op.invoke.t > settled && op.invoke.t < loss.to);
  if (attempted.length === 0) {
    return {
      status: 'inconclusive',
      summary: `${down}, but the sampler attempted no write through the VIP while quorum was lost`,
      evidence: lossEvidence,
    };
  }
  const blind = ctx.gapsOverlapping('sampler', { from: settled, to: loss.to });
  if (blind.length > 0) {
    return {
      status: 'inconclusive',
      summary: `${down}; no acknowledged write seen, but the sampler was blind for part of it`,
      evidence: [...lossEvidence, ...blind],
    };
  }
  const refused = `${attempted.length} write(s) attempted while quorum was lost, none acknowledged`;
  if (!recovering) {
    return { status: 'inconclusive', summary: `${down}; ${refused}, but the run ended before recovery`, evidence: lossEvidence };
  }
  const wide = wideLosses.find((w) => w.from <= loss.to && w.to >= loss.to);
  const recoveredAt = wide?.end !== undefined ? wide.to : loss.to;
  const back = acks.find((ack) => ack.t >= loss.to && ack.seq > (loss.end?.seq ?? 0));
  if (back !== undefined && back.t - recoveredAt <= recoveryMs) {
    return {
      status: 'pass',
      summary: `${down}; ${refused}; writes acknowledged again ${formatMs(Math.max(0, back.t - recoveredAt))} after recovery (budget ${formatMs(recoveryMs)})`,
      evidence: [],
    };
  }
  if (back === undefined && ctx.endT - recoveredAt < recoveryMs) {
    return {
      status: 'inconclusive',
      summary: `${down}; ${refused}; the run ended ${formatMs(ctx.endT - recoveredAt)} after recovery, before any write was acknowledged again (budget ${formatMs(recoveryMs)})`,
      evidence: lossEvidence,
    };
  }
  const when =
    back === undefined
      ? 'no write was acknowledged again before the run ended'
      : `the next write was acknowledged only ${formatMs(back.t - recoveredAt)} after recovery`;
  return {
    status: 'fail',
    summary: `${down}; after recovery at ${ctx.rel(recoveredAt)} ${when} (budget ${formatMs(recoveryMs)})`,
    evidence: [...lossEvidence, ...(back ? [back] : [])],
  };
}

export const quorumLost: Oracle = {
  name: QUORUM_LOST,
  description: 'with half or more of the control plane down, no write through the VIP is acknowledged; after recovery writes succeed again',
  check,
};
