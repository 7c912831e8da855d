// The harness's faults as a timeline of which control-plane nodes were down or cut off. Control plane = the
// management nodes at the time (run-start roles until the first node event). Two views of "down":
//   wide:   from the fault's intent until its recovery is applied (the fault may act anywhere in between);
//   narrow: from the fault's applied record until its recovery is intended (down for certain).
// Cut off (isolate, partition, drop) is wide: intent until heal applied.
import { affectsQuorum, propertiesOf } from '../faults/catalogue.ts';
import type { ActionEvent, History, HistoryEvent, RunStartEvent } from '../observe/history.ts';
import { NodeSet, replayNodes } from './node-tracker.ts';
import type { NodeChange } from './node-tracker.ts';

export interface FaultSnapshot {
  readonly t: number;
  readonly seq: number;
  /** The event that brought this state. */
  readonly event: HistoryEvent;
  readonly controlPlane: readonly string[];
  readonly downWide: readonly string[];
  readonly downNarrow: readonly string[];
  readonly cut: readonly string[];
}

export interface FaultTimeline {
  /** Each snapshot holds from its t until the next one's. The first is the state before any fault. */
  readonly snapshots: readonly FaultSnapshot[];
  /** Actions the provider could not do. */
  readonly unsupported: readonly ActionEvent[];
}

export interface TimelineInterval {
  readonly from: number;
  /** End of the interval; the end of the run when it never ended. */
  readonly to: number;
  readonly start: FaultSnapshot;
  /** The snapshot that ended it; undefined when it lasted to the end of the run. */
  readonly end?: FaultSnapshot;
}

interface Down {
  readonly id: string;
  readonly kind: 'kill' | 'pause' | 'restart' | 'remove-host';
  applied: boolean;
  /** Id of the restart/resume that is bringing it back. */
  recoveringBy?: string;
}

export function isQuorumFault(action: ActionEvent): boolean {
  return affectsQuorum(action.fault);
}

function countIn(nodes: readonly string[], members: ReadonlySet<string>): number {
  let n = 0;
  for (const node of nodes) if (members.has(node)) n += 1;
  return n;
}

/** Nodes cut off from the side that holds a control-plane majority. */
function cutOffBy(action: ActionEvent, controlPlane: ReadonlySet<string>): string[] {
  if (action.fault === 'isolate') return [...action.nodes];
  if (action.fault === 'drop') {
    const from = action.from ?? [];
    const to = action.to ?? [];
    return countIn(from, controlPlane) <= countIn(to, controlPlane) ? [...from] : [...to];
  }
  const groups = action.groups ?? [];
  const majority = groups.find((group) => 2 * countIn(group, controlPlane) > controlPlane.size);
  return groups.filter((group) => group !== majority).flat();
}

class FaultState {
  readonly down = new Map<string, Down>();
  readonly cut = new Map<string, { nodes: string[]; healing: boolean }>();

  apply(action: ActionEvent, controlPlane: ReadonlySet<string>): void {
    const { id, phase, fault } = action;
    const gone = phase === 'failed' || phase === 'unsupported';
    switch (fault) {
      case 'kill':
      case 'pause':
      case 'remove-host':
        for (const node of action.nodes) {
          const d = this.down.get(node);
          if (phase === 'intent') this.down.set(node, { id, kind: fault, applied: false });
          else if (d?.id !== id) continue;
          else if (phase === 'applied') d.applied = true;
          else this.down.delete(node);
        }
        return;
      case 'restart':
      case 'resume':
        for (const node of action.nodes) {
          const d = this.down.get(node);
          if (phase === 'intent') {
            if (d !== undefined && propertiesOf(d.kind).endedBy.includes(fault)) d.recoveringBy = id;
            else if (d === undefined && fault === 'restart') this.down.set(node, { id, kind: 'restart', applied: false });
          } else if (d === undefined) continue;
          else if (d.recoveringBy === id) {
            if (gone) delete d.recoveringBy;
            else this.down.delete(node);
          } else if (d.kind === 'restart' && d.id === id) this.down.delete(node);
        }
        return;
      case 'isolate':
      case 'partition':
      case 'drop':
        if (phase === 'intent') this.cut.set(id, { nodes: cutOffBy(action, controlPlane), healing: false });
        else if (gone || phase === 'undone') this.cut.delete(id);
        return;
      case 'heal':
        for (const [cutId, cut] of this.cut) {
          if (phase === 'intent') cut.healing = true;
          else if (!cut.healing) continue;
          else if (gone) cut.healing = false;
          else this.cut.delete(cutId);
        }
        return;
      default:
        return;
    }
  }
}

function key(s: Omit<FaultSnapshot, 't' | 'seq' | 'event'>): string {
  return `${s.controlPlane.join(',')}|${s.downWide.join(',')}|${s.downNarrow.join(',')}|${s.cut.join(',')}`;
}

export function buildFaultTimeline(
  history: History,
  runStart: RunStartEvent | undefined,
  changes: readonly (NodeChange | undefined)[] = replayNodes(history),
): FaultTimeline {
  const nodes = new NodeSet();
  const state = new FaultState();
  const unsupported: ActionEvent[] = [];
  const snapshots: FaultSnapshot[] = [];
  const startControlPlane = (runStart?.nodes ?? []).filter((n) => n.role === 'control-plane').map((n) => n.name);
  /** Run-start control-plane nodes count until the node watch first shows them; from then on their labels decide. */
  const unseen = new Set(startControlPlane);
  let controlPlane = [...unseen].sort();
  let lastKey = '';

  const snapshot = (event: HistoryEvent): void => {
    const cp = new Set(controlPlane);
    const downWide = [...state.down.keys()].sort();
    const downNarrow = [...state.down]
      .filter(([, d]) => d.applied && d.recoveringBy === undefined)
      .map(([n]) => n)
      .sort();
    const cut = [...new Set([...state.cut.values()].flatMap((c) => c.nodes))].sort();
    const next = {
      controlPlane,
      downWide: downWide.filter((n) => cp.has(n)),
      downNarrow: downNarrow.filter((n) => cp.has(n)),
      cut: cut.filter((n) => cp.has(n)),
    };
    const nextKey = key(next);
    if (nextKey === lastKey) return;
    lastKey = nextKey;
    snapshots.push({ t: event.t, seq: event.seq, event, ...next });
  };

  for (let i = 0; i < history.length; i += 1) {
    const event = history[i] as History[number];
    const change = changes[i];
    if (event.kind === 'node' && change !== undefined) {
      nodes.follow(change);
      const firstSight = unseen.delete(event.node.name);
      if (!firstSight && (change.before?.management === true) === (change.after?.management === true)) continue;
      controlPlane = [...new Set([...nodes.managementNames(), ...unseen])].sort();
      snapshot(event);
    } else if (event.kind === 'action' && isQuorumFault(event)) {
      if (event.phase === 'unsupported') unsupported.push(event);
      state.apply(event, new Set(controlPlane));
      snapshot(event);
    } else if (event.kind === 'run-start') {
      snapshot(event);
    }
  }
  return { snapshots, unsupported };
}

/** Maximal intervals over which `holds` is true of the timeline's state. */
export function intervalsWhere(timeline: FaultTimeline, endT: number, holds: (s: FaultSnapshot) => boolean): TimelineInterval[] {
  const out: TimelineInterval[] = [];
  let open: FaultSnapshot | undefined;
  for (const s of timeline.snapshots) {
    const now = holds(s);
    if (now && open === undefined) open = s;
    else if (!now && open !== undefined) {
      out.push({ from: open.t, to: s.t, start: open, end: s });
      open = undefined;
    }
  }
  if (open !== undefined) out.push({ from: open.t, to: endT, start: open });
  return out;
}

/** At least one control-plane node down or cut off, but fewer than half: quorum should hold. */
export function minorityAffected(s: FaultSnapshot): boolean {
  const affected = new Set([...s.downWide, ...s.cut]).size;
  return affected > 0 && 2 * affected < s.controlPlane.length;
}

/** Half or more of the control plane down or cut off (wide view): quorum may be lost. */
export function majorityAffected(s: FaultSnapshot): boolean {
  const affected = new Set([...s.downWide, ...s.cut]).size;
  return s.controlPlane.length > 0 && 2 * affected >= s.controlPlane.length;
}

/** Half or more of the control plane down for certain by kill/pause (narrow view): no quorum. */
export function majorityDown(s: FaultSnapshot): boolean {
  return s.controlPlane.length > 0 && 2 * s.downNarrow.length >= s.controlPlane.length;
}

/** Half or more of the control plane down in the wide view (kill/pause/restart, not cuts): recovery not finished. */
export function majorityDownWide(s: FaultSnapshot): boolean {
  return s.controlPlane.length > 0 && 2 * s.downWide.length >= s.controlPlane.length;
}
