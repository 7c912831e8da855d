// Fault bands for the timeline: a lasting fault (kill, pause, isolate, partition, drop) from its applied record
// until it is undone, healed (heal for cuts; restart/resume of every node for kill/pause) or the run ends. A
// restart is a band from intent to applied. Everything else (deletes, cordons, labels, heal, resume) and every
// failed or unsupported action is an instant mark.
import { portsSuffix } from '../faults/ports.ts';
import { ACTION_KINDS, propertiesOf } from '../faults/catalogue.ts';
import type { ActionKind } from '../faults/catalogue.ts';
import type { ActionEvent, History } from '../observe/history.ts';

export interface FaultBand {
  readonly id: string;
  readonly fault: ActionKind;
  readonly nodes: readonly string[];
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** How it ended: 'undone', the id of the heal/restart/resume, or 'run-end' when it lasted to the end. */
  readonly endedBy: string;
}

export interface ActionMark {
  readonly id: string;
  readonly fault: ActionKind;
  readonly phase: 'applied' | 'failed' | 'unsupported';
  readonly nodes: readonly string[];
  readonly label: string;
  readonly atMs: number;
  readonly error?: string;
}

const LASTING = new Set<ActionKind>(ACTION_KINDS.filter((kind) => propertiesOf(kind).lasting));
const CUTS = new Set<ActionKind>(ACTION_KINDS.filter((kind) => propertiesOf(kind).cutsOff));

export function actionLabel(action: ActionEvent): string {
  const ports = portsSuffix(action.ports);
  if (action.groups !== undefined && action.groups.length > 0)
    return `${action.fault} ${action.groups.map((g) => g.join(',')).join(' | ')}${ports}`;
  if (action.from !== undefined && action.to !== undefined)
    return `${action.fault} ${action.from.join(',')} -> ${action.to.join(',')}${ports}`;
  return action.nodes.length === 0 ? action.fault : `${action.fault} ${action.nodes.join(',')}${ports}`;
}

interface OpenBand {
  readonly action: ActionEvent;
  readonly fromMs: number;
  readonly remaining: Set<string>;
  applied: boolean;
}

export function faultBands(history: History, zeroMs: number, endMs: number): { bands: FaultBand[]; marks: ActionMark[] } {
  const bands: FaultBand[] = [];
  const marks: ActionMark[] = [];
  const open = new Map<string, OpenBand>();
  const restarts = new Map<string, ActionEvent>();
  const close = (id: string, atMs: number, endedBy: string): void => {
    const band = open.get(id);
    if (band === undefined) return;
    open.delete(id);
    const { action } = band;
    bands.push({
      id,
      fault: action.fault,
      nodes: action.nodes,
      label: actionLabel(action),
      fromMs: band.fromMs,
      toMs: Math.max(atMs, band.fromMs),
      endedBy,
    });
  };
  for (const event of history) {
    if (event.kind !== 'action') continue;
    const atMs = event.t - zeroMs;
    const { id, phase, fault } = event;
    if (phase === 'failed' || phase === 'unsupported') {
      open.delete(id);
      restarts.delete(id);
      marks.push({
        id,
        fault,
        phase,
        nodes: event.nodes,
        label: actionLabel(event),
        atMs,
        ...(event.error === undefined ? {} : { error: event.error }),
      });
    } else if (phase === 'undone') {
      close(id, atMs, 'undone');
    } else if (LASTING.has(fault)) {
      // The band starts when the fault is applied; an intent never applied (the run ended) starts it too.
      const band = open.get(id);
      if (phase === 'intent') open.set(id, { action: event, fromMs: atMs, remaining: new Set(event.nodes), applied: false });
      else if (band !== undefined && !band.applied) open.set(id, { ...band, fromMs: atMs, applied: true });
    } else if (fault === 'restart') {
      if (phase === 'intent') restarts.set(id, event);
      else {
        bands.push({
          id,
          fault,
          nodes: event.nodes,
          label: actionLabel(event),
          fromMs: (restarts.get(id)?.t ?? event.t) - zeroMs,
          toMs: atMs,
          endedBy: id,
        });
        restarts.delete(id);
        endKills(open, event, atMs, close);
      }
    } else if (phase === 'applied') {
      marks.push({ id, fault, phase, nodes: event.nodes, label: actionLabel(event), atMs });
      if (fault === 'resume') endKills(open, event, atMs, close);
      if (fault === 'heal') for (const [openId, band] of [...open]) if (CUTS.has(band.action.fault)) close(openId, atMs, id);
    }
  }
  for (const id of [...open.keys()]) close(id, endMs, 'run-end');
  for (const [id, intent] of restarts) {
    bands.push({
      id,
      fault: 'restart',
      nodes: intent.nodes,
      label: actionLabel(intent),
      fromMs: intent.t - zeroMs,
      toMs: endMs,
      endedBy: 'run-end',
    });
  }
  bands.sort((a, b) => a.fromMs - b.fromMs);
  return { bands, marks };
}

/** A restart or resume applied to nodes ends the kill/pause bands of those nodes once all of a band's nodes are back. */
function endKills(
  open: Map<string, OpenBand>,
  recovery: ActionEvent,
  atMs: number,
  close: (id: string, atMs: number, endedBy: string) => void,
): void {
  for (const [id, band] of [...open]) {
    const ends = propertiesOf(band.action.fault).endedBy.includes(recovery.fault);
    if (!ends) continue;
    for (const node of recovery.nodes) band.remaining.delete(node);
    if (band.remaining.size === 0) close(id, atMs, recovery.id);
  }
}
