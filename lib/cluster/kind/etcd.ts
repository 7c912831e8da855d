// Etcd of a kind cluster, through etcdctl inside a control plane's etcd container. The kind node image has no
// etcdctl of its own; the etcd static pod's image does, so the provider reaches it with crictl:
//   docker exec <cp> crictl ps --label io.kubernetes.container.name=etcd --state running -q
//   docker exec <cp> crictl exec <id> etcdctl --endpoints https://127.0.0.1:2379 --cacert ... member list -w json
// The pki folder is mounted into the etcd pod at the same path. etcdctl prints member IDs in JSON as uint64
// numbers, past what a JS number holds exactly: they are read from the text as digits and converted with BigInt.
import type { DockerCli } from './docker-cli.ts';

export const ETCD_PKI_DIR = '/etc/kubernetes/pki/etcd';
export const ETCD_CONTAINER_LABEL = 'io.kubernetes.container.name=etcd';

export interface EtcdMemberInfo {
  /** Hex, as `etcdctl member remove` takes it. */
  readonly id: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
}

export function etcdContainerQuery(): string[] {
  return ['crictl', 'ps', '--label', ETCD_CONTAINER_LABEL, '--state', 'running', '-q'];
}

export function etcdctl(containerId: string, args: readonly string[]): string[] {
  return [
    'crictl',
    'exec',
    containerId,
    'etcdctl',
    '--endpoints',
    'https://127.0.0.1:2379',
    '--cacert',
    `${ETCD_PKI_DIR}/ca.crt`,
    '--cert',
    `${ETCD_PKI_DIR}/peer.crt`,
    '--key',
    `${ETCD_PKI_DIR}/peer.key`,
    ...args,
  ];
}

/** Quotes every `"key": <digits>` of the given keys, so JSON.parse keeps uint64 values exact. */
function quoteBigNumbers(json: string, keys: readonly string[]): string {
  return json.replace(new RegExp(`"(${keys.join('|')})"\\s*:\\s*(\\d+)`, 'g'), '"$1":"$2"');
}

export function hexId(decimal: string): string {
  return BigInt(decimal).toString(16);
}

export function parseMemberList(json: string): EtcdMemberInfo[] {
  const doc = JSON.parse(quoteBigNumbers(json, ['ID'])) as { members?: { ID?: string; name?: string; peerURLs?: string[] }[] };
  return (doc.members ?? []).map((m) => ({ id: hexId(m.ID ?? '0'), name: m.name ?? '', peerUrls: m.peerURLs ?? [] }));
}

/** The leader's ID (hex) from `etcdctl endpoint status -w json`. */
export function parseLeader(json: string): string | undefined {
  const doc = JSON.parse(quoteBigNumbers(json, ['leader'])) as { Status?: { leader?: string } }[];
  const leader = doc[0]?.Status?.leader;
  return leader && leader !== '0' ? hexId(leader) : undefined;
}

/** etcdctl on one control-plane node. Short-lived: the etcd container's ID is looked up once per instance. */
export class NodeEtcd {
  private id: string | undefined;

  constructor(
    private readonly docker: DockerCli,
    readonly node: string,
  ) {}

  private async containerId(): Promise<string> {
    if (this.id) return this.id;
    const out = await this.docker.exec(this.node, etcdContainerQuery(), { what: `finding the etcd container on ${this.node}` });
    const id = out
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.length > 0);
    if (!id) throw new Error(`finding the etcd container on ${this.node}: crictl lists no running etcd container`);
    this.id = id;
    return id;
  }

  async run(args: readonly string[], what: string): Promise<string> {
    return this.docker.exec(this.node, etcdctl(await this.containerId(), args), { what: `${what} (etcdctl on ${this.node})` });
  }

  async memberList(): Promise<EtcdMemberInfo[]> {
    return parseMemberList(await this.run(['member', 'list', '-w', 'json'], 'listing etcd members'));
  }

  async leaderId(): Promise<string | undefined> {
    return parseLeader(await this.run(['endpoint', 'status', '-w', 'json'], 'reading etcd status'));
  }

  /** Removes the member named `name`; false when there is none (already removed). */
  async removeMemberNamed(name: string): Promise<boolean> {
    const member = (await this.memberList()).find((m) => m.name === name);
    if (!member) return false;
    await this.run(['member', 'remove', member.id], `removing etcd member ${name} (${member.id})`);
    return true;
  }
}
