import { expect } from 'chai';
import { parseScenario } from '../scenario/loader.ts';
import { quorumSize } from '../faults/quorum-guard.ts';
import { formatSelector } from '../scenario/targets.ts';
import { generateSchedule } from './generate.ts';
import { applySteps, replaySchedule, ScheduleState } from './schedule-model.ts';

const SEEDS = Array.from({ length: 200 }, (_, i) => `t${i.toString(16)}`);

describe('explore: generated schedules', () => {
  it('are the same for the same seed and differ between seeds', () => {
    expect(generateSchedule({ seed: 'abc' }).yaml).to.equal(generateSchedule({ seed: 'abc' }).yaml);
    const distinct = new Set(SEEDS.slice(0, 20).map((seed) => JSON.stringify(generateSchedule({ seed }).spec.steps)));
    expect(distinct.size).to.be.greaterThan(15);
  });

  it('load with parseScenario and give back the generated steps, cluster, budgets and invariants', () => {
    for (const seed of SEEDS) {
      const { spec, yaml } = generateSchedule({ seed });
      const parsed: Record<string, unknown> = { ...parseScenario(yaml, `${seed}.yaml`) };
      delete parsed['source'];
      expect(parsed, `${seed}\n${yaml}`).to.deep.equal(spec);
    }
  });

  it('never take a majority of the control planes down, and undo every fault by the end', () => {
    for (const seed of SEEDS) {
      const { spec, yaml } = generateSchedule({ seed, maxFaultSteps: 6 });
      const replay = replaySchedule(spec);
      expect(replay.ok, `${seed}: ${replay.ok ? '' : replay.problem}\n${yaml}`).to.equal(true);
      // Step by step: down control planes never exceed what quorum spares.
      const state = new ScheduleState(spec.cluster.controlPlanes, spec.cluster.workers);
      spec.steps.forEach((step, i) => {
        expect(applySteps(state, [step], false), `${seed} step ${i + 1}`).to.equal(undefined);
        const members = state.memberCount();
        expect(members - state.downControlPlanes().length, `${seed} step ${i + 1}`).to.be.at.least(quorumSize(members));
      });
      expect(state.unfinished(), seed).to.deep.equal([]);
    }
  });

  it("force-remove a down control plane's finalizers (Harvester's known bug #8968) only when asked, with the seed's schedule otherwise the same", () => {
    const forced = (steps: readonly { kind: string; forceFinalizers?: boolean }[]): number =>
      steps.filter((step) => step.kind === 'delete-node' && step.forceFinalizers === true).length;
    let asked = 0;
    for (const seed of SEEDS) {
      const plain = generateSchedule({ seed });
      const withForce = generateSchedule({ seed, forceDeletions: true });
      expect(forced(plain.spec.steps), seed).to.equal(0);
      asked += forced(withForce.spec.steps);
      const unforced = withForce.spec.steps.map((step) => (step.kind === 'delete-node' ? { ...step, forceFinalizers: false } : step));
      expect(unforced, seed).to.deep.equal(plain.spec.steps);
    }
    expect(asked, 'force-removed finalizers over 200 seeds when asked').to.be.greaterThan(0);
  });

  it('the model refuses a schedule that takes two of three control planes down, or leaves a node killed', () => {
    const cluster = { controlPlanes: 3, workers: 1, witnesses: 0 };
    const cp = (index: number) => ({ kind: 'index', role: 'control-plane', index }) as const;
    const twoDown = replaySchedule({
      cluster,
      allowQuorumLoss: false,
      steps: [
        { kind: 'kill', targets: [cp(0)] },
        { kind: 'pause', targets: [cp(1)] },
        { kind: 'heal' },
        { kind: 'restart', targets: [cp(0)] },
      ],
    });
    expect(twoDown.ok).to.equal(false);
    const leftKilled = replaySchedule({ cluster, allowQuorumLoss: false, steps: [{ kind: 'kill', targets: [cp(0)] }] });
    expect(leftKilled).to.deep.include({ ok: false });
    expect(leftKilled.ok ? '' : leftKilled.problem).to.contain('control-plane[0] killed');
  });

  it('cover the interesting interleavings over many seeds: a deletion of a node that is down, a recovery right after a fault', () => {
    let deletesDown = 0;
    let recoveryRightAfterFault = 0;
    for (const seed of SEEDS) {
      const { steps } = generateSchedule({ seed }).spec;
      const state = new ScheduleState(3, 2);
      for (const [i, step] of steps.entries()) {
        if (step.kind === 'delete-node' && state.downControlPlanes().length > 0) deletesDown++;
        const previous = steps[i - 1];
        if (
          (step.kind === 'restart' || step.kind === 'heal') &&
          previous &&
          ['kill', 'isolate', 'partition', 'drop'].includes(previous.kind)
        )
          recoveryRightAfterFault++;
        applySteps(state, [step], true);
      }
    }
    expect(deletesDown).to.be.greaterThan(10);
    expect(recoveryRightAfterFault).to.be.greaterThan(5);
    // Cuts of the etcd peer port only (the node stays Ready), written back with their ports (the round trip above).
    const peerCuts = SEEDS.filter((seed) =>
      generateSchedule({ seed }).spec.steps.some((step) => step.kind === 'isolate' && step.ports?.some((p) => p.port === 2380)),
    );
    expect(peerCuts.length).to.be.greaterThan(10);
  });

  it('delete control planes while workers are down, cordoned or labelled, and wait for a worker taken down to be seen NotReady', () => {
    let deletesWhileWorkersUnusual = 0;
    let workerWaits = 0;
    for (const seed of SEEDS) {
      const { spec } = generateSchedule({ seed });
      const state = new ScheduleState(spec.cluster.controlPlanes, spec.cluster.workers);
      const workers = Array.from({ length: spec.cluster.workers }, (_, i) => `worker[${i}]`);
      for (const step of spec.steps) {
        const unusual = workers.some((k) => state.isDown(k) || state.cordoned.has(k) || state.labelled.has(k));
        const deletesCp = step.kind === 'delete-node' && step.targets.some((t) => t.kind === 'index' && t.role === 'control-plane');
        if (deletesCp && unusual && state.downControlPlanes().length === 0) deletesWhileWorkersUnusual++;
        if (step.kind === 'wait' && step.until.kind === 'node' && step.until.ready === 'Unknown') {
          const key = formatSelector(step.until.node);
          if (key.startsWith('worker')) {
            expect(state.isDown(key), `${seed}: waits for ${key}, which is up`).to.equal(true);
            workerWaits++;
          }
        }
        applySteps(state, [step], true);
      }
    }
    expect(deletesWhileWorkersUnusual).to.be.greaterThan(20);
    expect(workerWaits).to.be.greaterThan(10);
  });
});
