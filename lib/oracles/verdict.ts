// What an oracle returns. A precondition that was not met is inconclusive, never pass; the harness or its
// environment failing (a tool missing, a daemon down, a cluster that would not start, an oracle that threw) is
// error, never fail: fail only ever means the system under test broke a rule.
import type { HistoryEvent } from '../observe/history.ts';

export type VerdictStatus = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface Verdict {
  readonly invariant: string;
  readonly status: VerdictStatus;
  /** One or two sentences a person can act on. */
  readonly summary: string;
  /** The events that prove a failure, or show the precondition that was not met (recording order). */
  readonly evidence: readonly HistoryEvent[];
  /** Oracle-specific figures (intervals, counts, per-deletion results); plain JSON. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export function verdict(
  invariant: string,
  status: VerdictStatus,
  summary: string,
  evidence: readonly HistoryEvent[] = [],
  details?: Readonly<Record<string, unknown>>,
): Verdict {
  return { invariant, status, summary, evidence: sortEvidence(evidence), ...(details === undefined ? {} : { details }) };
}

/** Evidence in recording order, each event once. */
export function sortEvidence(events: readonly HistoryEvent[]): HistoryEvent[] {
  const seen = new Set<number>();
  const out: HistoryEvent[] = [];
  for (const event of events) {
    if (seen.has(event.seq)) continue;
    seen.add(event.seq);
    out.push(event);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Worst first: fail, then error, then inconclusive, then pass. */
export const STATUS_ORDER: readonly VerdictStatus[] = ['fail', 'error', 'inconclusive', 'pass'];

export function worstStatus(statuses: Iterable<VerdictStatus>): VerdictStatus | undefined {
  let worst: VerdictStatus | undefined;
  for (const status of statuses) {
    if (worst === undefined || STATUS_ORDER.indexOf(status) < STATUS_ORDER.indexOf(worst)) worst = status;
  }
  return worst;
}
