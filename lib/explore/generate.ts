// Generated fault schedules: a seeded walk over the existing step kinds, aimed at node roles, built through the
// schedule model (schedule-model.ts) so no step takes a majority of the control planes down (unless allowed) and
// whatever the schedule broke is restarted, resumed, healed or uncordoned by the end. The walk leans toward the
// interleavings the promotion rules are least tested on: faults overlapping a deletion, recoveries right after a
// fault (while etcd elects a leader), and deleting a node that is down or cut off.
import { NAMED_PORTS, type PortMatch } from '../faults/ports.ts';
import { WORKER_ONLY_LABEL } from '../harvester/contract.ts';
import { createRandom, type Random } from '../scenario/random.ts';
import { formatSelector, type Selector } from '../scenario/targets.ts';
import type { InvariantSpec, ScenarioSpec, Step } from '../scenario/types.ts';
import { applySteps, replaySchedule, ScheduleState, type TargetRole } from './schedule-model.ts';
import { scenarioYaml } from './render.ts';

export interface GenerateOptions {
  /** Same seed, same options: the same schedule. */
  readonly seed: string;
  /** Fault steps before the closing recovery (default 4). */
  readonly maxFaultSteps?: number;
  readonly controlPlanes?: number;
  /** Workers at start; default: 1 or 2, chosen by the seed. */
  readonly workers?: number;
  /** Allow steps that take a majority of the control planes down (default false). */
  readonly allowQuorumLoss?: boolean;
  /**
   * Let deletions of a down control plane force-remove its Node's finalizers (default false). That skips the etcd
   * member removal and reproduces Harvester's known bug #8968 (suites/regression/harvester-8968-force-removed-
   * finalizers.yaml): the promotion stays running, so every such schedule fails promotion-after-deletion, and an
   * exploration for what is not known yet would keep finding it. The seed's schedules are the same either way,
   * except for that flag.
   */
  readonly forceDeletions?: boolean;
  /** Scenario name (default explore-<seed>). */
  readonly name?: string;
}

export interface GeneratedSchedule {
  readonly spec: ScenarioSpec;
  /** The same scenario as a file (parseScenario gives `spec` back). */
  readonly yaml: string;
}

/** Hold lengths the walk picks from (ms): short ones race elections, long ones outlast the node-monitor grace. */
export const HOLD_CHOICES_MS: readonly number[] = [1000, 2000, 3000, 5000, 8000, 12_000];
/** Waits are generous: a wait that times out is a steps failure, never an invariant violation, and costs time. */
export const NODE_WAIT_TIMEOUT_MS = 60_000;
export const SETTLE_TIMEOUT_MS = 120_000;
export const PROMOTION_BUDGET_MS = 60_000;

const cp = (index: number): Selector => ({ kind: 'index', role: 'control-plane', index });
const worker = (index: number): Selector => ({ kind: 'index', role: 'worker', index });
const ref = (name: string): Selector => ({ kind: 'ref', name });
const selectorOf = (key: string): Selector => {
  if (key.startsWith('$')) return ref(key.slice(1));
  const match = /^(control-plane|worker)\[(\d+)\]$/.exec(key);
  if (!match) throw new Error(`not a model key: ${key}`);
  return match[1] === 'worker' ? worker(Number(match[2])) : cp(Number(match[2]));
};

interface Move {
  readonly weight: number;
  readonly make: () => Step[];
}

/** The schedule under construction: the model state and the steps so far. */
class Walk {
  state: ScheduleState;
  readonly steps: Step[] = [];
  private bindingCount = 0;

  constructor(
    readonly random: Random,
    readonly controlPlanes: number,
    readonly workers: number,
    readonly allowQuorumLoss: boolean,
    readonly forceDeletions: boolean,
  ) {
    this.state = new ScheduleState(controlPlanes, workers);
  }

  live(role: TargetRole): string[] {
    const count = role === 'control-plane' ? this.controlPlanes : this.workers;
    return Array.from({ length: count }, (_, i) => formatSelector(role === 'control-plane' ? cp(i) : worker(i))).filter(
      (k) => !this.state.deleted.has(k),
    );
  }

  /** Nodes a takedown may hit now (up, and for control planes only within the quorum margin). */
  takeable(role: TargetRole): string[] {
    const up = this.live(role).filter((k) => !this.state.isDown(k));
    if (role === 'worker' || this.allowQuorumLoss) return up;
    return this.state.spareControlPlanes() > 0 && !this.state.boundNodeDown() ? up : [];
  }

  binding(): string {
    this.bindingCount++;
    return `n${this.bindingCount}`;
  }

  hold(): Step {
    return { kind: 'hold', holdMs: this.random.pick(HOLD_CHOICES_MS) };
  }

  anyDown(): string[] {
    const keys = new Set([...this.state.killed, ...this.state.paused, ...this.state.isolated, ...this.state.cut]);
    return [...keys].filter((k) => !this.state.deleted.has(k));
  }
}

type TakedownKind = 'kill' | 'pause' | 'isolate';

/**
 * A node taken down, and sometimes (a kill or an isolation, 40%) a wait for it to turn NotReady: the controllers
 * see it down before the next step (a worker's too: a deletion that follows starts a promotion that chooses among them).
 */
function takedownSteps(random: Random, kind: TakedownKind, key: string): Step[] {
  const steps: Step[] = [{ kind, targets: [selectorOf(key)] }];
  if (kind !== 'pause' && random.next() < 0.4)
    steps.push({ kind: 'wait', until: { kind: 'node', node: selectorOf(key), ready: 'Unknown' }, timeoutMs: NODE_WAIT_TIMEOUT_MS });
  return steps;
}

function takedownMoves(walk: Walk): Move[] {
  const moves: Move[] = [];
  const { random } = walk;
  const cps = walk.takeable('control-plane');
  const workers = walk.takeable('worker');
  const kinds: readonly TakedownKind[] = ['kill', 'pause', 'isolate'];
  if (cps.length > 0) {
    moves.push({
      weight: 4,
      make: () => {
        const kind = random.pick(kinds);
        return takedownSteps(random, kind, random.pick(cps));
      },
    });
    // The etcd leader, resolved when the step runs: forces an election.
    if (walk.anyDown().filter((k) => walk.state.roleOf(k) === 'control-plane').length === 0)
      moves.push({
        weight: 2,
        make: () => [{ kind: random.pick<TakedownKind>(['kill', 'isolate']), targets: [{ kind: 'etcd-leader' }], as: walk.binding() }],
      });
  }
  if (workers.length > 0)
    moves.push({
      weight: 2,
      make: () => {
        const kind = random.pick(kinds);
        return takedownSteps(random, kind, random.pick(workers));
      },
    });
  // A node cut from the etcd peers only: it stays Ready (its kubelet reaches the API), its etcd member (or the one a
  // promotion would add) cannot reach the others. Counted as a cut like any isolate.
  const cuttable = [...cps, ...workers];
  if (cuttable.length > 0)
    moves.push({
      weight: 1,
      make: () => [{ kind: 'isolate', targets: [selectorOf(random.pick(cuttable))], ports: [NAMED_PORTS['etcd-peer'] as PortMatch] }],
    });
  if (cps.length > 0 && walk.controlPlanes >= 3) {
    moves.push({
      weight: 1,
      make: () => {
        const key = random.pick(cps);
        const rest = walk.live('control-plane').filter((k) => k !== key);
        return [{ kind: 'partition', groups: [[selectorOf(key)], rest.map(selectorOf)] }];
      },
    });
    moves.push({
      weight: 1,
      make: () => {
        const key = random.pick(cps);
        const rest = walk.live('control-plane').filter((k) => k !== key);
        return [{ kind: 'drop', from: [selectorOf(key)], to: rest.map(selectorOf) }];
      },
    });
  }
  return moves;
}

function deletionMoves(walk: Walk): Move[] {
  const { state, random } = walk;
  if (state.deleted.size > 0) return [];
  const moves: Move[] = [];
  const downCps = state.downControlPlanes();
  // A control plane that is down or cut off, deleted: the node Harvester should replace (kill-then-delete).
  if (downCps.length === 1 && walk.workers > 0 && state.memberCount() >= 3) {
    const key = downCps[0] as string;
    moves.push({
      weight: 6,
      make: () => {
        // Drawn either way, so that forceDeletions changes this flag and nothing else in the seed's schedule.
        const force = random.next() < 0.25;
        return [{ kind: 'delete-node', targets: [selectorOf(key)], forceFinalizers: force && walk.forceDeletions }];
      },
    });
  }
  if (downCps.length === 0 && walk.workers > 0 && state.memberCount() >= 3) {
    const cps = walk.live('control-plane');
    // A deletion is what starts a promotion, and a promotion's choice is where workers that are down, cordoned or
    // labelled matter: the more of them, the likelier a deletion now (a fault in the choice needs such a moment).
    const unusual = walk.live('worker').filter((k) => state.isDown(k) || state.cordoned.has(k) || state.labelled.has(k)).length;
    moves.push({
      weight: 2 + 4 * unusual,
      make: () => [{ kind: 'delete-node', targets: [selectorOf(random.pick(cps))], forceFinalizers: false }],
    });
  }
  if (walk.workers > 1) {
    const workers = walk.live('worker');
    moves.push({ weight: 1, make: () => [{ kind: 'delete-node', targets: [selectorOf(random.pick(workers))], forceFinalizers: false }] });
  }
  return moves;
}

function operatorMoves(walk: Walk): Move[] {
  const { state, random } = walk;
  const moves: Move[] = [];
  const uncordoned = walk.live('worker').filter((k) => !state.cordoned.has(k));
  if (uncordoned.length > 0) moves.push({ weight: 2, make: () => [{ kind: 'cordon', targets: [selectorOf(random.pick(uncordoned))] }] });
  const unlabelled = walk.live('worker').filter((k) => !state.labelled.has(k));
  if (unlabelled.length > 0)
    moves.push({
      weight: 1,
      make: () => [{ kind: 'label', targets: [selectorOf(random.pick(unlabelled))], labels: { [WORKER_ONLY_LABEL]: 'true' } }],
    });
  return moves;
}

/** Recoveries, weighted up right after a control plane's fault: a node back while etcd is still electing. */
function recoveryMoves(walk: Walk, justFaulted: boolean): Move[] {
  const { state, random } = walk;
  const boost = justFaulted ? 3 : 1;
  const moves: Move[] = [];
  const killed = [...state.killed].filter((k) => !state.deleted.has(k));
  if (killed.length > 0) moves.push({ weight: 2 * boost, make: () => [{ kind: 'restart', targets: [selectorOf(random.pick(killed))] }] });
  const paused = [...state.paused].filter((k) => !state.deleted.has(k));
  if (paused.length > 0) moves.push({ weight: 2 * boost, make: () => [{ kind: 'resume', targets: [selectorOf(random.pick(paused))] }] });
  if (state.isolated.size > 0 || state.cut.size > 0 || state.networkFaults > 0)
    moves.push({ weight: 2 * boost, make: () => [{ kind: 'heal' }] });
  const cordoned = [...state.cordoned].filter((k) => !state.deleted.has(k));
  if (cordoned.length > 0) moves.push({ weight: 1, make: () => [{ kind: 'uncordon', targets: [selectorOf(random.pick(cordoned))] }] });
  return moves;
}

function pickMove(random: Random, moves: readonly Move[]): Move | undefined {
  const total = moves.reduce((sum, m) => sum + m.weight, 0);
  if (total <= 0) return undefined;
  let draw = random.next() * total;
  for (const move of moves) {
    draw -= move.weight;
    if (draw < 0) return move;
  }
  return moves[moves.length - 1];
}

/** Appends a move's steps when the model accepts them and what they broke can still be undone. */
function tryAppend(walk: Walk, steps: readonly Step[]): boolean {
  const candidate = [...walk.steps, ...steps];
  const state = new ScheduleState(walk.controlPlanes, walk.workers);
  if (applySteps(state, candidate, walk.allowQuorumLoss) !== undefined) return false;
  const cluster = { controlPlanes: walk.controlPlanes, workers: walk.workers, witnesses: 0 };
  if (!replaySchedule({ steps: [...candidate, ...closing(state)], cluster, allowQuorumLoss: walk.allowQuorumLoss }).ok) return false;
  walk.steps.push(...steps);
  walk.state = state;
  return true;
}

/** The steps that undo everything still broken, then let the cluster settle. */
function closing(state: ScheduleState): Step[] {
  const live = (set: Set<string>) => [...set].filter((k) => !state.deleted.has(k)).sort();
  const steps: Step[] = [];
  const killed = live(state.killed);
  if (killed.length > 0) steps.push({ kind: 'restart', targets: killed.map(selectorOf) });
  const paused = live(state.paused);
  if (paused.length > 0) steps.push({ kind: 'resume', targets: paused.map(selectorOf) });
  if (state.isolated.size > 0 || state.cut.size > 0 || state.networkFaults > 0) steps.push({ kind: 'heal' });
  const cordoned = live(state.cordoned);
  if (cordoned.length > 0) steps.push({ kind: 'uncordon', targets: cordoned.map(selectorOf) });
  const labelled = live(state.labelled);
  if (labelled.length > 0) steps.push({ kind: 'label', targets: labelled.map(selectorOf), labels: { [WORKER_ONLY_LABEL]: null } });
  return steps;
}

/** Waits for the cluster to settle after the closing recovery: the API, the restarted nodes, a replacement. */
function settling(walk: Walk, recovered: readonly string[]): Step[] {
  const steps: Step[] = [{ kind: 'wait', until: { kind: 'api', state: 'writable' }, timeoutMs: SETTLE_TIMEOUT_MS }];
  for (const key of recovered)
    steps.push({ kind: 'wait', until: { kind: 'node', node: selectorOf(key), ready: 'True' }, timeoutMs: SETTLE_TIMEOUT_MS });
  const deletedCp = [...walk.state.deleted].some((k) => walk.state.roleOf(k) === 'control-plane');
  if (deletedCp) {
    const remaining = walk.controlPlanes + walk.workers - walk.state.deleted.size;
    steps.push({ kind: 'wait', until: { kind: 'managementCount', count: Math.min(3, remaining) }, timeoutMs: SETTLE_TIMEOUT_MS });
  }
  steps.push({ kind: 'hold', holdMs: 3000 });
  return steps;
}

/** The invariants a generated schedule is judged by (promotion-after-deletion only when a control plane is deleted). */
export function invariantsFor(steps: readonly Step[], allowQuorumLoss: boolean): InvariantSpec[] {
  const deletesControlPlane = steps.some(
    (s) => s.kind === 'delete-node' && s.targets.some((t) => formatSelector(t).startsWith('control-plane') || t.kind === 'ref'),
  );
  return [
    { name: 'promotion-only-after-deletion' },
    ...(deletesControlPlane ? [{ name: 'promotion-after-deletion' } as const] : []),
    { name: 'management-count' },
    allowQuorumLoss ? { name: 'quorum-lost' } : { name: 'quorum-survives' },
    { name: 'no-lost-writes' },
    { name: 'promote-status-lifecycle' },
  ];
}

/** Generates one schedule for the seed. */
export function generateSchedule(options: GenerateOptions): GeneratedSchedule {
  const random = createRandom(`explore/${options.seed}`);
  const controlPlanes = options.controlPlanes ?? 3;
  const workers = options.workers ?? 1 + random.int(2);
  const allowQuorumLoss = options.allowQuorumLoss ?? false;
  const maxFaultSteps = Math.max(1, options.maxFaultSteps ?? 4);
  const walk = new Walk(random, controlPlanes, workers, allowQuorumLoss, options.forceDeletions ?? false);

  let faultSteps = 0;
  let justFaulted = false;
  for (let attempt = 0; faultSteps < maxFaultSteps && attempt < maxFaultSteps * 8; attempt++) {
    const faults = [...takedownMoves(walk), ...deletionMoves(walk), ...operatorMoves(walk)];
    const recoveries = recoveryMoves(walk, justFaulted);
    const move = pickMove(random, [...faults, ...recoveries]);
    if (!move) break;
    const steps = move.make();
    const downBefore = walk.state.downControlPlanes().length;
    if (!tryAppend(walk, steps)) continue;
    faultSteps++;
    // A control plane just went down: etcd may be electing, and a recovery now lands during the election. A worker's
    // fault starts no election, and is left to overlap what comes next.
    justFaulted = faults.includes(move) && walk.state.downControlPlanes().length > downBefore;
    // Holds between faults: sometimes none at all, so a recovery lands during the election a fault started.
    if (random.next() < 0.6) walk.steps.push(walk.hold());
  }
  const recovered = [...walk.state.killed, ...walk.state.paused, ...walk.state.isolated, ...walk.state.cut].filter(
    (k) => !walk.state.deleted.has(k),
  );
  const closingSteps = closing(walk.state);
  walk.steps.push(...closingSteps);
  applySteps(walk.state, closingSteps, true);
  walk.steps.push(...settling(walk, [...new Set(recovered)].sort()));

  const name = options.name ?? `explore-${options.seed.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
  const spec: ScenarioSpec = {
    name,
    description: `Generated by cpchaos explore from seed ${options.seed}.`,
    tags: ['explore'],
    sandboxOnly: false,
    allowQuorumLoss,
    cluster: { controlPlanes, workers, witnesses: 0 },
    budgets: { promotionMs: PROMOTION_BUDGET_MS },
    steps: walk.steps,
    expect: { assertions: [] },
    invariants: invariantsFor(walk.steps, allowQuorumLoss),
  };
  return { spec, yaml: scenarioYaml(spec) };
}
