// A started kind cluster: its node containers, the faults on them (docker and iptables), etcd through etcdctl, and
// promotion with kubeadm. Stopping undoes every fault (newest first), then runs the teardown (delete the cluster).
import { FAULT_KINDS, type FaultKind } from '../../faults/catalogue.ts';
import type { ClusterEndpoints, ClusterNode, EtcdMembership, NodeRole } from '../../model/cluster.ts';
import { NodeOwningCluster, type CutRequest } from '../core/node-faults.ts';
import type { RunWorkspace } from '../core/workspace.ts';
import type { DockerCli } from './docker-cli.ts';
import { NodeEtcd } from './etcd.ts';
import { harvesterLabels } from './kind-config.ts';
import { KIND_TIMERS } from './node-image.ts';
import type { NodeApi } from './node-api.ts';
import {
  deleteCommand,
  flushCommand,
  installCommand,
  isolateRules,
  oneWayRules,
  partitionRules,
  rulesByNode,
  RULE_GONE,
  type NodeRule,
  type PacketNode,
} from './packet-rules.ts';
import { promoteToControlPlane, type PromotionTimeouts } from './promotion.ts';
import { failedWith } from './tools.ts';

export const KIND_SUPPORTED_FAULTS: ReadonlySet<FaultKind> = new Set(FAULT_KINDS);

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
}

export class StartedKindCluster extends NodeOwningCluster {
  readonly provider = 'kind';
  readonly supportedFaults = KIND_SUPPORTED_FAULTS;
  readonly timers = KIND_TIMERS;
  /** Things a verdict may want to mention (a node that came back with another address, say). */
  readonly notes: string[] = [];
  private ruleTags = 0;

  constructor(
    workspace: RunWorkspace,
    private readonly parts: KindClusterParts,
  ) {
    super(workspace);
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

  private runningControlPlanes(except?: string): KindMember[] {
    return [...this.parts.members.values()].filter((m) => m.role === 'control-plane' && m.state === 'running' && m.name !== except);
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
    return { name, address: member.address };
  }

  /** A tag no other fault of this run has: it goes into the fault's iptables rule comments. */
  private nextRuleTag(): string {
    return `cpchaos-${this.runId}-n${++this.ruleTags}`;
  }

  /** iptables rules inside the node containers (each with its self-expiring undo), tagged for this fault. */
  cutOff(request: CutRequest): Promise<() => Promise<void>> {
    const tag = this.nextRuleTag();
    const node = (name: string): PacketNode => this.packetNode(name);
    switch (request.kind) {
      case 'isolate':
        return this.installRules(request.nodes.flatMap((name) => isolateRules(node(name), tag)));
      case 'partition':
        return this.installRules(
          partitionRules(
            request.groups.map((group) => group.map(node)),
            tag,
          ),
        );
      case 'drop':
        return this.installRules(oneWayRules(request.from.map(node), request.to.map(node), tag));
    }
  }

  async killNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed') throw new Error(`cannot kill node ${name}: it was removed`);
    if (member.state === 'killed') return;
    await this.parts.docker.kill(name);
    member.state = 'killed';
  }

  async startNode(name: string): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed' || member.state === 'running') return;
    if (member.state === 'paused') {
      await this.resumeNode(name);
      return;
    }
    await this.parts.docker.start(name);
    member.state = 'running';
    const address = await this.parts.docker.address(name);
    if (address !== member.address) {
      this.notes.push(
        `node ${name} came back with address ${address} (was ${member.address})` +
          (member.role === 'control-plane'
            ? ': its etcd member and certificates still name the old one, so it may not rejoin (kind issues #1689, #2045)'
            : ''),
      );
      member.address = address;
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
      try {
        await this.parts.docker.exec(rule.node, deleteCommand(rule), { what: `deleting a packet-drop rule on ${rule.node}` });
      } catch (error) {
        if (!failedWith(error, RULE_GONE)) first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  /** Empties every node's chains. A paused container cannot be exec'd into: heal fails there (unpause first). */
  async healNetwork(): Promise<void> {
    for (const member of this.parts.members.values()) {
      if (!this.hasNetwork(member.name)) continue;
      await this.parts.docker.exec(member.name, flushCommand(), { what: `flushing the packet-drop rules on ${member.name}` });
    }
  }

  /**
   * The Node object through the API (force: its finalizers too), then its etcd member through a surviving control
   * plane, then its container. Nothing of this can be undone.
   */
  async deleteNode(name: string, force: boolean): Promise<void> {
    const member = this.member(name);
    if (member.state === 'removed') throw new Error(`node ${name} was already removed`);
    const survivor = member.role === 'control-plane' ? this.runningControlPlanes(name)[0] : undefined;
    if (member.role === 'control-plane' && !survivor) {
      throw new Error(`cannot delete control plane ${name}: no other running control plane is left to remove its etcd member through`);
    }
    await this.parts.nodeApi.deleteNode(name, force);
    await this.parts.nodeApi.waitGone(name, this.parts.nodeDeletionTimeoutMs);
    if (survivor) await new NodeEtcd(this.parts.docker, survivor.name).removeMemberNamed(name);
    await this.parts.docker.removeForce(name);
    member.state = 'removed';
    this.parts.endpoints.nodeKubeconfigPaths.delete(name);
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
  }

  /** Gives a control plane its own kubeconfig (its API server, not the load balancer). */
  addNodeEndpoint(name: string): void {
    this.parts.endpoints.nodeKubeconfigPaths.set(name, this.parts.writeNodeKubeconfig(this.member(name)));
  }
}
