// `cpchaos cleanup` for existing clusters: a run that died (SIGKILL, a lost machine) may have left faults on a real
// cluster. Its journal holds, for every fault, the commands that undo it; cleanup runs them, newest fault first.
// Undo steps that are not commands (API calls, KubeVirt or IPMI requests) are named for the operator, and the run's
// journal is kept until everything was undone.
import { basename } from 'node:path';
import { isOwnerAlive, Journal, type JournalEntry } from '../../faults/journal.ts';
import { errorMessage } from '../../util/errors.ts';
import { run } from '../../util/exec.ts';

export const UNDO_COMMAND_TIMEOUT_MS = 60_000;

export interface ExistingCleanupReport {
  /** Runs whose faults are all undone now (their folders can go). */
  readonly cleaned: string[];
  /** Commands that ran, as "run id: argv". */
  readonly undone: string[];
  /** What is left for a person: failed commands and undo steps that are not commands. Their runs are kept. */
  readonly leftovers: { readonly runId: string; readonly what: string }[];
  /** Runs kept because something is left (their journals stay for the next cleanup). */
  readonly kept: string[];
  readonly skippedLiveRuns: string[];
}

/** Runs argv and returns its stdout; replaceable in tests. */
export type UndoRunner = (file: string, args: readonly string[], options: { readonly timeoutMs: number }) => Promise<unknown>;

/** Faults journaled but never undone, newest first. */
export function pendingFaults(entries: readonly JournalEntry[]): Extract<JournalEntry, { type: 'fault-intent' }>[] {
  const undone = new Set(entries.flatMap((e) => (e.type === 'fault-undone' ? [e.id] : [])));
  return entries.flatMap((e) => (e.type === 'fault-intent' && !undone.has(e.id) ? [e] : [])).reverse();
}

export async function cleanupExistingRuns(options: { all?: boolean; runner?: UndoRunner } = {}): Promise<ExistingCleanupReport> {
  const report: ExistingCleanupReport = { cleaned: [], undone: [], leftovers: [], kept: [], skippedLiveRuns: [] };
  const runner = options.runner ?? run;
  for (const runDir of Journal.listRunDirs()) {
    const entries = Journal.read(runDir);
    const start = entries.find((e) => e.type === 'run');
    if (start?.type !== 'run' || start.provider !== 'existing') continue;
    const runId = basename(runDir);
    if (!options.all && start.ownerPid !== process.pid && isOwnerAlive(start.ownerPid, start.ownerStartTicks)) {
      report.skippedLiveRuns.push(runId);
      continue;
    }
    const journal = new Journal(runDir);
    let left = 0;
    for (const fault of pendingFaults(entries)) {
      let failed = false;
      for (const argv of fault.undo ?? []) {
        const [file = '', ...args] = argv;
        try {
          await runner(file, args, { timeoutMs: UNDO_COMMAND_TIMEOUT_MS });
          report.undone.push(`${runId}: ${argv.join(' ')}`);
        } catch (error) {
          failed = true;
          report.leftovers.push({ runId, what: `${fault.description}: \`${argv.join(' ')}\` failed: ${errorMessage(error)}` });
        }
      }
      for (const step of fault.manualUndo ?? []) report.leftovers.push({ runId, what: `${fault.description}: undo by hand: ${step}` });
      if (!failed && (fault.manualUndo ?? []).length === 0) journal.record({ type: 'fault-undone', id: fault.id });
      else left++;
    }
    if (left > 0) report.kept.push(runId);
    else report.cleaned.push(runId);
  }
  return report;
}
