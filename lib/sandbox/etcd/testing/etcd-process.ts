// One etcd process for tests: spawned in its own directory (where its unix socket lives), stderr kept
// for error messages, killed on stop and, as a last resort, when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { DeadlineError, errorMessage } from '../../../util/errors.ts';
import { sleepMs, waitFor } from '../../../util/wait.ts';
import { ETCD_UNIX_SOCKET_FILE } from '../member-args.ts';

const ETCD_BINARY = process.env.CPCHAOS_ETCD_BINARY ?? 'etcd';
const LOG_TAIL_CHARS = 4000;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export class EtcdProcessExitedError extends Error {
  constructor(
    readonly label: string,
    readonly exit: string,
    readonly logTail: string,
  ) {
    super(`etcd ${label} exited (${exit})${logTail ? `:\n${logTail}` : ''}`);
    this.name = 'EtcdProcessExitedError';
  }
}

export class EtcdProcess {
  readonly socketPath: string;
  /** Settles when the process exits (never rejects). */
  readonly exited: Promise<string>;
  private readonly child: ChildProcess;
  private log = '';
  private exitInfo: string | undefined;

  private constructor(
    readonly label: string,
    readonly dir: string,
    args: readonly string[],
  ) {
    this.socketPath = path.join(dir, ETCD_UNIX_SOCKET_FILE);
    rmSync(this.socketPath, { force: true }); // a SIGKILLed etcd leaves its socket file behind
    installExitHook();
    this.child = spawn(ETCD_BINARY, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(this.child);
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.log = (this.log + chunk).slice(-LOG_TAIL_CHARS);
    });
    this.exited = new Promise((resolve) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        live.delete(this.child);
        this.exitInfo = signal ? `signal ${signal}` : `exit code ${code ?? '?'}`;
        resolve(this.exitInfo);
      };
      this.child.once('exit', onExit);
      this.child.once('error', (error) => {
        live.delete(this.child);
        this.exitInfo = `spawn failed: ${error.message}`;
        resolve(this.exitInfo);
      });
    });
  }

  static start(label: string, dir: string, args: readonly string[]): EtcdProcess {
    return new EtcdProcess(label, dir, args);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  logTail(): string {
    return this.log;
  }

  /** Polls `probe` until it succeeds; fails at once (with the log) if etcd exits, or after `timeoutMs`. */
  async waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (!this.running) throw new EtcdProcessExitedError(this.label, this.exitInfo ?? '?', this.log);
      try {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) {
        const suffix = lastError ? ` (last error: ${errorMessage(lastError)})` : '';
        throw new DeadlineError(`${what}${suffix}`, timeoutMs, { cause: lastError });
      }
      await sleepMs(50);
    }
  }

  /** Sends `signal` (default SIGKILL) and waits for the exit, up to `deadlineMs`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', deadlineMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    await waitFor(`etcd ${this.label} (pid ${this.pid ?? '?'}) to exit after ${signal}`, () => !this.running, {
      timeoutMs: deadlineMs,
      intervalMs: 20,
    });
  }
}
