// Which of two recorded events happened first. Events from different watch streams (Nodes, Jobs) can be recorded
// out of order; when both carry a resourceVersion that is a number (an etcd revision, as in the sandbox, RKE2 and
// kubeadm clusters), the revision orders them. Otherwise the recording order (seq) does.
import type { HistoryEvent } from '../observe/history.ts';

const REVISION = /^\d{1,19}$/;

/** A resourceVersion as an etcd revision, when it is one. */
export function parseRevision(rv: unknown): bigint | undefined {
  return typeof rv === 'string' && REVISION.test(rv) ? BigInt(rv) : undefined;
}

/** The event's resourceVersion as an etcd revision, when it has one. */
export function revisionOf(event: HistoryEvent): bigint | undefined {
  return parseRevision((event as { rv?: unknown }).rv);
}

export function happenedBefore(a: HistoryEvent, b: HistoryEvent): boolean {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra !== undefined && rb !== undefined && ra !== rb) return ra < rb;
  return a.seq < b.seq;
}
