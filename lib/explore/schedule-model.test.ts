import { expect } from 'chai';
import type { Selector } from '../scenario/targets.ts';
import type { Step } from '../scenario/types.ts';
import { replaySchedule, withoutOrphanWaits } from './schedule-model.ts';

const cp = (index: number): Selector => ({ kind: 'index', role: 'control-plane', index });
const worker = (index: number): Selector => ({ kind: 'index', role: 'worker', index });
const waitFor = (node: Selector, ready: 'True' | 'Unknown'): Step => ({
  kind: 'wait',
  until: { kind: 'node', node, ready },
  timeoutMs: 60_000,
});
const schedule = (steps: Step[]) => ({ cluster: { controlPlanes: 3, workers: 2, witnesses: 0 }, allowQuorumLoss: false, steps });

describe('explore: the schedule model and node waits', () => {
  it('takes a wait for NotReady after a takedown, and Ready after the recovery', () => {
    const steps: Step[] = [
      { kind: 'kill', targets: [worker(0)] },
      waitFor(worker(0), 'Unknown'),
      { kind: 'restart', targets: [worker(0)] },
      waitFor(worker(0), 'True'),
    ];
    expect(replaySchedule(schedule(steps)).ok).to.equal(true);
  });

  it('refuses a wait for NotReady on a node nothing has down, and for Ready on a killed or paused one', () => {
    const notDown = replaySchedule(schedule([waitFor(cp(1), 'Unknown')]));
    expect(notDown.ok ? '' : notDown.problem).to.equal(
      'step 1 (wait): waits for control-plane[1] to turn Unknown while nothing has it down',
    );
    const paused = replaySchedule(
      schedule([{ kind: 'pause', targets: [worker(1)] }, waitFor(worker(1), 'True'), { kind: 'resume', targets: [worker(1)] }]),
    );
    expect(paused.ok ? '' : paused.problem).to.equal('step 2 (wait): waits for worker[1] to be Ready while it is paused');
  });

  it('drops the waits a removed takedown leaves behind, and keeps the others', () => {
    const steps: Step[] = [
      waitFor(cp(2), 'Unknown'),
      { kind: 'cordon', targets: [worker(1)] },
      { kind: 'isolate', targets: [worker(0)] },
      waitFor(worker(0), 'Unknown'),
      { kind: 'heal' },
      waitFor(worker(0), 'True'),
    ];
    const kept = withoutOrphanWaits(schedule(steps), steps);
    expect(kept).to.deep.equal(steps.slice(1));
    expect(replaySchedule(schedule([...kept, { kind: 'uncordon', targets: [worker(1)] }])).ok).to.equal(true);
  });

  it('takes a wait for a Node gone only after its deletion, and drops one whose deletion went', () => {
    const gone = (node: Selector): Step => ({ kind: 'wait', until: { kind: 'nodeGone', node }, timeoutMs: 120_000 });
    const deletion: Step = { kind: 'delete-node', targets: [cp(2)], forceFinalizers: false };
    expect(replaySchedule(schedule([deletion, gone(cp(2))])).ok).to.equal(true);
    const early = replaySchedule(schedule([gone(cp(2)), deletion]));
    expect(early.ok ? '' : early.problem).to.equal('step 1 (wait): waits for control-plane[2] to be gone while nothing deleted it');
    const bound = replaySchedule(
      schedule([
        { kind: 'delete-node', targets: [{ kind: 'etcd-leader' }], forceFinalizers: false, as: 'n1' },
        gone({ kind: 'ref', name: 'n1' }),
      ]),
    );
    expect(bound.ok).to.equal(true);
    const steps: Step[] = [{ kind: 'cordon', targets: [worker(0)] }, gone(cp(2)), { kind: 'uncordon', targets: [worker(0)] }];
    expect(withoutOrphanWaits(schedule(steps), steps)).to.deep.equal([steps[0], steps[2]]);
  });
});
