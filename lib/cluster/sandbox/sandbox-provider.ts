// The sandbox provider: builds a cluster out of local processes in network namespaces, with real etcd quorum.
// Teardown is registered before each piece is set up; a failed start tears down and rethrows the original error.
import { FAULT_KINDS, type FaultKind } from '../../faults/catalogue.ts';
import { stopAndRethrow } from '../core/started-cluster.ts';
import { RunWorkspace } from '../core/workspace.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { type ClusterProvider } from '../core/provider.ts';
import { loadKubeConfig, writePlainKubeconfig } from '../../util/kubeconfig.ts';
import { errorMessage, SetupError } from '../../util/errors.ts';
import { run } from '../../util/exec.ts';
import { waitFor } from '../../util/wait.ts';
import { assertCanCreateNamespaces, createHub, createNodeNamespace, destroyNamespace, hubNamespace, nodeNamespace } from '../../sandbox/network.ts';
import { installChains } from '../../sandbox/packet-filter.ts';
import { forgetRunHost, HostNamespace, registerRunHost, wantsUserNamespace } from '../../sandbox/host-namespace.ts';
import { NodeProcesses } from '../../sandbox/node-processes.ts';
import { agentBundle } from '../../sandbox/agent-bundle.ts';
import { StartedSandbox, type SandboxMember } from './sandbox-cluster.ts';
import { resolveTopology, type SandboxTopologyOptions } from '../../sandbox/topology.ts';
import { TcpForwarder } from '../../sandbox/vip.ts';

export interface SandboxOptions {
  readonly topology?: SandboxTopologyOptions;
  /** Module exporting selectPromoteNode, used by the sandbox's promote controller. */
  readonly promotionPolicy?: string;
  /** How the sandbox's promote Jobs behave: a delay before the work, or a forced failure (true: every promotion; a list: the promotions of these nodes). */
  readonly promotion?: { readonly jobDelayMs?: number; readonly fail?: boolean | readonly string[] };
  /** How long to wait for every node to be Ready. */
  readonly readyTimeoutMs?: number;
  /** Keep the run folder (logs, etcd data) after stopping. */
  readonly keepRunDir?: boolean;
}

const STANDARD_NAMESPACES = ['default', 'kube-system', 'kube-node-lease', 'harvester-system'];

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

async function assertEtcdInstalled(): Promise<void> {
  try {
    await run('etcd', ['--version'], { timeoutMs: 10_000 });
  } catch (error) {
    throw new SetupError('the sandbox needs etcd 3.4 (Debian package etcd-server): run `npm run setup` as root, or apt-get install etcd-server', { cause: error });
  }
}

/** The last lines of each node's log, for an error that must explain why the cluster did not come up. */
function nodeLogTails(members: readonly SandboxMember[]): string {
  return members
    .map((m) => {
      let text = '';
      try {
        text = readFileSync(m.processes.layout.logPath, 'utf8');
      } catch {
        text = '(no log)';
      }
      const lines = text.trimEnd().split('\n').slice(-5).map((line) => `    ${line.slice(0, 300)}`);
      return `  ${m.node.name} (${m.processes.layout.logPath}):\n${lines.join('\n')}`;
    })
    .join('\n');
}

export class SandboxProvider implements ClusterProvider<SandboxOptions> {
  readonly name = 'sandbox';
  readonly supportedFaults: ReadonlySet<FaultKind> = new Set(FAULT_KINDS);

  async start(options: SandboxOptions = {}, signal?: AbortSignal): Promise<StartedSandbox> {
    const topology = resolveTopology(options.topology);
    await assertCanCreateNamespaces();
    await assertEtcdInstalled();
    const bundle = await agentBundle();
    const workspace = RunWorkspace.open({ provider: this.name, keepRunDir: options.keepRunDir });
    const { runId, runDir, journal, teardown } = workspace;
    const members = new Map<string, SandboxMember>();
    const vip = new TcpForwarder({ healthChecked: true, healthIntervalMs: 200, healthTimeoutMs: 1000 });
    const nodeKubeconfigPaths = new Map<string, string>();
    const kubeconfigPath = join(runDir, 'kubeconfig.yaml');
    const apiEndpointsFile = join(runDir, 'api-endpoints.json');
    const cluster = new StartedSandbox(workspace, {
      members, timers: topology.timers, vip, apiEndpointsFile,
      endpoints: { kubeconfigPath, nodeKubeconfigPaths }, promotionPolicy: options.promotionPolicy, promotion: options.promotion, agentBundle: bundle,
    });
    try {
      // Not root (or CPCHAOS_USERNS=1): every namespace of the run lives in a user namespace held by one process,
      // stopped after everything else (and with it whatever the namespaces still held).
      if (wantsUserNamespace()) {
        const host = await HostNamespace.start(runDir, journal);
        teardown.defer('stop the user namespace holder', async () => {
          forgetRunHost(runId);
          await host.stop();
        });
        registerRunHost(runId, host);
        cluster.holderPid = host.holderPid;
      }
      // Network: hub first, so its teardown runs last.
      const hub = hubNamespace(runId);
      teardown.defer('delete hub namespace', () => destroyNamespace(hub));
      await createHub(journal, runId);
      await Promise.all(
        topology.nodes.map(async (node) => {
          signal?.throwIfAborted();
          const ns = nodeNamespace(runId, node.index);
          teardown.defer(`delete namespace of ${node.name}`, () => destroyNamespace(ns));
          await createNodeNamespace(journal, runId, node.index, node.address, topology.prefixLength);
          await installChains(ns);
          const processes = new NodeProcesses(node, ns, runDir, journal);
          teardown.defer(`kill processes of ${node.name}`, () => processes.kill());
          members.set(node.name, { node, processes, state: 'running' });
        }),
      );
      // Namespaces were created concurrently: keep the members in topology order from here on.
      const ordered = topology.nodes.map((n) => members.get(n.name) as SandboxMember);
      members.clear();
      for (const member of ordered) members.set(member.node.name, member);
      teardown.defer('close VIP', () => vip.close());
      await cluster.refreshApiEndpoints();
      const vipPort = await vip.listen();
      writePlainKubeconfig(kubeconfigPath, `http://127.0.0.1:${vipPort}`, `cpchaos-${runId}`);
      // Promotions add API servers: keep the VIP and the agents' server list current.
      const refresh = setInterval(() => void cluster.refreshApiEndpoints().catch(() => undefined), 500);
      teardown.defer('stop endpoint refresh', () => clearInterval(refresh));
      const core = loadKubeConfig(kubeconfigPath).makeApiClient(CoreV1Api);
      // Management nodes first, workers after, as a Harvester cluster forms: a worker that registered while a
      // control-plane Node was still missing would be promoted by the (level-triggered) promote controller.
      const controlPlaneMembers = ordered.filter((m) => m.node.role === 'control-plane');
      for (const member of controlPlaneMembers) member.processes.startAgent(cluster.agentConfig(member), bundle);
      await waitFor(
        `the control-plane Nodes (${controlPlaneMembers.map((m) => m.node.name).join(', ')}) to register`,
        async () => {
          signal?.throwIfAborted();
          const names = new Set((await core.listNode()).items.map((n) => n.metadata?.name));
          return controlPlaneMembers.every((m) => names.has(m.node.name));
        },
        { timeoutMs: options.readyTimeoutMs ?? 60_000, intervalMs: 100, signal },
      ).catch((error: unknown) => {
        throw new Error(`${errorMessage(error)}\n${nodeLogTails(ordered)}`, { cause: error });
      });
      // Started together, registered in topology order (each after the one before): Harvester ranks promotion
      // candidates by age, and scenarios name them by index.
      const workers = ordered.filter((m) => m.node.role !== 'control-plane');
      workers.forEach((member, i) => member.processes.startAgent(cluster.agentConfig(member, workers[i - 1]?.node.name), bundle));

      const expected = topology.nodes.map((n) => n.name);
      await waitFor(
        `all ${expected.length} sandbox nodes (${expected.join(', ')}) to be Ready, and the standard namespaces to exist`,
        async () => {
          signal?.throwIfAborted();
          const nodes = (await core.listNode()).items;
          const ready = new Set(nodes.filter(isNodeReady).map((n) => n.metadata?.name));
          if (!expected.every((name) => ready.has(name))) return false;
          // The API servers create the standard namespaces at start; clients may rely on them from now on.
          const namespaces = new Set((await core.listNamespace()).items.map((ns) => ns.metadata?.name));
          return STANDARD_NAMESPACES.every((ns) => namespaces.has(ns));
        },
        { timeoutMs: options.readyTimeoutMs ?? 60_000, intervalMs: 100, signal },
      ).catch((error: unknown) => {
        throw new Error(`${errorMessage(error)}\n${nodeLogTails(ordered)}`, { cause: error });
      });
      return cluster;
    } catch (error) {
      return stopAndRethrow(cluster, error);
    }
  }
}
