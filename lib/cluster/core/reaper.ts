// `cpchaos cleanup`: one reaper for what killed runs left behind. It reads every run's journal, leaves the runs
// whose owner is still alive (unless `all`), and hands each other run to the cleanup handler of the provider that
// wrote it; the run's folder goes once its handler is done, unless the handler keeps the journal (faults a person
// must still undo). Then each handler may reap what no journal names (orphans). A handler sees only its own
// provider's runs, so the order of handlers does not matter.
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { isOwnerAlive, Journal, type JournalEntry } from '../../faults/journal.ts';
import { errorMessage } from '../../util/errors.ts';

/** A run to reap: its folder, journal entries and the provider that wrote them. */
export interface LeftRun {
  readonly runId: string;
  readonly runDir: string;
  readonly provider: string;
  readonly entries: readonly JournalEntry[];
}

/** What a handler did, failed to do, and left for a person. */
export interface ReapOutcome {
  readonly done: readonly string[];
  readonly failed: readonly string[];
  readonly leftForPerson: readonly string[];
  /** What it deliberately left alone, and why ("namespace X left: process 123 is in it"): nothing to do, just said. */
  readonly skipped?: readonly string[];
  /** Keep the run's folder: its journal still names something to undo (the next cleanup tries again). */
  readonly keepJournal?: boolean;
}

export interface CleanupHandler {
  readonly provider: string;
  /** Reaps one run this provider wrote; the reaper removes the folder afterwards unless told to keep it. */
  reapRun(run: LeftRun, signal?: AbortSignal): Promise<ReapOutcome>;
  /**
   * Reaps this provider's leftovers of runs that have no journal here (`journaledRunIds` are live or reaped already).
   * A run without a journal here may be another workspace's live run (another CPCHAOS_STATE_DIR, another user):
   * only what is truly abandoned may go, whatever `all` says.
   */
  reapOrphans?(journaledRunIds: ReadonlySet<string>, signal?: AbortSignal): Promise<ReapOutcome>;
}

export interface ReapOptions {
  /** Reap live runs too. */
  readonly all?: boolean;
  /** Where run folders are; default the harness's runs root. */
  readonly runsRoot?: string;
  readonly signal?: AbortSignal;
}

export interface ReapReport {
  readonly runs: readonly { readonly runId: string; readonly provider: string; readonly outcome: ReapOutcome }[];
  readonly orphans: readonly { readonly provider: string; readonly outcome: ReapOutcome }[];
  readonly skippedLiveRuns: readonly string[];
  /** Runs whose folders were kept (something is left to undo). */
  readonly keptRuns: readonly string[];
}

export const NOTHING_REAPED: ReapOutcome = { done: [], failed: [], leftForPerson: [] };

/** Journals written before the run entry named a provider were the sandbox's (the first provider). */
const PROVIDER_OF_OLD_JOURNALS = 'sandbox';

function ownerAlive(entries: readonly JournalEntry[]): boolean {
  const run = entries.find((e) => e.type === 'run');
  return run?.type === 'run' && run.ownerPid !== process.pid && isOwnerAlive(run.ownerPid, run.ownerStartTicks);
}

function providerOf(entries: readonly JournalEntry[]): string {
  const run = entries.find((e) => e.type === 'run');
  return run?.type === 'run' ? run.provider : PROVIDER_OF_OLD_JOURNALS;
}

async function reapOne(handler: CleanupHandler | undefined, run: LeftRun, signal?: AbortSignal): Promise<ReapOutcome> {
  if (handler === undefined) {
    return {
      ...NOTHING_REAPED,
      leftForPerson: [`no cleanup knows provider "${run.provider}": remove ${run.runDir} by hand`],
      keepJournal: true,
    };
  }
  try {
    return await handler.reapRun(run, signal);
  } catch (error) {
    signal?.throwIfAborted();
    return { ...NOTHING_REAPED, failed: [`${run.provider} cleanup failed: ${errorMessage(error)}`], keepJournal: true };
  }
}

export async function reapRuns(handlers: readonly CleanupHandler[], options: ReapOptions = {}): Promise<ReapReport> {
  const byProvider = new Map(handlers.map((h) => [h.provider, h]));
  const runs: { runId: string; provider: string; outcome: ReapOutcome }[] = [];
  const skippedLiveRuns: string[] = [];
  const keptRuns: string[] = [];
  for (const runDir of Journal.listRunDirs(options.runsRoot)) {
    const entries = Journal.read(runDir);
    const run: LeftRun = { runId: basename(runDir), runDir, provider: providerOf(entries), entries };
    if (!options.all && ownerAlive(entries)) {
      skippedLiveRuns.push(run.runId);
      continue;
    }
    const outcome = await reapOne(byProvider.get(run.provider), run, options.signal);
    runs.push({ runId: run.runId, provider: run.provider, outcome });
    if (outcome.keepJournal === true) keptRuns.push(run.runId);
    else rmSync(runDir, { recursive: true, force: true });
  }
  const journaled = new Set([...skippedLiveRuns, ...runs.map((r) => r.runId)]);
  const orphans: { provider: string; outcome: ReapOutcome }[] = [];
  for (const handler of handlers) {
    if (handler.reapOrphans) orphans.push({ provider: handler.provider, outcome: await handler.reapOrphans(journaled, options.signal) });
  }
  return { runs, orphans, skippedLiveRuns, keptRuns };
}

/** Every outcome of a report, runs first. */
export function outcomesOf(report: ReapReport): ReapOutcome[] {
  return [...report.runs.map((r) => r.outcome), ...report.orphans.map((o) => o.outcome)];
}
