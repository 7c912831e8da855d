// Stopping a started cluster, shared by the providers: undo every fault (newest first), then run the teardown
// registered during start. Both always run; the first failure is rethrown. The ledger and the teardown stack are
// idempotent, so stop() is too.
import type { FaultLedger } from '../faults/ledger.ts';
import type { TeardownStack } from '../util/teardown.ts';

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
