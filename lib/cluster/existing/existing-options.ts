// Options of the existing-cluster provider (`--provider existing`), and the timers of a real Harvester.
import type { ClusterTimers } from '../../model/cluster.ts';
import type { RunBudgets } from '../../observe/history.ts';
import type { KillSwitchOptions } from './safety/kill-switch.ts';
import { FALLBACK_PROFILE, HARVESTER_PROFILES, type ProfileChoice } from '../../harvester/profiles.ts';

export interface ExistingOptions {
  /** Kubeconfig file (--kubeconfig); default: $KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfigPath?: string | undefined;
  /** Context (--context); default: the kubeconfig's current context. */
  readonly context?: string | undefined;
  /** --allow-context values: context names, or files with one context per line. Needed unless dryRun. */
  readonly allowContexts?: readonly string[] | undefined;
  /**
   * Attach to read only (`cpchaos watch`): no faults can be asked for, so no allowlisted context is needed. The
   * provider itself never writes; what the observer writes (only with --probe-writes) is journaled and deleted.
   */
  readonly readOnly?: boolean | undefined;
  /** --dry-run: attach and plan, print every step and command, run none. */
  readonly dryRun?: boolean | undefined;
  /** Receives dry-run lines as they come (they are also kept on the cluster). */
  readonly onDryRunLine?: ((line: string) => void) | undefined;
  /** The scenario's allowQuorumLoss: without it, steps that would lose etcd quorum are refused. */
  readonly allowQuorumLoss?: boolean | undefined;
  /** The kill switch: file (default $CPCHAOS_STATE_DIR/killswitch), signal (default SIGUSR1), poll interval. */
  readonly killSwitch?: KillSwitchOptions | undefined;
  /** Told when the kill switch trips (the runner aborts its run); faults are being undone meanwhile. */
  readonly onKillSwitch?: ((reason: string) => void) | undefined;
  /**
   * --profile: the Harvester release line (its timers, etcd member names, VIP failover), or auto (default): read from
   * the Nodes' kubelet versions and Harvester's server-version Setting, else harvester-1.4's, and say so.
   */
  readonly profile?: ProfileChoice | undefined;
  /** Timers the cluster runs with, when they differ from its profile's (they win over the executors file's). */
  readonly timers?: Partial<ClusterTimers> | undefined;
  /** Budgets for this cluster; they win over scaled scenario budgets (see scaleBudgets). */
  readonly budgets?: RunBudgets | undefined;
  /** How long attaching (listing nodes) may take. Default 30 s. */
  readonly attachTimeoutMs?: number | undefined;
  /** Keep the run folder (journal, kubeconfig copy) after stopping. It is always kept when undoing failed. */
  readonly keepRunDir?: boolean | undefined;
  /** Environment for KUBECONFIG, HOME and the IPMI credentials' variables (default process.env). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/**
 * The fallback profile's timers (harvester-1.4, Kubernetes up to 1.31): kubelet status every 10 s, node-monitor
 * grace 40 s, RKE2's etcd heartbeat 500 ms and election timeout 5000 ms. A cluster's own timers come from its
 * profile (lib/harvester/profiles.ts: 50 s grace from Kubernetes 1.32), then the executors file, then `timers`.
 */
export const HARVESTER_TIMERS: ClusterTimers = HARVESTER_PROFILES[FALLBACK_PROFILE].timers;

export const DEFAULT_ATTACH_TIMEOUT_MS = 30_000;
