// Learner promotion, as k3s/RKE2's manageLearners (k3s pkg/etcd/etcd.go): every server that runs etcd checks, on a
// ticker (k3s: manageTickerTime, 15 s; the sandbox scales it as its other timers: learnerTickMs), whether
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

/** k3s pkg/etcd/etcd.go manageTickerTime. */
const K3S_MANAGE_TICKER_MS = 15_000;
/** kube-controller-manager's --node-monitor-grace-period default (40 s before Kubernetes 1.32), the timers' yardstick. */
const UPSTREAM_NODE_MONITOR_GRACE_MS = 40_000;

/**
 * The manager's ticker, scaled like the sandbox's node-monitor grace (k3s: 15 s against a 40 s grace; with the
 * sandbox's 2.5 s grace, 937.5 ms), never shorter than `floorMs` (the kubelet heartbeat).
 */
export function learnerTickMs(nodeMonitorGraceMs: number, floorMs: number): number {
  return Math.max(floorMs, (nodeMonitorGraceMs * K3S_MANAGE_TICKER_MS) / UPSTREAM_NODE_MONITOR_GRACE_MS);
}

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
