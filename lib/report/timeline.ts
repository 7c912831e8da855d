// The timeline of one scenario run, as plain data the SVG renderer draws: node lanes (Ready, management role,
// promote status, cordon), fault bands, the API strip, the etcd leader, steps, observer gaps and the events that
// prove failed verdicts. Times are ms from the start of the run.
import type { ScenarioResult } from './result.ts';
import type { NodeRole } from '../model/cluster.ts';
import type { GapSource, HistoryEvent } from '../observe/history.ts';
import { describeEvent, runZeroMs } from './describe.ts';
import { nodeState, type ReadyStatus } from './node-state.ts';
import { SpanBuilder, type Span } from './spans.ts';
import { apiStrip, type ApiStrip } from './timeline-api.ts';
import { faultBands, type ActionMark, type FaultBand } from './timeline-faults.ts';

export interface NodeLane {
  readonly name: string;
  /** The role the run started it with; undefined for a node that appeared later. */
  readonly startRole?: NodeRole;
  readonly ready: readonly Span<ReadyStatus>[];
  readonly management: readonly Span<boolean>[];
  /** The raw promote-status annotation while it is set. */
  readonly promote: readonly Span<string>[];
  readonly cordoned: readonly Span<true>[];
  readonly deleting: readonly Span<true>[];
  /** When the Node object disappeared. */
  readonly deletedAtMs: readonly number[];
}

export interface LeaderValue {
  /** The leader's member name; undefined when there was none. */
  readonly leader?: string;
  readonly error?: string;
}

export interface StepSpan {
  readonly index: number;
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Undefined when the step never ended. */
  readonly ok?: boolean;
  readonly error?: string;
}

export interface GapSpan {
  readonly source: GapSource;
  readonly fromMs: number;
  readonly toMs: number;
  readonly reason: string;
}

/** A lane id as used in data-lane: `node:<name>`, `api`, `etcd-leader`, `faults`, `steps` (and `violations`, the row of markers). */
export type LaneId = `node:${string}` | 'api' | 'etcd-leader' | 'faults' | 'steps' | 'violations';

export interface Violation {
  readonly event: HistoryEvent;
  readonly atMs: number;
  readonly lane: LaneId;
  /** The failed invariants this event is evidence for. */
  readonly invariants: readonly string[];
  /** `#seq +t description`. */
  readonly description: string;
}

export interface Timeline {
  /** Epoch ms of time zero (the run-start event). */
  readonly zeroMs: number;
  /** Length of the run in ms (at least 1 s). */
  readonly endMs: number;
  readonly nodes: readonly NodeLane[];
  readonly faults: readonly FaultBand[];
  readonly marks: readonly ActionMark[];
  readonly api: ApiStrip;
  readonly leader: readonly Span<LeaderValue>[];
  readonly steps: readonly StepSpan[];
  readonly gaps: readonly GapSpan[];
  readonly violations: readonly Violation[];
}

class NodeLaneBuilder {
  readonly ready = new SpanBuilder<ReadyStatus>();
  readonly management = new SpanBuilder<boolean>();
  readonly promote = new SpanBuilder<string>();
  readonly cordoned = new SpanBuilder<true>();
  readonly deleting = new SpanBuilder<true>();
  readonly deletedAtMs: number[] = [];

  constructor(
    readonly name: string,
    readonly startRole?: NodeRole,
  ) {}

  finish(endMs: number): NodeLane {
    return {
      name: this.name,
      ...(this.startRole === undefined ? {} : { startRole: this.startRole }),
      ready: this.ready.finish(endMs),
      management: this.management.finish(endMs),
      promote: this.promote.finish(endMs),
      cordoned: this.cordoned.finish(endMs),
      deleting: this.deleting.finish(endMs),
      deletedAtMs: this.deletedAtMs,
    };
  }
}

function nodeLanes(result: ScenarioResult, zeroMs: number, endMs: number): NodeLane[] {
  const lanes = new Map<string, NodeLaneBuilder>();
  const lane = (name: string, role?: NodeRole): NodeLaneBuilder => {
    let found = lanes.get(name);
    if (found === undefined) lanes.set(name, (found = new NodeLaneBuilder(name, role)));
    return found;
  };
  for (const event of result.history) {
    if (event.kind === 'run-start') for (const n of event.nodes) lane(n.name, n.role);
    if (event.kind !== 'node') continue;
    const l = lane(event.node.name);
    const atMs = event.t - zeroMs;
    if (event.type === 'DELETED') {
      for (const b of [l.ready, l.management, l.promote, l.cordoned, l.deleting]) b.set(atMs, undefined);
      l.deletedAtMs.push(atMs);
      continue;
    }
    const state = nodeState(event.node);
    l.ready.set(atMs, state.ready);
    l.management.set(atMs, state.management);
    l.promote.set(atMs, state.promoteStatus);
    l.cordoned.set(atMs, state.cordoned ? true : undefined);
    l.deleting.set(atMs, state.deleting ? true : undefined);
  }
  return [...lanes.values()].map((l) => l.finish(endMs));
}

function leaderSpans(result: ScenarioResult, zeroMs: number, endMs: number): Span<LeaderValue>[] {
  const spans = new SpanBuilder<LeaderValue>((a, b) => a.leader === b.leader && a.error === b.error);
  for (const event of result.history) {
    if (event.kind !== 'etcd') continue;
    spans.set(
      event.t - zeroMs,
      event.error !== undefined ? { error: event.error } : event.leader !== undefined ? { leader: event.leader } : {},
    );
  }
  return spans.finish(endMs);
}

function stepSpans(result: ScenarioResult, zeroMs: number, endMs: number): StepSpan[] {
  const open = new Map<number, { label: string; fromMs: number }>();
  const out: StepSpan[] = [];
  for (const event of result.history) {
    if (event.kind !== 'step') continue;
    if (event.phase === 'begin') open.set(event.index, { label: event.step, fromMs: event.t - zeroMs });
    else {
      const begin = open.get(event.index);
      open.delete(event.index);
      const fromMs = begin?.fromMs ?? event.t - zeroMs;
      out.push({
        index: event.index,
        label: begin?.label ?? event.step,
        fromMs,
        toMs: event.t - zeroMs,
        ...(event.ok === undefined ? {} : { ok: event.ok }),
        ...(event.error === undefined ? {} : { error: event.error }),
      });
    }
  }
  for (const [index, begin] of open) out.push({ index, label: begin.label, fromMs: begin.fromMs, toMs: endMs });
  return out.sort((a, b) => a.fromMs - b.fromMs);
}

function laneOf(event: HistoryEvent): LaneId {
  switch (event.kind) {
    case 'node':
      return `node:${event.node.name}`;
    case 'op':
      return 'api';
    case 'etcd':
      return 'etcd-leader';
    case 'action':
      return 'faults';
    case 'job':
      return event.ownerNode === undefined ? 'steps' : `node:${event.ownerNode}`;
    case 'k8s-event':
      return event.involvedObject.kind === 'Node' ? `node:${event.involvedObject.name}` : 'steps';
    case 'gap':
      return event.source === 'etcd' ? 'etcd-leader' : event.source === 'sampler' ? 'api' : 'steps';
    default:
      return 'steps';
  }
}

function violations(result: ScenarioResult, zeroMs: number, nodes: ReadonlySet<string>): Violation[] {
  const bySeq = new Map<number, { event: HistoryEvent; invariants: string[] }>();
  for (const verdict of result.verdicts) {
    if (verdict.status !== 'fail') continue;
    for (const event of verdict.evidence) {
      const entry = bySeq.get(event.seq) ?? { event, invariants: [] };
      if (!entry.invariants.includes(verdict.invariant)) entry.invariants.push(verdict.invariant);
      bySeq.set(event.seq, entry);
    }
  }
  return [...bySeq.values()]
    .sort((a, b) => a.event.seq - b.event.seq)
    .map(({ event, invariants }) => {
      const lane = laneOf(event);
      return {
        event,
        atMs: event.t - zeroMs,
        lane: lane.startsWith('node:') && !nodes.has(lane.slice(5)) ? 'steps' : lane,
        invariants,
        description: describeEvent(event, zeroMs),
      };
    });
}

export function buildTimeline(result: ScenarioResult, outageThresholdMs?: number): Timeline {
  const zeroMs = runZeroMs(result.history, result.startedAt);
  const lastMs = Math.max(result.history.at(-1)?.t ?? zeroMs, zeroMs) - zeroMs;
  const endMs = Math.max(lastMs, 1000);
  const nodes = nodeLanes(result, zeroMs, endMs);
  const { bands, marks } = faultBands(result.history, zeroMs, endMs);
  const gaps: GapSpan[] = [];
  for (const event of result.history) {
    if (event.kind === 'gap')
      gaps.push({ source: event.source, fromMs: event.from - zeroMs, toMs: event.to - zeroMs, reason: event.reason });
  }
  return {
    zeroMs,
    endMs,
    nodes,
    faults: bands,
    marks,
    api: apiStrip(result.history, zeroMs, outageThresholdMs),
    leader: leaderSpans(result, zeroMs, endMs),
    steps: stepSpans(result, zeroMs, endMs),
    gaps,
    violations: violations(result, zeroMs, new Set(nodes.map((n) => n.name))),
  };
}
