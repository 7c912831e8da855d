// The processes of one sandbox node, each started inside the node's network namespace: an etcd member and the
// node agent (API server + kubelet + controllers) on control-plane nodes, the agent alone on workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Journal } from '../../faults/journal.ts';
import type { AgentConfig } from './agent/config.ts';
import { namespacePids } from './network.ts';
import { etcdMemberArgs } from './etcd/member-args.ts';
import type { SandboxNode, SandboxTimers } from './topology.ts';

export const API_PORT = 6443;
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
const AGENT_ENTRY = fileURLToPath(new URL('./agent/main.ts', import.meta.url));
const TSX_LOADER = 'tsx';

export interface NodeLayout {
  readonly dir: string;
  readonly etcdDir: string;
  readonly etcdSocketPath: string;
  readonly apiSocketPath: string;
  readonly agentConfigPath: string;
  readonly logPath: string;
}

export function nodeLayout(runDir: string, nodeName: string): NodeLayout {
  const dir = join(runDir, 'nodes', nodeName);
  const etcdDir = join(dir, 'etcd');
  return {
    dir,
    etcdDir,
    etcdSocketPath: join(etcdDir, `etcd.sock:0`),
    apiSocketPath: join(dir, 'api.sock'),
    agentConfigPath: join(dir, 'agent.json'),
    logPath: join(dir, 'node.log'),
  };
}

export function peerUrl(node: SandboxNode): string {
  return `http://${node.address}:${ETCD_PEER_PORT}`;
}

export function apiUrl(node: SandboxNode): string {
  return `http://${node.address}:${API_PORT}`;
}

export interface EtcdMemberPlan {
  /** Members of the cluster this member starts into (name -> peer URL), itself included. */
  readonly initialCluster: ReadonlyMap<string, string>;
  readonly state: 'new' | 'existing';
}

/** Starts, kills, pauses and resumes the processes of one node. */
export class NodeProcesses {
  readonly layout: NodeLayout;
  private readonly children = new Set<ChildProcess>();
  etcdPlan: EtcdMemberPlan | undefined;
  runsApiServer = false;

  constructor(
    readonly node: SandboxNode,
    readonly namespace: string,
    private readonly runDir: string,
    private readonly journal: Journal,
    private readonly timers: SandboxTimers,
  ) {
    this.layout = nodeLayout(runDir, node.name);
    mkdirSync(this.layout.etcdDir, { recursive: true });
  }

  startEtcd(plan: EtcdMemberPlan): void {
    this.etcdPlan = plan;
    // A SIGKILLed etcd leaves its unix socket behind; a restart must not trip over it.
    rmSync(this.layout.etcdSocketPath, { force: true });
    const args = etcdMemberArgs({
      name: this.node.name,
      dataDir: join(this.layout.etcdDir, 'data'),
      peerUrl: peerUrl(this.node),
      clientUrls: [`http://127.0.0.1:${ETCD_CLIENT_PORT}`],
      advertiseClientUrl: `http://${this.node.address}:${ETCD_CLIENT_PORT}`,
      initialCluster: [...plan.initialCluster].map(([name, url]) => ({ name, peerUrl: url })),
      initialClusterState: plan.state,
      heartbeatMs: this.timers.etcdHeartbeatMs,
      electionTimeoutMs: this.timers.etcdElectionTimeoutMs,
    });
    this.spawnInNamespace('etcd', 'etcd', args, this.layout.etcdDir);
  }

  startAgent(config: AgentConfig): void {
    writeFileSync(this.layout.agentConfigPath, JSON.stringify(config, null, 2));
    this.runsApiServer = config.apiServer !== undefined;
    if (config.apiServer) rmSync(config.apiServer.socketPath, { force: true });
    this.spawnInNamespace('agent', process.execPath, ['--import', TSX_LOADER, AGENT_ENTRY, this.layout.agentConfigPath], this.layout.dir);
  }

  private spawnInNamespace(what: string, file: string, args: readonly string[], cwd: string): void {
    const log = openSync(this.layout.logPath, 'a');
    try {
      const child = spawn('ip', ['netns', 'exec', this.namespace, file, ...args], {
        cwd,
        // The agent reads stdin: when the harness dies, the pipe closes and the agent exits.
        stdio: [what === 'agent' ? 'pipe' : 'ignore', log, log],
        env: { ...process.env, CPCHAOS_RUN_DIR: this.runDir, CPCHAOS_NODE: this.node.name },
      });
      if (child.pid !== undefined) this.journal.record({ type: 'process', pid: child.pid, node: this.node.name, what });
      this.children.add(child);
      child.once('exit', () => this.children.delete(child));
      child.once('error', () => this.children.delete(child));
    } finally {
      closeSync(log);
    }
  }

  get hasLiveProcesses(): boolean {
    return this.children.size > 0;
  }

  /** Sends a signal to every process in the node's namespace (whoever started it). */
  async signalAll(signal: NodeJS.Signals): Promise<number> {
    const pids = new Set(await namespacePids(this.namespace));
    for (const child of this.children) if (child.pid !== undefined) pids.add(child.pid);
    let count = 0;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
        count++;
      } catch {
        // already gone
      }
    }
    return count;
  }

  /** SIGKILLs every process of the node and waits until they are gone. */
  async kill(): Promise<void> {
    await this.signalAll('SIGKILL');
    await Promise.all(
      [...this.children].map(
        (child) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()))),
      ),
    );
  }

  etcdDataExists(): boolean {
    return existsSync(join(this.layout.etcdDir, 'data', 'member'));
  }
}
