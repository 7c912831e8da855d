// The run journal: an append-only JSON-lines file recording every resource and fault BEFORE it is created or
// applied, so `cpchaos cleanup` can undo what a killed run left behind.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type JournalEntry =
  | {
      readonly type: 'run';
      readonly runId: string;
      readonly provider: string;
      readonly ownerPid: number;
      readonly ownerStartTicks: number;
      readonly t: number;
    }
  | { readonly type: 'netns'; readonly name: string; readonly t: number }
  | { readonly type: 'process'; readonly pid: number; readonly node: string; readonly what: string; readonly t: number }
  | {
      readonly type: 'fault-intent';
      readonly id: string;
      readonly description: string;
      /** The commands that undo it, in order (argv each): `cpchaos cleanup` runs them for a killed run. */
      readonly undo?: readonly (readonly string[])[];
      /** Undo steps that are not commands (API calls, power requests): cleanup names them for the operator. */
      readonly manualUndo?: readonly string[];
      /** The steps the fault will take, in order (a remove-host: maintenance, uninstall, power-off, Node DELETE). */
      readonly steps?: readonly string[];
      /** What nothing can undo once done (an uninstalled, powered-off, deleted host): cleanup names it. */
      readonly notUndoable?: readonly string[];
      readonly t: number;
    }
  /** One step of a fault, journaled just before it is applied (index into the intent's steps). */
  | { readonly type: 'fault-step'; readonly id: string; readonly index: number; readonly description: string; readonly t: number }
  | { readonly type: 'fault-undone'; readonly id: string; readonly t: number }
  /** An object the run created in the cluster (a sampler register), with the kubeconfig that reaches it. */
  | {
      readonly type: 'object';
      readonly kind: 'ConfigMap';
      readonly namespace: string;
      readonly name: string;
      readonly kubeconfig: string;
      readonly t: number;
    }
  | { readonly type: 'object-deleted'; readonly kind: 'ConfigMap'; readonly namespace: string; readonly name: string; readonly t: number }
  | { readonly type: 'stopped'; readonly t: number };

type WithoutTime<T> = T extends unknown ? Omit<T, 't'> : never;

/** Root of cpchaos's state: CPCHAOS_STATE_DIR, or a per-user folder in the temp dir. */
export function stateRoot(): string {
  const fromEnv = process.env['CPCHAOS_STATE_DIR'];
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(tmpdir(), `cpchaos-${process.getuid?.() ?? 'user'}`);
}

export function runsRoot(): string {
  return join(stateRoot(), 'runs');
}

export class Journal {
  readonly path: string;

  constructor(readonly runDir: string) {
    mkdirSync(runDir, { recursive: true });
    this.path = join(runDir, 'journal.jsonl');
  }

  /** Appends synchronously: the entry is on disk before the caller goes on to create the thing it names. */
  record(entry: WithoutTime<JournalEntry>): void {
    appendFileSync(this.path, JSON.stringify({ ...entry, t: Date.now() }) + '\n');
  }

  static read(runDir: string): JournalEntry[] {
    const path = join(runDir, 'journal.jsonl');
    if (!existsSync(path)) return [];
    const entries: JournalEntry[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // A line cut short by a crash mid-write: everything before it is still usable.
      }
    }
    return entries;
  }

  static listRunDirs(root: string = runsRoot()): string[] {
    if (!existsSync(root)) return [];
    return readdirSync(root)
      .sort()
      .map((name) => join(root, name));
  }
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or undefined if it is gone. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(afterName[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** True when the process that wrote a journal is still the same live process. */
export function isOwnerAlive(pid: number, startTicks: number): boolean {
  return processStartTicks(pid) === startTicks;
}
