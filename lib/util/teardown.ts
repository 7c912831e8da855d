// Teardown registered before setup, run in reverse; keeps going past failures and rethrows the first.
export class TeardownStack {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
  private done: Promise<void> | undefined;

  defer(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /**
   * One step whose parts, added later, run concurrently (the nodes of a large cluster: each waits on its own processes
   * and `ip` commands, so one after the other they add up). Every part runs; the first failure is rethrown.
   */
  deferConcurrent(name: string): ConcurrentSteps {
    const steps = new ConcurrentSteps();
    this.defer(name, () => steps.run());
    return steps;
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

/** Parts of one teardown step, run together when the step runs (each once). */
export class ConcurrentSteps {
  private readonly parts: (() => Promise<void> | void)[] = [];

  add(run: () => Promise<void> | void): void {
    this.parts.push(run);
  }

  async run(): Promise<void> {
    const results = await Promise.allSettled(this.parts.splice(0).map(async (part) => part()));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
