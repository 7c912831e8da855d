// Where the sandbox's privileged commands (ip, ip netns exec, iptables) run.
//
// As root they run directly. Otherwise (or with CPCHAOS_USERNS=1) a run starts one "holder" process in a new user
// namespace (the caller mapped to root), with a mount namespace of its own (a tmpfs over the folder where `ip netns`
// keeps its files) and an empty network namespace of its own. Every privileged command then runs through
// `nsenter` into those three namespaces, as root of the user namespace: the run's network namespaces are created and
// owned there, invisible to the rest of the machine. The harness itself stays outside: the VIP listens on 127.0.0.1
// of the root network namespace and clients reach etcd and the API servers through unix sockets in the run folder.
//
// Nothing outlives the holder's user namespace: when the holder and the node processes are gone, so are the mount
// namespace (and with it the netns files), the network namespaces, their veths, bridge and iptables rules. The
// holder also exits by itself when the harness goes away (its stdin is a pipe from the harness).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Journal } from '../faults/journal.ts';
import { CommandError, SetupError } from '../util/errors.ts';
import { run, type RunOptions } from '../util/exec.ts';
import { KILL_AT_ONCE, stopProcesses } from '../util/process-exit.ts';

/** True when this process must use a user namespace: not root, or CPCHAOS_USERNS=1 (so root can test this path). */
export function wantsUserNamespace(): boolean {
  return process.getuid?.() !== 0 || process.env['CPCHAOS_USERNS'] === '1';
}

export const USERNS_ADVICE =
  'unprivileged user namespaces seem disabled or restricted on this machine. Either run as root, or allow them: ' +
  '`sysctl -w kernel.unprivileged_userns_clone=1` (Debian kernels that have it), `sysctl -w user.max_user_namespaces=10000` ' +
  '(when it is 0), `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 23.10 and later), ' +
  'or run inside a container that permits them. Check with: unshare --user --map-root-user --mount --net true';

const UNSHARE_ARGS = ['--user', '--map-root-user', '--mount', '--net', '--propagation', 'private'] as const;

// `ip netns` keeps its files in /var/run/netns (NETNS_RUN_DIR, compiled in). A tmpfs over it makes them private to
// this mount namespace; where the folder does not exist (and cannot be made without real root), a tmpfs over
// /var/run itself. Then the holder waits until its stdin closes (or it is killed).
const HOLDER_SCRIPT = [
  'set -e',
  'd=/var/run/netns',
  'if [ ! -d "$d" ]; then mount -t tmpfs -o mode=0755 cpchaos-run /var/run; mkdir -p "$d"; fi',
  'mount -t tmpfs -o mode=0755 cpchaos-netns "$d"',
  'echo ready',
  'read -r _ || true',
].join('\n');

const HOLDER_READY_TIMEOUT_MS = 10_000;

/** Probes whether an unprivileged user namespace with its own mount and network namespaces can be made here. */
export async function assertUserNamespacesWork(): Promise<void> {
  for (const tool of ['unshare', 'nsenter']) {
    try {
      await run(tool, ['--version'], { timeoutMs: 10_000 });
    } catch (error) {
      throw new SetupError(`the sandbox needs \`${tool}\` (Debian package util-linux) to run without root`, { cause: error });
    }
  }
  try {
    await run('unshare', [...UNSHARE_ARGS, 'true'], { timeoutMs: 10_000 });
  } catch (error) {
    const stderr = error instanceof CommandError ? (error.detail.stderr ?? '').trim() : '';
    throw new SetupError(
      `the sandbox cannot create a user namespace (\`unshare ${UNSHARE_ARGS.join(' ')} true\` failed${stderr ? `: ${stderr}` : ''}): ` +
        `${USERNS_ADVICE}${process.getuid?.() === 0 ? ' (as root, CPCHAOS_USERNS=1 forces this mode: unset it)' : ''}`,
      { cause: error },
    );
  }
}

/** The place privileged commands of one run execute: the root namespaces, or a run's user namespace. */
export class HostNamespace {
  /** Privileged commands run directly (as root). */
  static readonly root = new HostNamespace(undefined);

  private exited: Promise<void> | undefined;

  private constructor(private readonly holder: ChildProcess | undefined) {
    if (holder) this.exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  }

  get holderPid(): number | undefined {
    return this.holder?.pid;
  }

  get isUserNamespace(): boolean {
    return this.holder !== undefined;
  }

  /** False once the holder is gone (and with it every namespace of the run). */
  get alive(): boolean {
    return this.holder === undefined || (this.holder.exitCode === null && this.holder.signalCode === null);
  }

  /** The argv that runs `file args` here: unchanged as root, through nsenter into the holder's namespaces otherwise. */
  command(file: string, args: readonly string[]): [string, string[]] {
    const pid = this.holderPid;
    if (pid === undefined) return [file, [...args]];
    return ['nsenter', [`--target=${pid}`, '--user', '--mount', '--net', '--preserve-credentials', '--', file, ...args]];
  }

  /** Runs a command here and returns its stdout (CommandError on failure). */
  run(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
    const [f, a] = this.command(file, args);
    return run(f, a, options);
  }

  /**
   * Starts the holder of a new user namespace for a run. Its pid is journaled (its command line names the run
   * folder, which is how `cpchaos cleanup` recognises it) as soon as it exists, before any namespace is made in it.
   */
  static async start(runDir: string, journal: Journal): Promise<HostNamespace> {
    const child = spawn('unshare', [...UNSHARE_ARGS, 'sh', '-c', HOLDER_SCRIPT, `${runDir}/userns-holder`], {
      // Its own session: a Ctrl-C in the terminal reaches the harness, which tears down and then stops the holder.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) journal.record({ type: 'process', pid: child.pid, node: '-', what: 'userns-holder' });
    const host = new HostNamespace(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "ready" within ${HOLDER_READY_TIMEOUT_MS} ms`)), HOLDER_READY_TIMEOUT_MS);
        const done = (error?: Error): void => {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          if (error) reject(error);
          else resolve();
        };
        const onData = (): void => {
          if (stdout.includes('ready\n')) done();
        };
        child.stdout?.on('data', onData);
        child.once('error', (error) => done(error));
        child.once('exit', (code, signal) => done(new Error(`it exited (${signal ?? `code ${code ?? '?'}`})`)));
      });
    } catch (error) {
      await host.stop();
      const missing = (error as { code?: string }).code === 'ENOENT';
      throw new SetupError(
        missing
          ? 'the sandbox needs `unshare` (Debian package util-linux) to run without root'
          : `the sandbox could not start its user namespace (unshare ${UNSHARE_ARGS.join(' ')} sh -c ...): ` +
              `${(error as Error).message}${stderr.trim() ? `: ${stderr.trim()}` : ''}. ${USERNS_ADVICE}`,
        { cause: error },
      );
    }
    return host;
  }

  /** Kills the holder (idempotent). Node processes should be gone first; namespaces die with the last of them. */
  async stop(): Promise<void> {
    const holder = this.holder;
    if (!holder || holder.pid === undefined) return;
    // Returns once its exit event fired; a holder that would not die is named, not waited on forever.
    await stopProcesses([{ pid: holder.pid, what: 'user namespace holder', exited: () => !this.alive }], KILL_AT_ONCE);
    await this.exited;
  }
}

const hosts = new Map<string, HostNamespace>();

/** Makes the run's namespace commands go through `host` (until `forgetRunHost`). */
export function registerRunHost(runId: string, host: HostNamespace): void {
  if (host.isUserNamespace) hosts.set(runId, host);
}

export function forgetRunHost(runId: string): void {
  hosts.delete(runId);
}

/** Where commands for the given run execute: its user namespace if it has one, else the root namespaces. */
export function hostOfRun(runId: string): HostNamespace {
  return hosts.get(runId) ?? HostNamespace.root;
}
