// The harness's few error types. Each carries its cause; the CLI maps them to exit codes.

/** Bad input or an unusable environment: exit code 2. */
export class SetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SetupError';
  }
}

/** A wait that ran out of time; the message names what was awaited. */
export class DeadlineError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, options);
    this.name = 'DeadlineError';
  }
}

/** An external command failed; quotes the command and its stderr. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly detail: { exitCode?: number | undefined; timedOut?: boolean; stderr?: string; missing?: boolean },
    options?: { cause?: unknown },
  ) {
    const why = detail.missing ? 'executable not found' : detail.timedOut ? 'timed out' : `exit code ${detail.exitCode ?? '?'}`;
    const stderr = detail.stderr?.trim();
    super(`command failed (${why}): ${command}${stderr ? `\n${stderr}` : ''}`, options);
    this.name = 'CommandError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
