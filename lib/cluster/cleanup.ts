// The cleanup handlers of every provider, for the one reaper (core/reaper.ts) behind `cpchaos cleanup`.
import { existingCleanup } from './existing/cleanup.ts';
import { kindCleanup } from './kind/cleanup.ts';
import { sandboxCleanup } from './sandbox/cleanup.ts';
import { reapRuns, type CleanupHandler, type ReapOptions, type ReapReport } from './core/reaper.ts';

export function cleanupHandlers(): CleanupHandler[] {
  return [sandboxCleanup, kindCleanup(), existingCleanup()];
}

/** Reaps every provider's leftovers of killed runs (or of every run, with `all`). */
export function cleanupRuns(options: ReapOptions = {}): Promise<ReapReport> {
  return reapRuns(cleanupHandlers(), options);
}
