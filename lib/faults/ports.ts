// Port-limited network faults: an isolate, partition or drop that cuts only the traffic to some ports, so a node can
// stay Ready (its kubelet reaches the API) while its etcd member cannot reach its peers.
//
// Semantics, the same on every provider: a packet is dropped when a cut would drop it AND its destination port and
// protocol are listed. For a drop from A to B that means A cannot open a connection to (or send on one it has to)
// B's listed ports; B's connections to A's listed ports still work (A's replies carry the port as their source).
// A partition cuts both ways, so neither side reaches the other's listed ports; an isolate cuts the node's own
// listed ports (nobody reaches them) and its connections to those ports of every other host.
//
// The named ports are a Kubernetes control plane's (kubernetes.io/docs/reference/networking/ports-and-protocols:
// kube-apiserver 6443, etcd 2379-2380, kubelet 10250) and RKE2's supervisor (docs.rke2.io/install/requirements:
// 9345, where agents and joining servers register), which Harvester's nodes run.

export type PortProtocol = 'tcp' | 'udp';

export interface PortMatch {
  readonly port: number;
  readonly protocol: PortProtocol;
}

export const NAMED_PORTS: Readonly<Record<string, PortMatch>> = {
  api: { port: 6443, protocol: 'tcp' },
  'etcd-client': { port: 2379, protocol: 'tcp' },
  'etcd-peer': { port: 2380, protocol: 'tcp' },
  kubelet: { port: 10250, protocol: 'tcp' },
  'rke2-supervisor': { port: 9345, protocol: 'tcp' },
};

/** The API server's port: a cut that spares it leaves API traffic (and what relays it) alone. */
export const API_PORT_MATCH: PortMatch = NAMED_PORTS.api as PortMatch;

export function formatPort(match: PortMatch): string {
  return `${match.port}/${match.protocol}`;
}

/** "2380/tcp,2379/tcp", as journals, progress lines and executor templates show the ports. */
export function formatPorts(ports: readonly PortMatch[]): string {
  return ports.map(formatPort).join(',');
}

/** ` (ports 2380/tcp)` after a cut's description, or nothing for a cut of everything. */
export function portsSuffix(ports: readonly PortMatch[] | undefined): string {
  return ports ? ` (ports ${formatPorts(ports)})` : '';
}

/** Whether a cut limited to `ports` (undefined: not limited) drops traffic to this port. */
export function cutCovers(ports: readonly PortMatch[] | undefined, match: PortMatch): boolean {
  return ports === undefined || ports.some((p) => p.port === match.port && p.protocol === match.protocol);
}

/**
 * The iptables matches a rule is repeated with: one per port (`-p tcp --dport 2380`), or a single empty match when
 * the cut is not limited to ports.
 */
export function portMatchSpecs(ports: readonly PortMatch[] | undefined): (readonly string[])[] {
  if (ports === undefined) return [[]];
  return ports.map((p) => ['-p', p.protocol, '--dport', String(p.port)]);
}

/** Removes repeated ports, keeping the first order. */
export function uniquePorts(ports: readonly PortMatch[]): PortMatch[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = formatPort(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const PORT_SPEC = /^([0-9]{1,5})(?:\/(tcp|udp))?$/;

/**
 * Reads one port as a scenario, a command line or a control request writes it: a name (etcd-peer, etcd-client, api,
 * kubelet, rke2-supervisor), a number (TCP) or `number/protocol`. Returns the reason when it is none of these.
 */
export function parsePort(value: string | number): PortMatch | { readonly problem: string } {
  const text = String(value).trim();
  const named = NAMED_PORTS[text];
  if (named) return named;
  const match = PORT_SPEC.exec(text);
  const port = Number(match?.[1]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    return {
      problem: `expected a port: ${Object.keys(NAMED_PORTS).join(', ')}, a number from 1 to 65535 (TCP) or number/tcp, number/udp; got ${JSON.stringify(value)}`,
    };
  }
  return { port, protocol: (match[2] as PortProtocol | undefined) ?? 'tcp' };
}

/** Reads a list of ports, throwing with every problem named. */
export function parsePortList(values: readonly (string | number)[]): PortMatch[] {
  const parsed = values.map(parsePort);
  const problems = parsed.flatMap((p) => ('problem' in p ? [p.problem] : []));
  if (problems.length > 0) throw new Error(problems.join('; '));
  if (parsed.length === 0) throw new Error('expected at least one port');
  return uniquePorts(parsed as PortMatch[]);
}
