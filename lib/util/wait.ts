// Waiting with deadlines. Every wait names what it waits for, so its timeout error says so.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { DeadlineError, errorMessage } from './errors.ts';

export { sleepMs };

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or the deadline passes.
 * A probe that throws counts as "not yet"; the last error becomes the timeout's cause.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const suffix = lastError ? ` (last error: ${errorMessage(lastError)})` : '';
      throw new DeadlineError(what + suffix, options.timeoutMs, { cause: lastError });
    }
    await sleepMs(Math.min(intervalMs, left), undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

/** Runs `work` with a deadline; rejects with a DeadlineError naming `what` when it is exceeded. */
export async function withDeadline<T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineError(what, timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
