// What an oracle returns. A precondition that was not met is inconclusive, never pass.
import type { HistoryEvent } from '../observe/history.ts';

export type VerdictStatus = 'pass' | 'fail' | 'inconclusive';

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

/** Worst first: fail, then inconclusive, then pass. */
export function worstStatus(statuses: Iterable<VerdictStatus>): VerdictStatus | undefined {
  let worst: VerdictStatus | undefined;
  for (const status of statuses) {
    if (status === 'fail') return 'fail';
    if (status === 'inconclusive' || worst === undefined) worst = status;
  }
  return worst;
}
