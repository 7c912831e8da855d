import { expect } from 'chai';
import { formatSelector, type Selector } from '../scenario/targets.ts';
import type { ScenarioSpec, Step } from '../scenario/types.ts';
import { createRandom } from '../scenario/random.ts';
import { generateSchedule } from './generate.ts';
import { isRecoveryStep, shrinkSchedule, validSchedule } from './shrink.ts';
import { seed2aMinimal, WORKER_LABEL } from './testing/seed-2a.ts';

const cp = (index: number): Selector => ({ kind: 'index', role: 'control-plane', index });
const worker = (index: number): Selector => ({ kind: 'index', role: 'worker', index });

function spec(steps: Step[]): ScenarioSpec {
  return {
    name: 'shrink-me',
    tags: [],
    sandboxOnly: false,
    allowQuorumLoss: false,
    cluster: { controlPlanes: 3, workers: 2, witnesses: 0 },
    budgets: {},
    steps,
    expect: { assertions: [] },
    invariants: [{ name: 'management-count' }],
  };
}

const STEPS: Step[] = [
  { kind: 'cordon', targets: [worker(1)] },
  { kind: 'pause', targets: [worker(0)] },
  { kind: 'hold', holdMs: 8000 },
  { kind: 'kill', targets: [cp(2)] },
  { kind: 'wait', until: { kind: 'node', node: cp(2), ready: 'Unknown' }, timeoutMs: 60_000 },
  { kind: 'drop', from: [worker(1)], to: [cp(1)] },
  { kind: 'hold', holdMs: 12_000 },
  { kind: 'restart', targets: [cp(2)] },
  { kind: 'heal' },
  { kind: 'label', targets: [worker(0)], labels: { zone: 'b' } },
  { kind: 'label', targets: [worker(0)], labels: { zone: null } },
  { kind: 'uncordon', targets: [worker(1)] },
  { kind: 'wait', until: { kind: 'api', state: 'writable' }, timeoutMs: 120_000 },
  { kind: 'hold', holdMs: 3000 },
];

const targetsOf = (step: Step): string[] => ('targets' in step ? step.targets.map(formatSelector) : []);
/** The fake system: fails iff a control plane is killed and a worker cordoned. */
const killsCpAndCordonsWorker = (candidate: ScenarioSpec): boolean =>
  candidate.steps.some((s) => s.kind === 'kill' && targetsOf(s).some((t) => t.startsWith('control-plane'))) &&
  candidate.steps.some((s) => s.kind === 'cordon' && targetsOf(s).some((t) => t.startsWith('worker')));

/**
 * The shape explore found on the sandbox (seed b7): worker[0] labelled and cordoned, a control plane deleted, the
 * worker killed and restarted, then uncordoned and unlabelled; `afterLabel` goes after the label, `closing` last.
 */
const b7Shape = (afterLabel: Step[], closing: Step): Step[] => [
  { kind: 'label', targets: [worker(0)], labels: { [WORKER_LABEL]: 'true' } },
  ...afterLabel,
  { kind: 'cordon', targets: [worker(0)] },
  { kind: 'delete-node', targets: [cp(0)], forceFinalizers: false },
  { kind: 'kill', targets: [worker(0)] },
  { kind: 'restart', targets: [worker(0)] },
  { kind: 'uncordon', targets: [worker(0)] },
  { kind: 'label', targets: [worker(0)], labels: { [WORKER_LABEL]: null } },
  closing,
];

describe('explore: shrinking a failing schedule', () => {
  it('the hand-written schedule is valid and fails', () => {
    expect(validSchedule(spec(STEPS))).to.equal(true);
    expect(killsCpAndCordonsWorker(spec(STEPS))).to.equal(true);
  });

  it('tells recoveries (restart, resume, heal, uncordon, a label removal) from faults', () => {
    const recoveries = STEPS.filter(isRecoveryStep).map((step) => step.kind);
    expect(recoveries).to.deep.equal(['restart', 'heal', 'label', 'uncordon']);
    expect(isRecoveryStep({ kind: 'resume', targets: [worker(0)] })).to.equal(true);
    expect(isRecoveryStep({ kind: 'label', targets: [worker(0)], labels: { zone: 'b', other: null } })).to.equal(false);
  });

  it('finds the kill and the cordon (with what undoes them) and drops every other step', async () => {
    const confirmed: string[] = [];
    const result = await shrinkSchedule(spec(STEPS), {
      stillFails: async (candidate) => {
        const fails = killsCpAndCordonsWorker(candidate);
        if (fails) confirmed.push(JSON.stringify(candidate.steps));
        return fails;
      },
    });
    expect(result.minimal.steps.map((s) => s.kind)).to.deep.equal(['cordon', 'kill', 'restart', 'uncordon']);
    expect(confirmed).to.include(JSON.stringify(result.minimal.steps));
    expect(result.stoppedEarly).to.equal(undefined);
  });

  it('returns a 1-minimal schedule: without any one of its steps it is invalid or passes', async () => {
    const { minimal } = await shrinkSchedule(spec(STEPS), { stillFails: async (c) => killsCpAndCordonsWorker(c) });
    minimal.steps.forEach((_, i) => {
      const without = { ...minimal, steps: minimal.steps.filter((__, j) => j !== i) };
      expect(validSchedule(without) && killsCpAndCordonsWorker(without), `without step ${i + 1}`).to.equal(false);
    });
  });

  it('never returns a candidate stillFails did not confirm, even when it answers at random', async () => {
    for (const seed of ['a', 'b', 'c', 'd']) {
      const random = createRandom(seed);
      const confirmed = new Set<string>([JSON.stringify(STEPS)]);
      const result = await shrinkSchedule(spec(STEPS), {
        stillFails: async (candidate) => {
          const fails = random.next() < 0.3;
          if (fails) confirmed.add(JSON.stringify(candidate.steps));
          return fails;
        },
      });
      expect(confirmed.has(JSON.stringify(result.minimal.steps)), seed).to.equal(true);
    }
  });

  it('returns the input when nothing smaller fails, and never runs an invalid candidate', async () => {
    const run: ScenarioSpec[] = [];
    const result = await shrinkSchedule(spec(STEPS), {
      stillFails: async (candidate) => {
        run.push(candidate);
        return false;
      },
    });
    expect(result.minimal.steps).to.deep.equal(STEPS);
    expect(run.every(validSchedule)).to.equal(true);
    expect(result.invalid).to.be.greaterThan(0);
  });

  it('stops at the run limit with the smallest schedule confirmed so far', async () => {
    const result = await shrinkSchedule(spec(STEPS), { stillFails: async (c) => killsCpAndCordonsWorker(c), maxTests: 3 });
    expect(result.tests).to.equal(3);
    expect(result.stoppedEarly).to.contain('3 candidate runs');
    expect(killsCpAndCordonsWorker(result.minimal)).to.equal(true);
  });

  it('shrinks generated schedules too, keeping bindings whole', async () => {
    for (const seed of ['g1', 'g2', 'g3', 'g4', 'g5', 'g6']) {
      const { spec: generated } = generateSchedule({ seed, maxFaultSteps: 6 });
      const anyFault = (c: ScenarioSpec) =>
        c.steps.some((s) => ['kill', 'isolate', 'pause', 'partition', 'drop', 'delete-node'].includes(s.kind));
      if (!anyFault(generated)) continue;
      const { minimal } = await shrinkSchedule(generated, { stillFails: async (c) => anyFault(c) });
      expect(validSchedule(minimal), seed).to.equal(true);
      expect(minimal.steps.length, seed).to.be.lessThan(generated.steps.length);
    }
  });

  it('a kill and its restart that mattered only for the time they took become a hold (ddmin cannot drop the pair)', async () => {
    // The shape explore found on the sandbox (seed b7): the worker's kill and restart only delay its uncordon.
    const steps = b7Shape([{ kind: 'hold', holdMs: 5000 }], {
      kind: 'wait',
      until: { kind: 'node', node: worker(0), ready: 'True' },
      timeoutMs: 120_000,
    });
    /** How long a step takes on the fake system. */
    const takesMs = (step: Step): number =>
      step.kind === 'hold' ? step.holdMs : step.kind === 'kill' ? 1000 : step.kind === 'restart' ? 1500 : 0;
    // Fails when worker[0] is cordoned and labelled as a control plane is deleted, and stays so for at least 2 s after.
    const promotesTheCordonedWorker = (candidate: ScenarioSpec): boolean => {
      let labelled = false;
      let cordoned = false;
      let deletedAtMs: number | undefined;
      let clockMs = 0;
      for (const step of candidate.steps) {
        const onWorker = targetsOf(step).includes('worker[0]');
        if (step.kind === 'label' && onWorker) labelled = step.labels[WORKER_LABEL] !== null;
        if ((step.kind === 'uncordon' || (step.kind === 'label' && !labelled)) && onWorker && deletedAtMs !== undefined)
          return clockMs - deletedAtMs >= 2000;
        if (step.kind === 'cordon' && onWorker) cordoned = true;
        if (step.kind === 'delete-node' && labelled && cordoned) deletedAtMs = clockMs;
        clockMs += takesMs(step);
      }
      return deletedAtMs !== undefined;
    };
    expect(validSchedule(spec(steps))).to.equal(true);
    expect(promotesTheCordonedWorker(spec(steps))).to.equal(true);
    const result = await shrinkSchedule(spec(steps), { stillFails: async (candidate) => promotesTheCordonedWorker(candidate) });
    expect(promotesTheCordonedWorker(result.minimal)).to.equal(true);
    const kinds = result.minimal.steps.map((step) => step.kind);
    expect(kinds, kinds.join(', ')).to.not.include.members(['kill', 'restart']);
    const held = result.minimal.steps.filter((step) => step.kind === 'hold').reduce((sum, step) => sum + takesMs(step), 0);
    expect(held).to.be.at.least(2000);
    expect(result.minimal.steps.filter((step) => step.kind !== 'hold' && step.kind !== 'wait').map((step) => step.kind)).to.deep.equal([
      'label',
      'cordon',
      'delete-node',
      'uncordon',
      'label',
    ]);
  });

  it('an uncordon that raced the promotion goes to the end, after the closing wait, and the steps that delayed it go', async () => {
    const steps = b7Shape([], { kind: 'wait', until: { kind: 'managementCount', count: 3 }, timeoutMs: 120_000 });
    // The sandbox's shape of it: the promotion starts once the deleted Node is gone, which no step waits for; it is
    // gone in the middle of the worker's restart on some runs (the schedule fails) and after its uncordon on others.
    // Here the failure needs the worker still cordoned and labelled when the closing wait (which lasts until the
    // promotion has run) begins; a kill and a restart alone delay the uncordon enough only half of the time.
    let runs = 0;
    const failsWhenCordonedThroughTheWait = async (candidate: ScenarioSpec): Promise<boolean> => {
      runs++;
      let cordoned = false;
      let labelled = false;
      let deleted = false;
      for (const [i, step] of candidate.steps.entries()) {
        const onWorker = targetsOf(step).includes('worker[0]');
        if (step.kind === 'label' && onWorker) labelled = step.labels[WORKER_LABEL] !== null;
        if (step.kind === 'cordon' && onWorker) cordoned = true;
        if (step.kind === 'uncordon' && onWorker) cordoned = false;
        if (step.kind === 'delete-node') deleted = true;
        const delayed = step.kind === 'restart' && candidate.steps[i + 1]?.kind === 'uncordon' && runs % 2 === 0;
        if ((step.kind === 'wait' || delayed) && deleted && cordoned && labelled) return true;
      }
      return false;
    };
    const result = await shrinkSchedule(spec(steps), { stillFails: failsWhenCordonedThroughTheWait });
    // The first wait is the pin's, for the deleted Node gone (pinDeletions); the second, the schedule's own.
    expect(result.minimal.steps.map((step) => step.kind)).to.deep.equal([
      'label',
      'cordon',
      'delete-node',
      'wait',
      'wait',
      'uncordon',
      'label',
    ]);
    expect(validSchedule(result.minimal)).to.equal(true);
  });

  it('a takedown ddmin drops takes its wait for NotReady along (such a wait would only time out)', async () => {
    const run: ScenarioSpec[] = [];
    const cordonsWorker = (candidate: ScenarioSpec): boolean => candidate.steps.some((s) => s.kind === 'cordon');
    const result = await shrinkSchedule(spec(STEPS), {
      stillFails: async (candidate) => {
        run.push(candidate);
        return cordonsWorker(candidate);
      },
    });
    const waitsForCp2 = (candidate: ScenarioSpec) =>
      candidate.steps.some((s) => s.kind === 'wait' && s.until.kind === 'node' && formatSelector(s.until.node) === 'control-plane[2]');
    const killsCp2 = (candidate: ScenarioSpec) => candidate.steps.some((s) => s.kind === 'kill');
    expect(run.filter((c) => waitsForCp2(c) && !killsCp2(c))).to.deep.equal([]);
    expect(
      run.some((c) => !killsCp2(c)),
      'some candidate ran without the kill',
    ).to.equal(true);
    expect(result.minimal.steps.map((s) => s.kind)).to.deep.equal(['cordon', 'uncordon']);
  });

  it('pins a deletion after the killed worker is seen NotReady, and drops the hold that only raced the grace', async () => {
    // Seed 2a's schedule on the sandbox: it fails when a worker is cordoned and another is NotReady as a control plane
    // is deleted. A 2 s hold after the kill makes it NotReady on some runs only (the grace is 2.5 s plus a Lease's
    // age); the fake counts 2 s as enough, as a lucky shrink did.
    const steps: Step[] = [
      { kind: 'cordon', targets: [worker(0)] },
      { kind: 'hold', holdMs: 1000 },
      { kind: 'kill', targets: [worker(1)] },
      { kind: 'hold', holdMs: 2000 },
      { kind: 'pause', targets: [cp(1)] },
      { kind: 'delete-node', targets: [cp(1)], forceFinalizers: false },
      { kind: 'hold', holdMs: 8000 },
      { kind: 'restart', targets: [worker(1)] },
      { kind: 'uncordon', targets: [worker(0)] },
      { kind: 'wait', until: { kind: 'api', state: 'writable' }, timeoutMs: 120_000 },
      { kind: 'hold', holdMs: 3000 },
    ];
    const failsWhenWorkerSeenDown = (candidate: ScenarioSpec): boolean => {
      let cordoned = false;
      let killedAtMs: number | undefined;
      let seenDown = false;
      let clockMs = 0;
      for (const step of candidate.steps) {
        const targets = targetsOf(step);
        if (step.kind === 'cordon' && targets.includes('worker[0]')) cordoned = true;
        if (step.kind === 'uncordon') cordoned = false;
        if (step.kind === 'kill' && targets.includes('worker[1]')) killedAtMs = clockMs;
        if (step.kind === 'restart') killedAtMs = undefined;
        if (step.kind === 'wait' && step.until.kind === 'node' && formatSelector(step.until.node) === 'worker[1]') seenDown = true;
        if (step.kind === 'hold') clockMs += step.holdMs;
        const down = killedAtMs !== undefined && (seenDown || clockMs - killedAtMs >= 2000);
        if (step.kind === 'delete-node' && cordoned && down) return true;
      }
      return false;
    };
    expect(failsWhenWorkerSeenDown(spec(steps))).to.equal(true);
    const result = await shrinkSchedule(spec(steps), { stillFails: async (candidate) => failsWhenWorkerSeenDown(candidate) });
    const shape = result.minimal.steps.map((s) =>
      s.kind === 'wait' && 'node' in s.until
        ? `wait ${formatSelector(s.until.node)} ${'ready' in s.until ? s.until.ready : 'gone'}`
        : s.kind,
    );
    expect(shape).to.deep.equal([
      'cordon',
      'kill',
      'wait worker[1] Unknown',
      'delete-node',
      'wait control-plane[0] gone',
      'restart',
      'uncordon',
    ]);
    expect(validSchedule(result.minimal)).to.equal(true);
  });

  it('pins a deletion after the cordon and label that raced it: the minimal fails whenever the Node goes last', async () => {
    // Seed 2a's schedule on the sandbox (the cordoned-and-labelled policy): it fails when worker-0 is cordoned and
    // labelled by the time the deleted Node is gone, which the cordon and label after the deletion only just make.
    const steps = seed2aMinimal([{ kind: 'wait', until: { kind: 'api', state: 'writable' }, timeoutMs: 120_000 }]);
    // Each step but a hold takes 200 ms; the deleted Node is gone 1000 ms after its deletion.
    const failsIfReadyWhenGone = (candidate: ScenarioSpec): boolean => {
      let cordoned = false;
      let labelled = false;
      let goneAtMs: number | undefined;
      let clockMs = 0;
      for (const step of candidate.steps) {
        if (goneAtMs !== undefined && clockMs >= goneAtMs) break;
        if (step.kind === 'cordon') cordoned = true;
        if (step.kind === 'uncordon') cordoned = false;
        if (step.kind === 'label') labelled = step.labels[WORKER_LABEL] !== null;
        if (step.kind === 'delete-node') goneAtMs = clockMs + 1000;
        clockMs += step.kind === 'hold' ? step.holdMs : 200;
      }
      return goneAtMs !== undefined && cordoned && labelled;
    };
    expect(failsIfReadyWhenGone(spec(steps))).to.equal(true);
    const result = await shrinkSchedule(spec(steps), { stillFails: async (candidate) => failsIfReadyWhenGone(candidate) });
    const kinds = result.minimal.steps.map((step) => step.kind);
    expect(kinds.indexOf('delete-node'), kinds.join(', ')).to.be.greaterThan(kinds.indexOf('label'));
    expect(kinds.indexOf('delete-node')).to.be.greaterThan(kinds.indexOf('cordon'));
    expect(validSchedule(result.minimal)).to.equal(true);
  });

  it("pins a deleted Node's removal with a wait for it gone: the minimal fails however long the removal takes", async () => {
    // The same schedule, with the removal's time as on the sandbox: the deleted Node is gone 3-7 s after its deletion
    // (finalizers, the etcd member's removal), and the promotion chooses then. Against the 5 s hold, the schedule fails
    // on some runs only, whichever way the cordon and label go.
    const steps = seed2aMinimal([{ kind: 'wait', until: { kind: 'api', state: 'writable' }, timeoutMs: 120_000 }]);
    // Each step but a hold takes 200 ms; a wait for the Node gone lasts until it is.
    const failsIfRemovedAfter = (removalMs: number, candidate: ScenarioSpec): boolean => {
      let cordoned = false;
      let labelled = false;
      let goneAtMs: number | undefined;
      let clockMs = 0;
      for (const step of candidate.steps) {
        if (step.kind === 'wait' && step.until.kind === 'nodeGone' && goneAtMs !== undefined) clockMs = Math.max(clockMs, goneAtMs);
        if (goneAtMs !== undefined && clockMs >= goneAtMs) break;
        if (step.kind === 'cordon') cordoned = true;
        if (step.kind === 'uncordon') cordoned = false;
        if (step.kind === 'label') labelled = step.labels[WORKER_LABEL] !== null;
        if (step.kind === 'delete-node') goneAtMs = clockMs + removalMs;
        clockMs += step.kind === 'hold' ? step.holdMs : 200;
      }
      return goneAtMs !== undefined && cordoned && labelled;
    };
    const removals = [3000, 4000, 5000, 6000, 7000];
    expect(removals.map((ms) => failsIfRemovedAfter(ms, spec(steps)))).to.deep.equal([true, true, true, false, false]);
    const random = createRandom('2a');
    const result = await shrinkSchedule(spec(steps), {
      stillFails: async (candidate) => failsIfRemovedAfter(3000 + random.int(4001), candidate),
    });
    const gone = result.minimal.steps.filter((s) => s.kind === 'wait' && s.until.kind === 'nodeGone');
    expect(gone.length, JSON.stringify(result.minimal.steps)).to.equal(1);
    expect(removals.map((ms) => failsIfRemovedAfter(ms, result.minimal))).to.deep.equal([true, true, true, true, true]);
    expect(validSchedule(result.minimal)).to.equal(true);
  });

  it('a result that does not fail every final check is set aside for the schedule confirmed before it', async () => {
    const calls = new Map<string, number>();
    const faultCount = (candidate: ScenarioSpec): number => candidate.steps.filter((s) => s.kind !== 'hold' && s.kind !== 'wait').length;
    let smallestFaults = Number.POSITIVE_INFINITY;
    const result = await shrinkSchedule(spec(STEPS), {
      // Fails as killsCpAndCordonsWorker says, except that a schedule of 4 fault steps or fewer fails only its first run.
      stillFails: async (candidate) => {
        const key = JSON.stringify(candidate.steps);
        const n = (calls.get(key) ?? 0) + 1;
        calls.set(key, n);
        if (!killsCpAndCordonsWorker(candidate)) return false;
        if (faultCount(candidate) <= 4) {
          smallestFaults = Math.min(smallestFaults, faultCount(candidate));
          return n === 1;
        }
        return true;
      },
      finalChecks: 2,
    });
    expect(smallestFaults, 'the fake system let a 4-fault schedule through once').to.equal(4);
    expect(result.setAside).to.be.at.least(1);
    expect(faultCount(result.minimal)).to.be.greaterThan(4);
    expect(killsCpAndCordonsWorker(result.minimal)).to.equal(true);
  });
});
