// Network faults inside kind node containers with iptables. Each node gets two chains of its own, hooked first into
// INPUT and OUTPUT (created on demand, so a restarted container gets them back). Every rule carries a comment naming
// its fault, so a fault's rules are exactly its own even when two faults block the same path, and undoing one
// leaves the other in place.
//
// A rule is installed together with its own expiry, a background job inside the container that deletes it after a
// TTL: a harness that dies (SIGKILL, lost machine) cannot leave a partition up forever. The expiry is started
// before the rules are added, so rules added by an install that fails halfway expire too; `set -e` makes that
// failure the command's exit code (in `a && b && (sleep ...) &` the whole list would go to the background and
// the command would always succeed).

import { portMatchSpecs, type PortMatch } from '../../faults/ports.ts';

export const INPUT_CHAIN = 'CPCHAOS-IN';
export const OUTPUT_CHAIN = 'CPCHAOS-OUT';
/** The interface of a kind node on the `kind` docker network. */
export const NODE_INTERFACE = 'eth0';

export interface PacketNode {
  /** Container name (= Kubernetes node name). */
  readonly name: string;
  readonly address: string;
  /** It runs an API server now (a backend of kind's load balancer). */
  readonly controlPlane?: boolean;
}

/** One rule in one node's chain: the match and target after `-A <chain>`. */
export interface NodeRule {
  readonly node: string;
  readonly chain: typeof INPUT_CHAIN | typeof OUTPUT_CHAIN;
  readonly spec: readonly string[];
}

const IPTABLES = ['iptables', '-w', '5'] as const;
const SAFE_TOKEN = /^[A-Za-z0-9_./:-]+$/;

function tagged(tag: string, match: readonly string[]): string[] {
  return [...match, '-m', 'comment', '--comment', tag, '-j', 'DROP'];
}

/** A tagged DROP rule for each port match (one rule when the cut is not limited to ports: lib/faults/ports.ts). */
function dropRules(
  node: string,
  chain: NodeRule['chain'],
  match: readonly string[],
  tag: string,
  ports: readonly PortMatch[] | undefined,
): NodeRule[] {
  return portMatchSpecs(ports).map((portMatch) => ({ node, chain, spec: tagged(tag, [...match, ...portMatch]) }));
}

/** Cuts a node off the network both ways (everything through its one interface, or only traffic to `ports`). */
export function isolateRules(node: PacketNode, tag: string, ports?: readonly PortMatch[]): NodeRule[] {
  return [
    ...dropRules(node.name, INPUT_CHAIN, ['-i', NODE_INTERFACE], tag, ports),
    ...dropRules(node.name, OUTPUT_CHAIN, ['-o', NODE_INTERFACE], tag, ports),
  ];
}

/** Drops packets from `from` at `to` (the receivers); the reverse direction still flows. */
export function oneWayRules(from: readonly PacketNode[], to: readonly PacketNode[], tag: string, ports?: readonly PortMatch[]): NodeRule[] {
  const rules: NodeRule[] = [];
  for (const receiver of to) {
    for (const sender of from) {
      if (sender.name === receiver.name) continue;
      rules.push(...dropRules(receiver.name, INPUT_CHAIN, ['-s', `${sender.address}/32`], tag, ports));
    }
  }
  return rules;
}

/** Groups that cannot reach each other, both ways; nodes in no group keep reaching everyone. */
export function partitionRules(groups: readonly (readonly PacketNode[])[], tag: string, ports?: readonly PortMatch[]): NodeRule[] {
  const rules: NodeRule[] = [];
  groups.forEach((group, i) => {
    groups.forEach((other, j) => {
      if (i !== j) rules.push(...oneWayRules(other, group, tag, ports));
    });
  });
  return rules;
}

// ---- kind's external load balancer ------------------------------------------------------------------------------
//
// On a cluster with several control planes every kubelet (and kube-proxy) reaches the API through kind's load
// balancer, `<cluster>-external-load-balancer:6443`: kind's kubeadm config sets it as controlPlaneEndpoint
// (kubernetes-sigs/kind v0.28.0, pkg/cluster/internal/kubeadm/config.go), and HAProxy relays each connection to any
// healthy API server (pkg/cluster/internal/loadbalancer/config.go). A relayed connection reaches its API server from
// the load balancer's address, not the client's, so the rules above, which match node addresses, let it through: a
// control plane cut off from the others would keep heartbeating through the load balancer.
//
// HAProxy opens a connection of its own per client connection, so no rule can tell whose traffic it relays. The
// semantics are therefore: the load balancer is on one side of the cut. It stays with the side holding the most
// control planes (partition: the first such group; nodes in no group keep it too; drop from -> to: the receivers
// on a tie). Every node of the other side(s) is cut off from the load balancer both ways (rules on the node, which
// has iptables; kind's HAProxy image is distroless): its kubelet reaches no API server through it, and its own
// API server gets no relayed connection (HAProxy's health checks fail too, so it leaves the rotation once they have
// failed `fall` times: load-balancer.ts). A node on that side still reaches the nodes it is not cut off from
// directly. When no side has a control plane, no relayed path crosses the cut and no rule is added.
// isolate needs nothing more: it drops everything on the node's interface, the load balancer's traffic included.

function controlPlanesIn(nodes: readonly PacketNode[]): number {
  return nodes.filter((n) => n.controlPlane === true).length;
}

/** Cuts nodes off the load balancer both ways. */
export function loadBalancerCutRules(nodes: readonly PacketNode[], loadBalancer: PacketNode, tag: string): NodeRule[] {
  return nodes.flatMap((node) => [
    { node: node.name, chain: INPUT_CHAIN, spec: tagged(tag, ['-s', `${loadBalancer.address}/32`]) },
    { node: node.name, chain: OUTPUT_CHAIN, spec: tagged(tag, ['-d', `${loadBalancer.address}/32`]) },
  ]);
}

/** Load balancer rules of a partition: the groups that do not keep it (see above) lose it. */
export function partitionLoadBalancerRules(groups: readonly (readonly PacketNode[])[], loadBalancer: PacketNode, tag: string): NodeRule[] {
  const counts = groups.map(controlPlanesIn);
  const most = Math.max(0, ...counts);
  if (most === 0) return [];
  const keeper = counts.indexOf(most);
  return groups.flatMap((group, i) => (i === keeper ? [] : loadBalancerCutRules(group, loadBalancer, tag)));
}

/** Load balancer rules of a one-way drop from `from` to `to`: the side that does not keep it (see above) loses it. */
export function oneWayLoadBalancerRules(
  from: readonly PacketNode[],
  to: readonly PacketNode[],
  loadBalancer: PacketNode,
  tag: string,
): NodeRule[] {
  const senders = from.filter((n) => !to.some((t) => t.name === n.name));
  const receivers = to.filter((n) => !from.some((f) => f.name === n.name));
  const fromCount = controlPlanesIn(senders);
  const toCount = controlPlanesIn(receivers);
  if (fromCount === 0 && toCount === 0) return [];
  return loadBalancerCutRules(fromCount > toCount ? receivers : senders, loadBalancer, tag);
}

/** Rules grouped by node, in first-seen order. */
export function rulesByNode(rules: readonly NodeRule[]): Map<string, NodeRule[]> {
  const byNode = new Map<string, NodeRule[]>();
  for (const rule of rules) {
    const list = byNode.get(rule.node) ?? [];
    list.push(rule);
    byNode.set(rule.node, list);
  }
  return byNode;
}

function words(parts: readonly string[]): string {
  for (const part of parts) {
    if (!SAFE_TOKEN.test(part)) throw new Error(`iptables argument ${JSON.stringify(part)} is not safe to put in a shell command`);
  }
  return parts.join(' ');
}

function ensureChain(chain: string, hook: 'INPUT' | 'OUTPUT'): string {
  const ipt = IPTABLES.join(' ');
  return `${ipt} -N ${chain} 2>/dev/null || true; ${ipt} -C ${hook} -j ${chain} 2>/dev/null || ${ipt} -I ${hook} 1 -j ${chain}`;
}

/** argv (for docker exec) that installs one node's rules with a self-expiring undo after `ttlSeconds`. */
export function installCommand(rules: readonly NodeRule[], ttlSeconds: number): string[] {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new Error(`fault TTL must be a whole number of seconds > 0, got ${ttlSeconds}`);
  const add = rules.map((r) => words([...IPTABLES, '-A', r.chain, ...r.spec]));
  const remove = rules.map((r) => words([...IPTABLES, '-D', r.chain, ...r.spec]));
  const setup = ['set -e', ensureChain(INPUT_CHAIN, 'INPUT'), ensureChain(OUTPUT_CHAIN, 'OUTPUT')].join('; ');
  // `&` ends the background job's command and separates it from the next one.
  const expiry = `(sleep ${ttlSeconds}; set +e; ${remove.join('; ')}) >/dev/null 2>&1 &`;
  return ['sh', '-c', `${setup}; ${expiry} ${add.join('; ')}`];
}

/** argv that deletes one rule (iptables answers "Bad rule" when it is already gone). */
export function deleteCommand(rule: NodeRule): string[] {
  return [...IPTABLES, '-D', rule.chain, ...rule.spec];
}

/** argv that empties the node's chains, where they exist: heal. */
export function flushCommand(): string[] {
  const ipt = IPTABLES.join(' ');
  return ['sh', '-c', `set -e; for c in ${INPUT_CHAIN} ${OUTPUT_CHAIN}; do if ${ipt} -S $c >/dev/null 2>&1; then ${ipt} -F $c; fi; done`];
}

/** stderr of iptables -D for a rule or chain that is not there. */
export const RULE_GONE = /Bad rule|does a matching rule exist|No chain|doesn't exist/i;
