// What a generated (or shrunk) schedule does to the cluster, replayed step by step without a cluster: which
// control-plane nodes are down or cut off at each step, so no step takes a majority of them down (unless quorum
// loss is allowed), and what is still broken at the end. The generator builds schedules through this model and the
// shrinker keeps only candidates it accepts, so both speak about the same rules as the quorum guard
// (lib/faults/quorum-guard.ts: kill, restart, pause and isolate take their nodes down; a partition takes down the
// control planes outside its largest side; heal ends network faults and pauses, restart ends a kill).
import { quorumSize } from '../faults/quorum-guard.ts';
import { formatSelector, type Selector } from '../scenario/targets.ts';
import type { ScenarioSpec, Step } from '../scenario/types.ts';

export type TargetRole = 'control-plane' | 'worker';

/** One node as the model knows it: by its start selector, or a binding of a node resolved at run time. */
export interface ModelNode {
  /** Selector text: control-plane[1], worker[0], or $binding. */
  readonly key: string;
  readonly role: TargetRole;
}

export class ScheduleState {
  readonly killed = new Set<string>();
  readonly paused = new Set<string>();
  readonly isolated = new Set<string>();
  /** Nodes cut off by a one-way drop or on a minority side of a partition (ended by heal). */
  readonly cut = new Set<string>();
  readonly cordoned = new Set<string>();
  readonly labelled = new Set<string>();
  readonly deleted = new Set<string>();
  /** Binding name -> role of the node it names. */
  readonly bindings = new Map<string, TargetRole>();
  networkFaults = 0;

  constructor(
    readonly controlPlanes: number,
    readonly workers: number,
  ) {}

  roleOf(key: string): TargetRole | undefined {
    if (key.startsWith('$')) return this.bindings.get(key.slice(1));
    if (key.startsWith('control-plane[')) return 'control-plane';
    if (key.startsWith('worker[')) return 'worker';
    return undefined;
  }

  /** Control-plane nodes still members (not deleted). */
  memberCount(): number {
    const deletedCps = [...this.deleted].filter((k) => this.roleOf(k) === 'control-plane').length;
    return this.controlPlanes - deletedCps;
  }

  isDown(key: string): boolean {
    return this.killed.has(key) || this.paused.has(key) || this.isolated.has(key) || this.cut.has(key);
  }

  /** Control planes down or cut off now (deleted ones are no members any more). */
  downControlPlanes(): string[] {
    const keys = new Set([...this.killed, ...this.paused, ...this.isolated, ...this.cut]);
    return [...keys].filter((k) => this.roleOf(k) === 'control-plane' && !this.deleted.has(k));
  }

  /** Whether a binding's node is down: the model cannot tell it from index-selected nodes, so it blocks more takedowns. */
  boundNodeDown(): boolean {
    return this.downControlPlanes().some((k) => k.startsWith('$'));
  }

  /** How many more control planes may go down without losing etcd quorum. */
  spareControlPlanes(): number {
    const members = this.memberCount();
    return members - quorumSize(members) - this.downControlPlanes().length;
  }

  /** What is still broken and not undone (deleted nodes are gone for good, not broken). */
  unfinished(): string[] {
    const live = (set: Set<string>, what: string) => [...set].filter((k) => !this.deleted.has(k)).map((k) => `${k} ${what}`);
    return [
      ...live(this.killed, 'killed'),
      ...live(this.paused, 'paused'),
      ...live(this.isolated, 'isolated'),
      ...live(this.cut, 'cut off'),
      ...live(this.cordoned, 'cordoned'),
      ...live(this.labelled, 'labelled'),
      ...(this.networkFaults > 0 ? ['a network fault not healed'] : []),
    ];
  }
}

/** A label step that only removes labels (every value null): it undoes a label, as the model counts them. */
export function removesLabelsOnly(step: Extract<Step, { kind: 'label' }>): boolean {
  return Object.values(step.labels).every((value) => value === null);
}

export type ReplayResult = { readonly ok: true; readonly state: ScheduleState } | { readonly ok: false; readonly problem: string };

const keys = (selectors: readonly Selector[]): string[] => selectors.map(formatSelector);

/** Replays a schedule; the first problem found (majority down, an unknown target, something left broken). */
export function replaySchedule(spec: Pick<ScenarioSpec, 'steps' | 'cluster' | 'allowQuorumLoss'>): ReplayResult {
  const state = new ScheduleState(spec.cluster.controlPlanes, spec.cluster.workers);
  const problem = applySteps(state, spec.steps, spec.allowQuorumLoss);
  if (problem !== undefined) return { ok: false, problem };
  const left = state.unfinished();
  if (left.length > 0) return { ok: false, problem: `not undone by the end: ${left.join(', ')}` };
  return { ok: true, state };
}

function known(state: ScheduleState, key: string): string | undefined {
  const role = state.roleOf(key);
  if (role === undefined) return `${key} is not a node the model knows (start selectors and bindings only)`;
  const index = /\[(\d+)\]$/.exec(key);
  if (index && Number(index[1]) >= (role === 'control-plane' ? state.controlPlanes : state.workers)) return `${key} does not exist`;
  if (state.deleted.has(key)) return `${key} was deleted`;
  return undefined;
}

function resolveNew(state: ScheduleState, step: { readonly targets: readonly Selector[]; readonly as?: string }): string[] | string {
  const out: string[] = [];
  for (const selector of step.targets) {
    if (selector.kind === 'etcd-leader' || selector.kind === 'etcd-follower') {
      if (step.as === undefined) return `${selector.kind} without as: the model cannot follow it`;
      out.push(`$${step.as}`);
      continue;
    }
    const key = formatSelector(selector);
    const problem = known(state, key);
    if (problem !== undefined) return problem;
    out.push(key);
  }
  if (step.as !== undefined && !state.bindings.has(step.as)) {
    const roles = new Set(out.map((k) => state.roleOf(k) ?? (k === `$${step.as}` ? 'control-plane' : 'worker')));
    state.bindings.set(step.as, roles.has('worker') && roles.size === 1 ? 'worker' : 'control-plane');
  }
  return out;
}

function takingDown(state: ScheduleState, nodes: readonly string[], allowQuorumLoss: boolean): string | undefined {
  if (allowQuorumLoss) return undefined;
  const cps = nodes.filter((k) => state.roleOf(k) === 'control-plane' && !state.isDown(k));
  if (cps.length === 0) return undefined;
  if (state.boundNodeDown() || cps.some((k) => k.startsWith('$') && state.downControlPlanes().length > 0))
    return 'a node resolved at run time is down: another control plane could be the same or a second one';
  if (cps.length > state.spareControlPlanes())
    return `takes down ${cps.join(', ')} with ${state.downControlPlanes().length} of ${state.memberCount()} control planes already down: etcd would lose quorum`;
  return undefined;
}

/** Applies steps to the model; the first problem, with its step number. */
export function applySteps(state: ScheduleState, steps: readonly Step[], allowQuorumLoss: boolean): string | undefined {
  for (const [index, step] of steps.entries()) {
    const problem = applyStep(state, step, allowQuorumLoss);
    if (problem !== undefined) return `step ${index + 1} (${step.kind}): ${problem}`;
  }
  return undefined;
}

function applyStep(state: ScheduleState, step: Step, allowQuorumLoss: boolean): string | undefined {
  switch (step.kind) {
    case 'kill':
    case 'pause':
    case 'isolate':
    case 'restart':
    case 'resume': {
      const nodes = resolveNew(state, step);
      if (typeof nodes === 'string') return nodes;
      if (step.kind === 'resume') return void nodes.forEach((k) => state.paused.delete(k));
      if (step.kind === 'restart') {
        // A restart of a running node is a reboot: it takes the node down for a moment.
        const problem = takingDown(
          state,
          nodes.filter((k) => !state.killed.has(k)),
          allowQuorumLoss,
        );
        if (problem !== undefined) return problem;
        return void nodes.forEach((k) => state.killed.delete(k));
      }
      const problem = takingDown(state, nodes, allowQuorumLoss);
      if (problem !== undefined) return problem;
      const set = step.kind === 'kill' ? state.killed : step.kind === 'pause' ? state.paused : state.isolated;
      for (const k of nodes) set.add(k);
      return undefined;
    }
    case 'partition': {
      const groups = step.groups.map(keys);
      for (const k of groups.flat()) if (known(state, k) !== undefined) return known(state, k);
      const cpCounts = groups.map((g) => g.filter((k) => state.roleOf(k) === 'control-plane').length);
      const keep = cpCounts.indexOf(Math.max(...cpCounts));
      const minority = groups.flatMap((g, i) => (i === keep ? [] : g));
      const problem = takingDown(state, minority, allowQuorumLoss);
      if (problem !== undefined) return problem;
      minority.forEach((k) => state.cut.add(k));
      state.networkFaults++;
      return undefined;
    }
    case 'drop': {
      const from = keys(step.from);
      for (const k of [...from, ...keys(step.to)]) if (known(state, k) !== undefined) return known(state, k);
      const problem = takingDown(state, from, allowQuorumLoss);
      if (problem !== undefined) return problem;
      from.forEach((k) => state.cut.add(k));
      state.networkFaults++;
      return undefined;
    }
    case 'heal':
      state.paused.clear();
      state.isolated.clear();
      state.cut.clear();
      state.networkFaults = 0;
      return undefined;
    case 'delete-node':
    case 'remove-host': {
      const nodes = resolveNew(state, step);
      if (typeof nodes === 'string') return nodes;
      const cps = nodes.filter((k) => state.roleOf(k) === 'control-plane');
      // Removing a member while another one is down can leave fewer members up than the smaller cluster's quorum.
      const otherDown = state.downControlPlanes().filter((k) => !nodes.includes(k));
      if (!allowQuorumLoss && cps.length > 0 && otherDown.length > 0)
        return `deletes ${cps.join(', ')} while ${otherDown.join(', ')} is down: etcd could lose quorum`;
      if (!allowQuorumLoss && cps.length > 0 && state.memberCount() - cps.length < 2) return 'would leave fewer than two control planes';
      nodes.forEach((k) => state.deleted.add(k));
      return undefined;
    }
    case 'cordon':
    case 'uncordon': {
      const nodes = resolveNew(state, step);
      if (typeof nodes === 'string') return nodes;
      nodes.forEach((k) => (step.kind === 'cordon' ? state.cordoned.add(k) : state.cordoned.delete(k)));
      return undefined;
    }
    case 'label': {
      const nodes = resolveNew(state, step);
      if (typeof nodes === 'string') return nodes;
      nodes.forEach((k) => (removesLabelsOnly(step) ? state.labelled.delete(k) : state.labelled.add(k)));
      return undefined;
    }
    case 'annotate':
    case 'rejoin':
    case 'memory-pressure':
    case 'relieve':
      return `${step.kind} is not part of the explorer's grammar`;
    case 'hold':
    case 'check':
      return undefined;
    case 'wait': {
      const until = step.until;
      if (until.kind === 'nodeGone') return goneProblem(state, step);
      if (until.kind !== 'node' && until.kind !== 'promotion') return undefined;
      return known(state, formatSelector(until.node)) ?? readinessProblem(state, step);
    }
  }
}

/**
 * A wait for a readiness the schedule cannot have brought about: NotReady for a node it has up, Ready for one it has
 * killed or paused. Run, such a wait only times out (a steps failure, never a verdict on the rules).
 */
function readinessProblem(state: ScheduleState, step: Extract<Step, { kind: 'wait' }>): string | undefined {
  const until = step.until;
  if (until.kind !== 'node') return undefined;
  const key = formatSelector(until.node);
  if (until.ready === 'True' && (state.killed.has(key) || state.paused.has(key)))
    return `waits for ${key} to be Ready while it is ${state.killed.has(key) ? 'killed' : 'paused'}`;
  if (until.ready !== 'True' && !state.isDown(key)) return `waits for ${key} to turn ${until.ready} while nothing has it down`;
  return undefined;
}

/** A wait for a Node to be gone that no earlier step deleted: run, it only times out. */
function goneProblem(state: ScheduleState, step: Extract<Step, { kind: 'wait' }>): string | undefined {
  if (step.until.kind !== 'nodeGone') return undefined;
  const key = formatSelector(step.until.node);
  if (state.roleOf(key) === undefined) return `${key} is not a node the model knows (start selectors and bindings only)`;
  if (!state.deleted.has(key)) return `waits for ${key} to be gone while nothing deleted it`;
  return undefined;
}

/**
 * The steps without the waits for a readiness (or a Node's removal) they no longer bring about (the shrinker drops a
 * kill; the wait for its node's NotReady goes with it, as a step naming a binding goes with the step that bound it).
 */
export function withoutOrphanWaits(spec: Pick<ScenarioSpec, 'cluster' | 'allowQuorumLoss'>, steps: readonly Step[]): Step[] {
  const state = new ScheduleState(spec.cluster.controlPlanes, spec.cluster.workers);
  const out: Step[] = [];
  for (const step of steps) {
    if (step.kind === 'wait' && (readinessProblem(state, step) ?? goneProblem(state, step)) !== undefined) continue;
    applyStep(state, step, spec.allowQuorumLoss);
    out.push(step);
  }
  return out;
}
