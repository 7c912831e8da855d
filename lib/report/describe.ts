// One-line descriptions of history events, with times relative to the start of the run. Used by the JUnit failure
// text, the HTML report and the live progress lines, so a person sees the same words everywhere.
import { portsSuffix } from '../faults/ports.ts';
import type { ActionEvent, History, HistoryEvent, OpEvent } from '../observe/history.ts';
import { formatNodeState, nodeState } from './node-state.ts';

/** Time zero of a run: the run-start event, else the first event, else `fallbackMs`. */
export function runZeroMs(history: History, fallbackMs = 0): number {
  for (const event of history) if (event.kind === 'run-start') return event.t;
  return history[0]?.t ?? fallbackMs;
}

/** Seconds with two decimals: `2.40s`. */
export function formatSeconds(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(2)}s`;
}

/** An offset from the start of the run: `+4.21s` (or `-0.10s` before it). */
export function formatOffset(offsetMs: number): string {
  return `${offsetMs < 0 ? '-' : '+'}${formatSeconds(Math.abs(offsetMs))}`;
}

/** A human duration for summaries: `850ms`, `12.3s`, `4m 05s`. */
export function formatDuration(durationMs: number): string {
  if (durationMs < 1000) return `${Math.round(durationMs)}ms`;
  if (durationMs < 60_000) return `${(durationMs / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(durationMs / 1000);
  return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
}

function actionTargets(event: ActionEvent): string {
  const ports = portsSuffix(event.ports);
  if (event.groups !== undefined && event.groups.length > 0) return `${event.groups.map((g) => g.join(',')).join(' | ')}${ports}`;
  if (event.from !== undefined && event.to !== undefined) return `${event.from.join(',')} -> ${event.to.join(',')}${ports}`;
  return `${event.nodes.join(',')}${ports}`;
}

function opValue(op: OpEvent): string {
  if (op.value === undefined) return '';
  return typeof op.value === 'number' ? ` ${op.value}` : ` ${op.value[0]}->${op.value[1]}`;
}

function withError(text: string, error: string | undefined): string {
  return error === undefined ? text : `${text}: ${error}`;
}

/** What an event says, without seq or time: `node MODIFIED worker-0 Ready=True role=worker promote-status=running`. */
export function eventLabel(event: HistoryEvent): string {
  switch (event.kind) {
    case 'run-start':
      return `run-start scenario=${event.scenario} seed=${event.seed} provider=${event.provider} nodes=${event.nodes.map((n) => n.name).join(',')}`;
    case 'run-end':
      return `run-end${event.outcome === undefined ? '' : ` ${event.outcome}`}`;
    case 'action': {
      const targets = actionTargets(event);
      return withError(`action ${event.id} ${event.phase} ${event.fault}${targets === '' ? '' : ` ${targets}`}`, event.error);
    }
    case 'step':
      if (event.phase === 'begin') return `step ${event.index} begin ${event.step}`;
      return withError(`step ${event.index} end ${event.ok === false ? 'failed' : 'ok'}`, event.error);
    case 'node':
      return `node ${event.type} ${event.node.name} ${formatNodeState(nodeState(event.node))}`;
    case 'job': {
      const complete = event.conditions.filter((c) => c.status === 'True').map((c) => c.type);
      const owner = event.ownerNode === undefined ? '' : ` node=${event.ownerNode}`;
      return `job ${event.type} ${event.namespace}/${event.name}${owner} active=${event.active} succeeded=${event.succeeded} failed=${event.failed}${complete.length > 0 ? ` ${complete.join(',')}` : ''}`;
    }
    case 'k8s-event':
      return `k8s-event ${event.reason} ${event.involvedObject.kind}/${event.involvedObject.name}: ${event.message}`;
    case 'lease':
      return `lease ${event.namespace}/${event.name} holder=${event.holder ?? '(none)'}`;
    case 'op': {
      const result = event.result === undefined ? '' : ` -> ${event.result}`;
      const via = event.target === event.process || event.process === `node:${event.target}` ? '' : ` via ${event.target}`;
      return withError(`op ${event.process}#${event.opId} ${event.phase} ${event.f}${opValue(event)}${result}${via}`, event.error);
    }
    case 'etcd':
      if (event.error !== undefined) return `etcd error: ${event.error}`;
      return `etcd leader=${event.leader ?? '(none)'} members=${event.members.map((m) => m.name).join(',')}`;
    case 'gap':
      return `gap ${event.source} blind for ${formatSeconds(event.to - event.from)}: ${event.reason}`;
    case 'cpu':
      return `cpu stalled ${formatSeconds(event.stalledUs / 1000)} in all`;
    case 'note':
      return `note ${event.message}`;
  }
}

/** `#123 +4.21s node MODIFIED worker-0 Ready=True role=worker promote-status=running`. */
export function describeEvent(event: HistoryEvent, zeroMs: number): string {
  return `#${event.seq} ${formatOffset(event.t - zeroMs)} ${eventLabel(event)}`;
}
