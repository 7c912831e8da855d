// A started sandbox cluster: namespaces, processes, the VIP and per-node endpoints, and the faults on them.
import type { SandboxNodeRemovalOptions, SandboxPromotionOptions } from '../../sandbox/agent/config.ts';
import { FAULT_KINDS, MEMORY_PRESSURE_THRESHOLD, type FaultKind } from '../../faults/catalogue.ts';
import type { ClusterEndpoints, EtcdMembership } from '../../model/cluster.ts';
import { NodeOwningCluster, type CutRequest } from '../core/node-faults.ts';
import type { RunWorkspace } from '../core/workspace.ts';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { loadKubeConfig, statusCodeOf, writePlainKubeconfig } from '../../util/kubeconfig.ts';
import { waitFor } from '../../util/wait.ts';
import { requestWithDeadline, type RequestOptions } from '../../util/api-deadline.ts';
import type { AgentConfig } from '../../sandbox/agent/config.ts';
import { ForceDeleteInconclusiveError, forceDeleteNode } from '../core/force-delete.ts';
import { EtcdClient } from '../../sandbox/etcd/gateway-client.ts';
import {
  addRules,
  deleteRules,
  flushChains,
  isolateRules,
  oneWayRules,
  partitionRules,
  type FilterNode,
  type FilterRule,
} from '../../sandbox/packet-filter.ts';
import { API_PORT, apiUrl, NodeProcesses, peerUrl } from '../../sandbox/node-processes.ts';
import type { SandboxNode, SandboxTimers } from '../../sandbox/topology.ts';
import { TcpForwarder, type VirtualIp } from '../../sandbox/vip.ts';
import { memberNameOf, writeMemberName } from '../../sandbox/agent/etcd-member-process.ts';
import { rke2MemberName } from '../../harvester/etcd-members.ts';
import { MANAGEMENT_ROLE_LABELS } from '../../harvester/contract.ts';
import { harvesterNodeLabels } from '../../sandbox/topology.ts';
import { randomUUID } from 'node:crypto';
import type { HarvesterNodeConfig } from '../../sandbox/agent/harvester-profile-parts.ts';
import { sandboxProfile, type SandboxProfile } from '../../sandbox/profile.ts';

export type SandboxNodeState = 'running' | 'killed' | 'paused' | 'removed';

/**
 * A kubelet configuration whose hard eviction threshold on memory.available no machine meets: the eviction manager
 * sees memory pressure at every observation (kubernetes pkg/kubelet/eviction helpers.go: a quantity threshold is met
 * when the signal is below it). Only the fields the sandbox kubelet reads.
 */
export const MEMORY_PRESSURE_KUBELET_CONFIG = [
  'apiVersion: kubelet.config.k8s.io/v1beta1',
  'kind: KubeletConfiguration',
  'evictionHard:',
  `  memory.available: ${MEMORY_PRESSURE_THRESHOLD}`,
  '',
].join('\n');

export interface SandboxMember {
  readonly node: SandboxNode;
  readonly processes: NodeProcesses;
  state: SandboxNodeState;
}

export interface SandboxClusterParts {
  /** Every node, in topology order (a rejoin replaces a removed node's member under its name). */
  readonly members: Map<string, SandboxMember>;
  readonly timers: SandboxTimers;
  readonly vip: VirtualIp;
  /** What the sandbox imitates (default 'plain'). */
  readonly profile?: SandboxProfile | undefined;
  readonly endpoints: ClusterEndpoints & { readonly nodeKubeconfigPaths: Map<string, string> };
  readonly apiEndpointsFile: string;
  readonly promotionPolicy?: string | undefined;
  /** Each API server appends its audit log to <dir>/<node>-audit.log (SandboxOptions.auditLogDir). */
  readonly auditLogDir?: string | undefined;
  readonly promotion?: SandboxPromotionOptions | undefined;
  readonly nodeRemoval?: SandboxNodeRemovalOptions | undefined;
  /** The bundled node agent, when one could be built. */
  readonly agentBundle?: string | undefined;
}

export class StartedSandbox extends NodeOwningCluster {
  readonly provider = 'sandbox';
  readonly supportedFaults: ReadonlySet<FaultKind> = new Set(FAULT_KINDS);
  private coreApi: CoreV1Api | undefined;
  private readonly nodeForwarders = new Map<string, TcpForwarder>();
  /** In a user-namespace run (not root, or CPCHAOS_USERNS=1): the pid of the process holding that namespace. */
  holderPid: number | undefined;

  constructor(
    workspace: RunWorkspace,
    private readonly parts: SandboxClusterParts,
  ) {
    super(workspace);
  }

  /** Client of the VIP; the kubeconfig exists once the VIP listens. */
  private get core(): CoreV1Api {
    this.coreApi ??= loadKubeConfig(this.parts.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
    return this.coreApi;
  }

  get endpoints(): ClusterEndpoints {
    return this.parts.endpoints;
  }

  get timers(): SandboxTimers {
    return this.parts.timers;
  }

  get profile(): SandboxProfile {
    return this.parts.profile ?? sandboxProfile('plain');
  }

  /** Nodes in topology order (control-plane[i] and worker[i] index into this). */
  get nodes(): SandboxNode[] {
    return [...this.parts.members.values()].map((m) => m.node).sort((a, b) => a.index - b.index);
  }

  member(name: string): SandboxMember {
    const member = this.parts.members.get(name);
    if (!member) throw new Error(`sandbox has no node "${name}" (nodes: ${[...this.parts.members.keys()].join(', ')})`);
    return member;
  }

  nodeState(name: string): SandboxNodeState {
    return this.member(name).state;
  }

  // ---- etcd -------------------------------------------------------------------------------------------------

  private etcdClientFor(member: SandboxMember): EtcdClient {
    return new EtcdClient({
      endpoint: { socketPath: member.processes.layout.etcdSocketPath },
      deadlineMs: this.parts.timers.apiRequestDeadlineMs,
    });
  }

  /**
   * Membership and leader as the leader itself sees them; else as a member that knows a leader (an isolated or
   * lagging member may not); else what the first member that answers says. Among several views of a kind, the one
   * of the highest raft term wins: a deposed leader that has not noticed yet (or a member being removed) claims
   * leadership in an older term.
   */
  override async etcdMembership(): Promise<EtcdMembership | undefined> {
    let lastError: unknown;
    type View = { membership: EtcdMembership; term: number };
    const newer = (a: View | undefined, b: View): View => (a === undefined || b.term > a.term ? b : a);
    let leaderless: View | undefined;
    let knowsLeader: View | undefined;
    let selfLeader: View | undefined;
    for (const member of this.parts.members.values()) {
      if (member.state !== 'running' || !existsSync(member.processes.layout.etcdSocketPath)) continue;
      const client = this.etcdClientFor(member);
      try {
        const [{ members }, status] = await Promise.all([client.memberList(), client.status()]);
        const leader = members.find((m) => m.id === status.leader)?.name;
        const view = {
          membership: { members: members.map((m) => ({ name: m.name, id: m.id })), ...(leader ? { leader } : {}) },
          term: status.raftTerm,
        };
        if (status.leader === status.memberId) selfLeader = newer(selfLeader, view);
        else if (leader) knowsLeader = newer(knowsLeader, view);
        else leaderless ??= view;
      } catch (error) {
        lastError = error;
      }
    }
    const best = selfLeader ?? knowsLeader ?? leaderless;
    if (best) return best.membership;
    if (lastError) throw lastError;
    return undefined;
  }

  // ---- node operations (NodeFaultTarget) ---------------------------------------------------------------------

  filterNode(name: string): FilterNode {
    const member = this.member(name);
    return { name, namespace: member.processes.namespace, address: member.node.address };
  }

  allFilterNodes(): FilterNode[] {
    return [...this.parts.members.values()].filter((m) => m.state !== 'removed').map((m) => this.filterNode(m.node.name));
  }

  /** iptables rules in the node namespaces; their undo deletes them from the namespaces that are still there. */
  async cutOff(request: CutRequest): Promise<() => Promise<void>> {
    const rules = this.rulesFor(request);
    try {
      await addRules(rules);
    } catch (error) {
      await deleteRules(rules).catch(() => undefined);
      throw error;
    }
    return () => deleteRules(rules.filter((rule) => this.allFilterNodes().some((n) => n.namespace === rule.namespace)));
  }

  private rulesFor(request: CutRequest): FilterRule[] {
    const node = (name: string): FilterNode => this.filterNode(name);
    switch (request.kind) {
      case 'isolate':
        return request.nodes.flatMap((name) => isolateRules(node(name), request.ports));
      case 'partition':
        return partitionRules(
          request.groups.map((group) => group.map(node)),
          request.ports,
        );
      case 'drop':
        return oneWayRules(request.from.map(node), request.to.map(node), request.ports);
    }
  }

  async healNetwork(): Promise<void> {
    for (const node of this.allFilterNodes()) await flushChains(node.namespace);
  }

  async killNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed') throw new Error(`node ${name} was removed from the sandbox`);
    await member.processes.kill();
    member.state = 'killed';
  }

  async startNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed') return;
    if (member.state === 'paused') await this.resumeNode(name);
    if (member.processes.hasLiveProcesses) {
      member.state = 'running';
      return;
    }
    // A host that boots holds no VIP (its kube-vip starts over), whatever holder file it left when it went down.
    rmSync(member.processes.layout.vipHolderPath, { force: true });
    member.processes.startAgent(this.agentConfig(member), this.parts.agentBundle);
    member.state = 'running';
  }

  async pauseNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state !== 'running') throw new Error(`cannot pause node ${name}: it is ${member.state}`);
    await member.processes.signalAll('SIGSTOP');
    member.state = 'paused';
  }

  async resumeNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state !== 'paused') return;
    await member.processes.signalAll('SIGCONT');
    member.state = 'running';
  }

  /**
   * Memory pressure as the node's kubelet sees it: its configuration file gets a hard eviction threshold no machine
   * meets (memory.available<1Pi) and the kubelet restarts (the agent's SIGHUP, lib/sandbox/agent/main.ts), so its
   * eviction manager reports MemoryPressure=True at its next status check (memory-pressure.ts). Like an operator's
   * ssh, it needs the node up: a killed, paused or removed node is refused.
   */
  async pressureNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state !== 'running') throw new Error(`cannot put node ${name} under memory pressure: it is ${member.state}`);
    writeFileSync(member.processes.layout.kubeletConfigPath, MEMORY_PRESSURE_KUBELET_CONFIG);
    if (!member.processes.signalAgent('SIGHUP')) throw new Error(`cannot restart the kubelet of node ${name}: its agent is not running`);
  }

  /**
   * The kubelet's own configuration back (the defaults: no file) and a kubelet restart. A node never put under
   * pressure (or relieved already) or removed is left alone. A killed or paused node is refused, as on kind (no
   * docker exec into a stopped or paused container): the same scenario gets the same verdict on both targets.
   */
  async relieveNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed' || !existsSync(member.processes.layout.kubeletConfigPath)) return;
    if (member.state !== 'running') {
      throw new Error(
        `cannot relieve node ${name} of memory pressure: it is ${member.state}; ${member.state === 'paused' ? 'resume' : 'start'} it first`,
      );
    }
    rmSync(member.processes.layout.kubeletConfigPath, { force: true });
    member.processes.signalAgent('SIGHUP');
  }

  /** Deletes the Node through the API (as `kubectl delete node`); force strips its finalizers first (force-delete.ts). */
  async deleteNode(name: string, force: boolean): Promise<void> {
    this.member(name);
    try {
      if (force) await forceDeleteNode(this.core, name, 'sandbox');
      else await this.core.deleteNode({ name });
    } catch (error) {
      // A forced deletion judged inconclusive on a Node already Terminating deletes it all the same: its machine goes
      // when the Node goes. One whose every round was lost left the Node as it was, and its machine stays.
      if (error instanceof ForceDeleteInconclusiveError && error.nodeDeleting) this.startMachineRemoval(name);
      throw error;
    }
    this.startMachineRemoval(name);
  }

  /** Machine removals under way, by node: each settles once the machine is removed (or the wait gave up). */
  private readonly machineRemovals = new Map<string, Promise<void>>();
  /** Members whose Node the API has listed: only a Node that was there can be gone. */
  private readonly registered = new WeakSet<SandboxMember>();
  private sweeping = false;

  private startMachineRemoval(name: string): void {
    if (this.machineRemovals.has(name)) return;
    const removal = this.removeMachineWhenNodeGone(name).finally(() => {
      if (this.machineRemovals.get(name) === removal) this.machineRemovals.delete(name);
    });
    this.machineRemovals.set(name, removal);
  }

  /**
   * The infrastructure's part of every Node deletion, whoever deleted it (a fault of this harness, a harness attached
   * through the kubeconfig, kubectl): Harvester's node-removal controller deletes the node's machine once the Node is
   * gone (docs: ../shared contract, "Node delete"), so the host leaves. Called periodically by the provider; a list
   * that fails (no quorum, no VIP holder) changes nothing, and removeMachineWhenNodeGone checks the Node is gone.
   */
  async sweepDeletedNodes(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const listed = await this.anyApiServer('list Nodes', (api, options) => api.listNode({}, options));
      const names = new Set(listed.items.map((node) => node.metadata?.name));
      for (const member of this.parts.members.values()) {
        if (member.state === 'removed') continue;
        if (names.has(member.node.name)) this.registered.add(member);
        else if (this.registered.has(member)) this.startMachineRemoval(member.node.name);
      }
    } catch {
      // No answer now: the next sweep asks again.
    } finally {
      this.sweeping = false;
    }
  }

  private readonly nodeApis = new Map<string, CoreV1Api>();

  /**
   * Asks the API servers of the running nodes in turn, each through its own endpoint, until one answers (an answer
   * below 500 is final): the infrastructure does not depend on the VIP, which may sit on the very node being removed
   * (kube-vip's holder keeps it until its Lease lapses, and its own API server has no etcd member left). `call` passes
   * `options` to its request: one that gets no answer in time is aborted (its connection closed) and the next asked.
   */
  private async anyApiServer<T>(what: string, call: (api: CoreV1Api, options: RequestOptions) => Promise<T>): Promise<T> {
    let lastError: unknown = new Error(`${what}: no API server runs`);
    for (const member of this.apiServingMembers()) {
      const name = member.node.name;
      const path = this.parts.endpoints.nodeKubeconfigPaths.get(name);
      if (member.state !== 'running' || !path) continue;
      let api = this.nodeApis.get(name);
      if (!api) {
        api = loadKubeConfig(path).makeApiClient(CoreV1Api);
        this.nodeApis.set(name, api);
      }
      const server = api;
      try {
        return await requestWithDeadline(`${what} via ${name}`, this.parts.timers.apiRequestDeadlineMs * 2, (options) =>
          call(server, options),
        );
      } catch (error) {
        const code = statusCodeOf(error);
        if (code !== undefined && code < 500) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The infrastructure's part of a deletion: once the Node object is gone, the machine is removed. */
  private async removeMachineWhenNodeGone(name: string): Promise<void> {
    const member = this.member(name);
    try {
      await waitFor(
        `Node ${name} to disappear after deletion`,
        async () => {
          try {
            await this.anyApiServer(`read Node ${name}`, (api, options) => api.readNode({ name }, options));
            return false;
          } catch (error) {
            return statusCodeOf(error) === 404;
          }
        },
        // A held deletion keeps the Node Terminating that much longer.
        { timeoutMs: 120_000 + (this.parts.nodeRemoval?.finalizerHoldMs ?? 0), intervalMs: 200 },
      );
      // The member of that deletion: a host that rejoined under the name since is not this one.
      if (this.parts.members.get(name) !== member || member.state === 'removed') return;
      await member.processes.kill();
      member.state = 'removed';
      await this.refreshApiEndpoints();
    } catch {
      // The cluster is being torn down, or the node never went away: nothing to remove.
    }
  }

  /**
   * A host joins again under a removed node's name (Harvester issue 1040: a reinstalled node re-joining with the same
   * name): a new machine on the same address with a fresh disk (no etcd data, plan or member name: a Harvester-profile
   * host gets a new `<node>-<8 hex>`), whose kubelet registers a new Node object (a new uid and creation time) with
   * the default role, as a host installed with Harvester's default role does. Labels the old host was installed with
   * stay (zone, witness), its management roles do not. The old Node must be gone: a host whose Node still exists is
   * not a removed one.
   */
  async rejoinNode(name: string): Promise<void> {
    // A deletion in progress: its machine is removed once the Node is gone (the scenario may see the Node gone first).
    await this.machineRemovals.get(name);
    const old = this.member(name);
    if (old.state !== 'removed')
      throw new Error(
        `cannot rejoin ${name}: the node was not removed (it is ${old.state}); delete its Node first (delete-node, remove-host)`,
      );
    const labels = Object.fromEntries(
      Object.entries(old.node.labels).filter(([key]) => !(MANAGEMENT_ROLE_LABELS as readonly string[]).includes(key)),
    );
    const node: SandboxNode = { ...old.node, role: 'worker', labels: { ...labels, ...harvesterNodeLabels('worker') } };
    const { layout } = old.processes;
    for (const path of [layout.etcdDir, layout.apiSocketPath, layout.vipHolderPath, layout.kubeletConfigPath])
      rmSync(path, { recursive: true, force: true });
    const processes = new NodeProcesses(node, old.processes.namespace, this.runDir, this.journal);
    this.teardown.defer(`stop processes of ${name} (rejoined)`, () => processes.stop());
    if (this.profile.etcdMemberNames === 'rke2') writeMemberName(layout.etcdDir, rke2MemberName(name, randomUUID()));
    const member: SandboxMember = { node, processes, state: 'running' };
    this.parts.members.set(name, member);
    processes.startAgent(this.agentConfig(member), this.parts.agentBundle);
  }

  // ---- configuration shared with the agents -------------------------------------------------------------------

  /** Nodes that serve the Kubernetes API now: those started as control planes and those promoted since. */
  apiServingMembers(): SandboxMember[] {
    return [...this.parts.members.values()].filter(
      (m) => m.state !== 'removed' && (m.node.role === 'control-plane' || existsSync(m.processes.layout.apiSocketPath)),
    );
  }

  /** Points the VIP, the per-node endpoints and the agents' server list at the API servers there are now. */
  async refreshApiEndpoints(): Promise<void> {
    const serving = this.apiServingMembers();
    const urls = serving.map((m) => apiUrl(m.node));
    const file = this.parts.apiEndpointsFile;
    const text = JSON.stringify(urls);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
    this.parts.vip.setBackends(serving.map((m) => ({ name: m.node.name, socketPath: m.processes.layout.apiSocketPath })));
    for (const member of serving) {
      const name = member.node.name;
      if (this.nodeForwarders.has(name)) continue;
      const forwarder = new TcpForwarder({ healthChecked: false, healthIntervalMs: 0, healthTimeoutMs: 0 });
      this.nodeForwarders.set(name, forwarder);
      this.teardown.defer(`close API endpoint of ${name}`, () => forwarder.close());
      forwarder.setBackends([{ name, socketPath: member.processes.layout.apiSocketPath }]);
      const port = await forwarder.listen();
      const path = join(this.runDir, `kubeconfig-${name}.yaml`);
      writePlainKubeconfig(path, `http://127.0.0.1:${port}`, `cpchaos-${this.runId}-${name}`);
      this.parts.endpoints.nodeKubeconfigPaths.set(name, path);
    }
  }

  /**
   * At the cluster's first start: `registerAfter`, the node to register after (Nodes age in topology order), and
   * `startGateFile`, a file to wait for before starting (sandbox-provider.ts writes it once the control planes are).
   */
  agentConfig(member: SandboxMember, registerAfter?: string, startGateFile?: string): AgentConfig {
    const initialControlPlanes = [...this.parts.members.values()].filter((m) => m.node.role === 'control-plane');
    return {
      runId: this.runId,
      nodeName: member.node.name,
      role: member.node.role,
      address: member.node.address,
      labels: member.node.labels,
      timers: this.parts.timers,
      apiEndpointsFile: this.parts.apiEndpointsFile,
      etcdDir: member.processes.layout.etcdDir,
      kubeletConfigFile: member.processes.layout.kubeletConfigPath,
      apiServer: {
        port: API_PORT,
        socketPath: member.processes.layout.apiSocketPath,
        ...(this.parts.auditLogDir ? { auditLogPath: join(this.parts.auditLogDir, `${member.node.name}-audit.log`) } : {}),
      },
      ...(member.node.role === 'control-plane'
        ? {
            etcdMember: {
              // Each member under its name (its name file: RKE2's `<node>-<8 hex>` on the Harvester profile).
              initialCluster: initialControlPlanes.map((m) => ({
                name: memberNameOf(m.processes.layout.etcdDir, m.node.name),
                peerUrl: peerUrl(m.node),
              })),
              state: 'new' as const,
            },
          }
        : {}),
      ...(this.profile.name === 'harvester' ? { harvester: this.harvesterNodeConfig(member) } : {}),
      ...(this.parts.promotionPolicy ? { promotionPolicy: this.parts.promotionPolicy } : {}),
      ...(this.parts.promotion ? { promotion: this.parts.promotion } : {}),
      ...(this.parts.nodeRemoval ? { nodeRemoval: this.parts.nodeRemoval } : {}),
      ...(registerAfter ? { registerAfter } : {}),
      ...(startGateFile ? { startGateFile } : {}),
    };
  }

  /** The Harvester profile's parts of a node's agent: RKE2's etcd node metadata, kube-vip with its holder file. */
  private harvesterNodeConfig(member: SandboxMember): HarvesterNodeConfig {
    const { vip, etcdMemberNames } = this.profile;
    return {
      etcdNodeMetadata: etcdMemberNames === 'rke2',
      ...(vip.kind === 'kube-vip' ? { kubeVip: { lease: vip.lease, holderFile: member.processes.layout.vipHolderPath } } : {}),
    };
  }

  /** Nodes as the API shows them (through the VIP). */
  async listNodes(): Promise<V1Node[]> {
    return (await this.core.listNode()).items;
  }

  etcdPeerUrl(name: string): string {
    return peerUrl(this.member(name).node);
  }

  nodeKubeconfigPath(name: string): string | undefined {
    return this.parts.endpoints.nodeKubeconfigPaths.get(name);
  }

  get journalPath(): string {
    return join(this.runDir, 'journal.jsonl');
  }
}
