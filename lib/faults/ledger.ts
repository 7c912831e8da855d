// The fault ledger: every fault is journaled (intent) before it is applied, kept on a stack while active, and undone
// in reverse order at the end — on success, failure or interruption. Undo keeps going past failures and rethrows
// the first one.
import { describeFault } from './catalogue.ts';
import type { AppliedFault, FaultRequest } from './catalogue.ts';
import type { Journal } from './journal.ts';

/** How a later process undoes a fault if this one dies: commands to run, and steps only a person can take. */
export interface UndoRecipe {
  readonly commands: readonly (readonly string[])[];
  readonly manual: readonly string[];
  /** The fault's steps in order, when it has several (journaled with the intent). */
  readonly steps?: readonly string[];
  /** What cannot be undone once done; named in the journal for cleanup. */
  readonly notUndoable?: readonly string[];
}

/** Journals one step of a fault just before it is applied. */
export type StepJournal = (description: string) => void;

export class FaultLedger {
  private readonly active: { id: string; fault: AppliedFault }[] = [];
  private counter = 0;

  constructor(private readonly journal: Journal | undefined) {}

  /**
   * Journals the intent, applies, and remembers the fault for undo. `undo` is how a later process undoes it if this
   * one dies: commands to run, and steps only a person can redo.
   */
  async apply(
    request: FaultRequest,
    applyFault: (request: FaultRequest, journalStep: StepJournal) => Promise<AppliedFault>,
    undo?: UndoRecipe,
  ): Promise<AppliedFault> {
    const id = `f${++this.counter}`;
    this.journal?.record({
      type: 'fault-intent',
      id,
      description: describeFault(request),
      ...(undo && undo.commands.length > 0 ? { undo: undo.commands } : {}),
      ...(undo && undo.manual.length > 0 ? { manualUndo: undo.manual } : {}),
      ...(undo?.steps && undo.steps.length > 0 ? { steps: undo.steps } : {}),
      ...(undo?.notUndoable && undo.notUndoable.length > 0 ? { notUndoable: undo.notUndoable } : {}),
    });
    let index = 0;
    const journalStep: StepJournal = (description) => this.journal?.record({ type: 'fault-step', id, index: index++, description });
    const fault = await applyFault(request, journalStep);
    const entry = { id, fault };
    this.active.push(entry);
    return {
      request,
      undo: async () => {
        const index = this.active.indexOf(entry);
        if (index < 0) return;
        this.active.splice(index, 1);
        await fault.undo();
        this.journal?.record({ type: 'fault-undone', id });
      },
    };
  }

  get activeCount(): number {
    return this.active.length;
  }

  /** The requests of the faults applied and not undone yet, oldest first. */
  activeRequests(): FaultRequest[] {
    return this.active.map((entry) => entry.fault.request);
  }

  /** Undoes the active faults whose request matches, newest first; continues past failures and rethrows the first. */
  async undoMatching(matches: (request: FaultRequest) => boolean): Promise<void> {
    let first: unknown;
    for (const entry of [...this.active].reverse()) {
      if (!matches(entry.fault.request)) continue;
      const index = this.active.indexOf(entry);
      if (index < 0) continue;
      this.active.splice(index, 1);
      try {
        await entry.fault.undo();
        this.journal?.record({ type: 'fault-undone', id: entry.id });
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  /** Undoes every active fault, newest first; continues past failures and rethrows the first. */
  undoAll(): Promise<void> {
    return this.undoMatching(() => true);
  }
}
