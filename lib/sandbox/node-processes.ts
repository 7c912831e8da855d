// The processes of one sandbox node, each started inside the node's network namespace: an etcd member and the
// node agent (API server + kubelet + controllers) on control-plane nodes, the agent alone on workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Journal } from '../faults/journal.ts';
import type { AgentConfig } from './agent/config.ts';
import { etcdPeerUrl } from './agent/etcd-member-process.ts';
import { hostOfNamespace, namespacePids } from './network.ts';
import { KILL_AT_ONCE, stopProcesses, TERMINATE_THEN_KILL, type SignalStep, type StoppableProcess } from '../util/process-exit.ts';
import { TSX_API_ENV_VAR } from '../harvester/promotion.ts';
import type { SandboxNode } from './topology.ts';

export const API_PORT = 6443;
// The agent's entry beside this module: main.ts from source, main.js in the compiled package (dist/).
const AGENT_ENTRY = fileURLToPath(new URL(`./agent/main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
// Resolved here: the agent runs with its node folder as working directory, where 'tsx' would not resolve.
const TSX_LOADER = import.meta.resolve('tsx');
// For a bundled agent to import a TypeScript promotion policy with (loadPromotionPolicy, through TSX_API_ENV_VAR).
const TSX_API = import.meta.resolve('tsx/esm/api');
/** Names a folder: every agent writes a V8 CPU profile there when it exits (node --cpu-prof). */
export const AGENT_CPU_PROFILE_DIR_ENV = 'CPCHAOS_AGENT_CPU_PROFILE_DIR';

export interface NodeLayout {
  readonly dir: string;
  readonly etcdDir: string;
  readonly etcdSocketPath: string;
  readonly apiSocketPath: string;
  readonly agentConfigPath: string;
  readonly logPath: string;
  /** Written by the node's kube-vip while it holds the VIP (the sandbox's Harvester profile). */
  readonly vipHolderPath: string;
  /** The kubelet's configuration file (a KubeletConfiguration): absent, the kubelet runs with its defaults. */
  readonly kubeletConfigPath: string;
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
    vipHolderPath: join(dir, 'kube-vip-holder.json'),
    kubeletConfigPath: join(dir, 'kubelet-config.yaml'),
  };
}

export function peerUrl(node: SandboxNode): string {
  return etcdPeerUrl(node.address);
}

export function apiUrl(node: SandboxNode): string {
  return `http://${node.address}:${API_PORT}`;
}

/** Starts, kills, pauses and resumes the processes of one node. */
export class NodeProcesses {
  readonly layout: NodeLayout;
  private readonly children = new Set<ChildProcess>();
  runsApiServer = false;

  constructor(
    readonly node: SandboxNode,
    readonly namespace: string,
    private readonly runDir: string,
    private readonly journal: Journal,
  ) {
    this.layout = nodeLayout(runDir, node.name);
    mkdirSync(this.layout.etcdDir, { recursive: true });
  }

  /** Starts the node agent: the bundled one when given (faster to start), else from source through tsx. */
  startAgent(config: AgentConfig, bundle?: string): void {
    writeFileSync(this.layout.agentConfigPath, JSON.stringify(config, null, 2));
    if (config.apiServer) rmSync(config.apiServer.socketPath, { force: true });
    // tsx's loader only for the agent from source (tsx keeps an esbuild service process per agent: hundreds of MiB
    // and a slower start). A bundled agent imports a TypeScript promotion policy through tsx's API, which compiles
    // the policy's own files only: under the loader, the bundle itself (5 MiB) went through esbuild at every start,
    // tens of seconds per agent on a busy machine.
    const needsTsx = bundle === undefined && AGENT_ENTRY.endsWith('.ts');
    const loader = needsTsx ? ['--import', TSX_LOADER] : [];
    // Profiling the agents (bench/): V8 CPU profiles written at exit into the named folder.
    const profileDir = process.env[AGENT_CPU_PROFILE_DIR_ENV];
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    this.spawnInNamespace(
      'agent',
      process.execPath,
      [...profile, ...loader, bundle ?? AGENT_ENTRY, this.layout.agentConfigPath],
      this.layout.dir,
    );
  }

  private spawnInNamespace(what: string, file: string, args: readonly string[], cwd: string): void {
    const log = openSync(this.layout.logPath, 'a');
    try {
      // As root `ip netns exec ...`; in a user-namespace run the same through nsenter (which execs, as `ip netns
      // exec` does: the pid is the agent's).
      const [command, argv] = hostOfNamespace(this.namespace).command('ip', ['netns', 'exec', this.namespace, file, ...args]);
      const child = spawn(command, argv, {
        cwd,
        // The agent reads stdin: when the harness dies, the pipe closes and the agent exits.
        stdio: ['pipe', log, log],
        env: { ...process.env, CPCHAOS_RUN_DIR: this.runDir, CPCHAOS_NODE: this.node.name, [TSX_API_ENV_VAR]: TSX_API },
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

  /** Sends a signal to the node agent only (not the etcd member it started); false when no agent runs. */
  signalAgent(signal: NodeJS.Signals): boolean {
    let sent = false;
    for (const child of this.children) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(child.pid, signal);
        sent = true;
      } catch {
        // already gone
      }
    }
    return sent;
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

  /**
   * Every process of the node: its children (the agent, watched through their exit events) and whatever else runs in
   * its namespace (the etcd member the agent started, watched through /proc), each named for a report.
   */
  private async processes(): Promise<StoppableProcess[]> {
    const list = new Map<number, StoppableProcess>();
    for (const pid of await namespacePids(this.namespace)) list.set(pid, { pid, what: `${commandName(pid)} of ${this.node.name}` });
    for (const child of this.children) {
      const pid = child.pid;
      if (pid === undefined) continue;
      const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
      list.set(pid, { pid, what: `node agent of ${this.node.name}`, exited });
    }
    return [...list.values()];
  }

  private async stopWith(steps: readonly SignalStep[]): Promise<void> {
    await stopProcesses(await this.processes(), steps);
  }

  /** SIGKILLs every process of the node (a crash) and returns once each has exited; names any that would not. */
  kill(): Promise<void> {
    return this.stopWith(KILL_AT_ONCE);
  }

  /** SIGTERM, then SIGKILL past its deadline: returns once every process of the node has exited; names any that would not. */
  stop(): Promise<void> {
    return this.stopWith(TERMINATE_THEN_KILL);
  }

  /** True once the node has an etcd member (from the start, or after a promotion). */
  hasEtcdMember(): boolean {
    return existsSync(join(this.layout.etcdDir, 'data', 'member')) || existsSync(this.layout.etcdSocketPath);
  }
}

/** A process's command name (/proc/<pid>/comm: "etcd", "node"), for naming it. */
function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return `process ${pid}`;
  }
}
