// The sandbox's virtual IP: a TCP listener on loopback in the harness's namespace that forwards each connection to a
// healthy API server (as Harvester's VIP does), reaching the servers through their unix sockets. Connections to a
// server that turns unhealthy are cut, so clients reconnect to a healthy one, as when a VIP moves. When none is
// healthy (an election, or quorum lost), connections go to the servers that were healthy most recently: a server
// cut off from the others stopped answering first, and is the last resort, not an equal choice.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Agent, request } from 'node:http';

/** How often the sandbox's VIP probes each API server's /readyz (kind's HAProxy: every 2 s). */
export const VIP_HEALTH_INTERVAL_MS = 200;

export interface VipBackend {
  readonly name: string;
  readonly socketPath: string;
}

/** A VIP on loopback: the sandbox's health-checked forwarder (TcpForwarder), or kube-vip's single holder (kube-vip-vip.ts). */
export interface VirtualIp {
  /** The API servers there are now (the VIP forwards to some of them). */
  setBackends(backends: readonly VipBackend[]): void;
  /** Listens on 127.0.0.1 and returns the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface VipOptions {
  readonly healthIntervalMs: number;
  readonly healthTimeoutMs: number;
  /** Only forward to backends whose /readyz answers 200 (false: forward to any, for a per-node endpoint). */
  readonly healthChecked: boolean;
  /**
   * Consecutive failed probes that take a healthy backend out, and passed ones that bring it back: HAProxy's `fall`
   * and `rise` (defaults 3 and 2, HAProxy configuration manual, "5.2. Server and default-server options"), so one slow
   * probe on a busy host does not cut every connection. A backend never seen healthy is in at its first pass.
   */
  readonly fall?: number;
  readonly rise?: number;
}

const DEFAULT_FALL = 3;
const DEFAULT_RISE = 2;

export class TcpForwarder implements VirtualIp {
  private server: Server | undefined;
  private readonly backends = new Map<string, VipBackend>();
  private readonly healthy = new Set<string>();
  /** When each backend last answered /readyz with 200 (ms since epoch). */
  private readonly lastHealthyAt = new Map<string, number>();
  private readonly connections = new Map<string, Set<Socket>>();
  /** Consecutive probe results of the same kind per backend: positive passes, negative failures. */
  private readonly streaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  /**
   * The probes' connections, kept open between probes (HAProxy opens one per check; what a probe tells is the same:
   * a dead or frozen server fails it either way). Node's global agent keeps them alive too, but past the forwarder's
   * close; this one is destroyed with it. No limit on sockets: a probe still waiting on a hung server must not hold
   * the next one back (each has its own timeout).
   */
  private readonly probeAgent = new Agent({ keepAlive: true });
  port = 0;

  constructor(private readonly options: VipOptions) {}

  setBackends(backends: readonly VipBackend[]): void {
    this.backends.clear();
    for (const backend of backends) this.backends.set(backend.name, backend);
    for (const name of [...this.healthy]) if (!this.backends.has(name)) this.markUnhealthy(name);
    if (!this.options.healthChecked) for (const backend of backends) this.healthy.add(backend.name);
  }

  healthyBackends(): string[] {
    return [...this.healthy].sort();
  }

  async listen(): Promise<number> {
    const server = createServer((client) => this.forward(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    if (this.options.healthChecked) {
      this.timer = setInterval(() => void this.checkAll(), this.options.healthIntervalMs);
      await this.checkAll();
    }
    return this.port;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.probeAgent.destroy();
    for (const set of this.connections.values()) for (const socket of set) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pick(): VipBackend | undefined {
    let names = this.healthyBackends();
    // None ready (an election, or quorum lost): forward anyway, so clients get the API servers' own answers (a 5xx
    // without quorum), not a reset; to the servers healthy most recently (within a probe interval of the latest).
    if (names.length === 0) names = this.recentlyHealthy();
    if (names.length === 0) return undefined;
    const name = names[this.next++ % names.length] as string;
    return this.backends.get(name);
  }

  private forward(client: Socket): void {
    const backend = this.pick();
    if (!backend) {
      client.destroy();
      return;
    }
    spliceToBackend(client, backend, this.connections);
  }

  private recentlyHealthy(): string[] {
    const all = [...this.backends.keys()].sort();
    const latest = Math.max(0, ...all.map((name) => this.lastHealthyAt.get(name) ?? 0));
    if (latest === 0) return all;
    return all.filter((name) => (this.lastHealthyAt.get(name) ?? 0) >= latest - this.options.healthIntervalMs);
  }

  private markUnhealthy(name: string): void {
    this.healthy.delete(name);
    for (const socket of this.connections.get(name) ?? []) socket.destroy();
    this.connections.delete(name);
  }

  private async checkAll(): Promise<void> {
    await Promise.all(
      [...this.backends.values()].map(async (backend) => {
        const ok = await probeReady(backend.socketPath, this.options.healthTimeoutMs, this.probeAgent);
        const name = backend.name;
        const before = this.streaks.get(name) ?? 0;
        const streak = ok ? Math.max(0, before) + 1 : Math.min(0, before) - 1;
        this.streaks.set(name, streak);
        if (ok) {
          const neverHealthy = !this.lastHealthyAt.has(name);
          this.lastHealthyAt.set(name, Date.now());
          if (neverHealthy || streak >= (this.options.rise ?? DEFAULT_RISE)) this.healthy.add(name);
        } else if (this.healthy.has(name) && -streak >= (this.options.fall ?? DEFAULT_FALL)) this.markUnhealthy(name);
      }),
    );
  }
}

/** GET /readyz over a unix socket; true only for a 200 within the deadline. */
export function probeReady(socketPath: string, timeoutMs: number, agent?: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/readyz', method: 'GET', timeout: timeoutMs, ...(agent ? { agent } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Pipes a client's connection to a backend's unix socket both ways, kept under the backend's name in `connections`
 * (so a VIP can cut every connection to a backend it no longer forwards to) until either side ends.
 */
export function spliceToBackend(client: Socket, backend: VipBackend, connections: Map<string, Set<Socket>>): void {
  const upstream = connect(backend.socketPath);
  let tracked = connections.get(backend.name);
  if (!tracked) {
    tracked = new Set();
    connections.set(backend.name, tracked);
  }
  const set = tracked;
  set.add(client);
  const done = (): void => {
    set.delete(client);
    client.destroy();
    upstream.destroy();
  };
  client.on('error', done).on('close', done);
  upstream.on('error', done).on('close', done);
  client.pipe(upstream);
  upstream.pipe(client);
}
