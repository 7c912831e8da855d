// Write outages through the VIP for the figures: the quorum-survives oracle's outages (writeOutages over the
// acknowledged VIP writes), measured over the time writes were attempted, plus a leading outage.
import type { Interval } from '../oracles/context.ts';
import type { Operation } from '../oracles/operations.ts';
import { acknowledgedVipWrites, vipWrites, writeOutages } from '../oracles/write-outages.ts';

export interface VipWriteOutages {
  /** Epoch ms, in time order. */
  readonly outages: readonly Interval[];
}

/**
 * Outages longer than thresholdMs, or undefined when nothing wrote through the VIP (the figure does not apply).
 *
 * Two differences from the oracle's view, both about the edges of the run:
 * - the last outage ends at the last write attempt (its completion, else its invoke), not at the end of the history:
 *   the samplers stop before the run ends (the observer's final reads and object deletion come after), and the time
 *   nobody wrote is not an outage;
 * - writes that failed from the first attempt until the first acknowledged one (or all of them, when none was
 *   acknowledged) are an outage too: writeOutages counts only from an acknowledged write.
 */
export function vipWriteOutages(operations: readonly Operation[], thresholdMs: number): VipWriteOutages | undefined {
  const writes = vipWrites(operations);
  if (writes.length === 0) return undefined;
  let firstT = Number.POSITIVE_INFINITY;
  let lastT = Number.NEGATIVE_INFINITY;
  for (const op of writes) {
    firstT = Math.min(firstT, op.invoke.t);
    lastT = Math.max(lastT, op.completion?.t ?? op.invoke.t);
  }
  const acks = acknowledgedVipWrites(operations);
  const firstAckT = acks[0]?.t ?? lastT;
  const leading: Interval[] = firstAckT - firstT > thresholdMs ? [{ from: firstT, to: firstAckT }] : [];
  const after = writeOutages(acks, lastT, thresholdMs).map((o) => ({ from: o.from, to: o.to }));
  return { outages: [...leading, ...after] };
}
