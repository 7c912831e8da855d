// Command-line arguments for one etcd 3.4 member, tuned for fast local clusters. Pure: no I/O.

/** The unix-socket client listener, relative to etcd's working directory (the file is literally `etcd.sock:0`). */
export const ETCD_UNIX_SOCKET_URL = 'unix://etcd.sock:0';
/** The socket file that listener creates in etcd's working directory. */
export const ETCD_UNIX_SOCKET_FILE = 'etcd.sock:0';

export interface EtcdPeer {
  readonly name: string;
  readonly peerUrl: string;
}

export interface EtcdMemberOptions {
  readonly name: string;
  readonly dataDir: string;
  /** Listened on and advertised to peers. */
  readonly peerUrl: string;
  /** Client listeners (http://host:port ...). The unix socket is added unless `unixSocket` is false. */
  readonly clientUrls: readonly string[];
  readonly advertiseClientUrl: string;
  /** Every member of the cluster as it should be at this member's first start (including this one). */
  readonly initialCluster: readonly EtcdPeer[];
  readonly initialClusterState: 'new' | 'existing';
  readonly initialClusterToken?: string;
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
  /** Add the `unix://etcd.sock:0` client listener (default true). */
  readonly unixSocket?: boolean;
  readonly snapshotCount?: number;
  readonly quotaBackendBytes?: number;
  /** Largest request etcd accepts; the API server's biggest object must fit (default 8 MiB). */
  readonly maxRequestBytes?: number;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Hours (number) or a duration ("5m") of history to keep; unset means the API server/harness compacts. */
  readonly autoCompactionRetention?: string;
}

export const ETCD_MEMBER_DEFAULTS = {
  snapshotCount: 10_000,
  quotaBackendBytes: 256 * 1024 * 1024,
  maxRequestBytes: 8 * 1024 * 1024,
  logLevel: 'warn',
  initialClusterToken: 'cpchaos',
} as const;

/** Builds etcd 3.4 args for a member. Throws RangeError on options etcd would reject at start. */
export function etcdMemberArgs(options: EtcdMemberOptions): string[] {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.name)) throw new RangeError(`bad etcd member name: ${options.name}`);
  if (options.heartbeatMs <= 0 || options.electionTimeoutMs < 5 * options.heartbeatMs) {
    throw new RangeError(`etcd electionTimeoutMs (${options.electionTimeoutMs}) must be at least 5 x heartbeatMs (${options.heartbeatMs})`);
  }
  if (options.initialCluster.length === 0) throw new RangeError('etcd initialCluster is empty');
  const self = options.initialCluster.find((peer) => peer.name === options.name);
  if (!self) throw new RangeError(`etcd initialCluster does not name this member (${options.name})`);
  if (self.peerUrl !== options.peerUrl) {
    throw new RangeError(`etcd initialCluster gives ${options.name} peer URL ${self.peerUrl}, not ${options.peerUrl}`);
  }
  const names = new Set(options.initialCluster.map((peer) => peer.name));
  if (names.size !== options.initialCluster.length) throw new RangeError('etcd initialCluster repeats a member name');
  const clientUrls = [...options.clientUrls];
  if (options.unixSocket !== false && !clientUrls.includes(ETCD_UNIX_SOCKET_URL)) clientUrls.push(ETCD_UNIX_SOCKET_URL);
  if (clientUrls.length === 0) throw new RangeError('etcd needs at least one client URL');

  const args = [
    `--name=${options.name}`,
    `--data-dir=${options.dataDir}`,
    `--listen-peer-urls=${options.peerUrl}`,
    `--initial-advertise-peer-urls=${options.peerUrl}`,
    `--listen-client-urls=${clientUrls.join(',')}`,
    `--advertise-client-urls=${options.advertiseClientUrl}`,
    `--initial-cluster=${options.initialCluster.map((peer) => `${peer.name}=${peer.peerUrl}`).join(',')}`,
    `--initial-cluster-state=${options.initialClusterState}`,
    `--initial-cluster-token=${options.initialClusterToken ?? ETCD_MEMBER_DEFAULTS.initialClusterToken}`,
    `--heartbeat-interval=${Math.round(options.heartbeatMs)}`,
    `--election-timeout=${Math.round(options.electionTimeoutMs)}`,
    '--pre-vote=true',
    `--snapshot-count=${options.snapshotCount ?? ETCD_MEMBER_DEFAULTS.snapshotCount}`,
    `--quota-backend-bytes=${options.quotaBackendBytes ?? ETCD_MEMBER_DEFAULTS.quotaBackendBytes}`,
    `--max-request-bytes=${options.maxRequestBytes ?? ETCD_MEMBER_DEFAULTS.maxRequestBytes}`,
    '--logger=zap',
    '--log-outputs=stderr',
    `--log-level=${options.logLevel ?? ETCD_MEMBER_DEFAULTS.logLevel}`,
  ];
  if (options.autoCompactionRetention !== undefined) {
    args.push('--auto-compaction-mode=periodic', `--auto-compaction-retention=${options.autoCompactionRetention}`);
  }
  return args;
}
