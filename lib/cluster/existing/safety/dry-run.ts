// Dry-run: stands in for running a plan. Every step and every command (and later every undo) becomes a line;
// nothing is run. The lines are kept and handed to onLine as they come (the CLI prints them).
import { describeFault, type AppliedFault } from '../../../faults/catalogue.ts';
import { once, undoActions, type FaultPlan } from '../executors/action.ts';

export class DryRun {
  readonly lines: string[] = [];
  private counter = 0;

  constructor(private readonly onLine?: (line: string) => void) {}

  /** Records a line (also used for refusals and notes, so the dry-run output tells the whole story). */
  say(line: string): void {
    this.lines.push(line);
    this.onLine?.(line);
  }

  /** "Applies" a plan by describing it; the returned fault's undo describes the undo commands. */
  async apply(plan: FaultPlan): Promise<AppliedFault> {
    const n = ++this.counter;
    const what = describeFault(plan.request);
    this.say(`[dry-run] fault ${n}: ${what}`);
    if (plan.steps.length === 0) this.say('  (nothing to run)');
    for (const step of plan.steps) this.say(`  would run${step.node ? ` (${step.node})` : ''}: ${step.apply.describe}`);
    const undo = undoActions(plan.steps);
    return {
      request: plan.request,
      undo: once(async () => {
        this.say(`[dry-run] undo fault ${n}: ${what}`);
        if (undo.length === 0) this.say('  (nothing to undo)');
        for (const action of undo) this.say(`  would run: ${action.describe}`);
      }),
    };
  }
}
