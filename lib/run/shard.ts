// --shard i/n: which of the selected scenarios one machine of n runs. Deterministic (the same selection and timings
// give the same split on every machine), and each scenario lands in exactly one shard. Without timings, scenarios go
// round-robin in name order; with the durations of an earlier run (a summary.json, or a merged one), the longest go
// first, each to the shard with the least work so far (LPT), so the shards finish close together.
import { SetupError } from '../util/errors.ts';
import { byName, durationCosts } from './lane-order.ts';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` (1 <= i <= n); a SetupError (exit 2) names what was expected. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new SetupError(`--shard: expected i/n with 1 <= i <= n (for example 2/3), got "${text}"`);
  return { index, count };
}

/** Durations by scenario name from an earlier run's summary: the mean of its runs of each scenario. */
export function durationsFromSummary(summary: {
  readonly scenarios: readonly { readonly name: string; readonly durationMs: number }[];
}): Map<string, number> {
  const sums = new Map<string, { total: number; runs: number }>();
  for (const s of summary.scenarios) {
    const entry = sums.get(s.name) ?? { total: 0, runs: 0 };
    sums.set(s.name, { total: entry.total + s.durationMs, runs: entry.runs + 1 });
  }
  return new Map([...sums].map(([name, { total, runs }]) => [name, total / runs]));
}

/**
 * The items of shard `shard`, in their original order. A scenario without a known duration counts as the median of
 * the known ones (or 1 when none is known, which makes the split round-robin by name).
 */
export function selectShard<T extends { readonly name: string }>(
  items: readonly T[],
  shard: Shard,
  durationsMs?: ReadonlyMap<string, number>,
): T[] {
  const names = [...new Set(items.map((item) => item.name))].sort(byName);
  const assigned = new Map<string, number>();
  const { anyKnown, cost } = durationCosts(names, durationsMs);
  if (!anyKnown) {
    names.forEach((name, i) => assigned.set(name, (i % shard.count) + 1));
  } else {
    const loads = Array.from({ length: shard.count }, () => 0);
    for (const name of [...names].sort((a, b) => cost(b) - cost(a) || byName(a, b))) {
      const lightest = loads.indexOf(Math.min(...loads));
      loads[lightest] = (loads[lightest] ?? 0) + cost(name);
      assigned.set(name, lightest + 1);
    }
  }
  return items.filter((item) => assigned.get(item.name) === shard.index);
}
