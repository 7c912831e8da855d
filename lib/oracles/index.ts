// The oracle registry. Each oracle is a pure function of a history, so it runs live and offline
// (`cpchaos check history.json`). runOracles builds the shared derived views once.
import type { InvariantName } from '../model/invariants.ts';
import type { History } from '../observe/history.ts';
import { OracleContext } from './context.ts';
import type { OracleOptions } from './context.ts';
import { managementCount } from './management-count.ts';
import { noLostWrites } from './no-lost-writes.ts';
import type { Oracle } from './oracle.ts';
import { promoteStatusLifecycle } from './promote-status-lifecycle.ts';
import { promotionAfterDeletion } from './promotion-after-deletion.ts';
import { promotionOnlyAfterDeletion } from './promotion-only-after-deletion.ts';
import { quorumLost } from './quorum-lost.ts';
import { quorumSurvives } from './quorum-survives.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export type { Verdict, VerdictStatus } from './verdict.ts';
export type { Oracle } from './oracle.ts';
export type { OracleOptions, ReferencePolicy, RegisterInitial } from './context.ts';
export { DEFAULT_LINEARIZABILITY_MAX_STEPS, DEFAULT_OUTAGE_THRESHOLD_MS, HARVESTER_REFERENCE, OracleContext } from './context.ts';

const ALL: readonly Oracle[] = [
  promotionOnlyAfterDeletion,
  promotionAfterDeletion,
  managementCount,
  quorumSurvives,
  quorumLost,
  noLostWrites,
  promoteStatusLifecycle,
];

/** Every oracle by invariant name. */
export const ORACLES: ReadonlyMap<string, Oracle> = new Map(ALL.map((oracle) => [oracle.name, oracle]));

/** The invariants in the order they are judged: every name of INVARIANT_NAMES (oracles.test.ts checks both ways). */
export const ORACLE_NAMES: readonly InvariantName[] = ALL.map((oracle) => oracle.name);

export class UnknownOracleError extends Error {
  constructor(readonly names: readonly string[]) {
    super(`unknown invariant(s): ${names.join(', ')}; known: ${ORACLE_NAMES.join(', ')}`);
    this.name = 'UnknownOracleError';
  }
}

/**
 * Runs the named oracles (all by default) over one history, in registry order. An unknown name throws
 * UnknownOracleError; an oracle that throws gives an inconclusive verdict naming the error, and the rest still run.
 */
export function runOracles(history: History, names?: readonly string[], options: OracleOptions = {}): Verdict[] {
  const wanted = names ?? ORACLE_NAMES;
  const unknown = wanted.filter((name) => !ORACLES.has(name));
  if (unknown.length > 0) throw new UnknownOracleError(unknown);
  const ctx = new OracleContext(history, options);
  return ORACLE_NAMES.filter((name) => wanted.includes(name)).map((name) => {
    const oracle = ORACLES.get(name) as Oracle;
    try {
      return oracle.check(ctx);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The checker broke, not the system: an error, which judges nothing.
      return verdict(name, 'error', `the oracle failed: ${message}`, [], {
        error: error instanceof Error ? (error.stack ?? message) : message,
      });
    }
  });
}
