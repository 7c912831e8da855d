// A started kind cluster: its node containers, the faults on them (docker and iptables), etcd through etcdctl, and
// promotion with kubeadm. Stopping undoes every fault (newest first), then runs the teardown (delete the cluster).
import { FAULT_KINDS, type FaultKind } from '../../faults/catalogue.ts';
import type { ClusterEndpoints, ClusterNode, ClusterTimers, EtcdMembership, NodeRole } from '../../model/cluster.ts';
import { NodeOwningCluster, type CutRequest } from '../core/node-faults.ts';
import { InconclusiveFaultError } from '../core/provider.ts';
import { ForceDeleteInconclusiveError } from '../core/force-delete.ts';
import { errorMessage } from '../../util/errors.ts';
import type { RunWorkspace } from '../core/workspace.ts';
import type { DockerCli } from './docker-cli.ts';
import { NodeEtcd } from './etcd.ts';
import { harvesterLabels } from './kind-config.ts';
import { KIND_TIMERS } from './node-image.ts';
import type { NodeApi } from './node-api.ts';
import { HAPROXY_DEAD_BACKEND_MS, haproxyConfig, RELOAD_COMMAND, WRITE_CONFIG_COMMAND, type LoadBalancer } from './load-balancer.ts';
import {
  deleteCommand,
  flushCommand,
  installCommand,
  isolateRules,
  oneWayLoadBalancerRules,
  oneWayRules,
  partitionLoadBalancerRules,
  partitionRules,
  rulesByNode,
  RULE_GONE,
  type NodeRule,
  type PacketNode,
} from './packet-rules.ts';
import { promoteToControlPlane, type PromotionTimeouts } from './promotion.ts';
import { API_PORT_MATCH, cutCovers } from '../../faults/ports.ts';
import { failedWith } from './tools.ts';
import {
  KUBELET_CONFIG_PATH,
  READ_KUBELET_CONFIG_COMMAND,
  RESTART_KUBELET_COMMAND,
  withMemoryPressure,
  WRITE_KUBELET_CONFIG_COMMAND,
} from './kubelet-config.ts';

/** Every fault but rejoin (a new node container joining under a former name is not built). */
export const KIND_SUPPORTED_FAULTS: ReadonlySet<FaultKind> = new Set(FAULT_KINDS.filter((kind) => kind !== 'rejoin'));

export type KindNodeState = 'running' | 'killed' | 'paused' | 'removed';

export interface KindMember {
  readonly name: string;
  /** The role it has now (a promoted worker is a control plane). */
  role: NodeRole;
  /** The role it had when the cluster started: StartedCluster.nodes reports these. */
  readonly startRole: NodeRole;
  address: string;
  readonly zone?: string;
  state: KindNodeState;
}

export interface KindClusterParts {
  readonly clusterName: string;
  readonly docker: DockerCli;
  readonly nodeApi: NodeApi;
  readonly members: Map<string, KindMember>;
  readonly endpoints: ClusterEndpoints & { readonly nodeKubeconfigPaths: Map<string, string> };
  /** Writes the per-node kubeconfig of a control plane and returns its path. */
  readonly writeNodeKubeconfig: (member: KindMember) => string;
  /** Lifetime of a network fault's rules inside the containers, should the harness never undo them. */
  readonly faultTtlMs: number;
  readonly nodeDeletionTimeoutMs: number;
  readonly promotionTimeouts?: PromotionTimeouts;
  /** kind's external load balancer (clusters with several control planes). */
  readonly loadBalancer?: LoadBalancer;
  /** Timers of the node image's Kubernetes and the config's patches (kindClusterTimers); default KIND_TIMERS. */
  readonly timers?: ClusterTimers;
}

/** An IPv4 address as a number, for ordering. */
function addressOrder(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

export class StartedKindCluster extends NodeOwningCluster {
  readonly provider = 'kind';
  readonly supportedFaults = KIND_SUPPORTED_FAULTS;
  readonly timers: ClusterTimers;
  /** Things a verdict may want to mention (a node that came back with another address, say). */
  readonly notes: string[] = [];
  private ruleTags = 0;
  /** Nodes being deleted: their container may go any moment, so nothing else picks them. */
  private readonly deleting = new Set<string>();
  /** Paused nodes a heal could not reach (no exec into a paused container): flushed once resumed. */
  private readonly flushOnResume = new Set<string>();
  /** Rules a fault's undo could not delete because their node was paused: deleted once it is resumed. */
  private readonly deleteOnResume = new Map<string, NodeRule[]>();
  /** The kubelet configuration (text) each node under memory pressure had before: what relieveNode writes back. */
  private readonly ownKubeletConfigs = new Map<string, string>();

  constructor(
    workspace: RunWorkspace,
    private readonly parts: KindClusterParts,
  ) {
    super(workspace);
    this.timers = parts.timers ?? KIND_TIMERS;
  }

  get loadBalancer(): LoadBalancer | undefined {
    return this.parts.loadBalancer;
  }

  /**
   * How long the endpoint the run measures (kind's kubeconfig: the load balancer) may keep sending connections to a
   * dead API server: HAProxy's health-check window (load-balancer.ts). Without a load balancer, nothing to add.
   */
  get endpointFailoverMs(): number | undefined {
    return this.parts.loadBalancer ? HAPROXY_DEAD_BACKEND_MS : undefined;
  }

  get clusterName(): string {
    return this.parts.clusterName;
  }

  get endpoints(): ClusterEndpoints {
    return this.parts.endpoints;
  }

  /** The nodes as they were at start (StartedCluster's contract); a node's current role is member(name).role. */
  get nodes(): ClusterNode[] {
    return [...this.parts.members.values()].map((m) => ({
      name: m.name,
      role: m.startRole,
      address: m.address,
      ...(m.zone ? { zone: m.zone } : {}),
    }));
  }

  member(name: string): KindMember {
    const member = this.parts.members.get(name);
    if (!member)
      throw new Error(`kind cluster ${this.parts.clusterName} has no node "${name}" (nodes: ${[...this.parts.members.keys()].join(', ')})`);
    return member;
  }

  nodeState(name: string): KindNodeState {
    return this.member(name).state;
  }

  // ---- etcd ---------------------------------------------------------------------------------------------------

  /** Control planes that run and are not being deleted. */
  private runningControlPlanes(except?: string): KindMember[] {
    return [...this.parts.members.values()].filter(
      (m) => m.role === 'control-plane' && m.state === 'running' && m.name !== except && !this.deleting.has(m.name),
    );
  }

  /** Membership and leader as the first running control plane that answers sees them. */
  override async etcdMembership(): Promise<EtcdMembership | undefined> {
    let lastError: unknown;
    for (const member of this.runningControlPlanes()) {
      const etcd = new NodeEtcd(this.parts.docker, member.name);
      try {
        const members = await etcd.memberList();
        const leaderId = await etcd.leaderId();
        const leader = members.find((m) => m.id === leaderId)?.name;
        return { members: members.map((m) => ({ name: m.name, id: m.id })), ...(leader ? { leader } : {}) };
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError !== undefined) throw lastError;
    return undefined;
  }

  // ---- node operations (NodeFaultTarget) -------------------------------------------------------------------

  packetNode(name: string): PacketNode {
    const member = this.member(name);
    if (member.state === 'removed') throw new Error(`node ${name} was removed from kind cluster ${this.parts.clusterName}`);
    return { name, address: member.address, controlPlane: member.role === 'control-plane' };
  }

  /** A tag no other fault of this run has: it goes into the fault's iptables rule comments. */
  private nextRuleTag(): string {
    return `cpchaos-${this.runId}-n${++this.ruleTags}`;
  }

  /** iptables rules inside the node containers (each with its self-expiring undo), tagged for this fault. */
  cutOff(request: CutRequest): Promise<() => Promise<void>> {
    const tag = this.nextRuleTag();
    const node = (name: string): PacketNode => this.packetNode(name);
    const { ports } = request;
    // The load balancer relays API traffic only: a cut that spares the API port leaves it alone.
    const lb = cutCovers(ports, API_PORT_MATCH) ? this.parts.loadBalancer : undefined;
    switch (request.kind) {
      case 'isolate':
        // Everything on the node's interface (to the listed ports): the load balancer's relayed traffic too.
        return this.installRules(request.nodes.flatMap((name) => isolateRules(node(name), tag, ports)));
      case 'partition': {
        const groups = request.groups.map((group) => group.map(node));
        return this.installRules([...partitionRules(groups, tag, ports), ...(lb ? partitionLoadBalancerRules(groups, lb, tag) : [])]);
      }
      case 'drop': {
        const from = request.from.map(node);
        const to = request.to.map(node);
        return this.installRules([...oneWayRules(from, to, tag, ports), ...(lb ? oneWayLoadBalancerRules(from, to, lb, tag) : [])]);
      }
    }
  }

  async killNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed') throw new Error(`cannot kill node ${name}: it was removed`);
    if (member.state === 'killed') return;
    await this.parts.docker.kill(name);
    member.state = 'killed';
    this.forgetRules(name);
  }

  /**
   * A stopped or removed container's network namespace is gone, and the iptables rules in it (moby v27
   * daemon/container_operations.go releaseNetwork; kind's nodes use Docker's network, pkg/cluster/internal/providers/
   * docker/provision.go `--net kind`); a paused one is killed too (daemon/kill.go killWithSignal: SIGKILL, then the
   * task resumed so it is delivered). Rules left for its resume are dropped, so a later resume of the restarted node
   * neither deletes nor flushes rules installed after its restart.
   */
  private forgetRules(name: string): void {
    this.deleteOnResume.delete(name);
    this.flushOnResume.delete(name);
  }

  async startNode(name: string): Promise<void> {
    await this.startInOrder([name], 'restart');
  }

  /**
   * Brings killed or paused nodes back. Killed containers start in ascending order of the address they had: kind
   * creates its nodes concurrently and lets Docker pick their addresses (kubernetes-sigs/kind v0.28.0,
   * pkg/cluster/internal/providers/docker/provision.go: `--net kind`, no `--ip`; provider.go creates them with
   * errors.UntilErrorConcurrent), so address order is not name order, and Docker's IPAM gives a starting container
   * the lowest free address: two stopped nodes started in another order would swap addresses. Each started node's
   * address is read again (docker inspect). One that changed anyway is recorded (its per-node kubeconfig rewritten)
   * and, once all are started, the fault is inconclusive: a control plane's etcd peer URL and API server
   * certificate name the old address, so the cluster is no longer the one the scenario was written for.
   *
   * This is a kill's undo, and a kill is undone only when the run undoes every fault (newest first: at its end, on
   * stop, on Ctrl-C). Nodes downed by separate kills are undone one fault at a time, newest first, which is not
   * address order: a node another kill still on the ledger holds down, with a lower old address, is started here
   * too, first (its own undo, next in the same unwinding, then finds it running). Without it the newer kill's node
   * would take the lower address.
   */
  async startNodes(names: readonly string[]): Promise<void> {
    const highest = Math.max(...names.map((name) => addressOrder(this.member(name).address)));
    const heldByOtherKills = this.ledger
      .activeRequests()
      .flatMap((request) => (request.kind === 'kill' ? request.nodes : []))
      .filter((name) => !names.includes(name) && this.parts.members.get(name)?.state === 'killed')
      .filter((name) => addressOrder(this.member(name).address) < highest);
    await this.startInOrder([...new Set([...names, ...heldByOtherKills])], 'kill');
  }

  /**
   * A `restart` of several nodes: those already killed start together in ascending order of their old address (as
   * startNodes does: one by one in the scenario's order, Docker would swap them); running (or paused) ones are killed
   * and started one at a time.
   */
  async restartNodes(names: readonly string[]): Promise<void> {
    const down = names.filter((name) => this.member(name).state === 'killed');
    if (down.length > 0) await this.startInOrder(down, 'restart');
    for (const name of names.filter((n) => !down.includes(n))) {
      await this.killNode(name);
      await this.startInOrder([name], 'restart');
    }
  }

  private async startInOrder(names: readonly string[], fault: FaultKind): Promise<void> {
    const members = names.map((name) => this.member(name));
    for (const member of members) if (member.state === 'paused') await this.resumeNode(member.name);
    const killed = members.filter((m) => m.state === 'killed').sort((a, b) => addressOrder(a.address) - addressOrder(b.address));
    const moved: string[] = [];
    for (const member of killed) {
      await this.parts.docker.start(member.name);
      member.state = 'running';
      const address = await this.parts.docker.address(member.name);
      if (address === member.address) continue;
      const change = `node ${member.name} came back with address ${address} (was ${member.address})`;
      this.notes.push(
        change +
          (member.role === 'control-plane'
            ? ': its etcd member and certificates still name the old one, so it may not rejoin (kind issues #1689, #2045)'
            : ''),
      );
      moved.push(change);
      member.address = address;
      if (this.parts.endpoints.nodeKubeconfigPaths.has(member.name)) this.addNodeEndpoint(member.name);
    }
    if (moved.length > 0) {
      throw new InconclusiveFaultError(
        this.provider,
        fault,
        `${moved.join('; ')}: Docker gave the restarted container(s) other addresses, while etcd peer URLs and API server certificates keep the old ones`,
      );
    }
  }

  async pauseNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state !== 'running') throw new Error(`cannot pause node ${name}: it is ${member.state}`);
    await this.parts.docker.pause(name);
    member.state = 'paused';
  }

  async resumeNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state !== 'paused') return;
    await this.parts.docker.unpause(name);
    member.state = 'running';
    const pending = this.deleteOnResume.get(name) ?? [];
    this.deleteOnResume.delete(name);
    if (pending.length > 0 && !this.flushOnResume.has(name)) await this.deleteRules(pending);
    if (this.flushOnResume.delete(name)) {
      await this.parts.docker.exec(name, flushCommand(), {
        what: `flushing the packet-drop rules on ${name} (healed while it was paused)`,
      });
    }
  }

  // ---- memory pressure (kubelet-config.ts) ------------------------------------------------------------------

  /**
   * The node's kubelet gets a hard eviction threshold no machine meets (evictionHard memory.available 1Pi, kind's
   * other thresholds kept) and is restarted, so its eviction manager reports MemoryPressure=True (and, being a real
   * kubelet, evicts the pods that are not critical). The file is read and written back through `docker exec`, as an
   * operator's ssh would: a node that is not running is refused (no exec into a stopped or paused container, moby
   * daemon/exec.go getExecConfig). The text it had is kept for relieveNode; a node already under pressure keeps the
   * first one. The kubelet's configuration outlives a kill (docker stop/start keeps the container's file system), so a
   * pressured node killed and started is still under pressure; a promotion's kubeadm reset and join write kind's
   * configuration again, which ends it.
   *
   * Its undo is relieveNode, in the ledger like every fault's; there is no recipe for `cpchaos cleanup`, which
   * deletes a dead run's whole kind cluster (cleanup.ts), node containers and their kubelet configuration with it.
   */
  async pressureNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state !== 'running')
      throw new Error(`cannot put node ${name} under memory pressure: it is ${member.state} (no docker exec into it)`);
    const docker = this.parts.docker;
    const already = this.ownKubeletConfigs.get(name);
    const read = async (): Promise<string> =>
      // The command runner strips stdout's final newline (util/exec.ts); the file kubeadm writes ends with one.
      `${await docker.exec(name, READ_KUBELET_CONFIG_COMMAND, { what: `reading the kubelet configuration of ${name}` })}\n`;
    const own = already ?? (await read());
    const pressured = withMemoryPressure(own, `${name}:${KUBELET_CONFIG_PATH}`);
    // Kept before the write: a write or restart that fails is relieved as far as it can be (unless an earlier fault
    // had the node under pressure already: that one's undo relieves it).
    this.ownKubeletConfigs.set(name, own);
    try {
      await docker.execWithInput(name, WRITE_KUBELET_CONFIG_COMMAND, pressured, {
        what: `writing the kubelet configuration of ${name} (evictionHard memory.available 1Pi)`,
      });
      await docker.exec(name, RESTART_KUBELET_COMMAND, { what: `restarting the kubelet of ${name} (memory pressure)` });
    } catch (error) {
      if (already === undefined) await this.relieveNode(name).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Writes the kubelet configuration the node had back and restarts its kubelet. A node never put under pressure (or
   * already relieved) is left alone; a removed one took its configuration with its container. A killed or paused
   * node is refused: no `docker exec` into it. Unlike a rule deletion, a relieve is not left for the resume: a paused
   * node's rules die with its network namespace if it is killed, but its kubelet configuration outlives the kill, so
   * a pending relieve would have to follow the node through kills and starts. The run's own undo never meets a
   * paused node here anyway: pressure refuses one, and a pause applied after the pressure is undone (resumed) first,
   * newest first; likewise a kill is undone (started) first.
   */
  async relieveNode(name: string): Promise<void> {
    const member = this.member(name);
    const own = this.ownKubeletConfigs.get(name);
    if (own === undefined) return;
    if (member.state === 'removed') {
      this.ownKubeletConfigs.delete(name);
      return;
    }
    if (member.state !== 'running')
      throw new Error(
        `cannot relieve node ${name} of memory pressure: it is ${member.state} (no docker exec into it); ${member.state === 'paused' ? 'resume' : 'start'} it first`,
      );
    const docker = this.parts.docker;
    await docker.execWithInput(name, WRITE_KUBELET_CONFIG_COMMAND, own, { what: `writing the own kubelet configuration of ${name} back` });
    await docker.exec(name, RESTART_KUBELET_COMMAND, { what: `restarting the kubelet of ${name} (relieved)` });
    this.ownKubeletConfigs.delete(name);
  }

  /** Nodes whose network namespace holds rules: not removed and not stopped (a stopped container lost them). */
  private hasNetwork(name: string): boolean {
    const state = this.parts.members.get(name)?.state;
    return state === 'running' || state === 'paused';
  }

  private async installRules(rules: readonly NodeRule[]): Promise<() => Promise<void>> {
    const ttlSeconds = Math.max(1, Math.ceil(this.parts.faultTtlMs / 1000));
    const installedAtMs = Date.now();
    const attempted: NodeRule[] = [];
    try {
      for (const [node, nodeRules] of rulesByNode(rules)) {
        attempted.push(...nodeRules);
        await this.parts.docker.exec(node, installCommand(nodeRules, ttlSeconds), {
          what: `installing ${nodeRules.length} packet-drop rule(s) on ${node}`,
        });
      }
    } catch (error) {
      await this.deleteRules(attempted).catch(() => undefined);
      throw error;
    }
    return () => {
      // Past the TTL the containers deleted the rules themselves: the fault ended before the harness undid it.
      const heldMs = Date.now() - installedAtMs;
      if (heldMs > ttlSeconds * 1000) {
        const spec = rules[0]?.spec ?? [];
        const tag = spec[spec.indexOf('--comment') + 1] ?? 'network fault';
        this.notes.push(
          `the rules of ${tag} expired inside the containers after ${ttlSeconds} s, before the harness undid them ${(heldMs / 1000).toFixed(1)} s after installing them: raise faultTtlMs`,
        );
      }
      return this.deleteRules(rules);
    };
  }

  /** Deletes rules one by one; a rule already gone (expired, healed, container restarted) is not an error. */
  async deleteRules(rules: readonly NodeRule[]): Promise<void> {
    let first: unknown;
    for (const rule of rules) {
      if (!this.hasNetwork(rule.node)) continue;
      if (this.parts.members.get(rule.node)?.state === 'paused') {
        // No docker exec into a paused container: the rule goes when the node is resumed (its packets are not
        // flowing meanwhile anyway). A note says so.
        this.deleteOnResume.set(rule.node, [...(this.deleteOnResume.get(rule.node) ?? []), rule]);
        this.notes.push(`undo: ${rule.node} is paused (no docker exec into it): a packet-drop rule is deleted once it is resumed`);
        continue;
      }
      try {
        await this.parts.docker.exec(rule.node, deleteCommand(rule), { what: `deleting a packet-drop rule on ${rule.node}` });
      } catch (error) {
        if (!failedWith(error, RULE_GONE)) first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  /**
   * Empties every node's chains. Docker refuses `exec` into a paused container, and unpausing it would end a pause
   * the scenario asked for: a paused node's chains are emptied as soon as it is resumed, and a note says so.
   */
  async healNetwork(): Promise<void> {
    for (const member of this.parts.members.values()) {
      if (member.state === 'paused') {
        this.flushOnResume.add(member.name);
        this.notes.push(`heal: ${member.name} is paused (no docker exec into it): its packet-drop rules are flushed once it is resumed`);
        continue;
      }
      if (!this.hasNetwork(member.name)) continue;
      await this.parts.docker.exec(member.name, flushCommand(), { what: `flushing the packet-drop rules on ${member.name}` });
    }
  }

  /**
   * A control plane first leaves kind's load balancer; then the Node object through the API (force: its finalizers
   * too), its etcd member through a surviving control plane, and its container. Nothing of this can be undone (a
   * deletion that fails half-way leaves the node out of the load balancer).
   *
   * Out of the load balancer first: from the removal of its etcd member on, its API server answers 503 and then
   * nothing (a connection HAProxy gives a dead backend hangs for 20 s: api-request.ts), while the other control
   * planes serve; left in rotation, it would fail a share of the cluster's requests (the promote controller's among
   * them, which the Node's deletion starts) because of how the harness deletes it, not because of the cluster. And
   * every reload drops the connections HAProxy accepts while its new process resolves its servers (kind's template:
   * `init-addr none`; 1 or 2 connections in about 40 ms, measured on the kind twin): reloading before the Node's
   * deletion keeps that window out of the promotion it starts.
   */
  async deleteNode(name: string, force: boolean): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed') throw new Error(`node ${name} was already removed`);
    const survivor = member.role === 'control-plane' ? this.runningControlPlanes(name)[0] : undefined;
    if (member.role === 'control-plane' && !survivor) {
      throw new Error(`cannot delete control plane ${name}: no other running control plane is left to remove its etcd member through`);
    }
    // From here on no promotion picks it to upload certificates through: the Node's deletion is what triggers one.
    this.deleting.add(name);
    try {
      if (member.role === 'control-plane') await this.updateLoadBalancer(`taking control plane ${name} out before its deletion`);
      // A forced deletion of a Node already Terminating is inconclusive, but the Node is being deleted: the removal
      // goes on, and the verdict is told at the end. One whose every round was lost left the Node as it was: nothing
      // of it is removed, and a control plane goes back into the load balancer.
      const inconclusive = await this.parts.nodeApi.deleteNode(name, force).then(
        () => undefined,
        async (error: unknown) => {
          if (error instanceof ForceDeleteInconclusiveError && !error.nodeDeleting) {
            this.deleting.delete(name);
            if (member.role === 'control-plane')
              await this.updateLoadBalancer(`control plane ${name} left in place by a lost forced deletion`);
            throw error;
          }
          if (error instanceof InconclusiveFaultError) return error;
          throw error;
        },
      );
      await this.parts.nodeApi.waitGone(name, this.parts.nodeDeletionTimeoutMs);
      if (survivor) await this.removeEtcdMember(survivor.name, name, force ? 'force-delete-node' : 'delete-node');
      await this.parts.docker.removeForce(name);
      member.state = 'removed';
      this.forgetRules(name);
      this.ownKubeletConfigs.delete(name);
      this.parts.endpoints.nodeKubeconfigPaths.delete(name);
      if (inconclusive) throw inconclusive;
    } finally {
      this.deleting.delete(name);
    }
  }

  /**
   * Removes a deleted control plane's etcd member through another control plane, as an operator would after
   * `kubectl delete node` on a kubeadm cluster. etcd refuses a removal that would leave the cluster without a quorum
   * of started members (etcd's --strict-reconfig-check: "etcdserver: unhealthy cluster"), as when another control
   * plane is down. Harvester's member controller would then keep the Node Terminating and retry; kind has no such
   * controller, and its Node is gone already. The node's container is left running (removing it too would take a
   * second member down) and the fault is inconclusive: what follows is not Harvester's behaviour.
   */
  private async removeEtcdMember(through: string, name: string, fault: 'delete-node' | 'force-delete-node'): Promise<void> {
    try {
      await new NodeEtcd(this.parts.docker, through).removeMemberNamed(name);
    } catch (error) {
      if (!/unhealthy cluster/.test(errorMessage(error))) throw error;
      this.notes.push(`etcd refused to remove ${name}'s member; its container is left running`);
      throw new InconclusiveFaultError(
        this.provider,
        fault,
        `etcd refused to remove ${name}'s member ("etcdserver: unhealthy cluster": another member is down, --strict-reconfig-check); ` +
          "the Node is gone but its member stays and its container is left running: Harvester's member controller would hold the Node Terminating instead, kind has none",
        { cause: error },
      );
    }
  }

  /**
   * Writes kind's HAProxy config for the control planes there are now (every one not removed or being deleted) and reloads it, as
   * kind's create action does (load-balancer.ts). kind writes it once, at create time: without this, a promoted
   * control plane never gets traffic through the load balancer, and a deleted one stays a dead backend.
   */
  async updateLoadBalancer(why: string): Promise<void> {
    const lb = this.parts.loadBalancer;
    if (!lb) return;
    const controlPlanes = [...this.parts.members.values()]
      .filter((m) => m.role === 'control-plane' && m.state !== 'removed' && !this.deleting.has(m.name))
      .map((m) => m.name);
    await this.parts.docker.execWithInput(lb.name, WRITE_CONFIG_COMMAND, haproxyConfig(controlPlanes), {
      what: `writing the config of load balancer ${lb.name} (${why})`,
    });
    await this.parts.docker.exec(lb.name, RELOAD_COMMAND, { what: `reloading load balancer ${lb.name} (${why})` });
  }

  // ---- promotion --------------------------------------------------------------------------------------------

  /**
   * Turns a worker into a control plane with kubeadm (promotion.ts), then gives it Harvester's role labels.
   * Needs Docker: verified only through recorded command lines.
   */
  async promoteToControlPlane(name: string, signal?: AbortSignal): Promise<void> {
    const member = this.member(name);
    if (member.role !== 'worker' || member.state !== 'running')
      throw new Error(`cannot promote ${name}: it is a ${member.state} ${member.role}`);
    const via = this.runningControlPlanes()[0];
    if (!via) throw new Error(`cannot promote ${name}: no running control plane to join through`);
    const notReadyWithinMs = this.timers.nodeMonitorGraceMs * 3;
    await promoteToControlPlane(
      this.parts.docker,
      { node: name, address: member.address, via: via.name },
      () => this.parts.nodeApi.waitNotReady(name, notReadyWithinMs, signal),
      this.parts.promotionTimeouts,
      signal,
    );
    signal?.throwIfAborted();
    member.role = 'control-plane';
    await this.parts.nodeApi.labelNode(name, harvesterLabels('control-plane'));
    this.addNodeEndpoint(name);
    await this.updateLoadBalancer(`adding promoted control plane ${name}`);
  }

  /** The Kubernetes API calls on Nodes and namespaces, through the kind kubeconfig. */
  get api(): NodeApi {
    return this.parts.nodeApi;
  }

  /** Gives a control plane its own kubeconfig (its API server, not the load balancer). */
  addNodeEndpoint(name: string): void {
    this.parts.endpoints.nodeKubeconfigPaths.set(name, this.parts.writeNodeKubeconfig(this.member(name)));
  }
}
