// The existing-cluster provider: attaches to a running cluster (a real Harvester) through a kubeconfig, discovers
// nodes and roles from labels, and injects faults with the executors of an executors file. It never creates or
// deletes the cluster. Destructive runs need the context in the allowlist; teardown is registered before each
// piece is set up, and a failed start tears down and rethrows the original error.
import type { FaultKind } from '../../faults/catalogue.ts';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { buildExecutors, preflightExecutors, type BuildOptions } from './executors/build.ts';
import { loadExecutorsFile } from './executors/config-file.ts';
import { configuredFaults, type ExecutorsConfig } from './executors/config-types.ts';
import { mergeFacts } from './executors/planner.ts';
import { assertContextAllowed } from './safety/context-allowlist.ts';
import { DryRun } from './safety/dry-run.ts';
import { KillSwitch } from './safety/kill-switch.ts';
import { errorMessage, SetupError } from '../../util/errors.ts';
import { requestWithDeadline } from '../../util/api-deadline.ts';
import type { ClusterProvider } from '../core/provider.ts';
import { stopAndRethrow } from '../core/started-cluster.ts';
import { RunWorkspace } from '../core/workspace.ts';
import { clusterNodesOf } from './discover.ts';
import { StartedExisting } from './existing-cluster.ts';
import { DEFAULT_ATTACH_TIMEOUT_MS, type ExistingOptions } from './existing-options.ts';
import { describeAttachment, readHarvesterVersion, readLoadBalancerAddresses } from './profile.ts';
import { loadKubeconfigSource, writeSingleContextKubeconfig } from './kubeconfig-source.ts';

/** Seams for tests: how executors run commands and requests. */
export type ExecutorSeams = Pick<BuildOptions, 'commandRunner' | 'ipmiRunner' | 'kubeRequester'>;

export class ExistingClusterProvider implements ClusterProvider<ExistingOptions> {
  readonly name = 'existing';
  readonly supportedFaults: ReadonlySet<FaultKind>;

  /** `executors`: the parsed executors file; without one the provider only attaches (no fault is supported). */
  constructor(
    readonly executors?: ExecutorsConfig,
    private readonly seams: ExecutorSeams = {},
  ) {
    this.supportedFaults = configuredFaults(executors);
  }

  /** A provider for an executors file (--executors FILE), or none. */
  static fromFile(file: string | undefined): ExistingClusterProvider {
    return new ExistingClusterProvider(file === undefined ? undefined : loadExecutorsFile(file));
  }

  async start(options: ExistingOptions = {}, signal?: AbortSignal): Promise<StartedExisting> {
    const dryRunMode = options.dryRun === true;
    const source = loadKubeconfigSource(options);
    const readOnly = options.readOnly === true;
    if (readOnly && this.executors) throw new SetupError('a read-only attachment takes no executors file: it injects no faults');
    if (!dryRunMode && !readOnly) assertContextAllowed(source.context, options.allowContexts ?? []);
    const killSwitch = new KillSwitch(options.killSwitch);
    if (killSwitch.fileExists()) throw new SetupError(`the kill switch file ${killSwitch.path} exists: remove it to start a run`);

    const workspace = RunWorkspace.open({ provider: this.name, keepRunDir: options.keepRunDir });
    const { runDir, teardown } = workspace;
    let cluster: StartedExisting | undefined;
    // The journal names the faults a person must still undo: keep it when undoing failed.
    workspace.keepIf(() => (cluster?.faultsLeftBehind ? 'faults were left on the cluster' : undefined));
    try {
      let kubeconfigPath = source.files[0] as string;
      if (source.needsCopy) {
        kubeconfigPath = join(runDir, 'kubeconfig.yaml');
        writeSingleContextKubeconfig(source.kubeConfig, kubeconfigPath);
      }
      const core = source.kubeConfig.makeApiClient(CoreV1Api);
      const attachTimeoutMs = options.attachTimeoutMs ?? DEFAULT_ATTACH_TIMEOUT_MS;
      signal?.throwIfAborted();
      const v1Nodes = await requestWithDeadline(
        `the API server of context "${source.context}" (${source.server}) to list nodes`,
        attachTimeoutMs,
        (requestOptions) => core.listNode({}, requestOptions),
      )
        .then((list) => list.items)
        .catch((error: unknown) => {
          throw new SetupError(`cannot attach to context "${source.context}" (${source.server}): ${errorMessage(error)}`, { cause: error });
        });
      const nodes = clusterNodesOf(v1Nodes);
      if (!nodes.some((n) => n.role === 'control-plane')) {
        throw new SetupError(
          `context "${source.context}": no node has a management role label (node-role.kubernetes.io/control-plane, master or etcd = "true"); nodes: ${nodes.map((n) => n.name).join(', ') || 'none'}`,
        );
      }

      const readDeadlineMs = Math.min(attachTimeoutMs, 5000);
      const [harvesterVersion, vipAddresses] = await Promise.all([
        readHarvesterVersion(source.kubeConfig, readDeadlineMs),
        readLoadBalancerAddresses(core, readDeadlineMs),
      ]);
      const attachment = describeAttachment({
        choice: options.profile ?? 'auto',
        v1Nodes,
        harvesterVersion,
        vipAddresses,
        server: source.server,
        fileTimers: this.executors?.timers,
        fileName: this.executors?.file,
        optionTimers: options.timers,
      });

      const dryRun = dryRunMode ? new DryRun(options.onDryRunLine) : undefined;
      const env = options.env ?? process.env;
      const built = this.executors
        ? buildExecutors(this.executors, { provider: this.name, target: source.kubeConfig, env, dryRun: dryRunMode, ...this.seams })
        : undefined;
      if (this.executors && built) {
        const facts = nodes.map((n) => mergeFacts(this.executors, n.name, n.address));
        const problems = await preflightExecutors(this.executors, built, facts, { dryRun: dryRunMode });
        if (problems.length > 0)
          throw new SetupError(
            `executors file ${this.executors.file} does not fit context "${source.context}":\n  ${problems.join('\n  ')}`,
          );
      }

      cluster = new StartedExisting(workspace, {
        context: source.context,
        server: source.server,
        core,
        endpoints: { kubeconfigPath, nodeKubeconfigPaths: new Map() },
        nodes,
        v1Nodes,
        timers: attachment.timers,
        notes: [...attachment.notes, harnessMachineNote(this.executors)],
        endpointFailoverMs: attachment.endpoint.failoverMs,
        supportedFaults: this.supportedFaults,
        config: this.executors,
        planner: built?.planner,
        dryRun,
        allowQuorumLoss: options.allowQuorumLoss === true,
        killSwitch,
        onKillSwitch: options.onKillSwitch,
        listTimeoutMs: Math.min(attachTimeoutMs, 10_000),
      });
      const started = cluster;
      teardown.defer('stop watching the kill switch', () => killSwitch.dispose());
      killSwitch.watch((reason) => started.halt(reason));
      return started;
    } catch (error) {
      return stopAndRethrow(cluster ?? { stop: () => teardown.run() }, error);
    }
  }
}

/** Whether this machine's CPU stall may excuse a promotion overrun, and where that was decided (StartedExisting.onHarnessMachine). */
function harnessMachineNote(executors: ExecutorsConfig | undefined): string {
  return executors?.onHarnessMachine === true
    ? `cluster on this machine (onHarnessMachine: true in ${executors.file}): a promotion overrun this machine's CPU stall explains is inconclusive`
    : "cluster elsewhere (no onHarnessMachine: true in an executors file): this machine's CPU stall excuses no promotion overrun";
}
