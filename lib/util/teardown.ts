// Teardown registered before setup, run in reverse; keeps going past failures and rethrows the first.
export class TeardownStack {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
  private done: Promise<void> | undefined;

  defer(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /** Runs every step once, newest first. Calling it again returns the same result (idempotent). */
  run(): Promise<void> {
    this.done ??= this.runAll();
    return this.done;
  }

  private async runAll(): Promise<void> {
    let first: unknown;
    while (this.steps.length > 0) {
      const step = this.steps.pop() as { name: string; run: () => Promise<void> | void };
      try {
        await step.run();
      } catch (error) {
        first ??= new Error(`teardown step "${step.name}" failed: ${(error as Error).message}`, { cause: error });
      }
    }
    if (first !== undefined) throw first;
  }
}
