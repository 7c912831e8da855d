// Shrinking a failing schedule to a minimal one: first the undos of cordons and labels moved to the end (where they
// race nothing), then delta debugging (Zeller and Hildebrandt's ddmin) over the fault steps, then each fault with
// the step that ends it (kill and its restart: ddmin's chunks can split such a pair, and neither goes alone), then
// the settle steps one at a time, then shorter holds, then simpler targets, then each deletion pinned after the
// cordons and labels that directly followed it and after the nodes the schedule silenced are seen NotReady
// (pin-waits.ts; the holds the waits make redundant go). A wait for a node's readiness leaves with the takedown it
// waited for (schedule-model.ts). A pair that cannot go may have mattered only for the time it took (a kill and a
// restart of a worker between a deletion and an uncordon): it is tried as a hold instead, the shortest first. Every
// candidate is checked against the schedule model and the scenario schema
// first (an invalid one is never run), then with `stillFails`, which says whether the candidate still violates the
// same invariant (the caller re-runs it k times). The result is the input itself or a candidate `stillFails`
// confirmed: never one that was not.
import { ACTION_KINDS, endsOtherFaults, propertiesOf, type ActionKind } from '../faults/catalogue.ts';
import { parseScenario } from '../scenario/loader.ts';
import type { Selector } from '../scenario/targets.ts';
import type { ScenarioSpec, Step } from '../scenario/types.ts';
import { HOLD_CHOICES_MS } from './generate.ts';
import { scenarioYaml } from './render.ts';
import { withGoneWaitsAfterDeletions, withNodeChangesBeforeDeletions, withWaitsBeforeDeletions } from './pin-waits.ts';
import { removesLabelsOnly, replaySchedule, withoutOrphanWaits } from './schedule-model.ts';

export interface ShrinkOptions {
  /** True when the candidate still violates the same invariant (on every one of the caller's re-runs). */
  readonly stillFails: (candidate: ScenarioSpec) => Promise<boolean>;
  /** Whether a candidate may be run at all (default: the schedule model and the scenario schema accept it). */
  readonly isValid?: (candidate: ScenarioSpec) => boolean;
  /** Most candidates to run (default 200); shrinking stops with the smallest confirmed so far. */
  readonly maxTests?: number;
  /**
   * Confirmations of the result once shrinking is done (default 0): a schedule on the edge of failing (a hold only just
   * long enough) may have failed its k runs by chance. One that does not fail every time is set aside for the
   * schedule confirmed before it, checked the same way, at most `MAX_STEP_BACKS` times (then the input, which the
   * caller confirmed).
   */
  readonly finalChecks?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
}

export interface ShrinkResult {
  readonly minimal: ScenarioSpec;
  /** Candidates run through stillFails. */
  readonly tests: number;
  /** Candidates refused as invalid without a run. */
  readonly invalid: number;
  /** Why shrinking stopped early, if it did. */
  readonly stoppedEarly?: string;
  /** Smaller schedules that failed a final check, set aside. */
  readonly setAside?: number;
}

const MAX_STEP_BACKS = 3;

const SETTLE_KINDS: ReadonlySet<Step['kind']> = new Set(['hold', 'wait', 'check']);

export const isFaultStep = (step: Step): boolean => !SETTLE_KINDS.has(step.kind);

/** A candidate is valid when the schedule model accepts it and its file loads. */
export function validSchedule(candidate: ScenarioSpec): boolean {
  if (!replaySchedule(candidate).ok) return false;
  try {
    parseScenario(scenarioYaml(candidate), 'candidate.yaml');
    return true;
  } catch {
    return false;
  }
}

function referencedBindings(step: Step): string[] {
  const selectors: Selector[] = [];
  if ('targets' in step) selectors.push(...step.targets);
  if (step.kind === 'partition') selectors.push(...step.groups.flat());
  if (step.kind === 'drop') selectors.push(...step.from, ...step.to);
  if (step.kind === 'wait' && 'node' in step.until) selectors.push(step.until.node);
  if (step.kind === 'check')
    for (const a of step.assertions) {
      if (a.kind === 'nodeReady' || a.kind === 'promoteStatus') selectors.push(a.node);
      if (a.kind === 'roles') selectors.push(...a.roles.map((r) => r.node));
      if (a.kind === 'terminating') selectors.push(...a.nodes);
    }
  return selectors.flatMap((s) => (s.kind === 'ref' ? [s.name] : []));
}

/** Drops steps that name a binding no earlier kept step defines (they went with the step that bound it). */
export function withoutDanglingBindings(steps: readonly Step[]): Step[] {
  const bound = new Set<string>();
  const out: Step[] = [];
  for (const step of steps) {
    if (referencedBindings(step).some((name) => !bound.has(name))) continue;
    if ('as' in step && step.as !== undefined) bound.add(step.as);
    out.push(step);
  }
  return out;
}

/** An undo of an operator change to a Node object: an uncordon, or a label step that only removes labels. */
export function undoesNodeObjectChange(step: Step): boolean {
  return step.kind === 'uncordon' || (step.kind === 'label' && removesLabelsOnly(step));
}

/** A step that ends an earlier fault (restart, resume, heal) or undoes a cordon or label: a recovery, not a fault. */
export function isRecoveryStep(step: Step): boolean {
  return undoesNodeObjectChange(step) || (isActionKind(step.kind) && endsOtherFaults(step.kind));
}

const isActionKind = (kind: string): kind is ActionKind => (ACTION_KINDS as readonly string[]).includes(kind);

class Shrinker {
  tests = 0;
  invalid = 0;
  stoppedEarly: string | undefined;
  private readonly seen = new Map<string, boolean>();
  /** The input, then every candidate confirmed, in order: the shrinking's path, for the final checks. */
  private readonly path: ScenarioSpec[] = [];
  setAside = 0;
  private readonly isValid: (candidate: ScenarioSpec) => boolean;
  private readonly maxTests: number;

  constructor(
    public best: ScenarioSpec,
    private readonly options: ShrinkOptions,
  ) {
    this.isValid = options.isValid ?? validSchedule;
    this.maxTests = options.maxTests ?? 200;
    this.path.push(best);
  }

  private exhausted(): boolean {
    if (this.options.signal?.aborted) this.stoppedEarly ??= 'interrupted';
    else if (this.tests >= this.maxTests) this.stoppedEarly ??= `reached ${this.maxTests} candidate runs`;
    return this.stoppedEarly !== undefined;
  }

  /** Runs a candidate with these steps; on a confirmed failure it becomes the best so far. */
  async test(steps: readonly Step[]): Promise<boolean> {
    const candidate: ScenarioSpec = { ...this.best, steps: withoutOrphanWaits(this.best, withoutDanglingBindings(steps)) };
    const key = JSON.stringify(candidate.steps);
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    if (candidate.steps.length === 0 || !this.isValid(candidate)) {
      this.invalid++;
      this.seen.set(key, false);
      return false;
    }
    if (this.exhausted()) return false;
    this.tests++;
    const fails = await this.options.stillFails(candidate);
    this.seen.set(key, fails);
    if (fails) {
      this.best = candidate;
      this.path.push(candidate);
      this.options.onProgress?.(`shrink: ${candidate.steps.length} steps still fail (${this.tests} runs)`);
    }
    return fails;
  }

  /** The best schedule's steps with only the chosen fault steps kept (settle steps stay). */
  private keeping(faults: ReadonlySet<number>): Step[] {
    return this.best.steps.filter((step, i) => !isFaultStep(step) || faults.has(i));
  }

  /** ddmin over the fault steps of the best schedule. */
  async ddminFaults(): Promise<void> {
    let items = this.best.steps.flatMap((step, i) => (isFaultStep(step) ? [i] : []));
    if (items.length === 0) return;
    if (await this.test(this.keeping(new Set()))) return;
    let n = 2;
    while (items.length >= 2 && !this.exhausted()) {
      const chunks = split(items, n);
      let reduced = false;
      for (const chunk of chunks) {
        if (await this.test(this.keeping(new Set(chunk)))) {
          items = this.faultIndices();
          n = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced && n > 2)
        for (const chunk of chunks) {
          const complement = items.filter((i) => !chunk.includes(i));
          if (await this.test(this.keeping(new Set(complement)))) {
            items = this.faultIndices();
            n = Math.max(n - 1, 2);
            reduced = true;
            break;
          }
        }
      if (!reduced) {
        if (n >= items.length) break;
        n = Math.min(n * 2, items.length);
      }
    }
  }

  private faultIndices(): number[] {
    return this.best.steps.flatMap((step, i) => (isFaultStep(step) ? [i] : []));
  }

  /** The final checks (ShrinkOptions.finalChecks): the smallest schedule on the path that fails each of them. */
  async finalCheck(checks: number): Promise<void> {
    if (checks <= 0) return;
    for (let k = this.path.length - 1; k > 0 && this.path.length - 1 - k < MAX_STEP_BACKS; k--) {
      const candidate = this.path[k] as ScenarioSpec;
      let holds = true;
      for (let i = 0; i < checks && holds; i++) {
        if (this.options.signal?.aborted) return;
        this.tests++;
        holds = await this.options.stillFails(candidate);
      }
      if (holds) {
        this.best = candidate;
        return;
      }
      this.setAside++;
      this.options.onProgress?.(`shrink: ${candidate.steps.length} steps did not fail on every final check; set aside`);
    }
    this.best = this.path[0] as ScenarioSpec;
  }

  /** The first later fault step that ends step `i`'s lasting effect on the same targets, if any. */
  private endingStepOf(i: number): number | undefined {
    const step = this.best.steps[i] as Step;
    if (!('targets' in step) || !isActionKind(step.kind)) return undefined;
    const endedBy: readonly string[] = propertiesOf(step.kind).endedBy;
    if (endedBy.length === 0) return undefined;
    const targets = JSON.stringify(step.targets);
    for (let j = i + 1; j < this.best.steps.length; j++) {
      const later = this.best.steps[j] as Step;
      if (endedBy.includes(later.kind) && 'targets' in later && JSON.stringify(later.targets) === targets) return j;
    }
    return undefined;
  }

  /** Each lasting fault with the step that ends it: both gone, or (when adjacent) both one hold, the shortest first. */
  async removePairs(): Promise<void> {
    let changed = true;
    while (changed && !this.exhausted()) {
      changed = false;
      for (let i = this.best.steps.length - 1; i >= 0 && !changed; i--) {
        const j = this.endingStepOf(i);
        if (j === undefined) continue;
        if (await this.test(this.best.steps.filter((_, k) => k !== i && k !== j))) {
          changed = true;
          break;
        }
        if (j !== i + 1) continue;
        for (const holdMs of HOLD_CHOICES_MS) {
          const steps = this.best.steps.flatMap((s, k): Step[] => (k === i ? [{ kind: 'hold', holdMs }] : k === j ? [] : [s]));
          if (await this.test(steps)) {
            changed = true;
            break;
          }
        }
      }
    }
  }

  /**
   * The undos of cordons and labels moved after every other step (after the closing waits), all together, else one
   * at a time. A schedule must still make them (a run leaves the Node objects as it found them), but where they stood
   * they may have raced what the failure needs: explore found an uncordon racing a promotion that starts only once
   * a deleted control plane's Node is gone, a moment no step waits for. At the end they race nothing, and the steps
   * that only delayed them (a worker's kill and restart) can go.
   */
  async moveUndosLast(): Promise<void> {
    const movable = (steps: readonly Step[]): number[] => {
      const lastOther = steps.findLastIndex((step) => !undoesNodeObjectChange(step));
      return steps.flatMap((step, i) => (i < lastOther && undoesNodeObjectChange(step) ? [i] : []));
    };
    const moved = (steps: readonly Step[], which: readonly number[]): Step[] => [
      ...steps.filter((_, i) => !which.includes(i)),
      ...which.map((i) => steps[i] as Step),
    ];
    const all = movable(this.best.steps);
    if (all.length === 0 || (await this.test(moved(this.best.steps, all))) || all.length === 1) return;
    for (let i = this.best.steps.length - 1; i >= 0 && !this.exhausted(); i--)
      if (movable(this.best.steps).includes(i)) await this.test(moved(this.best.steps, [i]));
  }

  /** One step at a time, until no single step can go: the result is 1-minimal (among valid candidates). */
  async removeSingles(which: (step: Step, index: number, steps: readonly Step[]) => boolean): Promise<void> {
    let changed = true;
    while (changed && !this.exhausted()) {
      changed = false;
      for (let i = this.best.steps.length - 1; i >= 0; i--) {
        const step = this.best.steps[i] as Step;
        if (!which(step, i, this.best.steps)) continue;
        if (await this.test(this.best.steps.filter((_, j) => j !== i))) {
          changed = true;
          break;
        }
      }
    }
  }

  /**
   * The cordons and labels right after a deletion moved before it, then a wait for each deleted Node to be gone, then
   * a wait for each silenced node's NotReady before a deletion (pin-waits.ts), then the holds those NotReady waits
   * made redundant: the failure no longer hangs on when the Node disappears, or on a hold outlasting the node-monitor
   * grace. Each kept only if it still fails.
   */
  async pinDeletions(): Promise<void> {
    const reordered = withNodeChangesBeforeDeletions(this.best.steps);
    if (reordered !== undefined) await this.test(reordered);
    const gone = withGoneWaitsAfterDeletions(this.best.steps);
    if (gone !== undefined) await this.test(gone);
    const pinned = withWaitsBeforeDeletions(this.best.steps);
    if (pinned === undefined || !(await this.test(pinned))) return;
    // Not a hold right after a wait for a Node gone: it gives the promotion that moment starts time to choose.
    const afterGoneWait = (steps: readonly Step[], i: number): boolean => {
      const before = steps[i - 1];
      return before?.kind === 'wait' && before.until.kind === 'nodeGone';
    };
    await this.removeSingles((step, i, steps) => step.kind === 'hold' && !afterGoneWait(steps, i));
  }

  /** Each hold as short as still fails (from the shortest choice up). */
  async shortenHolds(): Promise<void> {
    for (let i = 0; i < this.best.steps.length && !this.exhausted(); i++) {
      const step = this.best.steps[i] as Step;
      if (step.kind !== 'hold') continue;
      for (const holdMs of HOLD_CHOICES_MS.filter((ms) => ms < step.holdMs)) {
        const steps = this.best.steps.map((s, j): Step => (j === i ? { kind: 'hold', holdMs } : s));
        if (await this.test(steps)) break;
      }
    }
  }

  /** Simpler targets: one selector instead of a list, index 0 instead of another index, a fixed node for etcd-leader. */
  async simplifyTargets(): Promise<void> {
    for (let i = 0; i < this.best.steps.length && !this.exhausted(); i++) {
      for (const simpler of simplerSteps(this.best.steps[i] as Step)) {
        const steps = this.best.steps.map((s, j) => (j === i ? simpler : s));
        if (await this.test(steps)) break;
      }
    }
  }
}

function split<T>(items: readonly T[], n: number): T[][] {
  const size = Math.ceil(items.length / n);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function simplerSelector(selector: Selector): Selector | undefined {
  if (selector.kind === 'index' && selector.index > 0) return { ...selector, index: 0 };
  if (selector.kind === 'etcd-leader' || selector.kind === 'etcd-follower' || selector.kind === 'promotion-candidate')
    return { kind: 'index', role: 'control-plane', index: 0 };
  return undefined;
}

/** Simpler versions of a step, simplest first. */
export function simplerSteps(step: Step): Step[] {
  if (!('targets' in step)) return [];
  const out: Step[] = [];
  if (step.targets.length > 1) out.push({ ...step, targets: [step.targets[0] as Selector] } as Step);
  step.targets.forEach((selector, index) => {
    const simpler = simplerSelector(selector);
    if (simpler) out.push({ ...step, targets: step.targets.map((s, j) => (j === index ? simpler : s)) } as Step);
  });
  return out;
}

/** Shrinks a schedule `stillFails` has confirmed failing. */
export async function shrinkSchedule(failing: ScenarioSpec, options: ShrinkOptions): Promise<ShrinkResult> {
  const shrinker = new Shrinker(failing, options);
  await shrinker.moveUndosLast();
  await shrinker.ddminFaults();
  await shrinker.removePairs();
  await shrinker.removeSingles(isFaultStep);
  await shrinker.removeSingles((step) => !isFaultStep(step));
  await shrinker.shortenHolds();
  await shrinker.simplifyTargets();
  await shrinker.pinDeletions();
  await shrinker.finalCheck(options.finalChecks ?? 0);
  return {
    minimal: shrinker.best,
    tests: shrinker.tests,
    invalid: shrinker.invalid,
    ...(shrinker.setAside > 0 ? { setAside: shrinker.setAside } : {}),
    ...(shrinker.stoppedEarly === undefined ? {} : { stoppedEarly: shrinker.stoppedEarly }),
  };
}
