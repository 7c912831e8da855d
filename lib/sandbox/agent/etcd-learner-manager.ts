// Learner promotion, as k3s/RKE2's manageLearners (k3s pkg/etcd/etcd.go): every server that runs etcd checks, on a
// ticker (k3s: manageTickerTime, 15 s; the sandbox uses its heartbeat period, its timers being scaled down), whether
// its local member is the etcd leader; only the leader acts: it takes the first learner of the member list and tries
// MemberPromote (trackLearnerProgress). etcd refuses while the learner is not in sync with the leader; the next tick
// tries again. (k3s also evicts a learner that makes no raft progress for 5 minutes; the sandbox does not.)
import type { EtcdMember } from '../etcd/codec.ts';

/** The etcd calls the manager makes through the local member. */
export interface LearnerOps {
  status(): Promise<{ readonly memberId: string; readonly leader: string }>;
  memberList(): Promise<{ readonly members: readonly EtcdMember[] }>;
  memberPromote(id: string): Promise<unknown>;
}

export type LearnerPass =
  | { readonly kind: 'not-leader' }
  | { readonly kind: 'no-learner' }
  | { readonly kind: 'promoted'; readonly member: EtcdMember }
  | { readonly kind: 'not-ready'; readonly member: EtcdMember; readonly error: unknown };

/** One tick of manageLearners through the local member. */
export async function manageLearners(etcd: LearnerOps): Promise<LearnerPass> {
  const status = await etcd.status();
  if (status.memberId !== status.leader) return { kind: 'not-leader' };
  const learner = (await etcd.memberList()).members.find((m) => m.isLearner);
  if (!learner) return { kind: 'no-learner' };
  try {
    await etcd.memberPromote(learner.id);
    return { kind: 'promoted', member: learner };
  } catch (error) {
    return { kind: 'not-ready', member: learner, error };
  }
}
