// The fault ledger: every fault is journaled (intent) before it is applied, kept on a stack while active, and undone
// in reverse order at the end — on success, failure or interruption. Undo keeps going past failures and rethrows
// the first one.
import { describeFault } from './catalogue.ts';
import type { AppliedFault, FaultRequest } from './catalogue.ts';
import type { Journal } from './journal.ts';

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
    applyFault: (request: FaultRequest) => Promise<AppliedFault>,
    undo?: { readonly commands: readonly (readonly string[])[]; readonly manual: readonly string[] },
  ): Promise<AppliedFault> {
    const id = `f${++this.counter}`;
    this.journal?.record({
      type: 'fault-intent', id, description: describeFault(request),
      ...(undo && undo.commands.length > 0 ? { undo: undo.commands } : {}),
      ...(undo && undo.manual.length > 0 ? { manualUndo: undo.manual } : {}),
    });
    const fault = await applyFault(request);
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

  /** Undoes every active fault, newest first; continues past failures and rethrows the first. */
  async undoAll(): Promise<void> {
    let first: unknown;
    while (this.active.length > 0) {
      const entry = this.active.pop() as { id: string; fault: AppliedFault };
      try {
        await entry.fault.undo();
        this.journal?.record({ type: 'fault-undone', id: entry.id });
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }
}
