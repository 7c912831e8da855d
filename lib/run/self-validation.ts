// Checker self-validation: each deliberately faulty promotion policy, run against the scenario that exposes it,
// must be caught by the invariant that should catch it. The track record in the README is this table's output.
import { fileURLToPath } from 'node:url';

export interface SelfValidationCase {
  /** The fault, as a person would name it. */
  readonly fault: string;
  /** Module under fixtures/policies/. */
  readonly policy: string;
  /** Scenario file (under suites/, or a dedicated one under fixtures/scenarios/). */
  readonly scenario: string;
  /** The invariant that must fail. */
  readonly caughtBy: string;
  /** Other verdicts that must fail too (an invariant, or `expect` for the scenario's end state). */
  readonly alsoCaughtBy?: readonly string[];
  /** How many management nodes the faulty policy must have left at the end of the run (from the recorded history). */
  readonly endManagementCount?: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function projectPath(relative: string): string {
  return `${ROOT}${relative}`;
}

export const SELF_VALIDATION_CASES: readonly SelfValidationCase[] = [
  {
    // kill-cp-no-promotion with time to settle once the node is back: the replacement can only finish then (etcd
    // refuses a fourth member while one of three is down), too close to the end of the catalogue scenario to count on.
    fault: 'promotes a replacement for a node that is only down ("conditional automatic recovery"): 4 management nodes once it is back',
    policy: 'fixtures/policies/threshold.ts',
    scenario: 'fixtures/scenarios/kill-cp-back-after-replacement.yaml',
    caughtBy: 'promotion-only-after-deletion',
    alsoCaughtBy: ['management-count', 'expect'],
    endManagementCount: 4,
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
