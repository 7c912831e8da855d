// Running the kind and docker CLIs through execa (lib/util/exec.ts) and turning their failures into harness errors:
// a missing executable is a SetupError, a timeout a DeadlineError naming what was awaited, a non-zero exit a
// ClusterCommandError quoting the command and its stderr, and a cancelled call rejects with the signal's reason.
import { delimiter } from 'node:path';
import { CommandError, DeadlineError, SetupError } from '../../util/errors.ts';
import { run } from '../../util/exec.ts';
import { KIND_VERSION } from './node-image.ts';

export type ToolName = 'kind' | 'docker';

/** How the provider finds and runs its tools. Nothing here touches the harness's own process.env. */
export interface ToolOptions {
  /** Extra environment for the child processes (execa merges it over the harness's environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** Directories put first on the children's PATH (tests put fixtures/bin here). */
  readonly pathPrefix?: readonly string[];
  /** Executable names or paths, when not `kind` and `docker` on PATH. */
  readonly binaries?: Readonly<Partial<Record<ToolName, string>>>;
  /** Default per-command deadline; default 60 s. */
  readonly commandTimeoutMs?: number;
}

export interface CallOptions {
  /** What the call does, in words ("pausing node x"): error messages start with it. */
  readonly what: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
  /** Written to the command's stdin (else stdin is closed). */
  readonly input?: string;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

const INSTALL_HINTS: Record<ToolName, string> = {
  kind: `install kind ${KIND_VERSION} (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)`,
  docker: 'install the Docker CLI and engine (https://docs.docker.com/engine/install/)',
};

/** A command that ran and failed (non-zero exit); quotes the command (secrets redacted) and its stderr. */
export class ClusterCommandError extends Error {
  constructor(
    readonly what: string,
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    const detail = stderr.trim();
    super(`${what} failed: \`${command}\` exited with code ${exitCode ?? '?'}${detail ? `:\n${detail}` : ''}`, options);
    this.name = 'ClusterCommandError';
  }
}

const SECRET_FLAGS = new Set(['--token', '--certificate-key']);

/** The command line as a string, with the values of kubeadm's secret flags replaced by <redacted>. */
export function redactedCommand(file: string, args: readonly string[]): string {
  return [file, ...args.map((arg, i) => (i > 0 && SECRET_FLAGS.has(args[i - 1] ?? '') ? '<redacted>' : arg))].join(' ');
}

export class ToolRunner {
  private readonly env: Record<string, string> | undefined;

  constructor(private readonly options: ToolOptions = {}) {
    const prefix = options.pathPrefix ?? [];
    const env = { ...(options.env ?? {}) };
    if (prefix.length > 0) env['PATH'] = [...prefix, env['PATH'] ?? process.env['PATH'] ?? ''].join(delimiter);
    this.env = Object.keys(env).length > 0 ? env : undefined;
  }

  get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  binary(tool: ToolName): string {
    return this.options.binaries?.[tool] ?? tool;
  }

  /** Runs `tool args` and returns its stdout, or throws the harness error for how it failed. */
  async run(tool: ToolName, args: readonly string[], call: CallOptions): Promise<string> {
    const file = this.binary(tool);
    const timeoutMs = call.timeoutMs ?? this.commandTimeoutMs;
    call.signal?.throwIfAborted();
    try {
      return await run(file, args, {
        timeoutMs,
        signal: call.signal,
        ...(call.input !== undefined ? { input: call.input } : {}),
        ...(this.env ? { env: this.env } : {}),
      });
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      throw harnessError(tool, file, args, call.what, timeoutMs, error);
    }
  }
}

function harnessError(tool: ToolName, file: string, args: readonly string[], what: string, timeoutMs: number, error: unknown): Error {
  if (!(error instanceof CommandError)) return error instanceof Error ? error : new Error(String(error));
  const command = redactedCommand(file, args);
  // The raw CommandError quotes the command as run: keep it out of the chain when that would show a secret.
  const cause = command === [file, ...args].join(' ') ? { cause: error } : {};
  if (error.detail.missing) {
    return new SetupError(
      `${what}: the kind provider needs \`${tool}\`, and "${file}" was not found on PATH: ${INSTALL_HINTS[tool]}`,
      cause,
    );
  }
  if (error.detail.timedOut) return new DeadlineError(`\`${command}\` to finish (${what})`, timeoutMs, cause);
  return new ClusterCommandError(what, command, error.detail.exitCode, error.detail.stderr ?? '', cause);
}

/** True when a command failed with stderr matching `pattern` (used to accept "already gone" answers). */
export function failedWith(error: unknown, pattern: RegExp): boolean {
  return error instanceof ClusterCommandError && pattern.test(error.stderr);
}
