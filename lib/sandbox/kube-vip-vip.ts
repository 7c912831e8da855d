// The VIP of the sandbox's Harvester profile: a TCP listener on loopback in the harness's namespace that forwards each
// connection to the API server of the ONE node holding the VIP, as kube-vip's ARP announcement makes VIP:6443 reach
// only the holder's API server (lib/harvester/profiles.ts). Nothing is health-checked: a holder whose API server
// has no quorum still gets every connection until its kube-vip gives the Lease up.
// The holder is the node whose holder file (written by its kube-vip, lib/sandbox/agent/kube-vip.ts) is the newest,
// among the nodes that are up: a killed or removed node's address is gone with it, whatever file it left; a paused
// node still holds its address (the kernel answers; the frozen API server does not). With no holder, connections
// are refused. When the holder changes, connections to the old one are cut, as the new holder's gratuitous ARP sends
// clients to a host that resets connections it does not know.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { VipHolderRecord } from './agent/kube-vip.ts';
import { spliceToBackend, type VipBackend, type VirtualIp } from './vip.ts';

export interface KubeVipVipOptions {
  /** The holder file a node's kube-vip writes. */
  readonly holderFile: (node: string) => string;
  /** Whether the node's host is up (its address can be announced): not killed, not removed. */
  readonly hostUp: (node: string) => boolean;
  /** How often the holder is looked up to cut connections to a former one. */
  readonly pollMs: number;
}

function readHolder(path: string): VipHolderRecord | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<VipHolderRecord>;
    return typeof parsed.holder === 'string' && typeof parsed.sinceMs === 'number'
      ? { holder: parsed.holder, sinceMs: parsed.sinceMs }
      : undefined;
  } catch {
    return undefined;
  }
}

export class KubeVipVip implements VirtualIp {
  private server: Server | undefined;
  private readonly backends = new Map<string, VipBackend>();
  private readonly connections = new Map<string, Set<Socket>>();
  private timer: NodeJS.Timeout | undefined;
  private lastHolder: string | undefined;
  port = 0;

  constructor(private readonly options: KubeVipVipOptions) {}

  setBackends(backends: readonly VipBackend[]): void {
    this.backends.clear();
    for (const backend of backends) this.backends.set(backend.name, backend);
  }

  /** The node holding the VIP now, if any. */
  holder(): string | undefined {
    let best: VipHolderRecord | undefined;
    for (const name of this.backends.keys()) {
      if (!this.options.hostUp(name)) continue;
      const record = readHolder(this.options.holderFile(name));
      if (record && record.holder === name && (!best || record.sinceMs > best.sinceMs)) best = record;
    }
    return best?.holder;
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
    this.timer = setInterval(() => this.cutFormerHolders(), this.options.pollMs);
    return this.port;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const set of this.connections.values()) for (const socket of set) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private cutFormerHolders(): void {
    const holder = this.holder();
    if (holder === this.lastHolder) return;
    this.lastHolder = holder;
    for (const [name, sockets] of this.connections) {
      if (name === holder) continue;
      for (const socket of sockets) socket.destroy();
      this.connections.delete(name);
    }
  }

  private forward(client: Socket): void {
    const name = this.holder();
    const backend = name === undefined ? undefined : this.backends.get(name);
    if (!backend) {
      client.destroy();
      return;
    }
    spliceToBackend(client, backend, this.connections);
  }
}
