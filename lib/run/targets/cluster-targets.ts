// Where a scenario runs: the sandbox (started per scenario), kind (created per scenario) or an existing cluster
// (attached per scenario). A target starts or attaches to a cluster for one scenario and says how the scenario's
// sandbox-tuned budgets, waits and holds translate to that cluster's timers.
import type { SandboxNodeRemovalOptions, SandboxPromotionOptions } from '../../sandbox/agent/config.ts';
import type { FaultKind } from '../../faults/catalogue.ts';
import { resolve } from 'node:path';
import { ExistingClusterProvider } from '../../cluster/existing/existing-provider.ts';
import type { ExistingOptions } from '../../cluster/existing/existing-options.ts';
import { scaleBudgets } from '../budgets.ts';
import type { StartedCluster } from '../../cluster/core/provider.ts';
import type { ProviderName } from '../../cluster/core/providers.ts';
import { loadTopologyFile } from '../../sandbox/topology-file.ts';
import {
  DEFAULT_TIMERS as SANDBOX_TIMERS,
  resolveTopology,
  type SandboxTopologyOptions,
  type TopologyNode,
} from '../../sandbox/topology.ts';
import { assertEtcdInstalled, SandboxProvider } from '../../cluster/sandbox/sandbox-provider.ts';
import { WITNESS_LABEL } from '../../harvester/contract.ts';
import { loadPromotionPolicy } from '../../harvester/promotion.ts';
import type { RunBudgets } from '../../observe/history.ts';
import { errorMessage, SetupError } from '../../util/errors.ts';
import type { Scenario } from '../../scenario/types.ts';

export interface ClusterTarget {
  readonly name: ProviderName;
  /** Fault kinds clusters of this target support, known before one starts. */
  readonly supportedFaults: ReadonlySet<FaultKind>;
  /** True when the target attaches to a cluster that exists (and outlives the run) rather than creating one. */
  readonly attaches: boolean;
  /** A dry-run plans every fault's commands on this target (else the CLI only lists the steps). */
  readonly dryRunPlansFaults: boolean;
  /** How often etcd membership is sampled: where it comes from a command (ssh, a CLI), less often. */
  readonly etcdSampleIntervalMs?: number | undefined;
  /** The promotion policy module the cluster promotes with, when the harness chooses it. */
  readonly promotionPolicy?: string | undefined;
  /** Why this scenario cannot run on this target (it is then inconclusive), or undefined when it can. */
  unsupported?(scenario: Scenario): string | undefined;
  /** Checks the target's own input (policy module, files) before any cluster starts; throws SetupError. */
  prepare(): Promise<void>;
  /**
   * Checks the target's tools and environment (etcd; kind and a Docker daemon that answers), once before a run's
   * first scenario; throws SetupError, so a broken environment stops the run (exit 2) before anything is created.
   */
  preflight?(signal?: AbortSignal): Promise<void>;
  /** Starts or attaches to a cluster for this scenario. */
  start(scenario: Scenario, signal?: AbortSignal): Promise<StartedCluster>;
  /** The budgets the oracles judge this run by, from the scenario's (written for the sandbox's timers). */
  budgets(scenarioBudgets: RunBudgets, cluster: StartedCluster): RunBudgets;
  /** Scenario waits and holds are written for the sandbox's timers: on this cluster they last this many times longer. */
  timeScale(cluster: StartedCluster): number;
}

/** The sandbox topology a scenario asks for. */
export function sandboxTopologyFor(scenario: Scenario): SandboxTopologyOptions {
  const { cluster } = scenario;
  if (cluster.topology) return loadTopologyFile(resolve(cluster.topology));
  const nodes: TopologyNode[] = [
    ...Array.from({ length: cluster.controlPlanes }, (_, i) => ({ name: `cp-${i}`, role: 'control-plane' as const })),
    ...Array.from({ length: cluster.workers }, (_, i) => ({ name: `worker-${i}`, role: 'worker' as const })),
    ...Array.from({ length: cluster.witnesses }, (_, i) => ({
      name: `witness-${i}`,
      role: 'worker' as const,
      labels: { [WITNESS_LABEL]: 'true' },
    })),
  ];
  return { nodes };
}

/**
 * Why an attached cluster does not have the shape the scenario was written for (control-plane and other node
 * counts), or undefined when it does. A cluster of another shape makes the scenario's expectations meaningless.
 */
export function shapeMismatch(scenario: Scenario, cluster: StartedCluster): string | undefined {
  const wanted = resolveTopology(sandboxTopologyFor(scenario)).nodes;
  const count = (nodes: readonly { role: string }[]): [number, number] => [
    nodes.filter((n) => n.role === 'control-plane').length,
    nodes.filter((n) => n.role !== 'control-plane').length,
  ];
  const [wantCp, wantOther] = count(wanted);
  const [haveCp, haveOther] = count(cluster.nodes);
  if (wantCp === haveCp && wantOther === haveOther) return undefined;
  return `the scenario needs ${wantCp} control-plane + ${wantOther} other nodes; the ${cluster.provider} cluster has ${haveCp} + ${haveOther}`;
}

function sandboxPromotion(scenario: Scenario): SandboxPromotionOptions {
  const options = scenario.cluster.sandbox ?? {};
  const nodes = (value: unknown): true | readonly string[] | undefined =>
    value === true ? true : Array.isArray(value) && value.every((n): n is string => typeof n === 'string') ? value : undefined;
  const delay = options['promotionJobMs'];
  const resync = options['promotionJobResyncMs'];
  const fail = nodes(options['failPromotions']);
  const failJobCreate = nodes(options['failPromotionJobCreate']);
  return {
    ...(typeof delay === 'number' ? { jobDelayMs: delay } : {}),
    ...(fail ? { fail } : {}),
    ...(failJobCreate ? { failJobCreate } : {}),
    ...(typeof resync === 'number' ? { jobResyncMs: resync } : {}),
  };
}

/** cluster.sandbox.nodeFinalizerHoldMs (checked by the scenario schema: a number of milliseconds, 0 or more). */
export function sandboxNodeRemoval(scenario: Scenario): SandboxNodeRemovalOptions {
  const hold = scenario.cluster.sandbox?.['nodeFinalizerHoldMs'];
  return typeof hold === 'number' ? { finalizerHoldMs: hold } : {};
}

export function sandboxTarget(
  options: {
    readonly promotionPolicy?: string | undefined;
    /** Each API server's audit log goes to <dir>/<node>-audit.log (SandboxOptions.auditLogDir). */
    readonly auditLogDir?: string | undefined;
  } = {},
): ClusterTarget {
  const provider = new SandboxProvider();
  const promotionPolicy = options.promotionPolicy ? resolve(options.promotionPolicy) : undefined;
  return {
    name: 'sandbox',
    attaches: false,
    dryRunPlansFaults: false,
    supportedFaults: provider.supportedFaults,
    promotionPolicy,
    async prepare() {
      // Loaded here first: a broken policy is bad input, reported before any cluster starts.
      if (promotionPolicy)
        await loadPromotionPolicy(promotionPolicy).catch((error: unknown) => {
          throw new SetupError(`--promotion-policy: ${errorMessage(error)}`, { cause: error });
        });
    },
    preflight: () => assertEtcdInstalled(),
    start: (scenario, signal) =>
      provider.start(
        {
          topology: sandboxTopologyFor(scenario),
          promotionPolicy,
          ...(options.auditLogDir === undefined ? {} : { auditLogDir: options.auditLogDir }),
          promotion: sandboxPromotion(scenario),
          nodeRemoval: sandboxNodeRemoval(scenario),
          // cluster.sandbox.distinctCreationSeconds (checked by the scenario schema: true or false).
          distinctCreationSeconds: scenario.cluster.sandbox?.['distinctCreationSeconds'] === true,
        },
        signal,
      ),
    budgets: (scenarioBudgets) => scenarioBudgets,
    timeScale: () => 1,
  };
}

/** An existing cluster's etcd view comes from a command (ssh, a CLI): sampled every 2 s, not every 0.5 s. */
const EXISTING_ETCD_SAMPLE_INTERVAL_MS = 2000;

/**
 * Existing clusters: attach per scenario; the cluster promotes by its own rules (a policy cannot be chosen). Its
 * timers come from its Harvester profile (options.profile, default auto: read from the cluster), then the executors
 * file; the outage budget allows the measured endpoint's failover (kube-vip's VIP, Rancher's proxy behind it).
 */
export function existingTarget(provider: ExistingClusterProvider, options: ExistingOptions): ClusterTarget {
  return {
    name: 'existing',
    attaches: true,
    dryRunPlansFaults: true,
    etcdSampleIntervalMs: EXISTING_ETCD_SAMPLE_INTERVAL_MS,
    supportedFaults: provider.supportedFaults,
    unsupported: (scenario) =>
      scenario.sandboxOnly ? 'the scenario is marked sandboxOnly (it needs behaviour only the sandbox provider has)' : undefined,
    async prepare() {
      // Nothing to load: attaching checks the kubeconfig, the context allowlist and the executors.
    },
    start: (scenario, signal) => provider.start({ ...options, allowQuorumLoss: scenario.allowQuorumLoss }, signal),
    budgets: (scenarioBudgets, cluster) =>
      scaleBudgets(scenarioBudgets, {
        timers: cluster.timers,
        endpointFailoverMs: cluster.endpointFailoverMs,
        ...(options.budgets ? { overrides: options.budgets } : {}),
      }),
    timeScale: (cluster) => timeScaleFor(cluster),
  };
}

/** How much slower a cluster's node lifecycle is than the sandbox's (1 at least). */
export function timeScaleFor(cluster: StartedCluster): number {
  return Math.max(1, cluster.timers.nodeMonitorGraceMs / SANDBOX_TIMERS.nodeMonitorGraceMs);
}
