// The existing-cluster part of `cpchaos cleanup`: a run that died (SIGKILL, a lost machine) may have left faults on
// a real cluster. Its journal holds, for every fault, the commands that undo it; cleanup runs them, newest fault
// first. Undo steps that are not commands (API calls, KubeVirt or IPMI requests) are named for the operator, and the
// run's journal is kept until everything was undone. Objects the run created in the cluster (the samplers' registers)
// and never deleted are deleted through the kubeconfig the journal names.
import { CoreV1Api } from '@kubernetes/client-node';
import { Journal, type JournalEntry } from '../../faults/journal.ts';
import { errorMessage } from '../../util/errors.ts';
import { run } from '../../util/exec.ts';
import { loadKubeConfig, statusCodeOf } from '../../util/kubeconfig.ts';
import { requestWithDeadline } from '../../util/api-deadline.ts';
import type { CleanupHandler, LeftRun, ReapOutcome } from '../core/reaper.ts';

export const UNDO_COMMAND_TIMEOUT_MS = 60_000;
export const OBJECT_DELETE_TIMEOUT_MS = 30_000;

type ObjectEntry = Extract<JournalEntry, { type: 'object' }>;

/** Objects journaled as created and never as deleted. */
export function leftObjects(entries: readonly JournalEntry[]): ObjectEntry[] {
  const deleted = new Set(entries.flatMap((e) => (e.type === 'object-deleted' ? [`${e.namespace}/${e.name}`] : [])));
  return entries.flatMap((e) => (e.type === 'object' && !deleted.has(`${e.namespace}/${e.name}`) ? [e] : []));
}

/** Deletes what the run left; an object already gone counts as deleted. */
async function deleteLeftObjects(left: LeftRun): Promise<ReapOutcome> {
  const journal = new Journal(left.runDir);
  const done: string[] = [];
  const failed: string[] = [];
  for (const object of leftObjects(left.entries)) {
    const what = `${object.kind} ${object.namespace}/${object.name}`;
    try {
      const core = loadKubeConfig(object.kubeconfig).makeApiClient(CoreV1Api);
      await requestWithDeadline(`deleting ${what}`, OBJECT_DELETE_TIMEOUT_MS, (options) =>
        core.deleteNamespacedConfigMap({ name: object.name, namespace: object.namespace }, options),
      ).catch((error: unknown) => {
        if (statusCodeOf(error) !== 404) throw error;
      });
      journal.record({ type: 'object-deleted', kind: object.kind, namespace: object.namespace, name: object.name });
      done.push(`deleted ${what}`);
    } catch (error) {
      failed.push(`${what}: could not delete it: ${errorMessage(error)}`);
    }
  }
  return { done, failed, leftForPerson: [], ...(failed.length > 0 ? { keepJournal: true } : {}) };
}

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
    // A removed host stays removed: name what was done (re-install and join the host to bring it back).
    const applied = new Set(left.entries.flatMap((e) => (e.type === 'fault-step' && e.id === fault.id ? [e.description] : [])));
    for (const step of fault.notUndoable ?? [])
      leftForPerson.push(`${fault.description}: cannot be undone${[...applied].some((d) => step.endsWith(d)) ? ' (it ran)' : ''}: ${step}`);
    if (!commandFailed && (fault.manualUndo ?? []).length === 0 && (fault.notUndoable ?? []).length === 0)
      journal.record({ type: 'fault-undone', id: fault.id });
    else remaining++;
  }
  return { done, failed, leftForPerson, ...(remaining > 0 ? { keepJournal: true } : {}) };
}

export function existingCleanup(runner: UndoRunner = run): CleanupHandler {
  return {
    provider: 'existing',
    async reapRun(left) {
      const faults = await undoPendingFaults(left, runner);
      const objects = await deleteLeftObjects(left);
      return {
        done: [...faults.done, ...objects.done],
        failed: [...faults.failed, ...objects.failed],
        leftForPerson: faults.leftForPerson,
        ...(faults.keepJournal === true || objects.keepJournal === true ? { keepJournal: true } : {}),
      };
    },
  };
}
