// Budgets on a cluster with real timers (kind, an existing cluster). Scenario budgets are written for the sandbox,
// whose timers are compressed (its target keeps them as they are); a real cluster runs Kubernetes' and Harvester's
// real timers, so its budgets are floored by what a healthy real cluster needs:
//   promotion  Harvester's promote Job takes ~7 min (harvester#2191) and has no deadline: 15 min by default;
//   outage     etcd election or the measured endpoint failing over (kube-vip's VIP: its lease plus a retry,
//              lib/harvester/profiles.ts), whichever is longer, plus 10 s for clients reconnecting, at least; a
//              scenario's outage budget scaled by the ratio of election timeouts;
//   recovery   after a majority loss, nodes reboot or rke2 restarts: 10 min at least.
// Budgets the operator gives for the existing cluster (overrides) win over all of this.
import type { ClusterTimers } from '../model/cluster.ts';
import type { RunBudgets } from '../observe/history.ts';
import { DEFAULT_PROMOTION_MS, DEFAULT_RECOVERY_MS } from '../observe/history.ts';
import { DEFAULT_TIMERS as SANDBOX_TIMERS } from '../sandbox/topology.ts';

export const REAL_PROMOTION_MS = DEFAULT_PROMOTION_MS;
export const REAL_OUTAGE_SLACK_MS = 10_000;
export const REAL_RECOVERY_MS = 10 * 60_000;

export interface RealCluster {
  readonly timers: ClusterTimers;
  /** Budgets given for this cluster (e.g. options of the existing provider); they win. */
  readonly overrides?: RunBudgets;
  /** How long the endpoint availability is measured on may take to fail over (kube-vip), when it can. */
  readonly endpointFailoverMs?: number | undefined;
}

/** Every budget for a run on a real cluster, from the scenario's (sandbox-tuned) budgets. */
export function scaleBudgets(scenario: RunBudgets, target: RealCluster): Required<RunBudgets> {
  const overrides = target.overrides ?? {};
  const electionRatio = target.timers.etcdElectionTimeoutMs / SANDBOX_TIMERS.etcdElectionTimeoutMs;
  const outageFloor = Math.max(target.timers.etcdElectionTimeoutMs, target.endpointFailoverMs ?? 0) + REAL_OUTAGE_SLACK_MS;
  return {
    promotionMs: overrides.promotionMs ?? Math.max(scenario.promotionMs ?? 0, REAL_PROMOTION_MS),
    outageMs: overrides.outageMs ?? Math.max(Math.round((scenario.outageMs ?? 0) * electionRatio), outageFloor),
    recoveryMs: overrides.recoveryMs ?? Math.max(scenario.recoveryMs ?? DEFAULT_RECOVERY_MS, REAL_RECOVERY_MS),
  };
}
