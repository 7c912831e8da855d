// Waits that pin a race down: before a deletion, a wait for every node the schedule has silenced (killed, paused, or
// isolated from everything) to be seen NotReady. Without it, whether the controllers see such a node down when the
// deleted Node disappears depends on a hold against the node-monitor grace: explore's seed 2a shrank to "kill
// worker-1, hold 2 s, delete control-plane-0", which failed while shrinking and was inconclusive when run again,
// because 2 s is shorter than the sandbox's 2.5 s grace plus a Lease's age. With the wait, the order is the
// schedule's, not the machine's. Partitions and one-way drops are left alone: whether a cut node's kubelet still
// reaches the API depends on the cut (lib/faults/quorum-guard.ts counts them down for etcd only).
//
// And the operator's changes right after a deletion (a cordon, a label), moved before it: the promotion a deletion
// starts chooses once the Node is gone, a moment no step waits for, so a choice that reads such a change can see it
// or not. The promote controller is level-triggered, so a change that lands after the Node is gone is still seen at
// its next pass; what such a schedule races is rather the Node's removal against the undos after the next hold (seen
// with seed 2a and the cordoned-and-labelled policy: inconclusive once under load, when the removal outlasted a 5 s
// hold). Moving the changes first takes one ordering out of the race; it does not pin the removal.
//
// What pins it: a wait for the deleted Node to be gone, after the deletion and the changes that directly follow it.
// Harvester counts a deleted management node out only once its Node object is gone, so the choice comes after that
// wait and before any later step (an undo after a hold that outlasts the controller's next pass).
import { formatSelector, type Selector } from '../scenario/targets.ts';
import type { Step } from '../scenario/types.ts';
import { NODE_WAIT_TIMEOUT_MS, SETTLE_TIMEOUT_MS } from './generate.ts';

interface Silenced {
  readonly selector: Selector;
  readonly by: 'kill' | 'pause' | 'isolate';
  /** A wait for its NotReady came after it went down. */
  awaited: boolean;
}

/** The selector later steps use for a takedown's target: its binding when it has one (etcd-leader as n1 is $n1). */
function namedTargets(step: { readonly targets: readonly Selector[]; readonly as?: string }): Selector[] {
  if (step.as !== undefined) return [{ kind: 'ref', name: step.as }];
  return [...step.targets];
}

const waitNotReady = (selector: Selector): Step => ({
  kind: 'wait',
  until: { kind: 'node', node: selector, ready: 'Unknown' },
  timeoutMs: NODE_WAIT_TIMEOUT_MS,
});

/**
 * The steps with a wait for NotReady before each deletion, for every silenced node not yet waited for; undefined when
 * there is none to add.
 */
export function withWaitsBeforeDeletions(steps: readonly Step[]): Step[] | undefined {
  const silenced = new Map<string, Silenced>();
  const out: Step[] = [];
  let added = 0;
  const end = (key: string, by: ReadonlySet<Silenced['by']>) => {
    const entry = silenced.get(key);
    if (entry !== undefined && by.has(entry.by)) silenced.delete(key);
  };
  for (const step of steps) {
    switch (step.kind) {
      case 'kill':
      case 'pause':
      case 'isolate':
        if (step.kind === 'isolate' && step.ports !== undefined && step.ports.length > 0) break;
        for (const selector of namedTargets(step)) silenced.set(formatSelector(selector), { selector, by: step.kind, awaited: false });
        break;
      case 'restart':
        for (const selector of namedTargets(step)) end(formatSelector(selector), new Set(['kill']));
        break;
      case 'resume':
        for (const selector of namedTargets(step)) end(formatSelector(selector), new Set(['pause']));
        break;
      case 'heal':
        for (const key of [...silenced.keys()]) end(key, new Set(['pause', 'isolate']));
        break;
      case 'wait': {
        const until = step.until;
        if (until.kind !== 'node') break;
        const entry = silenced.get(formatSelector(until.node));
        if (entry !== undefined) entry.awaited = until.ready !== 'True';
        break;
      }
      case 'delete-node':
      case 'remove-host':
        for (const entry of silenced.values()) {
          if (entry.awaited) continue;
          out.push(waitNotReady(entry.selector));
          entry.awaited = true;
          added++;
        }
        for (const selector of namedTargets(step)) silenced.delete(formatSelector(selector));
        break;
      default:
        break;
    }
    out.push(step);
  }
  return added > 0 ? out : undefined;
}

/** A cordon, or a label step that sets a label: an operator's change to a Node object that a promotion's choice reads. */
const changesNodeObject = (step: Step): boolean =>
  step.kind === 'cordon' || (step.kind === 'label' && Object.values(step.labels).some((value) => value !== null));

/**
 * The steps with the cordons and labels that directly follow a deletion moved before it (in their order); undefined
 * when no deletion is directly followed by one.
 */
export function withNodeChangesBeforeDeletions(steps: readonly Step[]): Step[] | undefined {
  const out: Step[] = [];
  let moved = false;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    if (step.kind !== 'delete-node' && step.kind !== 'remove-host') {
      out.push(step);
      continue;
    }
    let j = i + 1;
    while (j < steps.length && changesNodeObject(steps[j] as Step)) j++;
    out.push(...steps.slice(i + 1, j), step);
    moved ||= j > i + 1;
    i = j - 1;
  }
  return moved ? out : undefined;
}

/**
 * The selectors a wait for a deletion's Nodes names: an index selector or a binding as given, an etcd-leader or
 * -follower by its binding (the node it named then; without one, no wait).
 */
function deletedSelectors(step: { readonly targets: readonly Selector[]; readonly as?: string }): Selector[] {
  return step.targets.flatMap((selector): Selector[] => {
    if (selector.kind === 'index' || selector.kind === 'ref') return [selector];
    if ((selector.kind === 'etcd-leader' || selector.kind === 'etcd-follower') && step.as !== undefined)
      return [{ kind: 'ref', name: step.as }];
    return [];
  });
}

const waitGone = (selector: Selector): Step => ({
  kind: 'wait',
  until: { kind: 'nodeGone', node: selector },
  timeoutMs: SETTLE_TIMEOUT_MS,
});

/**
 * The steps with a wait for each deleted Node to be gone, after its deletion and the cordons and labels that directly
 * follow it, unless a later step waits for it already; undefined when there is none to add.
 */
export function withGoneWaitsAfterDeletions(steps: readonly Step[]): Step[] | undefined {
  const awaited = (selector: Selector, from: number): boolean =>
    steps
      .slice(from)
      .some((s) => s.kind === 'wait' && s.until.kind === 'nodeGone' && formatSelector(s.until.node) === formatSelector(selector));
  const out: Step[] = [];
  let added = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    out.push(step);
    if (step.kind !== 'delete-node' && step.kind !== 'remove-host') continue;
    let j = i + 1;
    while (j < steps.length && changesNodeObject(steps[j] as Step)) out.push(steps[j++] as Step);
    for (const selector of deletedSelectors(step)) {
      if (awaited(selector, i + 1)) continue;
      out.push(waitGone(selector));
      added++;
    }
    i = j - 1;
  }
  return added > 0 ? out : undefined;
}
