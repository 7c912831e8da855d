// What executors produce: a plan of steps, each an action and (maybe) the action that undoes it. Running a plan
// applies the steps in order; if one fails, the steps already applied are undone (newest first) and the original
// error is rethrown. The plan can also be printed without running anything (dry-run).
import type { AppliedFault, FaultRequest } from '../../../faults/catalogue.ts';

/** One thing an executor does: a command, a power request, an API call. */
export interface FaultAction {
  /** One line, as a person would type it: `ipmitool -I lanplus -H 10.0.1.11 ... chassis power off`. */
  readonly describe: string;
  /** The argv, for commands (journaled so a killed run's undo can be found). */
  readonly argv?: readonly string[];
  run(): Promise<void>;
}

export interface FaultStep {
  /** The node the step acts on (for partition and drop: the node the command runs for). */
  readonly node?: string;
  readonly apply: FaultAction;
  readonly undo?: FaultAction;
}

export interface FaultPlan {
  readonly request: FaultRequest;
  readonly steps: readonly FaultStep[];
}

/** The step's undo actions of a plan, in the order they would run (newest first). */
export function undoActions(steps: readonly FaultStep[]): FaultAction[] {
  return steps.flatMap((step) => (step.undo ? [step.undo] : [])).reverse();
}

/** Runs actions in order; keeps going past failures and rethrows the first. */
export async function runAll(actions: readonly FaultAction[]): Promise<void> {
  let first: unknown;
  for (const action of actions) {
    try {
      await action.run();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== undefined) throw first;
}

/** Idempotent wrapper: the first call runs, later calls return the same promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

/**
 * Applies a plan; a failed step undoes the steps before it and rethrows. The returned undo is idempotent.
 * `journalStep` is told each step just before it runs (the journal's fault-step entries).
 */
export async function applyPlan(plan: FaultPlan, journalStep?: (description: string) => void): Promise<AppliedFault> {
  const applied: FaultStep[] = [];
  for (const step of plan.steps) {
    journalStep?.(step.apply.describe);
    try {
      await step.apply.run();
    } catch (error) {
      try {
        await runAll(undoActions(applied));
      } catch (undoError) {
        // The step's failure comes first; a failed undo must still be told, since something stays broken.
        const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));
        throw new Error(`${why(error)}; undoing the ${applied.length} step(s) already applied also failed: ${why(undoError)}`, {
          cause: error,
        });
      }
      throw error;
    }
    applied.push(step);
  }
  return { request: plan.request, undo: once(() => runAll(undoActions(applied))) };
}
