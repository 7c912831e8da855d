// Checker self-validation: each deliberately faulty promotion policy, run against the scenario that exposes it,
// must be caught by the invariant that should catch it. The track record in the README is this table's output.
import { fileURLToPath } from 'node:url';

export interface SelfValidationCase {
  /** The fault, as a person would name it. */
  readonly fault: string;
  /** Module under fixtures/policies/. */
  readonly policy: string;
  /** Scenario file under suites/. */
  readonly scenario: string;
  /** The invariant that must fail. */
  readonly caughtBy: string;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function projectPath(relative: string): string {
  return `${ROOT}${relative}`;
}

export const SELF_VALIDATION_CASES: readonly SelfValidationCase[] = [
  {
    fault: 'promotes a replacement for a node that is only down ("conditional automatic recovery")',
    policy: 'fixtures/policies/threshold.ts',
    scenario: 'suites/promotion/kill-cp-no-promotion.yaml',
    caughtBy: 'promotion-only-after-deletion',
  },
  {
    fault: 'never promotes',
    policy: 'fixtures/policies/faulty-never-promotes.ts',
    scenario: 'suites/promotion/delete-cp-promotes-worker.yaml',
    caughtBy: 'promotion-after-deletion',
  },
  {
    fault: 'promotes a cordoned worker',
    policy: 'fixtures/policies/faulty-ignores-cordon.ts',
    scenario: 'suites/promotion/cordoned-worker.yaml',
    caughtBy: 'promotion-after-deletion',
  },
  {
    fault: 'keeps promoting past 3 management nodes',
    policy: 'fixtures/policies/faulty-promotes-past-three.ts',
    scenario: 'suites/promotion/steady-state.yaml',
    caughtBy: 'management-count',
  },
  {
    fault: 'promotes a NotReady worker',
    policy: 'fixtures/policies/faulty-ignores-readiness.ts',
    scenario: 'suites/promotion/dead-worker-not-promoted.yaml',
    caughtBy: 'promotion-after-deletion',
  },
];
