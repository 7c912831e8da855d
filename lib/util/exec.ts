// Running external commands through execa, with execa's structured errors turned into CommandError.
import { execa, type Options } from 'execa';
import { CommandError } from './errors.ts';

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly signal?: AbortSignal | undefined;
}

interface ExecaLikeError {
  exitCode?: number;
  timedOut?: boolean;
  stderr?: unknown;
  code?: string;
}

/** Runs a command and returns its stdout; throws CommandError quoting the command and its stderr. */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const execaOptions: Options = {
    timeout: options.timeoutMs ?? 30_000,
    reject: true,
    stripFinalNewline: true,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  };
  try {
    const result = await execa(file, args, execaOptions);
    return String(result.stdout ?? '');
  } catch (error) {
    const e = error as ExecaLikeError;
    throw new CommandError(
      [file, ...args].join(' '),
      {
        exitCode: e.exitCode,
        timedOut: e.timedOut === true,
        stderr: typeof e.stderr === 'string' ? e.stderr : '',
        missing: e.code === 'ENOENT',
      },
      { cause: error },
    );
  }
}
