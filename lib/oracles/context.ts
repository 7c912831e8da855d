// What every oracle gets: the history, its run-start, resolved budgets and options, and derived views computed
// once and shared (deletions, promotion signals, fault timeline, sampler operations).
import type { ClusterTimers } from '../model/cluster.ts';
import type { SelectPromoteNode } from '../harvester/promotion.ts';
import { explainSelection, selectPromoteNode } from '../harvester/promotion.ts';
import type { V1Node } from '@kubernetes/client-node';
import { harnessDeletions, resolveBudgets, runStartOf } from '../observe/history.ts';
import type {
  CpuEvent,
  GapEvent,
  GapSource,
  HarnessDeletion,
  History,
  ResolvedBudgets,
  RunBudgets,
  RunStartEvent,
} from '../observe/history.ts';
import { buildFaultTimeline } from './fault-timeline.ts';
import type { FaultTimeline } from './fault-timeline.ts';
import { pairOperations } from './operations.ts';
import type { Operation } from './operations.ts';
import { replayNodes } from './node-tracker.ts';
import type { NodeChange } from './node-tracker.ts';
import { operatorStatusChanges } from './operator-changes.ts';
import type { OperatorChange } from './operator-changes.ts';
import { analysePromotions } from './promotion-signals.ts';
import type { PromotionAnalysis } from './promotion-signals.ts';

/** The promotion policy the promotion oracles judge against (Harvester's by default). */
export interface ReferencePolicy {
  readonly selectPromoteNode: SelectPromoteNode;
  /** Why no node was chosen, for inconclusive verdicts. */
  readonly explain?: (nodes: readonly V1Node[], now?: Date) => { readonly reason: string };
  /**
   * Every node the policy could promote over these nodes whatever their list order (equal creation seconds, which
   * witness is extra), its own choice first. Without it, only the node selectPromoteNode names.
   */
  readonly tied?: (nodes: readonly V1Node[], now?: Date) => readonly string[];
}

export type RegisterInitial = 'unknown' | 'absent' | number;

export interface OracleOptions {
  /** Override the run-start budgets. */
  readonly budgets?: RunBudgets;
  readonly reference?: ReferencePolicy;
  /** Intervals between acknowledged writes longer than this are reported as outages. Default 1000 ms. */
  readonly outageThresholdMs?: number;
  /** The register before the first operation. Default 'unknown' (any value). */
  readonly registerInitial?: RegisterInitial;
  /** Search budget of the linearizability checker; beyond it the verdict is inconclusive. */
  readonly linearizabilityMaxSteps?: number;
}

export const DEFAULT_OUTAGE_THRESHOLD_MS = 1_000;
export const DEFAULT_LINEARIZABILITY_MAX_STEPS = 10_000_000;
/** Harvester's selection; any node of its tie set is its choice (it lists nodes from an informer cache, in random order). */
export const HARVESTER_REFERENCE: ReferencePolicy = {
  selectPromoteNode,
  explain: explainSelection,
  tied: (nodes) => explainSelection(nodes).tied,
};

/** The nodes the reference accepts as its choice now: its tie set, or the one node it names; empty when none. */
export function referenceChoices(reference: ReferencePolicy, nodes: readonly V1Node[], now: Date): readonly string[] {
  if (reference.tied !== undefined) return reference.tied(nodes, now);
  const candidate = reference.selectPromoteNode(nodes, now);
  return candidate === undefined ? [] : [candidate];
}

export interface Interval {
  readonly from: number;
  readonly to: number;
}

/** Closed intervals [a0, a1] and [b0, b1] share a point. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.from <= b.to && b.from <= a.to;
}

export class OracleContext {
  readonly runStart: RunStartEvent | undefined;
  readonly timers: ClusterTimers | undefined;
  /** Undefined without a run-start (no timers to derive defaults from). */
  readonly budgets: ResolvedBudgets | undefined;
  readonly startT: number;
  readonly endT: number;
  readonly reference: ReferencePolicy;
  private deletionsCache?: HarnessDeletion[];
  private nodeChangesCache?: (NodeChange | undefined)[];
  private promotionsCache?: PromotionAnalysis;
  private operatorChangesCache?: Map<number, OperatorChange>;
  private faultsCache?: FaultTimeline;
  private operationsCache?: Operation[];
  private gapsCache?: Map<GapSource, GapEvent[]>;

  constructor(
    readonly history: History,
    readonly options: OracleOptions = {},
  ) {
    this.runStart = runStartOf(history);
    this.timers = this.runStart?.timers;
    this.budgets = this.timers === undefined ? undefined : resolveBudgets(this.timers, { ...this.runStart?.budgets, ...options.budgets });
    this.startT = this.runStart?.t ?? history[0]?.t ?? 0;
    this.endT = history.at(-1)?.t ?? this.startT;
    this.reference = options.reference ?? HARVESTER_REFERENCE;
  }

  get deletions(): HarnessDeletion[] {
    return (this.deletionsCache ??= harnessDeletions(this.history));
  }

  /** The node watch replayed once: the change each node event made, by history index. */
  get nodeChanges(): readonly (NodeChange | undefined)[] {
    return (this.nodeChangesCache ??= replayNodes(this.history));
  }

  get promotions(): PromotionAnalysis {
    return (this.promotionsCache ??= analysePromotions(this.history, this.runStart, this.deletions, this.nodeChanges));
  }

  /** Promote-status changes the harness's own annotate steps made (an operator's), by the seq of the node event. */
  get operatorChanges(): ReadonlyMap<number, OperatorChange> {
    return (this.operatorChangesCache ??= operatorStatusChanges(this.history, this.nodeChanges));
  }

  get faults(): FaultTimeline {
    return (this.faultsCache ??= buildFaultTimeline(this.history, this.runStart, this.nodeChanges));
  }

  get operations(): Operation[] {
    return (this.operationsCache ??= pairOperations(this.history));
  }

  gaps(source: GapSource): GapEvent[] {
    if (this.gapsCache === undefined) {
      const cache = new Map<GapSource, GapEvent[]>();
      for (const event of this.history) {
        if (event.kind !== 'gap') continue;
        const list = cache.get(event.source) ?? [];
        list.push(event);
        cache.set(event.source, list);
      }
      this.gapsCache = cache;
    }
    return this.gapsCache.get(source) ?? [];
  }

  /** Gaps of `source` sharing a point with the interval. */
  gapsOverlapping(source: GapSource, interval: Interval): GapEvent[] {
    return this.gaps(source).filter((gap) => overlaps(gap, interval));
  }

  /**
   * The CPU stall on the harness machine over the interval (ms during which some task waited for a CPU), from the
   * `cpu` readings that bracket it (the last at or before its start, the first at or after its end); undefined when
   * the history has no such pair (no PSI on that machine, or a history from before it was recorded).
   */
  cpuStallMs(interval: Interval): number | undefined {
    let before: CpuEvent | undefined;
    for (const event of this.history) {
      if (event.kind !== 'cpu') continue;
      if (event.t <= interval.from) before = event;
      else if (event.t >= interval.to) return before === undefined ? undefined : (event.stalledUs - before.stalledUs) / 1000;
    }
    return undefined;
  }

  /**
   * Whether the cluster ran on the harness's machine, sharing its CPUs (the run-start says; histories from before it
   * did were such runs): only then does the machine's CPU stall slow the system under test itself.
   */
  get clusterOnHarnessMachine(): boolean {
    return this.runStart?.clusterOnHarnessMachine ?? true;
  }

  /** A time relative to the run start, e.g. "+12.3 s". */
  rel(t: number): string {
    return `+${((t - this.startT) / 1000).toFixed(1)} s`;
  }
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
