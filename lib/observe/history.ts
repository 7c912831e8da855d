// The one typed, timestamped history a scenario run records (saved as history.json). Oracles are pure functions
// over it, so they run live and offline. Every event carries `seq` (strictly increasing index, the order things
// were recorded in) and `t` (ms since epoch, non-decreasing). "Before" always means lower seq; `t` is for durations.
import type { DeleteFault } from '../faults/catalogue.ts';
import { isDeleteFault } from '../faults/catalogue.ts';
import type { ClusterTimers } from '../model/cluster.ts';
import type {
  ActionEvent,
  GapEvent,
  GapSource,
  HistoryEvent,
  NodeEvent,
  OpEvent,
  RunBudgets,
  RunEndEvent,
  RunStartEvent,
  TrimmedNode,
} from './history-schema.ts';

export { ACTION_PHASES, GAP_SOURCES } from './history-constants.ts';
// The event types are inferred from the schemas that validate history.json (history-schema.ts).
export type {
  ActionEvent,
  ActionPhase,
  CpuEvent,
  EtcdEvent,
  GapEvent,
  GapSource,
  HistoryEvent,
  JobEvent,
  K8sEventEvent,
  LeaseEvent,
  NodeCondition,
  NodeEvent,
  NodeTaint,
  NoteEvent,
  OpEvent,
  OpFunction,
  OpPhase,
  RunBudgets,
  RunEndEvent,
  RunStartEvent,
  StepEvent,
  TrimmedNode,
} from './history-schema.ts';

export type ResolvedBudgets = Required<RunBudgets>;

/** Harvester promotions take ~7 minutes (harvester#2191); the default leaves room for slow hardware. */
export const DEFAULT_PROMOTION_MS = 15 * 60_000;
export const OUTAGE_SLACK_MS = 2_000;
export const DEFAULT_RECOVERY_MS = 120_000;

export function resolveBudgets(timers: ClusterTimers, budgets: RunBudgets = {}): ResolvedBudgets {
  return {
    promotionMs: budgets.promotionMs ?? DEFAULT_PROMOTION_MS,
    outageMs: budgets.outageMs ?? timers.etcdElectionTimeoutMs + OUTAGE_SLACK_MS,
    recoveryMs: budgets.recoveryMs ?? DEFAULT_RECOVERY_MS,
  };
}

export type EventKind = HistoryEvent['kind'];
export type EventOfKind<K extends EventKind> = Extract<HistoryEvent, { kind: K }>;

/** A whole run, in recording order. */
export type History = readonly HistoryEvent[];

export const DEFAULT_REGISTER_KEY = 'register';

export function opKey(op: OpEvent): string {
  return op.key ?? DEFAULT_REGISTER_KEY;
}

// ---- helpers ----------------------------------------------------------------------------------------------------

export function runStartOf(history: History): RunStartEvent | undefined {
  for (const event of history) if (event.kind === 'run-start') return event;
  return undefined;
}

export function runEndOf(history: History): RunEndEvent | undefined {
  for (let i = history.length - 1; i >= 0; i -= 1) {
    const event = history[i];
    if (event?.kind === 'run-end') return event;
  }
  return undefined;
}

/** Time of the last event (the end of what was observed), or NaN for an empty history. */
export function endTimeOf(history: History): number {
  return history.at(-1)?.t ?? Number.NaN;
}

export function eventsOfKind<K extends EventKind>(history: History, kind: K): EventOfKind<K>[] {
  const out: EventOfKind<K>[] = [];
  for (const event of history) if (event.kind === kind) out.push(event as EventOfKind<K>);
  return out;
}

export function gapsOf(history: History, source?: GapSource): GapEvent[] {
  const out: GapEvent[] = [];
  for (const event of history) if (event.kind === 'gap' && (source === undefined || event.source === source)) out.push(event);
  return out;
}

/** Applies one node event to a name -> node map (DELETED removes). */
export function applyNodeEvent(nodes: Map<string, TrimmedNode>, event: NodeEvent): void {
  if (event.type === 'DELETED') nodes.delete(event.node.name);
  else nodes.set(event.node.name, event.node);
}

/** The nodes as the recorder knew them at time t (every node event with event.t <= t applied). */
export function nodesAt(history: History, t: number): Map<string, TrimmedNode> {
  const nodes = new Map<string, TrimmedNode>();
  for (const event of history) {
    if (event.t > t) break;
    if (event.kind === 'node') applyNodeEvent(nodes, event);
  }
  return nodes;
}

/** A node the harness deleted (action applied), and when its Node object disappeared. */
export interface HarnessDeletion {
  readonly actionId: string;
  readonly fault: DeleteFault;
  readonly node: string;
  readonly intent: ActionEvent;
  /**
   * The action's `applied` event; or its `failed` one when a later part of the provider's removal failed after the
   * Node object had gone (kind: etcd refusing the member's removal while another member is down): the DELETE went
   * through, so the deletion happened.
   */
  readonly applied: ActionEvent;
  /** The node as last seen before the delete intent; undefined when the recorder never saw it. */
  readonly before?: TrimmedNode;
  /** The first DELETED event of that node (same uid, when known) after the intent; undefined if it never went. */
  readonly gone?: NodeEvent;
  readonly goneAt?: number;
}

interface PendingDeletion {
  readonly actionId: string;
  readonly fault: DeleteFault;
  readonly node: string;
  readonly intent: ActionEvent;
  readonly before?: TrimmedNode;
  applied?: ActionEvent;
  failed?: ActionEvent;
  gone?: NodeEvent;
}

/**
 * Applied delete-node / force-delete-node actions, one entry per node, in intent order, each with the DELETED
 * event that made the Node object disappear (the first after the intent: a delete can finish before `applied`
 * is recorded). A node re-created under the same name (new uid) is not mistaken for the deleted one. An action that
 * failed counts only for the nodes whose Node object disappeared after its intent.
 */
export function harnessDeletions(history: History): HarnessDeletion[] {
  const nodes = new Map<string, TrimmedNode>();
  const pending: PendingDeletion[] = [];
  const byId = new Map<string, PendingDeletion[]>();
  const awaitingGone = new Map<string, PendingDeletion[]>();
  for (const event of history) {
    if (event.kind === 'node') {
      if (event.type === 'DELETED') {
        const waiting = awaitingGone.get(event.node.name);
        if (waiting !== undefined) {
          const keep: PendingDeletion[] = [];
          for (const p of waiting) {
            if (p.before === undefined || p.before.uid === event.node.uid) p.gone = event;
            else keep.push(p);
          }
          if (keep.length > 0) awaitingGone.set(event.node.name, keep);
          else awaitingGone.delete(event.node.name);
        }
      }
      applyNodeEvent(nodes, event);
    } else if (event.kind === 'action' && isDeleteFault(event.fault)) {
      if (event.phase === 'intent') {
        const entries: PendingDeletion[] = event.nodes.map((node) => {
          const before = nodes.get(node);
          return { actionId: event.id, fault: event.fault as DeleteFault, node, intent: event, ...(before ? { before } : {}) };
        });
        byId.set(event.id, entries);
        for (const entry of entries) {
          pending.push(entry);
          const list = awaitingGone.get(entry.node) ?? [];
          list.push(entry);
          awaitingGone.set(entry.node, list);
        }
      } else if (event.phase === 'applied') {
        for (const entry of byId.get(event.id) ?? []) entry.applied ??= event;
      } else if (event.phase === 'failed') {
        for (const entry of byId.get(event.id) ?? []) entry.failed ??= event;
      }
    }
  }
  const out: HarnessDeletion[] = [];
  for (const p of pending) {
    const applied = p.applied ?? (p.gone !== undefined ? p.failed : undefined);
    if (applied === undefined) continue;
    out.push({
      actionId: p.actionId,
      fault: p.fault,
      node: p.node,
      intent: p.intent,
      applied,
      ...(p.before ? { before: p.before } : {}),
      ...(p.gone ? { gone: p.gone, goneAt: p.gone.t } : {}),
    });
  }
  return out;
}

export { HistoryFormatError, loadHistory, loadHistoryDocument, serializeHistory } from './history-io.ts';
export type { HistoryDocument } from './history-io.ts';
