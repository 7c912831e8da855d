// Live progress for the CLI: consumes the recorder's event stream and turns the interesting events into plain
// lines (actions, node Ready/role/promote-status/cordon changes, gaps, etcd leader changes, steps, VIP availability
// changes). progressStep is a pure reducer; ProgressReporter keeps its state for a Recorder subscription.
import type { HistoryEvent, OpEvent } from '../observe/history.ts';
import type { Verdict } from '../oracles/verdict.ts';
import { eventLabel, formatOffset, formatSeconds } from './describe.ts';
import { nodeState, type NodeState } from './node-state.ts';
import { redact } from './redact.ts';
import { VIP_PROCESS } from './timeline-api.ts';

export interface ProgressState {
  /** Time zero (the run-start event, else the first event seen). */
  readonly zeroMs?: number;
  readonly nodes: ReadonlyMap<string, NodeState>;
  readonly etcd?: { readonly leader?: string; readonly members: string; readonly error?: string };
  /** The VIP sampler: the last acknowledged operation, and whether operations are failing since. */
  readonly api: { readonly lastOkMs?: number; readonly failing: boolean };
}

export interface ProgressUpdate {
  readonly state: ProgressState;
  readonly lines: readonly string[];
}

export const INITIAL_PROGRESS: ProgressState = { nodes: new Map(), api: { failing: false } };

function nodeChanges(before: NodeState, after: NodeState): string[] {
  const changes: string[] = [];
  if (before.ready !== after.ready) changes.push(`Ready ${before.ready} -> ${after.ready}`);
  if (before.management !== after.management)
    changes.push(`role ${before.management ? 'management' : 'worker'} -> ${after.management ? 'management' : 'worker'}`);
  if (before.promoteStatus !== after.promoteStatus)
    changes.push(`promote-status ${before.promoteStatus ?? '(none)'} -> ${after.promoteStatus ?? '(none)'}`);
  if (before.cordoned !== after.cordoned) changes.push(after.cordoned ? 'cordoned' : 'uncordoned');
  if (before.deleting !== after.deleting) changes.push(after.deleting ? 'deleting' : 'no longer deleting');
  return changes;
}

function nodeLine(state: ProgressState, event: Extract<HistoryEvent, { kind: 'node' }>): ProgressUpdate {
  const { name } = event.node;
  const before = state.nodes.get(name);
  const nodes = new Map(state.nodes);
  if (event.type === 'DELETED') {
    nodes.delete(name);
    return { state: { ...state, nodes }, lines: before === undefined ? [] : [`node ${name} deleted`] };
  }
  const after = nodeState(event.node);
  nodes.set(name, after);
  if (before === undefined) {
    const role = `role=${after.management ? 'management' : 'worker'}`;
    const extra = [
      after.promoteStatus === undefined ? '' : ` promote-status=${after.promoteStatus}`,
      after.cordoned ? ' cordoned' : '',
    ].join('');
    return { state: { ...state, nodes }, lines: [`node ${name} seen: Ready=${after.ready} ${role}${extra}`] };
  }
  const changes = nodeChanges(before, after);
  return { state: { ...state, nodes }, lines: changes.length === 0 ? [] : [`node ${name}: ${changes.join('; ')}`] };
}

function etcdLine(state: ProgressState, event: Extract<HistoryEvent, { kind: 'etcd' }>): ProgressUpdate {
  const before = state.etcd;
  const members = event.members.map((m) => m.name).join(',');
  const after =
    event.error !== undefined
      ? { members: before?.members ?? '', error: event.error }
      : { members, ...(event.leader === undefined ? {} : { leader: event.leader }) };
  const lines: string[] = [];
  if (after.error !== undefined) {
    if (before?.error !== after.error) lines.push(`etcd unreachable: ${after.error}`);
  } else {
    if (before === undefined || before.error !== undefined || before.leader !== after.leader) {
      lines.push(
        after.leader === undefined
          ? 'etcd has no leader'
          : before?.leader === undefined
            ? `etcd leader ${after.leader}`
            : `etcd leader ${before.leader} -> ${after.leader}`,
      );
    }
    if (before !== undefined && before.error === undefined && before.members !== members)
      lines.push(`etcd members ${before.members} -> ${members}`);
  }
  return { state: { ...state, etcd: after }, lines };
}

function opLine(state: ProgressState, op: OpEvent, zeroMs: number): ProgressUpdate {
  if (op.process !== VIP_PROCESS || op.phase === 'invoke') return { state, lines: [] };
  const atMs = op.t - zeroMs;
  if (op.phase === 'ok') {
    const lines = state.api.failing
      ? [
          `api: ${op.f} through the VIP ok again${state.api.lastOkMs === undefined ? '' : `, ${formatSeconds(atMs - state.api.lastOkMs)} after the last acknowledged operation`}`,
        ]
      : [];
    return { state: { ...state, api: { lastOkMs: atMs, failing: false } }, lines };
  }
  if (state.api.failing) return { state, lines: [] };
  // A compare-and-swap that lost to another writer (409 Conflict) is the register working, not an outage.
  if (op.phase === 'fail' && op.error?.startsWith('HTTP 409')) return { state, lines: [] };
  const why = op.phase === 'info' ? 'indeterminate' : 'failed';
  return {
    state: { ...state, api: { ...state.api, failing: true } },
    lines: [`api: ${op.f} through the VIP ${why}${op.error === undefined ? '' : `: ${op.error}`}`],
  };
}

function linesFor(state: ProgressState, event: HistoryEvent, zeroMs: number): ProgressUpdate {
  switch (event.kind) {
    case 'run-start':
      return {
        state,
        lines: [
          `run ${event.runId} started: scenario ${event.scenario}, seed ${event.seed}, ${event.provider}, nodes ${event.nodes.map((n) => `${n.name} (${n.role})`).join(', ')}`,
        ],
      };
    case 'run-end':
      return { state, lines: [`run ended${event.outcome === undefined ? '' : `: ${event.outcome}`}`] };
    case 'action':
    case 'note':
      return { state, lines: [eventLabel(event)] };
    case 'step':
      if (event.phase === 'begin') return { state, lines: [`step ${event.index}: ${event.step}`] };
      return {
        state,
        lines: [
          event.ok === false
            ? `step ${event.index} FAILED${event.error === undefined ? '' : `: ${event.error}`}`
            : `step ${event.index} done`,
        ],
      };
    case 'gap':
      return { state, lines: [`gap: ${event.source} observation blind for ${formatSeconds(event.to - event.from)} (${event.reason})`] };
    case 'node':
      return nodeLine(state, event);
    case 'etcd':
      return etcdLine(state, event);
    case 'op':
      return opLine(state, event, zeroMs);
    default:
      return { state, lines: [] };
  }
}

/** The next state and the lines (prefixed `+12.34s `, redacted) for one event. Pure. */
export function progressStep(state: ProgressState, event: HistoryEvent): ProgressUpdate {
  const zeroMs = event.kind === 'run-start' ? event.t : (state.zeroMs ?? event.t);
  const withZero = state.zeroMs === zeroMs ? state : { ...state, zeroMs };
  const update = linesFor(withZero, event, zeroMs);
  const prefix = formatOffset(event.t - zeroMs).padStart(8);
  return { state: update.state, lines: update.lines.map((line) => redact(`${prefix} ${line}`)) };
}

/** All progress lines of a recorded history (the HTML report's run log). */
export function progressLog(events: Iterable<HistoryEvent>): string[] {
  let state = INITIAL_PROGRESS;
  const out: string[] = [];
  for (const event of events) {
    const update = progressStep(state, event);
    state = update.state;
    out.push(...update.lines);
  }
  return out;
}

/** Holds the state for a live stream: `recorder.subscribe((e) => reporter.push(e).forEach(print))`. */
export class ProgressReporter {
  private state = INITIAL_PROGRESS;

  push(event: HistoryEvent): readonly string[] {
    const update = progressStep(this.state, event);
    this.state = update.state;
    return update.lines;
  }
}

/** What the terminal prints for a verdict or a scenario: xfail is a known bug reproduced, xpass one that did not. */
export const STATUS_LABEL = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
  error: 'ERROR',
  xfail: 'KNOWN-BUG',
  xpass: 'BUG-FIXED?',
} as const;

/** `FAIL         quorum-survives: <summary> (evidence #19 #22)`. */
export function formatVerdictLine(verdict: Verdict): string {
  const evidence = verdict.evidence.length === 0 ? '' : ` (evidence ${verdict.evidence.map((e) => `#${e.seq}`).join(' ')})`;
  return redact(`${STATUS_LABEL[verdict.status].padEnd(12)} ${verdict.invariant}: ${verdict.summary}${evidence}`);
}
