// Checker self-validation: each deliberately faulty promotion policy, run against the scenario that exposes it,
// must be caught by the invariant that should catch it. The track record in the README is this table's output.
//
// One case per rule of Harvester's selectPromoteNode (harvester/harvester pkg/controller/master/node/
// promote_controller.go at 3d63c2af; each policy's comment names the lines it breaks), plus liveness and the
// "conditional automatic recovery" policy. Rules the sandbox cannot show live are judged at the unit level only
// (fixtures/policies/policies.test.ts against Harvester's own Test_selectPromoteNode cases): a node without any Ready
// condition (the sandbox kubelet always reports one; strict-ready.ts) and a True pressure condition (the sandbox
// kubelet reports Ready only).
import { fileURLToPath } from 'node:url';

export interface SelfValidationCase {
  /** The fault, as a person would name it. */
  readonly fault: string;
  /** The rule of Harvester's promotion the policy breaks. */
  readonly rule: string;
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
  /**
   * Run by the test suite (suites/self-validation.test.ts in `npm test`) as well. `cpchaos validate` runs every case
   * (CI runs it after the tests); the test suite runs two short cases (10-15 s each on the 2-core machine) to stay
   * within its 20 minutes; all cases took 8 to 12 minutes.
   */
  readonly inTestSuite: boolean;
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
    rule: 'a management node counts by its role labels, Ready or not (IsManagementRole, :317-321)',
    policy: 'fixtures/policies/threshold.ts',
    scenario: 'fixtures/scenarios/kill-cp-back-after-replacement.yaml',
    caughtBy: 'promotion-only-after-deletion',
    alsoCaughtBy: ['management-count', 'expect'],
    endManagementCount: 4,
    inTestSuite: false,
  },
  {
    fault: 'never promotes',
    rule: 'a free management slot is filled (liveness)',
    policy: 'fixtures/policies/faulty-never-promotes.ts',
    scenario: 'suites/promotion/delete-cp-promotes-worker.yaml',
    caughtBy: 'promotion-after-deletion',
    inTestSuite: false,
  },
  {
    fault: 'promotes a cordoned worker',
    rule: 'cordon: an unschedulable node is no candidate (:352)',
    policy: 'fixtures/policies/faulty-ignores-cordon.ts',
    scenario: 'suites/promotion/cordoned-worker.yaml',
    caughtBy: 'promotion-after-deletion',
    inTestSuite: true,
  },
  {
    fault: 'keeps promoting past 3 management nodes',
    rule: 'nothing is promoted once management nodes reach min(total, 3) (:326-333)',
    policy: 'fixtures/policies/faulty-promotes-past-three.ts',
    scenario: 'suites/promotion/steady-state.yaml',
    caughtBy: 'management-count',
    inTestSuite: false,
  },
  {
    fault: 'promotes a NotReady worker',
    rule: 'health: a node whose Ready condition is not True is no candidate (IsHealthyNode, :351)',
    policy: 'fixtures/policies/faulty-ignores-readiness.ts',
    scenario: 'suites/promotion/dead-worker-not-promoted.yaml',
    caughtBy: 'promotion-after-deletion',
    inTestSuite: false,
  },
  {
    fault: 'promotes a worker under memory pressure (judges health by Ready alone)',
    rule: 'health: a node with a condition other than Ready True (MemoryPressure here) is no candidate (IsHealthyNode, :351)',
    policy: 'fixtures/policies/faulty-ignores-pressure.ts',
    scenario: 'proposals/worker-under-memory-pressure.yaml',
    caughtBy: 'promotion-after-deletion',
    inTestSuite: false,
  },
  {
    fault: 'promotes a worker Harvester did not install (no harvesterhci.io/managed label)',
    rule: 'managed label: only harvesterhci.io/managed nodes are candidates (isHarvesterNode, :351)',
    policy: 'fixtures/policies/faulty-ignores-managed-label.ts',
    scenario: 'suites/promotion/unmanaged-worker.yaml',
    caughtBy: 'promotion-after-deletion',
    inTestSuite: false,
  },
  {
    fault: 'promotes a node labelled node-role.harvesterhci.io/worker',
    rule: 'worker role: a node labelled to stay a worker is no candidate (isWorkerPreferredNode, :353)',
    policy: 'fixtures/policies/faulty-ignores-worker-role.ts',
    scenario: 'suites/promotion/worker-role-not-promoted.yaml',
    caughtBy: 'promotion-after-deletion',
    inTestSuite: false,
  },
  {
    fault: 'promotes an older worker before the witness',
    rule: 'witness tier: an unpromoted witness comes before ordinary workers (:391-392)',
    policy: 'fixtures/policies/faulty-ignores-witness-tier.ts',
    scenario: 'suites/promotion/witness.yaml',
    caughtBy: 'promotion-after-deletion',
    alsoCaughtBy: ['expect'],
    inTestSuite: false,
  },
  {
    fault: 'counts a second witness towards three and promotes',
    rule: 'extra witness: one witness only, a second one is neither counted nor promoted (isExtraWitnessNode, :353)',
    policy: 'fixtures/policies/faulty-counts-extra-witnesses.ts',
    scenario: 'suites/promotion/second-witness-not-counted.yaml',
    caughtBy: 'promotion-only-after-deletion',
    alsoCaughtBy: ['expect'],
    inTestSuite: true,
  },
  {
    fault: 'promotes an older worker before the one labelled node-role.harvesterhci.io/management',
    rule: 'priority: management-labelled candidates first (:357-358, :389-390)',
    policy: 'fixtures/policies/faulty-ignores-management-tier.ts',
    scenario: 'suites/promotion/management-preferred-promoted.yaml',
    caughtBy: 'promotion-after-deletion',
    alsoCaughtBy: ['expect'],
    inTestSuite: false,
  },
  {
    fault: 'promotes a worker in a zone that already has a management node',
    rule: 'zones: the candidate must be in a zone without a management node (:345-350, :378-383, :398-401)',
    policy: 'fixtures/policies/faulty-ignores-zones.ts',
    scenario: 'suites/promotion/zones.yaml',
    caughtBy: 'promotion-after-deletion',
    alsoCaughtBy: ['expect'],
    inTestSuite: false,
  },
  {
    fault: 'promotes the youngest candidate',
    rule: 'age: the oldest candidate of its tier (:402)',
    policy: 'fixtures/policies/faulty-picks-youngest.ts',
    scenario: 'suites/promotion/oldest-worker-promoted.yaml',
    caughtBy: 'promotion-after-deletion',
    alsoCaughtBy: ['expect'],
    inTestSuite: false,
  },
  {
    fault: 'promotes another node while a promotion has failed',
    rule: 'blocking statuses: nothing is promoted while a node is running, failed or unknown (:340-343)',
    policy: 'fixtures/policies/faulty-promotes-two-at-once.ts',
    scenario: 'suites/promotion/failed-promotion-cleared.yaml',
    caughtBy: 'promotion-only-after-deletion',
    inTestSuite: false,
  },
  {
    fault: 'promotes while a completed promotion has no management label yet',
    rule: 'complete but unlabelled: nothing is promoted until the node has its role labels (:335-338)',
    policy: 'fixtures/policies/faulty-ignores-unlabelled-complete.ts',
    scenario: 'suites/promotion/complete-not-labelled-blocks.yaml',
    caughtBy: 'promotion-after-deletion',
    alsoCaughtBy: ['promote-status-lifecycle'],
    inTestSuite: false,
  },
  {
    fault: 'replaces a deleted management node while its Node object is still Terminating',
    rule: 'a deleted node counts until its Node object is gone (:104, :108)',
    policy: 'fixtures/policies/faulty-counts-terminating-as-gone.ts',
    scenario: 'suites/promotion/terminating-cp-still-counts.yaml',
    caughtBy: 'promotion-only-after-deletion',
    inTestSuite: false,
  },
];
