// The order scenarios start in when several run at once (--parallel): longest first, so the longest is not the one
// left running alone at the end (the LPT rule, as --shard splits with timings, and as jest's sequencer orders test
// files by the durations it recorded). What "longest" means: the durations of an earlier run when given (an unknown
// scenario counts as their median), else the time a scenario's own hold steps take, which does not depend on the
// machine (a scenario's waits end when the cluster gets there; its holds last what they say).
import type { Scenario } from '../scenario/types.ts';

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const isDuration = (d: number | undefined): d is number => d !== undefined && Number.isFinite(d) && d >= 0;

export interface DurationCosts {
  /** Whether any of the names has a known duration. */
  readonly anyKnown: boolean;
  /** Its known duration, or the median of the known ones (1 when none is known, which leaves every name equal). */
  readonly cost: (name: string) => number;
}

export function durationCosts(names: readonly string[], durationsMs?: ReadonlyMap<string, number>): DurationCosts {
  const known = names.map((n) => durationsMs?.get(n)).filter(isDuration);
  const sorted = [...known].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 1;
  return {
    anyKnown: known.length > 0,
    cost: (name) => {
      const duration = durationsMs?.get(name);
      return isDuration(duration) ? duration : median;
    },
  };
}

/** How long a scenario's hold steps last in all (ms). */
export function holdTimeMs(scenario: Pick<Scenario, 'steps'>): number {
  return scenario.steps.reduce((sum, step) => sum + (step.kind === 'hold' ? step.holdMs : 0), 0);
}

/**
 * The scenarios longest first: by the given durations when any is known, else by their hold time; equal ones in
 * name order. Repeated names (none in one selection) keep their relative order.
 */
export function longestFirst<T extends Pick<Scenario, 'name' | 'steps'>>(
  scenarios: readonly T[],
  durationsMs?: ReadonlyMap<string, number>,
): T[] {
  const measured = durationCosts(
    scenarios.map((s) => s.name),
    durationsMs,
  );
  const cost = (scenario: T): number => (measured.anyKnown ? measured.cost(scenario.name) : holdTimeMs(scenario));
  return [...scenarios].sort((a, b) => cost(b) - cost(a) || byName(a.name, b.name));
}
