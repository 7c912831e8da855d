// Which of two recorded events happened first. Events from different watch streams (Nodes, Jobs) can be recorded
// out of order; when both carry a resourceVersion that is a number (an etcd revision, as in the sandbox, RKE2 and
// kubeadm clusters), the revision orders them. Otherwise the recording order (seq) does.
import type { HistoryEvent } from '../observe/history.ts';

const REVISION = /^\d{1,19}$/;

function revisionOf(event: HistoryEvent): bigint | undefined {
  const rv = (event as { rv?: unknown }).rv;
  return typeof rv === 'string' && REVISION.test(rv) ? BigInt(rv) : undefined;
}

export function happenedBefore(a: HistoryEvent, b: HistoryEvent): boolean {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra !== undefined && rb !== undefined && ra !== rb) return ra < rb;
  return a.seq < b.seq;
}
