// Measures write availability from sampler operations: the longest stretch without an acknowledged write.
import type { SamplerOp } from '../../../observe/write-sampler.ts';

/** Longest interval between consecutive acknowledged writes of `process` that overlaps [fromMs, toMs]. */
export function longestWriteGapMs(ops: readonly SamplerOp[], process: string, fromMs: number, toMs: number): number {
  const oks = ops.filter((op) => op.process === process && op.f === 'cas' && op.phase === 'ok').map((op) => op.t);
  let longest = 0;
  let previous = fromMs;
  for (const t of oks) {
    if (t < fromMs) continue;
    if (t > toMs) break;
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return Math.max(longest, toMs - previous);
}

export function acknowledgedWritesBetween(ops: readonly SamplerOp[], process: string, fromMs: number, toMs: number): number {
  return ops.filter((op) => op.process === process && op.f === 'cas' && op.phase === 'ok' && op.t >= fromMs && op.t <= toMs).length;
}
