import { expect } from 'chai';
import { formatSelector, type Selector } from '../scenario/targets.ts';
import type { ScenarioSpec, Step } from '../scenario/types.ts';
import { parseScenario } from '../scenario/loader.ts';
import { scenarioYaml } from './render.ts';
import { labelWorker0, seed2aMinimal } from './testing/seed-2a.ts';
import { withGoneWaitsAfterDeletions, withNodeChangesBeforeDeletions, withWaitsBeforeDeletions } from './pin-waits.ts';

const cp = (index: number): Selector => ({ kind: 'index', role: 'control-plane', index });
const worker = (index: number): Selector => ({ kind: 'index', role: 'worker', index });

/** Each step as one short line: `wait worker[1] Unknown`, `kill worker[1]`. */
const lines = (steps: readonly Step[]): string[] =>
  steps.map((step) => {
    if (step.kind === 'wait' && step.until.kind === 'node') return `wait ${formatSelector(step.until.node)} ${step.until.ready}`;
    if (step.kind === 'wait' && step.until.kind === 'nodeGone') return `wait ${formatSelector(step.until.node)} gone`;
    if (step.kind === 'hold') return `hold ${step.holdMs}`;
    return 'targets' in step ? `${step.kind} ${step.targets.map(formatSelector).join(',')}` : step.kind;
  });

describe('explore: waits that pin a deletion after its nodes are seen NotReady', () => {
  it('waits for a killed worker before a control plane is deleted (seed 2a minimal)', () => {
    const steps: Step[] = [
      { kind: 'cordon', targets: [worker(0)] },
      { kind: 'kill', targets: [worker(1)] },
      { kind: 'hold', holdMs: 2000 },
      { kind: 'delete-node', targets: [cp(0)], forceFinalizers: false },
      { kind: 'hold', holdMs: 8000 },
      { kind: 'restart', targets: [worker(1)] },
      { kind: 'uncordon', targets: [worker(0)] },
    ];
    expect(lines(withWaitsBeforeDeletions(steps) ?? [])).to.deep.equal([
      'cordon worker[0]',
      'kill worker[1]',
      'hold 2000',
      'wait worker[1] Unknown',
      'delete-node control-plane[0]',
      'hold 8000',
      'restart worker[1]',
      'uncordon worker[0]',
    ]);
  });

  it('waits for a paused control plane that is itself deleted, and names a binding by its binding', () => {
    const steps: Step[] = [
      { kind: 'kill', targets: [{ kind: 'etcd-leader' }], as: 'n1' },
      { kind: 'pause', targets: [worker(0)] },
      { kind: 'delete-node', targets: [{ kind: 'ref', name: 'n1' }], forceFinalizers: false },
      { kind: 'resume', targets: [worker(0)] },
    ];
    expect(lines(withWaitsBeforeDeletions(steps) ?? [])).to.deep.equal([
      'kill etcd-leader',
      'pause worker[0]',
      'wait $n1 Unknown',
      'wait worker[0] Unknown',
      'delete-node $n1',
      'resume worker[0]',
    ]);
  });

  it('adds nothing for a node already waited for, back up, or cut from some ports only, or for no deletion', () => {
    const waited: Step[] = [
      { kind: 'kill', targets: [cp(1)] },
      { kind: 'wait', until: { kind: 'node', node: cp(1), ready: 'Unknown' }, timeoutMs: 60_000 },
      { kind: 'kill', targets: [worker(0)] },
      { kind: 'restart', targets: [worker(0)] },
      { kind: 'isolate', targets: [worker(1)], ports: [{ protocol: 'tcp', port: 2380 }] },
      { kind: 'delete-node', targets: [cp(1)], forceFinalizers: false },
      { kind: 'heal' },
    ];
    expect(withWaitsBeforeDeletions(waited)).to.equal(undefined);
    expect(
      withWaitsBeforeDeletions([
        { kind: 'kill', targets: [worker(0)] },
        { kind: 'restart', targets: [worker(0)] },
      ]),
    ).to.equal(undefined);
  });

  it('waits again for a node taken down again after it came back', () => {
    const steps: Step[] = [
      { kind: 'isolate', targets: [worker(0)] },
      { kind: 'wait', until: { kind: 'node', node: worker(0), ready: 'Unknown' }, timeoutMs: 60_000 },
      { kind: 'heal' },
      { kind: 'wait', until: { kind: 'node', node: worker(0), ready: 'True' }, timeoutMs: 60_000 },
      { kind: 'isolate', targets: [worker(0)] },
      { kind: 'delete-node', targets: [cp(2)], forceFinalizers: false },
      { kind: 'heal' },
    ];
    expect(lines(withWaitsBeforeDeletions(steps) ?? []).slice(4, 6)).to.deep.equal(['isolate worker[0]', 'wait worker[0] Unknown']);
  });

  it('moves the cordons and labels right after a deletion before it (seed 2a minimal, the labelled policy)', () => {
    const steps = seed2aMinimal();
    expect(lines(withNodeChangesBeforeDeletions(steps) ?? [])).to.deep.equal([
      'cordon worker[0]',
      'label worker[0]',
      'delete-node control-plane[2]',
      'hold 5000',
      'uncordon worker[0]',
      'label worker[0]',
    ]);
    // An undo after a deletion stays where it is, and so does a change that a hold separates from it.
    expect(withNodeChangesBeforeDeletions([steps[0]!, labelWorker0(null)])).to.equal(undefined);
    expect(withNodeChangesBeforeDeletions([steps[0]!, { kind: 'hold', holdMs: 1000 }, steps[1]!])).to.equal(undefined);
  });

  it('waits for a deleted Node to be gone after the cordons and labels that follow its deletion (seed 2a minimal)', () => {
    const steps = seed2aMinimal();
    const pinned = withGoneWaitsAfterDeletions(steps) ?? [];
    expect(lines(pinned)).to.deep.equal([
      'delete-node control-plane[2]',
      'cordon worker[0]',
      'label worker[0]',
      'wait control-plane[2] gone',
      'hold 5000',
      'uncordon worker[0]',
      'label worker[0]',
    ]);
    // Once there, nothing more to add.
    expect(withGoneWaitsAfterDeletions(pinned)).to.equal(undefined);
  });

  it('names an etcd-leader deletion by its binding, and adds no wait for one without a binding', () => {
    const leader = { kind: 'etcd-leader' } as const;
    const bound: Step[] = [
      { kind: 'remove-host', targets: [leader], as: 'n1' },
      { kind: 'hold', holdMs: 1000 },
    ];
    expect(lines(withGoneWaitsAfterDeletions(bound) ?? [])).to.deep.equal(['remove-host etcd-leader', 'wait $n1 gone', 'hold 1000']);
    expect(withGoneWaitsAfterDeletions([{ kind: 'delete-node', targets: [leader], forceFinalizers: false }])).to.equal(undefined);
    expect(withGoneWaitsAfterDeletions([{ kind: 'cordon', targets: [worker(0)] }])).to.equal(undefined);
  });
});

describe('explore: a pinned schedule as a scenario file', () => {
  it('writes a wait for a Node gone that loads back as the same step', () => {
    const steps: Step[] = [
      { kind: 'delete-node', targets: [cp(1)], forceFinalizers: false },
      { kind: 'wait', until: { kind: 'nodeGone', node: cp(1) }, timeoutMs: 120_000 },
    ];
    const spec: ScenarioSpec = {
      name: 'pinned',
      tags: [],
      sandboxOnly: false,
      allowQuorumLoss: false,
      cluster: { controlPlanes: 3, workers: 1, witnesses: 0 },
      budgets: {},
      steps,
      expect: { assertions: [] },
      invariants: [{ name: 'management-count' }],
    };
    expect(parseScenario(scenarioYaml(spec), 'pinned.yaml').steps).to.deep.equal(steps);
  });
});
