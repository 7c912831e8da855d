// The one typed, timestamped history a scenario run records (saved as history.json). Oracles are pure functions
// over it, so they run live and offline. Every event carries `seq` (strictly increasing index, the order things
// were recorded in) and `t` (ms since epoch, non-decreasing). "Before" always means lower seq; `t` is for durations.
import type { ActionKind, DeleteFault } from '../faults/catalogue.ts';
import { isDeleteFault } from '../faults/catalogue.ts';
import type { ClusterTimers, NodeRole } from '../model/cluster.ts';
import { ACTION_PHASES, GAP_SOURCES } from './history-constants.ts';

export { ACTION_PHASES, GAP_SOURCES } from './history-constants.ts';

/** Time budgets the oracles judge against. Absent ones take the defaults of resolveBudgets(). */
export interface RunBudgets {
  /** From a management node's disappearance to the completed promotion of the replacement. */
  readonly promotionMs?: number;
  /** Longest write outage through the VIP while only a minority of control-plane nodes is down or cut off. */
  readonly outageMs?: number;
  /** From the start of recovery after a majority loss to the first acknowledged write. */
  readonly recoveryMs?: number;
}

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

interface EventBase<K extends string> {
  readonly seq: number;
  /** Milliseconds since epoch when the recorder saw or did this. */
  readonly t: number;
  readonly kind: K;
}

export interface RunStartEvent extends EventBase<'run-start'> {
  readonly runId: string;
  readonly scenario: string;
  readonly seed: number;
  readonly provider: string;
  readonly nodes: readonly { readonly name: string; readonly role: NodeRole }[];
  readonly timers: ClusterTimers;
  readonly budgets: RunBudgets;
  /** The promotion policy the run used (a module path or a name); the oracles judge against Harvester's. */
  readonly policy?: string;
}

export interface RunEndEvent extends EventBase<'run-end'> {
  readonly outcome?: string;
}

export type ActionPhase = (typeof ACTION_PHASES)[number];

/** A harness action. `intent` is recorded before the action is applied; later phases repeat id, fault and nodes. */
export interface ActionEvent extends EventBase<'action'> {
  readonly id: string;
  readonly phase: ActionPhase;
  readonly fault: ActionKind;
  readonly nodes: readonly string[];
  /** partition: the sides. */
  readonly groups?: readonly (readonly string[])[];
  /** drop: traffic from these nodes ... */
  readonly from?: readonly string[];
  /** ... to these nodes is dropped. */
  readonly to?: readonly string[];
  /** annotate: the annotations set on every node of `nodes`; null removes one (as an operator clearing it). */
  readonly annotations?: Readonly<Record<string, string | null>>;
  /**
   * API actions (cordon, uncordon, label, annotate), on `applied` or `failed`: each patched node's resourceVersion
   * right after the harness's patch, so oracles can tell the harness's change from someone else's.
   */
  readonly rvs?: Readonly<Record<string, string>>;
  readonly error?: string;
}

export interface StepEvent extends EventBase<'step'> {
  readonly index: number;
  readonly step: string;
  readonly phase: 'begin' | 'end';
  readonly ok?: boolean;
  readonly error?: string;
}

export interface NodeCondition {
  readonly type: string;
  readonly status: string;
  /** RFC 3339. */
  readonly lastTransitionTime?: string;
}

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

/** A Node trimmed to what the oracles need. Timestamps are RFC 3339 strings, as the API serves them. */
export interface TrimmedNode {
  readonly name: string;
  readonly uid: string;
  readonly creationTimestamp: string;
  readonly deletionTimestamp?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly unschedulable: boolean;
  readonly conditions: readonly NodeCondition[];
  readonly taints: readonly NodeTaint[];
}

/**
 * A Node watch event. SYNC = seen in a (re)list. After a relist the recorder emits DELETED for every node that
 * the list no longer holds (and a `gap` for the blind time), so replaying node events always gives the node set.
 */
export interface NodeEvent extends EventBase<'node'> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'SYNC';
  /** The object's resourceVersion in this event (for a deletion: the revision that deleted it). */
  readonly rv?: string;
  readonly node: TrimmedNode;
}

export interface JobEvent extends EventBase<'job'> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'SYNC';
  readonly rv?: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Name of the Node that owns the Job, if an owner reference names one. */
  readonly ownerNode?: string;
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly conditions: readonly { readonly type: string; readonly status: string }[];
}

export interface K8sEventEvent extends EventBase<'k8s-event'> {
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: { readonly kind: string; readonly name: string };
  readonly source?: string;
}

export interface LeaseEvent extends EventBase<'lease'> {
  readonly namespace: string;
  readonly name: string;
  readonly holder?: string;
  /** RFC 3339. */
  readonly renewTime?: string;
}

export type OpFunction = 'read' | 'write' | 'cas';
export type OpPhase = 'invoke' | 'ok' | 'fail' | 'info';

/**
 * A register operation of the API write sampler (Jepsen semantics). An operation is the pair (process, opId):
 * one `invoke`, then at most one completion. `fail` = definitely did not happen; `info` = indeterminate (timeout,
 * 5xx after sending); an invoke with no completion is indeterminate too. `ok` on write/cas = acknowledged.
 */
export interface OpEvent extends EventBase<'op'> {
  /** The client, e.g. 'vip' or 'node:cp-0'. */
  readonly process: string;
  /** The endpoint the operation went through: 'vip' or a node name. */
  readonly target: string;
  /** The register (ConfigMap field) operated on; independent keys are checked separately. Default 'register'. */
  readonly key?: string;
  readonly opId: number;
  readonly phase: OpPhase;
  readonly f: OpFunction;
  /** write: the value; cas: [expected, new]. Repeated on the completion. */
  readonly value?: number | readonly [number, number];
  /** read, on `ok`: the value read; absent when the register did not exist. */
  readonly result?: number;
  readonly error?: string;
}

export interface EtcdEvent extends EventBase<'etcd'> {
  readonly members: readonly { readonly name: string; readonly id: string }[];
  readonly leader?: string;
  readonly error?: string;
}

export type GapSource = (typeof GAP_SOURCES)[number];

/** Observation of `source` was blind over [from, to] (ms since epoch). */
export interface GapEvent extends EventBase<'gap'> {
  readonly source: GapSource;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

export interface NoteEvent extends EventBase<'note'> {
  readonly message: string;
}

export type HistoryEvent =
  | RunStartEvent
  | RunEndEvent
  | ActionEvent
  | StepEvent
  | NodeEvent
  | JobEvent
  | K8sEventEvent
  | LeaseEvent
  | OpEvent
  | EtcdEvent
  | GapEvent
  | NoteEvent;

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
  gone?: NodeEvent;
}

/**
 * Applied delete-node / force-delete-node actions, one entry per node, in intent order, each with the DELETED
 * event that made the Node object disappear (the first after the intent: a delete can finish before `applied`
 * is recorded). A node re-created under the same name (new uid) is not mistaken for the deleted one.
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
      }
    }
  }
  const out: HarnessDeletion[] = [];
  for (const p of pending) {
    if (p.applied === undefined) continue;
    out.push({
      actionId: p.actionId,
      fault: p.fault,
      node: p.node,
      intent: p.intent,
      applied: p.applied,
      ...(p.before ? { before: p.before } : {}),
      ...(p.gone ? { gone: p.gone, goneAt: p.gone.t } : {}),
    });
  }
  return out;
}

export { HistoryFormatError, loadHistory, loadHistoryDocument, serializeHistory } from './history-io.ts';
export type { HistoryDocument } from './history-io.ts';
