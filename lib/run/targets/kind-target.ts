// The kind target: a kind cluster created per scenario (KindProvider), with Harvester's promote controller run
// from the harness against its API (KindPromoteLoop), promoting through kubeadm. The cluster runs kubeadm's timers
// (kind's defaults: node-monitor grace 40 s, 50 s from Kubernetes 1.32; or what the kind config's
// kubeadmConfigPatches set, lib/cluster/kind/kind-timers.ts), so budgets are floored as for any real cluster and the
// scenario's waits and holds are stretched by the ratio of node-monitor grace periods to the sandbox's 2.5 s.
import { join, resolve } from 'node:path';
import { KindProvider, type KindOptions, type KindProviderOptions } from '../../cluster/kind/kind-provider.ts';
import type { StartedKindCluster } from '../../cluster/kind/kind-cluster.ts';
import { DEFAULT_KIND_CONFIG_DIR, KIND_CONFIGS, parseKindConfig, planKindCluster, readKindConfig } from '../../cluster/kind/kind-config.ts';
import { KIND_NODE_IMAGE, kindTimersFor } from '../../cluster/kind/node-image.ts';
import { kindClusterTimers } from '../../cluster/kind/kind-timers.ts';
import { KindPromoteLoop, type KindPromoteLoopOptions } from '../../cluster/kind/promote-loop.ts';
import { scaleBudgets } from '../budgets.ts';
import { loadKubeConfig } from '../../util/kubeconfig.ts';
import { stopAndRethrow } from '../../cluster/core/started-cluster.ts';
import { PROMOTE_JOB_NAMESPACE, WITNESS_LABEL } from '../../harvester/contract.ts';
import { loadPromotionPolicy, selectPromoteNode, type PromotionPolicy } from '../../harvester/promotion.ts';
import { errorMessage, SetupError } from '../../util/errors.ts';
import { sandboxTopologyFor, timeScaleFor, type ClusterTarget } from './cluster-targets.ts';
import type { Scenario } from '../../scenario/types.ts';
import type { RunBudgets } from '../../observe/history.ts';
import type { ClusterTimers } from '../../model/cluster.ts';
import { readdirSync } from 'node:fs';

export interface KindTargetOptions {
  /** Module exporting selectPromoteNode for the harness's promote controller (default: Harvester's reference). */
  readonly promotionPolicy?: string | undefined;
  /** Node image (default KIND_NODE_IMAGE, pinned with its digest). */
  readonly image?: string | undefined;
  /** Export each cluster's logs into <logsDir>/<cluster name> before deleting it. */
  readonly logsDir?: string | undefined;
  /** How the provider finds kind and docker and where run folders go (tests put the recording fakes here). */
  readonly provider?: KindProviderOptions;
  /** More options for every cluster (timeouts, a TTL for network faults). */
  readonly cluster?: Omit<KindOptions, 'topology' | 'image' | 'logsDir'>;
  /** Intervals and deadlines of the promote loop. */
  readonly promoteLoop?: Pick<KindPromoteLoopOptions, 'intervalMs' | 'requestDeadlineMs' | 'passDeadlineMs' | 'workDeadlineMs'>;
  /** Lines of the promote loop: what it did and what failed. */
  readonly onLog?: (line: string) => void;
}

export interface KindTarget extends ClusterTarget {
  /** Why the scenario cannot run on kind, or undefined when it can (the runner asks first; start() checks again). */
  unsupported(scenario: Scenario): string | undefined;
}

/** Options a scenario may give under `cluster.kind`: none yet. */
const KIND_SCENARIO_OPTIONS: readonly string[] = [];

/**
 * Why a scenario cannot run on kind: it says it is sandbox-only, it needs a witness (kubeadm joins only full
 * control planes), it needs promotions forced to fail (a sandbox option; on kind kubeadm really runs), it strips a
 * deleted Node's finalizers (Harvester's member controller, which kind lacks), or no kind
 * config has its shape. Other sandbox options (`cluster.sandbox`, topology timers) are ignored on kind. A config
 * that exists but is broken or has another shape is bad input, not a limit of kind: start() stops with a
 * SetupError for it, before any cluster is created. With `configFile` (a config the caller chose) the shape is
 * that file's to match, checked at start() the same way.
 */
export function kindUnsupported(scenario: Scenario, configDir: string = DEFAULT_KIND_CONFIG_DIR, configFile?: string): string | undefined {
  if (scenario.sandboxOnly) return 'the scenario is marked sandboxOnly (it needs faults only the sandbox provider has)';
  const unknown = Object.keys(scenario.cluster.kind ?? {}).filter((key) => !KIND_SCENARIO_OPTIONS.includes(key));
  if (unknown.length > 0) return `cluster.kind: ${unknown.join(', ')}: not an option of the kind target (it has none yet)`;
  for (const option of ['failPromotions', 'failPromotionJobCreate']) {
    const value = scenario.cluster.sandbox?.[option];
    if (value !== undefined && value !== false) {
      return `cluster.sandbox.${option}: promotion failures forced by the sandbox are a sandbox feature; on kind the promotion runs kubeadm for real`;
    }
  }
  if (scenario.steps.some((step) => step.kind === 'delete-node' && step.forceFinalizers))
    return (
      "delete-node with forceFinalizers: the scenario is about Harvester's finalizers (stripped, its etcd member " +
      'controller never removes the member); kind Nodes carry none, and the kind provider removes the member itself, ' +
      "as kubeadm's procedure does, so the outcome would not be Harvester's"
    );
  const topology = sandboxTopologyFor(scenario);
  const witnesses = (topology.nodes ?? []).filter((n) => n.labels?.[WITNESS_LABEL] === 'true').length;
  if (witnesses > 0)
    return `a witness node (${WITNESS_LABEL}): a witness is promoted etcd-only, and kubeadm joins only full control planes`;
  if (configFile !== undefined) return undefined;
  const controlPlanes = topology.nodes ? topology.nodes.filter((n) => n.role === 'control-plane').length : (topology.controlPlanes ?? 3);
  const workers = topology.nodes ? topology.nodes.filter((n) => n.role === 'worker').length : (topology.workers ?? 1);
  if (!KIND_CONFIGS.some((c) => c.controlPlanes === controlPlanes && c.workers === workers)) {
    try {
      planKindCluster('cpchaos-plan', topology, { configDir });
    } catch (error) {
      return errorMessage(error);
    }
  }
  return undefined;
}

/**
 * Budgets on kind: the real-cluster floors, and the outage floor allows for kind's HAProxy keeping a dead API server
 * in rotation until its health checks have failed `fall` times (the cluster's endpointFailoverMs, load-balancer.ts:
 * up to 12 s; the harness's own kubeconfig goes through that load balancer too).
 */
export function kindBudgets(
  scenario: RunBudgets,
  cluster: { readonly timers: ClusterTimers; readonly endpointFailoverMs?: number | undefined },
): Required<RunBudgets> {
  return scaleBudgets(scenario, { timers: cluster.timers, endpointFailoverMs: cluster.endpointFailoverMs });
}

export function kindTarget(options: KindTargetOptions = {}): KindTarget {
  const provider = new KindProvider(options.provider);
  const promotionPolicy = options.promotionPolicy ? resolve(options.promotionPolicy) : undefined;
  const configDir = options.provider?.configDir ?? DEFAULT_KIND_CONFIG_DIR;
  let policy: PromotionPolicy | undefined;
  const log = (line: string): void => options.onLog?.(line);

  const loadPolicy = async (): Promise<PromotionPolicy> => {
    if (!promotionPolicy) return { selectPromoteNode };
    try {
      return await loadPromotionPolicy(promotionPolicy);
    } catch (error) {
      throw new SetupError(`--promotion-policy: ${errorMessage(error)}`, { cause: error });
    }
  };

  /**
   * Bad input is a SetupError before any cluster is created: a node image whose tag names no Kubernetes version
   * (the timers come from it), a config file that is not a kind config or whose kubeadmConfigPatches are broken, a
   * config folder that cannot be read or holds none of the KIND_CONFIGS files. The configs of the folder are checked
   * here as far as they go without a scenario; whether one has the shape a scenario needs is start()'s to say.
   */
  const checkInput = (): void => {
    const image = options.image ?? KIND_NODE_IMAGE;
    kindTimersFor(image);
    const check = (file: string): void => {
      const text = readKindConfig(file);
      parseKindConfig(text, file);
      kindClusterTimers(image, text, file);
    };
    const configFile = options.cluster?.configFile;
    if (configFile !== undefined) return check(configFile);
    let entries: string[];
    try {
      entries = readdirSync(configDir);
    } catch (error) {
      throw new SetupError(`kind config folder ${configDir}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        cause: error,
      });
    }
    const present = KIND_CONFIGS.map((c) => c.file).filter((file) => entries.includes(file));
    if (present.length === 0) {
      throw new SetupError(
        `kind config folder ${configDir}: holds none of ${KIND_CONFIGS.map((c) => c.file).join(', ')} (the configs the topologies map to)`,
      );
    }
    for (const file of present) check(join(configDir, file));
  };

  /**
   * The namespace the promote loop writes its Jobs into (harvester-system): a new kind cluster has none, so the
   * harness creates it, and deletes it at the end if it did (after the loop has stopped). One that exists is used.
   */
  const preparePromoteNamespace = async (cluster: StartedKindCluster): Promise<void> => {
    let created = false;
    cluster.deferBeforeStop(`deleting namespace ${PROMOTE_JOB_NAMESPACE} (created by the harness)`, async () => {
      if (created) await cluster.api.deleteNamespace(PROMOTE_JOB_NAMESPACE);
    });
    created = await cluster.api.ensureNamespace(PROMOTE_JOB_NAMESPACE);
    if (created) log(`kind ${cluster.clusterName}: created namespace ${PROMOTE_JOB_NAMESPACE} for the promote Jobs`);
  };

  /** The promote controller for this cluster, stopped before the cluster stops (before its faults are undone). */
  const startPromoteLoop = (cluster: StartedKindCluster, chosen: PromotionPolicy): void => {
    const loop = new KindPromoteLoop({
      kubeConfig: loadKubeConfig(cluster.endpoints.kubeconfigPath),
      policy: chosen,
      promote: (node, signal) => cluster.promoteToControlPlane(node, signal),
      log: (line) => log(`kind ${cluster.clusterName}: ${line}`),
      onError: (message) => {
        cluster.notes.push(`promote loop: ${message}`);
        log(`kind ${cluster.clusterName}: ${message}`);
      },
      ...options.promoteLoop,
    });
    cluster.deferBeforeStop('stopping the promote loop', () => loop.stop());
    loop.start();
  };

  return {
    name: 'kind',
    attaches: false,
    dryRunPlansFaults: false,
    supportedFaults: provider.supportedFaults,
    promotionPolicy,
    unsupported: (scenario) => kindUnsupported(scenario, configDir, options.cluster?.configFile),
    async prepare() {
      // Here first: a broken policy, image or config is bad input, reported before any cluster is created.
      checkInput();
      policy ??= await loadPolicy();
    },
    async preflight(signal) {
      await provider.checkTools(signal).catch((error: unknown) => {
        throw error instanceof SetupError ? error : new SetupError(`checking kind and Docker: ${errorMessage(error)}`, { cause: error });
      });
    },
    async start(scenario, signal) {
      checkInput();
      const reason = kindUnsupported(scenario, configDir, options.cluster?.configFile);
      // The runner asks unsupported() first; a caller that did not fails here, before any cluster is created.
      if (reason) throw new Error(`unsupported on kind: ${reason}`);
      const chosen = (policy ??= await loadPolicy());
      const cluster = await provider.start(
        {
          ...options.cluster,
          topology: sandboxTopologyFor(scenario),
          ...(options.image ? { image: options.image } : {}),
          ...(options.logsDir ? { logsDir: resolve(options.logsDir) } : {}),
        },
        signal,
      );
      try {
        await preparePromoteNamespace(cluster);
        startPromoteLoop(cluster, chosen);
      } catch (error) {
        return stopAndRethrow(cluster, error);
      }
      return cluster;
    },
    budgets: (scenarioBudgets, cluster) => kindBudgets(scenarioBudgets, cluster),
    timeScale: (cluster) => timeScaleFor(cluster),
  };
}
