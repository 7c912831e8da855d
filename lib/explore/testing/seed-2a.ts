// For tests: the minimal schedule explore found and shrank on the sandbox with seed 2a and the cordoned-and-labelled
// policy (README, "Exploring"): delete cp-2, cordon and label worker-0, hold 5 s, uncordon, unlabel.
import type { Selector } from '../../scenario/targets.ts';
import type { Step } from '../../scenario/types.ts';

/** Harvester's label that keeps a node a worker (never promoted). */
export const WORKER_LABEL = 'node-role.harvesterhci.io/worker';

const worker0: Selector = { kind: 'index', role: 'worker', index: 0 };

/** A label step on worker-0 setting (or, with null, removing) the worker label. */
export const labelWorker0 = (value: string | null): Step => ({ kind: 'label', targets: [worker0], labels: { [WORKER_LABEL]: value } });

/** The six steps, then `closing`. */
export function seed2aMinimal(closing: readonly Step[] = []): Step[] {
  return [
    { kind: 'delete-node', targets: [{ kind: 'index', role: 'control-plane', index: 2 }], forceFinalizers: false },
    { kind: 'cordon', targets: [worker0] },
    labelWorker0('true'),
    { kind: 'hold', holdMs: 5000 },
    { kind: 'uncordon', targets: [worker0] },
    labelWorker0(null),
    ...closing,
  ];
}
