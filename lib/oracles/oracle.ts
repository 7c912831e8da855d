// The shape every oracle has: a name (the invariant), a sentence saying what it checks, and a pure check.
import type { InvariantName } from '../model/invariants.ts';
import type { OracleContext } from './context.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export interface Oracle {
  readonly name: InvariantName;
  readonly description: string;
  check(ctx: OracleContext): Verdict;
}

/** The inconclusive verdict for a history without run-start (no timers, budgets or starting roles). */
export function withoutRunStart(ctx: OracleContext, invariant: string): Verdict | undefined {
  if (ctx.runStart !== undefined && ctx.budgets !== undefined) return undefined;
  return verdict(invariant, 'inconclusive', 'the history has no run-start event: no timers, budgets or starting roles to judge against');
}

export function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
