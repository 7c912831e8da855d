// Stopping a started cluster, shared by the providers: undo every fault (newest first), then run the teardown
// registered during start. Both always run; the first failure is rethrown. The ledger and the teardown stack are
// idempotent, so stop() is too.
import type { FaultLedger } from '../../faults/ledger.ts';
import type { TeardownStack } from '../../util/teardown.ts';

export async function undoFaultsThenTearDown(ledger: FaultLedger, teardown: TeardownStack): Promise<void> {
  let first: unknown;
  try {
    await ledger.undoAll();
  } catch (error) {
    first = error;
  }
  try {
    await teardown.run();
  } catch (error) {
    first ??= error;
  }
  if (first !== undefined) throw first;
}

/** A start that failed part-way: stop what was started, then rethrow the start's own error (not the stop's). */
export async function stopAndRethrow(cluster: { stop(): Promise<void> }, error: unknown): Promise<never> {
  try {
    await cluster.stop();
  } catch {
    // The start error is the one to report.
  }
  throw error;
}
