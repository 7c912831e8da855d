// The existing-cluster part of `cpchaos cleanup`: a run that died (SIGKILL, a lost machine) may have left faults on
// a real cluster. Its journal holds, for every fault, the commands that undo it; cleanup runs them, newest fault
// first. Undo steps that are not commands (API calls, KubeVirt or IPMI requests) are named for the operator, and the
// run's journal is kept until everything was undone.
import { Journal, type JournalEntry } from '../../faults/journal.ts';
import { errorMessage } from '../../util/errors.ts';
import { run } from '../../util/exec.ts';
import type { CleanupHandler, LeftRun, ReapOutcome } from '../core/reaper.ts';

export const UNDO_COMMAND_TIMEOUT_MS = 60_000;

/** Runs argv and returns its stdout; replaceable in tests. */
export type UndoRunner = (file: string, args: readonly string[], options: { readonly timeoutMs: number }) => Promise<unknown>;

/** Faults journaled but never undone, newest first. */
export function pendingFaults(entries: readonly JournalEntry[]): Extract<JournalEntry, { type: 'fault-intent' }>[] {
  const undone = new Set(entries.flatMap((e) => (e.type === 'fault-undone' ? [e.id] : [])));
  return entries.flatMap((e) => (e.type === 'fault-intent' && !undone.has(e.id) ? [e] : [])).reverse();
}

async function undoPendingFaults(left: LeftRun, runner: UndoRunner): Promise<ReapOutcome> {
  const journal = new Journal(left.runDir);
  const done: string[] = [];
  const failed: string[] = [];
  const leftForPerson: string[] = [];
  let remaining = 0;
  for (const fault of pendingFaults(left.entries)) {
    let commandFailed = false;
    for (const argv of fault.undo ?? []) {
      const [file = '', ...args] = argv;
      try {
        await runner(file, args, { timeoutMs: UNDO_COMMAND_TIMEOUT_MS });
        done.push(`undid ${fault.description}: ${argv.join(' ')}`);
      } catch (error) {
        commandFailed = true;
        failed.push(`${fault.description}: \`${argv.join(' ')}\` failed: ${errorMessage(error)}`);
      }
    }
    for (const step of fault.manualUndo ?? []) leftForPerson.push(`${fault.description}: undo by hand: ${step}`);
    if (!commandFailed && (fault.manualUndo ?? []).length === 0) journal.record({ type: 'fault-undone', id: fault.id });
    else remaining++;
  }
  return { done, failed, leftForPerson, ...(remaining > 0 ? { keepJournal: true } : {}) };
}

export function existingCleanup(runner: UndoRunner = run): CleanupHandler {
  return { provider: 'existing', reapRun: (left) => undoPendingFaults(left, runner) };
}
