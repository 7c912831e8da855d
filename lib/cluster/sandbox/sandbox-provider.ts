// The sandbox provider: builds a cluster out of local processes in network namespaces, with real etcd quorum.
// Teardown is registered before each piece is set up; a failed start tears down and rethrows the original error.
import type { SandboxNodeRemovalOptions, SandboxPromotionOptions } from '../../sandbox/agent/config.ts';
import { FAULT_KINDS, type FaultKind } from '../../faults/catalogue.ts';
import { stopAndRethrow } from '../core/started-cluster.ts';
import { RunWorkspace } from '../core/workspace.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { type ClusterProvider } from '../core/provider.ts';
import { loadKubeConfig, writePlainKubeconfig } from '../../util/kubeconfig.ts';
import { errorMessage, SetupError } from '../../util/errors.ts';
import { run } from '../../util/exec.ts';
import { sleepMs, waitFor } from '../../util/wait.ts';
import { timestampMs } from '../../harvester/contract.ts';
import {
  assertCanCreateNamespaces,
  createHub,
  createNodeNamespaces,
  destroyNamespace,
  hubNamespace,
  nodeNamespace,
} from '../../sandbox/network.ts';
import { installChains } from '../../sandbox/packet-filter.ts';
import { forgetRunHost, HostNamespace, registerRunHost, wantsUserNamespace } from '../../sandbox/host-namespace.ts';
import { NodeProcesses } from '../../sandbox/node-processes.ts';
import { agentBundle } from '../../sandbox/agent-bundle.ts';
import { StartedSandbox, type SandboxMember } from './sandbox-cluster.ts';
import { resolveTopology, type SandboxTopology, type SandboxTopologyOptions } from '../../sandbox/topology.ts';
import { TcpForwarder, VIP_HEALTH_INTERVAL_MS, type VirtualIp } from '../../sandbox/vip.ts';
import { KubeVipVip } from '../../sandbox/kube-vip-vip.ts';
import { sandboxProfile, type SandboxProfile, type SandboxProfileName } from '../../sandbox/profile.ts';
import { writeMemberName } from '../../sandbox/agent/etcd-member-process.ts';
import { rke2MemberName } from '../../harvester/etcd-members.ts';
import { HARVESTER_VIP_SERVICE, type KubeVipLease } from '../../harvester/profiles.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { randomUUID } from 'node:crypto';

export interface SandboxOptions {
  readonly topology?: SandboxTopologyOptions;
  /** Module exporting selectPromoteNode, used by the sandbox's promote controller. */
  readonly promotionPolicy?: string;
  /**
   * A folder (created if missing, kept after the run) where each node's API server appends its audit log,
   * `<node>-audit.log` (audit.k8s.io/v1 Events, lib/sandbox/apiserver/audit-log.ts), for `cpchaos import-audit`.
   */
  readonly auditLogDir?: string;
  /** How the sandbox's promote Jobs behave: a delay before the work, or a forced failure (true: every promotion; a list: the promotions of these nodes). */
  readonly promotion?: SandboxPromotionOptions;
  /** How a deleted Node's finalizers are released: held for a while (nodeRemoval.finalizerHoldMs) or at once. */
  readonly nodeRemoval?: SandboxNodeRemovalOptions;
  /**
   * Start the nodes after the control planes one at a time, each once the Node before it was created in an earlier
   * second, so no two of them have the same creation time (see startWorkersSecondsApart).
   */
  readonly distinctCreationSeconds?: boolean;
  /**
   * What the sandbox imitates (lib/sandbox/profile.ts): 'plain' (default), or 'harvester' (RKE2's etcd timers and
   * member names, kube-vip's single-holder VIP exposed as Harvester's LoadBalancer Service).
   */
  readonly profile?: SandboxProfileName;
  /** The Harvester profile's kube-vip Lease timing instead of Harvester's (kube-vip's defaults: 15 s / 10 s / 2 s). */
  readonly kubeVipLease?: KubeVipLease;
  /** How long to wait for every node to be Ready. */
  readonly readyTimeoutMs?: number;
  /** Keep the run folder (logs, etcd data) after stopping. */
  readonly keepRunDir?: boolean;
}

const STANDARD_NAMESPACES = ['default', 'kube-system', 'kube-node-lease', 'harvester-system'];

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** etcd 3.4 on PATH (the sandbox's one outside tool besides iproute2/iptables): a SetupError saying how to install it. */
export async function assertEtcdInstalled(): Promise<void> {
  try {
    await run('etcd', ['--version'], { timeoutMs: 10_000 });
  } catch (error) {
    throw new SetupError(
      'the sandbox needs etcd 3.4 (Debian package etcd-server): run `npm run setup` as root, or apt-get install etcd-server',
      { cause: error },
    );
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
      const lines = text
        .trimEnd()
        .split('\n')
        .slice(-5)
        .map((line) => `    ${line.slice(0, 300)}`);
      return `  ${m.node.name} (${m.processes.layout.logPath}):\n${lines.join('\n')}`;
    })
    .join('\n');
}

/** Not root (or CPCHAOS_USERNS=1): every namespace of the run lives in a user namespace held by one process,
 * stopped after everything else (and with it whatever the namespaces still held). */
async function holdUserNamespaceIfNeeded(workspace: RunWorkspace, cluster: StartedSandbox): Promise<void> {
  if (!wantsUserNamespace()) return;
  const host = await HostNamespace.start(workspace.runDir, workspace.journal);
  workspace.teardown.defer('stop the user namespace holder', async () => {
    forgetRunHost(workspace.runId);
    await host.stop();
  });
  registerRunHost(workspace.runId, host);
  cluster.holderPid = host.holderPid;
}

/** The hub namespace (torn down last), then a namespace with its packet-filter chains per node; members in topology order. */
async function createNodes(
  workspace: RunWorkspace,
  topology: SandboxTopology,
  members: Map<string, SandboxMember>,
  signal?: AbortSignal,
): Promise<SandboxMember[]> {
  const { runId, runDir, journal, teardown } = workspace;
  const hub = hubNamespace(runId);
  teardown.defer('delete hub namespace', () => destroyNamespace(hub));
  // Per node, its processes stop, then its namespace goes; all nodes at once (3 + 50 nodes one by one took 18 s,
  // three `ip` commands a node).
  const namespaces = teardown.deferConcurrent("delete the nodes' namespaces");
  const processStops = teardown.deferConcurrent("stop the nodes' processes");
  await createHub(journal, runId);
  for (const node of topology.nodes) namespaces.add(() => destroyNamespace(nodeNamespace(runId, node.index)));
  signal?.throwIfAborted();
  await createNodeNamespaces(journal, runId, topology.nodes, topology.prefixLength);
  await Promise.all(
    topology.nodes.map(async (node) => {
      signal?.throwIfAborted();
      const ns = nodeNamespace(runId, node.index);
      await installChains(ns);
      const processes = new NodeProcesses(node, ns, runDir, journal);
      processStops.add(() => processes.stop());
      members.set(node.name, { node, processes, state: 'running' });
    }),
  );
  // Namespaces were created concurrently: keep the members in topology order from here on.
  const ordered = topology.nodes.map((n) => members.get(n.name) as SandboxMember);
  members.clear();
  for (const member of ordered) members.set(member.node.name, member);
  return ordered;
}

/** Stops every node's processes concurrently; throws the first failure once all are done. */
async function stopAllNodes(members: ReadonlyMap<string, SandboxMember>): Promise<void> {
  const results = await Promise.allSettled([...members.values()].map((m) => m.processes.stop()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

interface ReadyWait {
  readonly readyTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** A wait whose timeout names what it waited for and quotes each node's log tail. */
async function waitWithLogs(
  what: string,
  members: readonly SandboxMember[],
  wait: ReadyWait,
  check: () => Promise<boolean>,
): Promise<void> {
  await waitFor(
    what,
    async () => {
      wait.signal?.throwIfAborted();
      return check();
    },
    { timeoutMs: wait.readyTimeoutMs, intervalMs: 100, signal: wait.signal },
  ).catch((error: unknown) => {
    throw new Error(`${errorMessage(error)}\n${nodeLogTails(members)}`, { cause: error });
  });
}

/**
 * Management nodes first, workers after, as a Harvester cluster forms: a worker that registered while a
 * control-plane Node was still missing would be promoted by the (level-triggered) promote controller. `beforeWait`
 * runs once the control planes' agents are started (startWorkersGated starts the workers' agents there).
 */
async function startControlPlanes(
  cluster: StartedSandbox,
  ordered: readonly SandboxMember[],
  core: CoreV1Api,
  bundle: string | undefined,
  wait: ReadyWait,
  beforeWait: () => void = () => undefined,
): Promise<void> {
  const controlPlanes = ordered.filter((m) => m.node.role === 'control-plane');
  for (const member of controlPlanes) member.processes.startAgent(cluster.agentConfig(member), bundle);
  beforeWait();
  await waitWithLogs(
    `the control-plane Nodes (${controlPlanes.map((m) => m.node.name).join(', ')}) to register`,
    ordered,
    wait,
    async () => {
      const names = new Set((await core.listNode()).items.map((n) => n.metadata?.name));
      return controlPlanes.every((m) => names.has(m.node.name));
    },
  );
}

/**
 * Started with the control planes, each waiting at its start gate (AgentConfig.startGateFile) until the harness
 * writes `gateFile`, once every control-plane Node is registered: a node agent takes a few hundred milliseconds of
 * CPU to load, which then overlaps the control planes' start. Registered in topology order (each after the one
 * before): Harvester ranks promotion candidates by age, and scenarios name them by index.
 */
function startWorkersGated(cluster: StartedSandbox, ordered: readonly SandboxMember[], bundle: string | undefined, gateFile: string): void {
  const workers = ordered.filter((m) => m.node.role !== 'control-plane');
  workers.forEach((member, i) => member.processes.startAgent(cluster.agentConfig(member, workers[i - 1]?.node.name, gateFile), bundle));
}

/** Waits until the Node `name` exists and the second its creation time falls in is over. */
async function waitPastCreationSecond(core: CoreV1Api, name: string, ordered: readonly SandboxMember[], wait: ReadyWait): Promise<void> {
  let createdMs = Number.NaN;
  await waitWithLogs(`Node ${name} to register`, ordered, wait, async () => {
    const node = await core.readNode({ name }).catch(() => undefined);
    createdMs = timestampMs(node?.metadata?.creationTimestamp);
    return !Number.isNaN(createdMs);
  });
  const nextSecondMs = (Math.floor(createdMs / 1000) + 1) * 1000;
  await sleepMs(Math.max(0, nextSecondMs - Date.now()), undefined, wait.signal ? { signal: wait.signal } : undefined);
}

/**
 * Like startWorkers, but each node is started only once the Node before it exists and the second it was created in
 * is over. The API keeps creation times in whole seconds, and Harvester ranks candidates by them
 * (selectPromoteNode's CreationTimestamp.Before, harvester/harvester pkg/controller/master/node/promote_controller.go:402):
 * nodes registered within one second tie, and the choice between them follows Harvester's random list order. Apart,
 * the oldest is one node, as scenarios about the age rule need.
 */
async function startWorkersSecondsApart(
  cluster: StartedSandbox,
  ordered: readonly SandboxMember[],
  core: CoreV1Api,
  bundle: string | undefined,
  wait: ReadyWait,
): Promise<void> {
  const workers = ordered.filter((m) => m.node.role !== 'control-plane');
  for (const [i, member] of workers.entries()) {
    const previous = workers[i - 1]?.node.name;
    if (previous !== undefined) await waitPastCreationSecond(core, previous, ordered, wait);
    member.processes.startAgent(cluster.agentConfig(member, previous), bundle);
  }
}

/** Every node Ready, and the standard namespaces the API servers create at start (clients may rely on them). */
async function waitAllReady(core: CoreV1Api, ordered: readonly SandboxMember[], wait: ReadyWait): Promise<void> {
  const expected = ordered.map((m) => m.node.name);
  await waitWithLogs(
    `all ${expected.length} sandbox nodes (${expected.join(', ')}) to be Ready, and the standard namespaces to exist`,
    ordered,
    wait,
    async () => {
      const ready = new Set((await core.listNode()).items.filter(isNodeReady).map((n) => n.metadata?.name));
      if (!expected.every((name) => ready.has(name))) return false;
      const namespaces = new Set((await core.listNamespace()).items.map((ns) => ns.metadata?.name));
      return STANDARD_NAMESPACES.every((ns) => namespaces.has(ns));
    },
  );
}

function profileOf(options: SandboxOptions): SandboxProfile {
  const profile = sandboxProfile(options.profile);
  return options.kubeVipLease && profile.vip.kind === 'kube-vip'
    ? { ...profile, vip: { kind: 'kube-vip', lease: options.kubeVipLease } }
    : profile;
}

/**
 * A new host's etcd member name, RKE2's `<node>-<8 hex>` (k3s setName). RKE2 writes the name file at the host's first
 * etcd start; here the harness writes it when it creates the host, before any member exists, so the initial cluster
 * can name every member (nothing can tell the difference: the file is read before the member starts).
 */
export function writeRke2MemberName(member: SandboxMember): void {
  writeMemberName(member.processes.layout.etcdDir, rke2MemberName(member.node.name, randomUUID()));
}

/**
 * Harvester's VIP Service (kube-system/ingress-expose, LoadBalancer, the VIP in kube-vip's annotation and, as kube-vip's
 * leader writes it, in status.loadBalancer.ingress): where a harness attached to the cluster finds the VIP. The VIP is
 * the harness's loopback listener; the Service's ports are Harvester's, which the sandbox does not serve (no ingress).
 */
async function exposeVip(core: CoreV1Api, address: string): Promise<void> {
  const { namespace, name, ports, loadBalancerIpsAnnotation } = HARVESTER_VIP_SERVICE;
  await core.createNamespacedService({
    namespace,
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, annotations: { [loadBalancerIpsAnnotation]: address } },
      spec: {
        type: 'LoadBalancer',
        ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: p.port })),
      },
    },
  });
  await core.patchNamespacedServiceStatus(
    { name, namespace, body: { status: { loadBalancer: { ingress: [{ ip: address }] } } } },
    mergePatch(),
  );
}

export interface SandboxProviderOptions {
  /**
   * Makes each run's id (default: a random one, newRunId). A test that must tell its own runs' namespaces and
   * processes from those of other sandboxes on the machine names its runs itself.
   */
  readonly newRunId?: () => string;
}

export class SandboxProvider implements ClusterProvider<SandboxOptions> {
  readonly name = 'sandbox';
  readonly supportedFaults: ReadonlySet<FaultKind> = new Set(FAULT_KINDS);

  constructor(private readonly providerOptions: SandboxProviderOptions = {}) {}

  async start(options: SandboxOptions = {}, signal?: AbortSignal): Promise<StartedSandbox> {
    const profile = profileOf(options);
    // The profile's timers over the defaults; a topology's own timers still win.
    const topology = resolveTopology({ ...options.topology, timers: { ...profile.timers, ...options.topology?.timers } });
    await assertCanCreateNamespaces();
    await assertEtcdInstalled();
    const bundle = await agentBundle();
    if (options.auditLogDir !== undefined) mkdirSync(options.auditLogDir, { recursive: true });
    const workspace = RunWorkspace.open({ provider: this.name, runId: this.providerOptions.newRunId?.(), keepRunDir: options.keepRunDir });
    const { runId, runDir, teardown } = workspace;
    const members = new Map<string, SandboxMember>();
    const vip: VirtualIp =
      profile.vip.kind === 'kube-vip'
        ? new KubeVipVip({
            holderFile: (name) => members.get(name)?.processes.layout.vipHolderPath ?? '',
            hostUp: (name) => ['running', 'paused'].includes(members.get(name)?.state ?? 'removed'),
            pollMs: 100,
          })
        : new TcpForwarder({ healthChecked: true, healthIntervalMs: VIP_HEALTH_INTERVAL_MS, healthTimeoutMs: 1000 });
    const nodeKubeconfigPaths = new Map<string, string>();
    const kubeconfigPath = join(runDir, 'kubeconfig.yaml');
    const apiEndpointsFile = join(runDir, 'api-endpoints.json');
    const cluster = new StartedSandbox(workspace, {
      members,
      timers: topology.timers,
      vip,
      apiEndpointsFile,
      endpoints: { kubeconfigPath, nodeKubeconfigPaths },
      promotionPolicy: options.promotionPolicy,
      auditLogDir: options.auditLogDir,
      promotion: options.promotion,
      nodeRemoval: options.nodeRemoval,
      agentBundle: bundle,
      profile,
    });
    try {
      await holdUserNamespaceIfNeeded(workspace, cluster);
      const ordered = await createNodes(workspace, topology, members, signal);
      // Every node stopped at once (each SIGTERM's grace runs concurrently); the per-node steps then find nothing left.
      teardown.defer('stop the processes of every node', () => stopAllNodes(members));
      if (profile.etcdMemberNames === 'rke2') for (const member of ordered) writeRke2MemberName(member);
      teardown.defer('close VIP', () => vip.close());
      await cluster.refreshApiEndpoints();
      const vipPort = await vip.listen();
      writePlainKubeconfig(kubeconfigPath, `http://127.0.0.1:${vipPort}`, `cpchaos-${runId}`);
      // Promotions add API servers: keep the VIP and the agents' server list current. Deleted Nodes lose their machines.
      const refresh = setInterval(() => {
        void cluster.refreshApiEndpoints().catch(() => undefined);
        void cluster.sweepDeletedNodes();
      }, 500);
      teardown.defer('stop endpoint refresh', () => clearInterval(refresh));
      const core = loadKubeConfig(kubeconfigPath).makeApiClient(CoreV1Api);
      const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
      if (options.distinctCreationSeconds) {
        await startControlPlanes(cluster, ordered, core, bundle, { readyTimeoutMs, signal });
        await startWorkersSecondsApart(cluster, ordered, core, bundle, { readyTimeoutMs, signal });
      } else {
        const gateFile = join(runDir, 'control-planes-registered');
        await startControlPlanes(cluster, ordered, core, bundle, { readyTimeoutMs, signal }, () =>
          startWorkersGated(cluster, ordered, bundle, gateFile),
        );
        writeFileSync(gateFile, '');
      }
      await waitAllReady(core, ordered, { readyTimeoutMs, signal });
      if (profile.vip.kind === 'kube-vip') await exposeVip(core, '127.0.0.1');
      return cluster;
    } catch (error) {
      return stopAndRethrow(cluster, error);
    }
  }
}
