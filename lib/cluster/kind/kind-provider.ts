// The kind provider: a real multi-control-plane Kubernetes in Docker containers, created with the kind CLI from a
// config under fixtures/kind/, labelled the Harvester way through the API, and faulted with the docker CLI.
// Teardown is registered before each piece is set up; a failed start tears down and rethrows the original error.
import type { FaultKind } from '../../faults/catalogue.ts';
import { dirname, join } from 'node:path';
import { Journal } from '../../faults/journal.ts';
import type { ClusterProvider } from '../core/provider.ts';
import { stopAndRethrow } from '../core/started-cluster.ts';
import { newRunId, RunWorkspace } from '../core/workspace.ts';
import { DockerCli } from './docker-cli.ts';
import { KindCli } from './kind-cli.ts';
import { KIND_SUPPORTED_FAULTS, StartedKindCluster, type KindMember } from './kind-cluster.ts';
import {
  clusterNameFor,
  isLoadBalancer,
  LOAD_BALANCER_SUFFIX,
  planKindCluster,
  type KindPlan,
  type KindTopologyOptions,
} from './kind-config.ts';
import { KIND_NODE_IMAGE } from './node-image.ts';
import { kindClusterTimers } from './kind-timers.ts';
import { NodeApi } from './node-api.ts';
import { ownerMarkerOf, writeOwnerMarker } from './owner-marker.ts';
import { writeNodeKubeconfig } from './node-kubeconfig.ts';
import type { PromotionTimeouts } from './promotion.ts';
import { ToolRunner, type ToolOptions } from './tools.ts';

/** How the provider is built: where its tools and folders are. */
export interface KindProviderOptions extends ToolOptions {
  /** Where run folders go; default the harness's runs root (CPCHAOS_STATE_DIR). */
  readonly runsRoot?: string;
  /**
   * Folder of the kind configs the topologies map to (file names as in KIND_CONFIGS: cp3-w1.yaml, ...); default
   * fixtures/kind/. Their kubeadmConfigPatches may compress the cluster's timers (kind-timers.ts).
   */
  readonly configDir?: string;
  /** Makes run IDs (the cluster is cpchaos-<run id>); default 6 random hex digits. Tests pin it. */
  readonly newRunId?: () => string;
}

/** What one cluster looks like and how long its steps may take. */
export interface KindOptions {
  /** Counts or nodes (the sandbox's topology options fit); picks the config file. Default 3 control planes + 1 worker. */
  readonly topology?: KindTopologyOptions;
  /** A kind config to use instead of the one the topology maps to. */
  readonly configFile?: string;
  /** Node image; default KIND_NODE_IMAGE. */
  readonly image?: string;
  /** Deadline of `kind create cluster` (image pull included); default 15 min. */
  readonly createTimeoutMs?: number;
  /** kind's own `--wait` for the control plane; default 5 min. */
  readonly controlPlaneWaitMs?: number;
  /** Deadline for every node to be Ready after creation; default 5 min. */
  readonly readyTimeoutMs?: number;
  /** Network faults delete themselves inside the containers after this long; default 15 min. */
  readonly faultTtlMs?: number;
  /** Deadline for a deleted Node to leave the API; default 60 s. */
  readonly nodeDeletionTimeoutMs?: number;
  readonly promotionTimeouts?: PromotionTimeouts;
  /** Export the cluster's logs into <logsDir>/<cluster name> before deleting it. */
  readonly logsDir?: string;
  /** Keep the run folder (journal, kubeconfigs) after stopping. */
  readonly keepRunDir?: boolean;
}

const MINUTE_MS = 60_000;
/** Deadline of writing the owner marker into one node container. */
const MARKER_WRITE_TIMEOUT_MS = 30_000;

/** The owner the run's journal names (its `run` entry), which the cluster's owner marker repeats. */
function ownerOfRun(workspace: RunWorkspace): { ownerPid: number; ownerStartTicks: number } {
  const run = Journal.read(workspace.runDir).find((e) => e.type === 'run');
  if (run?.type !== 'run') throw new Error(`the journal in ${workspace.runDir} names no run owner`);
  return { ownerPid: run.ownerPid, ownerStartTicks: run.ownerStartTicks };
}

export class KindProvider implements ClusterProvider<KindOptions> {
  readonly name = 'kind';
  readonly supportedFaults: ReadonlySet<FaultKind> = KIND_SUPPORTED_FAULTS;
  private readonly kind: KindCli;
  private readonly docker: DockerCli;

  constructor(private readonly providerOptions: KindProviderOptions = {}) {
    const tools = new ToolRunner(providerOptions);
    this.kind = new KindCli(tools);
    this.docker = new DockerCli(tools);
  }

  private toolsChecked: Promise<void> | undefined;

  /**
   * kind on PATH and a Docker daemon that answers, checked once per provider (a run checks them before its first
   * scenario; each cluster's start reuses the answer). A SetupError names what is missing; a failed check is not kept.
   */
  checkTools(signal?: AbortSignal): Promise<void> {
    this.toolsChecked ??= (async () => {
      await this.kind.version(signal);
      await this.docker.assertDaemon(signal);
    })().catch((error: unknown) => {
      this.toolsChecked = undefined;
      throw error;
    });
    return this.toolsChecked;
  }

  async start(options: KindOptions = {}, signal?: AbortSignal): Promise<StartedKindCluster> {
    signal?.throwIfAborted();
    const runId = (this.providerOptions.newRunId ?? newRunId)();
    const clusterName = clusterNameFor(runId);
    const plan = planKindCluster(clusterName, options.topology, {
      ...(this.providerOptions.configDir ? { configDir: this.providerOptions.configDir } : {}),
      ...(options.configFile ? { configFile: options.configFile } : {}),
    });
    const image = options.image ?? KIND_NODE_IMAGE;
    // Bad input stops here, before any tool runs: the timers come from the image's Kubernetes version and the
    // config's kubeadmConfigPatches.
    const timers = kindClusterTimers(image, plan.configText, plan.configFile);
    const controlPlanes = plan.nodes.filter((n) => n.role === 'control-plane').length;
    await this.checkTools(signal);

    const workspace = RunWorkspace.open({
      provider: this.name,
      runId,
      keepRunDir: options.keepRunDir,
      ...(this.providerOptions.runsRoot ? { runsRoot: this.providerOptions.runsRoot } : {}),
    });
    const { runDir, teardown } = workspace;
    const kubeconfigPath = join(runDir, 'kubeconfig.yaml');
    const members = new Map<string, KindMember>();
    const nodeApi = new NodeApi(kubeconfigPath);
    // kind puts a load balancer in front of the API servers when there are several control planes.
    const loadBalancer: { name: string; address: string } = { name: `${clusterName}-${LOAD_BALANCER_SUFFIX}`, address: '' };
    const cluster = new StartedKindCluster(workspace, {
      timers,
      ...(controlPlanes > 1 ? { loadBalancer } : {}),
      clusterName,
      docker: this.docker,
      nodeApi,
      members,
      endpoints: { kubeconfigPath, nodeKubeconfigPaths: new Map() },
      writeNodeKubeconfig: (member) => {
        const path = join(runDir, `kubeconfig-${member.name}.yaml`);
        writeNodeKubeconfig(kubeconfigPath, path, member.address);
        return path;
      },
      faultTtlMs: options.faultTtlMs ?? 15 * MINUTE_MS,
      nodeDeletionTimeoutMs: options.nodeDeletionTimeoutMs ?? MINUTE_MS,
      ...(options.promotionTimeouts ? { promotionTimeouts: options.promotionTimeouts } : {}),
    });
    try {
      // Registered before creating: a create that fails or is cancelled halfway can leave containers behind.
      teardown.defer(`delete kind cluster ${clusterName}`, () => this.kind.deleteCluster(clusterName, kubeconfigPath));
      if (options.logsDir) {
        const logsDir = join(options.logsDir, clusterName);
        teardown.defer(`export logs of ${clusterName}`, () => this.kind.exportLogs(clusterName, logsDir));
      }
      await this.kind.createCluster({
        name: clusterName,
        configFile: plan.configFile,
        image,
        kubeconfigPath,
        controlPlaneWaitMs: options.controlPlaneWaitMs ?? 5 * MINUTE_MS,
        timeoutMs: options.createTimeoutMs ?? 15 * MINUTE_MS,
        signal,
      });
      await this.checkNodes(plan, signal);
      // Before anything else can go wrong: from here on, a cleanup elsewhere on this Docker host can tell that this
      // cluster's owner is alive (and, should it be killed, that it is gone).
      await writeOwnerMarker(
        this.docker,
        plan.nodes.map((n) => n.name),
        ownerMarkerOf(runId, dirname(dirname(runDir)), ownerOfRun(workspace)),
        { timeoutMs: MARKER_WRITE_TIMEOUT_MS, signal },
      );
      if (controlPlanes > 1) loadBalancer.address = await this.docker.address(loadBalancer.name, signal);
      for (const node of plan.nodes) {
        const address = await this.docker.address(node.name, signal);
        members.set(node.name, {
          name: node.name,
          role: node.role,
          startRole: node.role,
          address,
          ...(node.zone ? { zone: node.zone } : {}),
          state: 'running',
        });
      }
      await nodeApi.waitAllReady(
        plan.nodes.map((n) => n.name),
        options.readyTimeoutMs ?? 5 * MINUTE_MS,
        signal,
      );
      for (const node of plan.nodes) await nodeApi.labelNode(node.name, node.labels);
      for (const member of members.values()) {
        if (member.role === 'control-plane') cluster.addNodeEndpoint(member.name);
      }
      return cluster;
    } catch (error) {
      return stopAndRethrow(cluster, error);
    }
  }

  /** The containers kind made must be the nodes the config asked for. */
  private async checkNodes(plan: KindPlan, signal?: AbortSignal): Promise<void> {
    const containers = (await this.kind.getNodes(plan.clusterName, signal)).filter((c) => !isLoadBalancer(plan.clusterName, c)).sort();
    const expected = plan.nodes.map((n) => n.name).sort();
    if (containers.join(',') !== expected.join(',')) {
      throw new Error(
        `kind cluster ${plan.clusterName} has nodes ${containers.join(', ') || '(none)'}, expected ${expected.join(', ')} from ${plan.configFile}`,
      );
    }
  }
}
