// Write availability through the VIP: the acknowledged writes the sampler made, and the outages between them.
import type { OpEvent } from '../observe/history.ts';
import type { Interval } from './context.ts';
import { isWrite } from './operations.ts';
import type { Operation } from './operations.ts';

export const VIP_TARGET = 'vip';

/** Write or cas operations that went through the VIP. */
export function vipWrites(operations: readonly Operation[]): Operation[] {
  return operations.filter((op) => op.target === VIP_TARGET && isWrite(op));
}

/** Completion events of acknowledged VIP writes, in recording order. */
export function acknowledgedVipWrites(operations: readonly Operation[]): OpEvent[] {
  const out: OpEvent[] = [];
  for (const op of vipWrites(operations)) if (op.outcome === 'ok' && op.completion !== undefined) out.push(op.completion);
  return out.sort((a, b) => a.seq - b.seq);
}

export interface Outage extends Interval {
  readonly durationMs: number;
  /** The acknowledged write before the outage. */
  readonly lastOk: OpEvent;
  /** The first acknowledged write after it; undefined when writes never came back before the run ended. */
  readonly nextOk?: OpEvent;
}

/** Maximal intervals without an acknowledged write, from the last ack before to the first after, longer than thresholdMs. */
export function writeOutages(acks: readonly OpEvent[], endT: number, thresholdMs: number): Outage[] {
  const out: Outage[] = [];
  for (let i = 0; i < acks.length; i += 1) {
    const lastOk = acks[i] as OpEvent;
    const nextOk = acks[i + 1];
    const to = nextOk?.t ?? endT;
    if (to - lastOk.t <= thresholdMs) continue;
    out.push({ from: lastOk.t, to, durationMs: to - lastOk.t, lastOk, ...(nextOk ? { nextOk } : {}) });
  }
  return out;
}
