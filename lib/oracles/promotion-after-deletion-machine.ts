// The state machine behind promotion-after-deletion. Every harness-deleted management node whose Node object
// disappeared opens a deletion window; windows are served one at a time, in the order the nodes disappeared
// (Harvester promotes one node at a time), and each ends in a terminal state that becomes part of the verdict.
//
//   node gone ──► waiting ──(its turn: no earlier window open)──► active ◄──┐ relevant node change:
//                                                                  │  │  └──┘ consult the reference again
//       start of a node the reference named ◄─────────────────────┘  │
//                  │                                                  ├─ start of a node never named ──► failed,
//                  ▼                                                  │     or inconclusive if the watch was blind
//               started ─ complete + management ──► passed            ├─ budget expires, a node named ──► failed
//                  ├───── promote-status failed/unknown ──► failed    └─ budget expires, none named ───► inconclusive
//                  ├───── its Node object disappears ────► failed
//                  └───── budget expires ──► failed, or inconclusive if the watch was blind
//
// A budget that expired while the harness machine's CPUs were contended is inconclusive, not failed, when the CPU
// stall (Linux PSI, as quorum-survives reads it) accounts for the overrun: from the window's start to the named node's
// completion (or to the run's end, when it never completed), its length less the stall was within the budget.
//
//   run ends: waiting | active | started ──► inconclusive
//
// A window's budget starts when it becomes active: when its node disappeared, or when the previous window
// settled if that was later. When it becomes active and at every relevant node change while it is active, the
// reference policy is asked over the current nodes; every node it names is a candidate (the controller is
// level-triggered), and so is every node tied with it (Harvester's list order is random: equal creation seconds
// or two witnesses leave the choice open). Besides the windows, the machine records one-at-a-time violations (two nodes with
// promote-status running at once; a promotion starting while the served one runs and another deletion waits)
// and promotion starts no window could claim.
//
// The history is translated into machine events (tick, promotion-start, node-change, in that order per history
// event) and folded through `transition`: pure functions from (state, event) to state, with the judge (context
// and budget) as read-only input. After the fold every window still open is settled by `runEnded`.
import type { V1Node } from '@kubernetes/client-node';
import type { HistoryEvent, NodeEvent } from '../observe/history.ts';
import { formatMs, referenceChoices } from './context.ts';
import type { OracleContext } from './context.ts';
import type { NodeChange, NodeEntry } from './node-tracker.ts';
import { toV1Node } from './node-view.ts';
import type { ManagementDisappearance, PromotionStart } from './promotion-signals.ts';

/** What every transition reads and none changes. */
export interface Judge {
  readonly ctx: OracleContext;
  readonly budgetMs: number;
}

export interface NamedCandidate {
  readonly node: string;
  /** The event after which the reference first named it. */
  readonly namedAt: HistoryEvent;
}

interface WindowBase {
  readonly disappearance: ManagementDisappearance;
}

/** Gone, but an earlier window is still being served: the budget has not started. */
export interface Waiting extends WindowBase {
  readonly phase: 'waiting';
}

/** The budget is running and nothing has started promoting yet. */
export interface Active extends WindowBase {
  readonly phase: 'active';
  /** When the budget started: the disappearance, or when the previous window settled if later. */
  readonly activeFrom: number;
  readonly deadline: number;
  /** Candidates named so far, in the order first named. */
  readonly named: readonly NamedCandidate[];
  /** Why the reference named no node, the last time it named none. */
  readonly lastReason: string | undefined;
}

/** A candidate the reference named started promoting; its completion is awaited. */
export interface Started extends Omit<Active, 'phase'> {
  readonly phase: 'started';
  readonly start: PromotionStart;
}

interface SettledBase extends WindowBase {
  readonly named: readonly NamedCandidate[];
  /** The promotion this window claimed, if any. */
  readonly start: PromotionStart | undefined;
  /** When it settled: the next window's budget starts no earlier. */
  readonly closedAt: number;
  readonly summary: string;
  readonly evidence: readonly HistoryEvent[];
}

export interface Passed extends SettledBase {
  readonly phase: 'passed';
  readonly start: PromotionStart;
}

export interface Failed extends SettledBase {
  readonly phase: 'failed';
}

export interface Inconclusive extends SettledBase {
  readonly phase: 'inconclusive';
}

export type OpenWindow = Waiting | Active | Started;
export type Settled = Passed | Failed | Inconclusive;
export type DeletionWindow = OpenWindow | Settled;

/** Two promotions at once (Harvester promotes one node at a time). */
export interface OneAtATimeViolation {
  readonly summary: string;
  readonly evidence: readonly HistoryEvent[];
}

export interface CheckerState {
  /** The current nodes by name (what a NodeSet holds). */
  readonly nodes: ReadonlyMap<string, NodeEntry>;
  /** Nodes whose promote-status is running, with their latest event. */
  readonly running: ReadonlyMap<string, NodeEvent>;
  /** In the order the nodes disappeared: settled windows, then the one being served, then waiting ones. */
  readonly windows: readonly DeletionWindow[];
  readonly violations: readonly OneAtATimeViolation[];
  /** Promotion starts no active window could claim. */
  readonly unattributed: readonly PromotionStart[];
}

export type MachineEvent =
  /** The history reached `at`: a budget that ended before it has expired. */
  | { readonly kind: 'tick'; readonly at: HistoryEvent }
  | { readonly kind: 'promotion-start'; readonly start: PromotionStart }
  /** A node event; `disappearance` when it is a harness-deleted management node's DELETED event. */
  | {
      readonly kind: 'node-change';
      readonly at: NodeEvent;
      readonly change: NodeChange;
      readonly disappearance: ManagementDisappearance | undefined;
    };

type NodeChangeEvent = Extract<MachineEvent, { kind: 'node-change' }>;

export const INITIAL_STATE: CheckerState = { nodes: new Map(), running: new Map(), windows: [], violations: [], unattributed: [] };

// ---- window transitions ------------------------------------------------------------------------------------------

function goneText(judge: Judge, window: WindowBase): string {
  return `${window.disappearance.deletion.node} disappeared at ${judge.ctx.rel(window.disappearance.gone.t)}`;
}

function namedText(named: readonly NamedCandidate[]): string {
  return named.length === 0 ? 'none' : named.map((c) => c.node).join(', ');
}

/** The nodes as an API list returns them (sorted by name), as NodeSet.v1Nodes gives them. */
function v1NodesOf(nodes: ReadonlyMap<string, NodeEntry>): V1Node[] {
  return [...nodes.values()]
    .sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0))
    .map((e) => toV1Node(e.node));
}

/**
 * Asks the reference over the current nodes: every node it accepts as its choice (its tie set: Harvester lists nodes
 * in random order, so with equal creation seconds or two witnesses any tied node is its choice) that is new is added;
 * no node records the reason.
 */
function consultReference(judge: Judge, window: Active, nodes: ReadonlyMap<string, NodeEntry>, at: HistoryEvent): Active {
  const list = v1NodesOf(nodes);
  const now = new Date(at.t);
  const choices = referenceChoices(judge.ctx.reference, list, now);
  if (choices.length === 0)
    return { ...window, lastReason: judge.ctx.reference.explain?.(list, now).reason ?? 'the reference named no node' };
  const added = choices.filter((node) => !window.named.some((c) => c.node === node)).map((node) => ({ node, namedAt: at }));
  return added.length === 0 ? window : { ...window, named: [...window.named, ...added] };
}

/** waiting → active: the budget starts at the disappearance, or when the previous window settled if later. */
function activate(
  judge: Judge,
  window: Waiting,
  previousClosedAt: number,
  nodes: ReadonlyMap<string, NodeEntry>,
  at: HistoryEvent,
): Active {
  const activeFrom = Math.max(window.disappearance.gone.t, previousClosedAt);
  const active: Active = {
    phase: 'active',
    disappearance: window.disappearance,
    activeFrom,
    deadline: activeFrom + judge.budgetMs,
    named: [],
    lastReason: undefined,
  };
  return consultReference(judge, active, nodes, at);
}

/** Any open window except waiting → failed or inconclusive. */
function close(
  window: Active | Started,
  phase: 'failed' | 'inconclusive',
  closedAt: number,
  summary: string,
  evidence: readonly HistoryEvent[],
): Failed | Inconclusive {
  const start = window.phase === 'started' ? window.start : undefined;
  return { phase, disappearance: window.disappearance, named: window.named, start, closedAt, summary, evidence };
}

/** started, but the reference never named the node → failed, or inconclusive when the node watch was blind. */
function wrongCandidate(judge: Judge, window: Started): Failed | Inconclusive {
  const { start, named } = window;
  const blind = judge.ctx.gapsOverlapping('nodes', { from: window.activeFrom, to: start.event.t });
  const choice =
    named.length === 0
      ? `the reference named no node (${window.lastReason ?? 'no reason given'})`
      : `the reference named ${namedText(named)}`;
  const summary = `${goneText(judge, window)}; ${start.node} was promoted (${judge.ctx.rel(start.event.t)}) but ${choice}`;
  const evidence = [window.disappearance.gone, start.event, ...named.map((c) => c.namedAt), ...blind];
  if (blind.length > 0)
    return close(
      window,
      'inconclusive',
      start.event.t,
      `${summary}; the node watch was blind meanwhile, so its choice may have been right`,
      evidence,
    );
  return close(window, 'failed', start.event.t, summary, evidence);
}

/** active → started when the reference named the node, else straight to a terminal state. */
function startPromotion(judge: Judge, window: Active, start: PromotionStart): Started | Failed | Inconclusive {
  const started: Started = { ...window, phase: 'started', start };
  return window.named.some((c) => c.node === start.node) ? started : wrongCandidate(judge, started);
}

/** When `node` next has promote-status complete and the management role, after `after`; undefined if never. */
function completedAfter(ctx: Judge['ctx'], node: string, after: number): number | undefined {
  for (const change of ctx.nodeChanges) {
    const entry = change?.after;
    if (change !== undefined && change.name === node && change.event.t > after && entry?.status === 'complete' && entry.management)
      return change.event.t;
  }
  return undefined;
}

/**
 * Whether the machine's CPU stall explains a budget overrun: from the window's start to `node`'s completion (the run's
 * end when it never completed), the time without a stall was within the budget. The text says so, or is undefined.
 * Never for a cluster elsewhere (an attached one not marked as on this machine): this machine's load delays only
 * the harness's view of a promotion there, by far less than a budget, not the promotion.
 */
function contendedOverrun(judge: Judge, window: Active | Started, node: string): string | undefined {
  const { ctx, budgetMs } = judge;
  if (!ctx.clusterOnHarnessMachine) return undefined;
  const completed = completedAfter(ctx, node, window.deadline);
  const until = completed ?? ctx.endT;
  const stallMs = ctx.cpuStallMs({ from: window.activeFrom, to: until });
  const tookMs = until - window.activeFrom;
  if (stallMs === undefined || tookMs - stallMs > budgetMs) return undefined;
  const outcome = completed === undefined ? `${node} had not completed when the run ended` : `${node} completed at ${ctx.rel(completed)}`;
  return `${outcome}, ${formatMs(tookMs)} after the budget started, while this machine's CPUs were contended: tasks waited for a CPU for ${formatMs(stallMs)} of it (Linux PSI); without that wait it would be within budget. Run on a less loaded machine to judge it`;
}

/** A budget overrun: failed, or inconclusive when the machine's CPU contention explains it. */
function overrun(
  judge: Judge,
  window: Active | Started,
  node: string,
  summary: string,
  evidence: readonly HistoryEvent[],
): Failed | Inconclusive {
  const contended = contendedOverrun(judge, window, node);
  if (contended !== undefined) return close(window, 'inconclusive', window.deadline, `${summary}; ${contended}`, evidence);
  return close(window, 'failed', window.deadline, summary, evidence);
}

/** active, budget over → failed when a candidate was named (nothing started), else inconclusive. */
function expireUnstarted(judge: Judge, window: Active): Failed | Inconclusive {
  const budget = formatMs(judge.budgetMs);
  const first = window.named[0];
  if (first === undefined) {
    const summary = `${goneText(judge, window)}; the reference named no candidate within ${budget}: ${window.lastReason ?? 'no reason given'}`;
    return close(window, 'inconclusive', window.deadline, summary, [window.disappearance.gone]);
  }
  const summary = `${goneText(judge, window)}; the reference named ${first.node} (${judge.ctx.rel(first.namedAt.t)}) but no promotion started within ${budget}`;
  return overrun(judge, window, first.node, summary, [window.disappearance.gone, first.namedAt]);
}

/** started, budget over → failed, or inconclusive when the node watch was blind after the start. */
function expireUnfinished(judge: Judge, window: Started, nodes: ReadonlyMap<string, NodeEntry>): Failed | Inconclusive {
  const { start, deadline } = window;
  const blind = judge.ctx.gapsOverlapping('nodes', { from: start.event.t, to: deadline });
  const last = nodes.get(start.node)?.event;
  const evidence = [window.disappearance.gone, start.event, ...(last ? [last] : []), ...blind];
  const summary = `${goneText(judge, window)}; ${start.node} started promoting at ${judge.ctx.rel(start.event.t)} but had not completed by ${judge.ctx.rel(deadline)} (budget ${formatMs(judge.budgetMs)})`;
  if (blind.length > 0) return close(window, 'inconclusive', deadline, `${summary}; the node watch was blind meanwhile`, evidence);
  return overrun(judge, window, start.node, summary, evidence);
}

function expire(judge: Judge, window: Active | Started, nodes: ReadonlyMap<string, NodeEntry>): Failed | Inconclusive {
  return window.phase === 'active' ? expireUnstarted(judge, window) : expireUnfinished(judge, window, nodes);
}

/** started, the promoted node changed → passed, failed, or still started. */
function followPromotedNode(judge: Judge, window: Started, at: NodeEvent, after: NodeEntry | undefined): Started | Settled {
  const { start } = window;
  const rel = judge.ctx.rel(at.t);
  if (after === undefined) {
    return close(
      window,
      'failed',
      at.t,
      `${goneText(judge, window)}; ${start.node} was promoting but its Node object disappeared (${rel})`,
      [window.disappearance.gone, start.event, at],
    );
  }
  if (after.status === 'complete' && after.management) {
    const took = formatMs(at.t - window.disappearance.gone.t);
    const summary = `${goneText(judge, window)}; ${start.node} (the reference's candidate) completed promotion at ${rel}, ${took} later (budget ${formatMs(judge.budgetMs)})`;
    return { phase: 'passed', disappearance: window.disappearance, named: window.named, start, closedAt: at.t, summary, evidence: [] };
  }
  if (after.status === 'failed' || after.status === 'unknown') {
    return close(
      window,
      'failed',
      at.t,
      `${goneText(judge, window)}; ${start.node}'s promotion ended with promote-status ${after.status} at ${rel}`,
      [window.disappearance.gone, start.event, at],
    );
  }
  return window;
}

/** waiting, active or started, the history over → inconclusive, saying how far it got. */
export function runEnded(judge: Judge, window: OpenWindow): Inconclusive {
  const named = window.phase === 'waiting' ? [] : window.named;
  const left =
    window.phase === 'waiting' ? 'before its turn came' : `${formatMs(window.deadline - judge.ctx.endT)} before the budget expired`;
  const reached =
    window.phase === 'started'
      ? `${window.start.node} was still promoting`
      : named.length > 0
        ? `the reference named ${namedText(named)}, no promotion had started`
        : `no candidate yet (${(window.phase === 'active' ? window.lastReason : undefined) ?? 'not evaluated'})`;
  const summary = `${goneText(judge, window)}; the run ended ${left}: ${reached}`;
  const start = window.phase === 'started' ? window.start : undefined;
  return {
    phase: 'inconclusive',
    disappearance: window.disappearance,
    named,
    start,
    closedAt: judge.ctx.endT,
    summary,
    evidence: [window.disappearance.gone],
  };
}

// ---- checker transitions -----------------------------------------------------------------------------------------

export function isOpen(window: DeletionWindow): window is OpenWindow {
  return window.phase === 'waiting' || window.phase === 'active' || window.phase === 'started';
}

/** The window being served: the first open one (every window before it has settled). */
function openHead(state: CheckerState): OpenWindow | undefined {
  return state.windows.find(isOpen);
}

function replaceHead(state: CheckerState, window: DeletionWindow): CheckerState {
  const index = state.windows.findIndex(isOpen);
  return { ...state, windows: state.windows.map((w, i) => (i === index ? window : w)) };
}

/** Activates the head if it is waiting (the previous window just settled, or it just arrived with none open). */
function serveNext(judge: Judge, state: CheckerState, at: HistoryEvent): CheckerState {
  const index = state.windows.findIndex(isOpen);
  const head = state.windows[index];
  if (head?.phase !== 'waiting') return state;
  const previous = state.windows[index - 1];
  const previousClosedAt = previous !== undefined && !isOpen(previous) ? previous.closedAt : Number.NEGATIVE_INFINITY;
  return replaceHead(state, activate(judge, head, previousClosedAt, state.nodes, at));
}

function overdueHead(state: CheckerState, t: number): Active | Started | undefined {
  const head = openHead(state);
  return head !== undefined && head.phase !== 'waiting' && t > head.deadline ? head : undefined;
}

/** tick: expires the head while its deadline is before `at`, serving the next window each time. */
function expireOverdue(judge: Judge, state: CheckerState, at: HistoryEvent): CheckerState {
  const head = overdueHead(state, at.t);
  if (head === undefined) return state;
  return expireOverdue(judge, serveNext(judge, replaceHead(state, expire(judge, head, state.nodes)), at), at);
}

function unattributed(state: CheckerState, start: PromotionStart): CheckerState {
  return { ...state, unattributed: [...state.unattributed, start] };
}

function violated(state: CheckerState, violation: OneAtATimeViolation): CheckerState {
  return { ...state, violations: [...state.violations, violation] };
}

/** promotion-start: claimed by the active head; while the head's promotion runs it is a violation if another deletion waits. */
function onPromotionStart(judge: Judge, state: CheckerState, start: PromotionStart): CheckerState {
  const head = openHead(state);
  if (head === undefined || head.phase === 'waiting') return unattributed(state, start);
  if (head.phase === 'started') {
    const othersWaiting = state.windows.length - state.windows.indexOf(head) > 1;
    if (!othersWaiting) return unattributed(state, start);
    const summary = `${start.node} started promoting at ${judge.ctx.rel(start.event.t)} while ${head.start.node}'s promotion had not completed (one at a time)`;
    return violated(state, { summary, evidence: [head.start.event, start.event] });
  }
  return serveNext(judge, replaceHead(state, startPromotion(judge, head, start)), start.event);
}

function followNode(nodes: ReadonlyMap<string, NodeEntry>, change: NodeChange): ReadonlyMap<string, NodeEntry> {
  const next = new Map(nodes);
  if (change.after === undefined) next.delete(change.name);
  else next.set(change.name, change.after);
  return next;
}

/** Follows promote-status running; a node starting to run while another runs is a violation. */
function trackRunning(judge: Judge, state: CheckerState, at: NodeEvent, change: NodeChange): CheckerState {
  const name = at.node.name;
  const isRunning = change.after?.status === 'running';
  const running = new Map(state.running);
  if (isRunning) running.set(name, at);
  else running.delete(name);
  if (running.size <= 1 || !isRunning || change.before?.status === 'running') return { ...state, running };
  const summary = `${[...running.keys()].join(' and ')} had promote-status running at the same time (${judge.ctx.rel(at.t)}); Harvester promotes one node at a time`;
  return violated({ ...state, running }, { summary, evidence: [...running.values()] });
}

function followHeadPromotion(judge: Judge, state: CheckerState, at: NodeEvent, change: NodeChange): CheckerState {
  const head = openHead(state);
  if (head?.phase !== 'started' || head.start.node !== at.node.name) return state;
  return serveNext(judge, replaceHead(state, followPromotedNode(judge, head, at, change.after)), at);
}

function reconsultHead(judge: Judge, state: CheckerState, at: HistoryEvent): CheckerState {
  const head = openHead(state);
  return head?.phase === 'active' ? replaceHead(state, consultReference(judge, head, state.nodes, at)) : state;
}

/** node-change: nodes, running set, the served promotion; then a new window, or the reference asked again. */
function onNodeChange(judge: Judge, state: CheckerState, event: NodeChangeEvent): CheckerState {
  const { at, change, disappearance } = event;
  const followed = trackRunning(judge, { ...state, nodes: followNode(state.nodes, change) }, at, change);
  const served = followHeadPromotion(judge, followed, at, change);
  if (disappearance !== undefined)
    return serveNext(judge, { ...served, windows: [...served.windows, { phase: 'waiting', disappearance }] }, at);
  return change.relevant ? reconsultHead(judge, served, at) : served;
}

export function transition(judge: Judge, state: CheckerState, event: MachineEvent): CheckerState {
  switch (event.kind) {
    case 'tick':
      return expireOverdue(judge, state, event.at);
    case 'promotion-start':
      return onPromotionStart(judge, state, event.start);
    case 'node-change':
      return onNodeChange(judge, state, event);
  }
}

// ---- the fold ----------------------------------------------------------------------------------------------------

function startsByEventSeq(starts: readonly PromotionStart[]): Map<number, PromotionStart[]> {
  const bySeq = new Map<number, PromotionStart[]>();
  for (const start of starts) bySeq.set(start.event.seq, [...(bySeq.get(start.event.seq) ?? []), start]);
  return bySeq;
}

/** The history as machine events: per history event a tick, its promotion starts, then its node change. */
export function* machineEvents(ctx: OracleContext): Generator<MachineEvent> {
  const startsBySeq = startsByEventSeq(ctx.promotions.starts);
  const disappearanceByGoneSeq = new Map(ctx.promotions.disappearances.map((d) => [d.gone.seq, d] as const));
  for (const [index, at] of ctx.history.entries()) {
    yield { kind: 'tick', at };
    for (const start of startsBySeq.get(at.seq) ?? []) yield { kind: 'promotion-start', start };
    const change = ctx.nodeChanges[index];
    if (at.kind === 'node' && change !== undefined)
      yield { kind: 'node-change', at, change, disappearance: disappearanceByGoneSeq.get(at.seq) };
  }
}

export interface DeletionJudgement {
  /** One per disappearance, in the order the nodes disappeared. */
  readonly windows: readonly Settled[];
  readonly violations: readonly OneAtATimeViolation[];
  readonly unattributed: readonly PromotionStart[];
}

/** Folds the history through the machine, then settles the windows still open when the run ended. */
export function judgeDeletions(judge: Judge): DeletionJudgement {
  let state = INITIAL_STATE;
  for (const event of machineEvents(judge.ctx)) state = transition(judge, state, event);
  const windows = state.windows.map((w) => (isOpen(w) ? runEnded(judge, w) : w));
  return { windows, violations: state.violations, unattributed: state.unattributed };
}
