// The API availability strip: the write sampler's operations through the VIP as ticks (ok, or failed/indeterminate),
// and the outages: stretches longer than a threshold without an acknowledged operation.
import type { History } from '../observe/history.ts';

export const VIP_PROCESS = 'vip';
export const DEFAULT_OUTAGE_THRESHOLD_MS = 1000;

export interface ApiTick {
  readonly atMs: number;
  readonly ok: boolean;
  readonly seq: number;
  /** ok, fail, info, or 'pending' for an invoke that never completed. */
  readonly outcome: 'ok' | 'fail' | 'info' | 'pending';
  readonly error?: string;
}

export interface Outage {
  readonly fromMs: number;
  readonly toMs: number;
  readonly durationMs: number;
  /** True when no acknowledged operation came after it (or before it, for a leading outage). */
  readonly open: boolean;
}

export interface ApiStrip {
  readonly ticks: readonly ApiTick[];
  readonly outages: readonly Outage[];
  readonly okCount: number;
  readonly failedCount: number;
}

function outage(fromMs: number, toMs: number, open: boolean): Outage {
  return { fromMs, toMs, durationMs: toMs - fromMs, open };
}

export function apiStrip(history: History, zeroMs: number, thresholdMs = DEFAULT_OUTAGE_THRESHOLD_MS): ApiStrip {
  const ticks: ApiTick[] = [];
  const pending = new Map<number, { atMs: number; seq: number }>();
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  for (const event of history) {
    if (event.kind !== 'op' || event.process !== VIP_PROCESS) continue;
    const atMs = event.t - zeroMs;
    firstMs ??= atMs;
    lastMs = atMs;
    if (event.phase === 'invoke') {
      pending.set(event.opId, { atMs, seq: event.seq });
      continue;
    }
    pending.delete(event.opId);
    ticks.push({
      atMs,
      ok: event.phase === 'ok',
      seq: event.seq,
      outcome: event.phase,
      ...(event.error === undefined ? {} : { error: event.error }),
    });
  }
  for (const p of pending.values()) ticks.push({ ...p, ok: false, outcome: 'pending' });
  ticks.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);

  const oks = ticks.filter((t) => t.ok).map((t) => t.atMs);
  const outages: Outage[] = [];
  const firstOk = oks[0];
  const lastOk = oks.at(-1);
  if (firstOk === undefined) {
    if (firstMs !== undefined && lastMs !== undefined && ticks.length > 0 && lastMs - firstMs > thresholdMs)
      outages.push(outage(firstMs, lastMs, true));
  } else {
    if (firstMs !== undefined && ticks.some((t) => !t.ok && t.atMs < firstOk) && firstOk - firstMs > thresholdMs)
      outages.push(outage(firstMs, firstOk, true));
    for (let i = 1; i < oks.length; i += 1) {
      const from = oks[i - 1] as number;
      const to = oks[i] as number;
      if (to - from > thresholdMs) outages.push(outage(from, to, false));
    }
    const end = lastMs ?? firstOk;
    if (lastOk !== undefined && ticks.some((t) => !t.ok && t.atMs > lastOk) && end - lastOk > thresholdMs)
      outages.push(outage(lastOk, end, true));
  }
  return { ticks, outages, okCount: oks.length, failedCount: ticks.length - oks.length };
}
