// The contents of each timeline lane. Every function draws inside [y, y + height) and returns SVG markup.
import { formatSeconds } from './describe.ts';
import { el, rect, text, title } from './svg-element.ts';
import { fitText, packRows, textWidth, type Scale } from './svg-scale.ts';
import type { ApiStrip } from './timeline-api.ts';
import type { ActionMark, FaultBand } from './timeline-faults.ts';
import type { LeaderValue, NodeLane, StepSpan } from './timeline.ts';
import type { Span } from './spans.ts';

export const FAULT_ROW_HEIGHT = 18;
const LABEL_FONT = 10;

function range(span: { fromMs: number; toMs: number }): string {
  return `+${formatSeconds(span.fromMs)} .. +${formatSeconds(span.toMs)} (${formatSeconds(span.toMs - span.fromMs)})`;
}

/** A bar with its label inside when it fits. */
function labelledBar(
  scale: Scale,
  span: { fromMs: number; toMs: number },
  y: number,
  height: number,
  label: string,
  attributes: Record<string, string | number>,
  tooltip: string,
): string {
  const x0 = scale.x(span.fromMs);
  const x1 = scale.x(span.toMs);
  // Labels start 8 units in, clear of a violation diamond sitting on the bar's first event.
  const inside = fitText(label, x1 - x0 - 11, LABEL_FONT);
  return rect(x0, x1, y, height, attributes, tooltip) + text(x0 + 8, y + height / 2 + 3.5, inside, { class: 'bar-label' });
}

export const STEP_ROW_HEIGHT = 18;

/** Step bars with their labels (inside when they fit, else after the bar), packed into rows so no label is lost. */
export function stepItems(scale: Scale, steps: readonly StepSpan[]): { rows: number; draw: (y: number) => string } {
  const items = steps.map((s) => {
    const status = s.ok === undefined ? 'open' : s.ok ? 'ok' : 'failed';
    const tooltip = `step ${s.index}: ${s.label} ${range(s)}${s.ok === false ? ` FAILED${s.error === undefined ? '' : `: ${s.error}`}` : ''}`;
    const x0 = scale.x(s.fromMs);
    const x1 = Math.max(scale.x(s.toMs), x0 + 2);
    const label = `${s.index} ${s.label}${s.ok === false ? ' (failed)' : ''}`;
    const labelW = textWidth(label, LABEL_FONT);
    const inside = labelW <= x1 - x0 - 6;
    const draw = (rowY: number): string =>
      rect(x0, x1, rowY + 2, STEP_ROW_HEIGHT - 4, { class: `step step-${status}`, 'data-step': s.index }, tooltip, 2) +
      text(inside ? x0 + 3 : x1 + 3, rowY + STEP_ROW_HEIGHT / 2 + 3.5, label, { class: inside ? 'bar-label' : 'step-label' });
    return { from: x0, to: inside ? x1 : x1 + labelW + 6, draw };
  });
  const rows = packRows(items);
  return {
    rows: Math.max(1, ...rows.map((r) => r + 1)),
    draw: (y) => items.map((item, i) => item.draw(y + 2 + (rows[i] ?? 0) * STEP_ROW_HEIGHT)).join(''),
  };
}

interface FaultItem {
  readonly from: number;
  readonly to: number;
  readonly draw: (rowY: number) => string;
}

function bandItem(scale: Scale, band: FaultBand): FaultItem {
  const x0 = scale.x(band.fromMs);
  const x1 = Math.max(scale.x(band.toMs), x0 + 3);
  const labelW = textWidth(band.label, LABEL_FONT) + 12;
  const inside = x1 - x0 >= labelW;
  const tooltip = `${band.label} ${range(band)}, ended by ${band.endedBy}`;
  return {
    from: x0,
    to: inside ? x1 : x1 + labelW,
    draw: (rowY) =>
      el(
        'g',
        { class: 'fault', 'data-fault': band.fault, 'data-fault-id': band.id, 'data-nodes': band.nodes.join(',') },
        rect(x0, x1, rowY + 2, FAULT_ROW_HEIGHT - 4, { class: `fault-bar fault-${band.fault}`, rx: 2 }, tooltip),
        text(inside ? x0 + 8 : x1 + 4, rowY + FAULT_ROW_HEIGHT / 2 + 3.5, band.label, { class: inside ? 'bar-label' : 'fault-label' }),
      ),
  };
}

function markItem(scale: Scale, mark: ActionMark): FaultItem {
  const x = scale.x(mark.atMs);
  const label = mark.phase === 'applied' ? mark.label : `${mark.label} (${mark.phase})`;
  const tooltip = `${mark.id} ${label} at +${formatSeconds(mark.atMs)}${mark.error === undefined ? '' : `: ${mark.error}`}`;
  return {
    from: x - 5,
    to: x + 8 + textWidth(label, LABEL_FONT),
    draw: (rowY) =>
      el(
        'g',
        { class: `mark mark-${mark.phase}`, 'data-mark': mark.fault, 'data-mark-id': mark.id },
        title(tooltip),
        el('path', { d: `M${x - 4},${rowY + 4} h8 l-4,8 z`, class: 'mark-icon' }),
        text(x + 6, rowY + FAULT_ROW_HEIGHT / 2 + 3.5, label, { class: 'fault-label' }),
      ),
  };
}

/** Fault bars and instant marks, packed into as many rows as they need. */
export function faultItems(
  scale: Scale,
  bands: readonly FaultBand[],
  marks: readonly ActionMark[],
): { rows: number; draw: (y: number) => string } {
  const items = [...bands.map((b) => bandItem(scale, b)), ...marks.map((m) => markItem(scale, m))].sort((a, b) => a.from - b.from);
  const rows = packRows(items);
  return {
    rows: Math.max(1, ...rows.map((r) => r + 1)),
    draw: (y) => items.map((item, i) => item.draw(y + 3 + (rows[i] ?? 0) * FAULT_ROW_HEIGHT)).join(''),
  };
}

export function apiLane(scale: Scale, api: ApiStrip, y: number, height: number): string {
  const parts: string[] = [];
  for (const o of api.outages) {
    const x0 = scale.x(o.fromMs);
    const x1 = scale.x(o.toMs);
    const label = `${o.open ? '≥' : ''}${formatSeconds(o.durationMs)}`;
    parts.push(
      el(
        'g',
        { class: 'outage', 'data-outage-ms': Math.round(o.durationMs) },
        rect(x0, x1, y + 1, height - 2, { class: 'outage-area' }, `no acknowledged operation through the VIP for ${label} ${range(o)}`),
        text((x0 + x1) / 2, y + 10, label, { class: 'outage-label', 'text-anchor': 'middle' }),
      ),
    );
  }
  // One tick per pixel column and outcome keeps the markup small for long runs.
  const ok = new Set<number>();
  const bad = new Set<number>();
  for (const tick of api.ticks) (tick.ok ? ok : bad).add(Math.round(scale.x(tick.atMs)));
  const path = (xs: Set<number>, y0: number, y1: number): string => [...xs].map((x) => `M${x},${y0}V${y1}`).join('');
  if (ok.size > 0)
    parts.push(el('path', { d: path(ok, y + 13, height + y - 3), class: 'api-ok' }, title(`${api.okCount} acknowledged operations`)));
  if (bad.size > 0)
    parts.push(
      el(
        'path',
        { d: path(bad, y + 13, height + y - 3), class: 'api-bad' },
        title(`${api.failedCount} failed or indeterminate operations`),
      ),
    );
  if (api.ticks.length === 0)
    parts.push(text(scale.left + 4, y + height / 2 + 3.5, 'no operations through the VIP were recorded', { class: 'empty-note' }));
  return parts.join('');
}

export function leaderLane(
  scale: Scale,
  spans: readonly Span<LeaderValue>[],
  y: number,
  height: number,
  colorOf: (node: string) => number,
): string {
  if (spans.length === 0) return text(scale.left + 4, y + height / 2 + 3.5, 'no etcd observations', { class: 'empty-note' });
  return spans
    .map((s) => {
      const { leader, error } = s.value;
      const cls = error !== undefined ? 'etcd-error' : leader === undefined ? 'etcd-none' : `leader leader-${colorOf(leader)}`;
      const label = error !== undefined ? 'unreachable' : (leader ?? 'no leader');
      const tooltip = `${error !== undefined ? `etcd unreachable: ${error}` : `leader ${leader ?? '(none)'}`} ${range(s)}`;
      return labelledBar(
        scale,
        s,
        y + 3,
        height - 6,
        label,
        { class: cls, 'data-leader': leader ?? (error !== undefined ? '(error)' : '(none)') },
        tooltip,
      );
    })
    .join('');
}

export const NODE_LANE_HEIGHT = 60;
/** Sub-rows of a node lane: [offset, height]. */
export const NODE_ROWS = { ready: [5, 14], role: [22, 7], promote: [32, 12], cordon: [47, 7] } as const;

export function nodeLane(scale: Scale, lane: NodeLane, y: number): string {
  const parts: string[] = [];
  const [readyY, readyH] = NODE_ROWS.ready;
  const [roleY, roleH] = NODE_ROWS.role;
  const [promoteY, promoteH] = NODE_ROWS.promote;
  const [cordonY, cordonH] = NODE_ROWS.cordon;
  for (const s of lane.ready)
    parts.push(
      rect(
        scale.x(s.fromMs),
        scale.x(s.toMs),
        y + readyY,
        readyH,
        { class: `ready ready-${s.value}`, 'data-ready': s.value },
        `${lane.name} Ready=${s.value} ${range(s)}`,
      ),
    );
  for (const s of lane.deleting)
    parts.push(rect(scale.x(s.fromMs), scale.x(s.toMs), y + readyY, readyH, { class: 'deleting' }, `${lane.name} deleting ${range(s)}`));
  for (const s of lane.management) {
    const role = s.value ? 'management' : 'worker';
    parts.push(
      rect(
        scale.x(s.fromMs),
        scale.x(s.toMs),
        y + roleY + (s.value ? 0 : roleH / 2 - 1),
        s.value ? roleH : 2,
        { class: `role role-${role}`, 'data-role': role },
        `${lane.name} ${role} ${range(s)}`,
      ),
    );
  }
  for (const s of lane.promote) {
    const known = ['running', 'complete', 'failed', 'unknown'].includes(s.value) ? s.value : 'other';
    parts.push(
      labelledBar(
        scale,
        s,
        y + promoteY,
        promoteH,
        s.value,
        { class: `promote promote-${known}`, 'data-promote': s.value },
        `${lane.name} promote-status=${s.value} ${range(s)}`,
      ),
    );
  }
  for (const s of lane.cordoned)
    parts.push(
      rect(
        scale.x(s.fromMs),
        scale.x(s.toMs),
        y + cordonY,
        cordonH,
        { class: 'cordon', 'data-cordon': 'true' },
        `${lane.name} cordoned ${range(s)}`,
      ),
    );
  for (const atMs of lane.deletedAtMs) {
    const x = scale.x(atMs);
    parts.push(
      el(
        'g',
        { class: 'deleted', 'data-deleted': lane.name },
        el('path', { d: `M${x - 4},${y + readyY + 3}l8,8m0,-8l-8,8`, class: 'deleted-icon' }),
        text(x + 7, y + readyY + 11, 'deleted', { class: 'deleted-label' }),
      ),
    );
  }
  if (lane.ready.length === 0 && lane.deletedAtMs.length === 0)
    parts.push(text(scale.left + 4, y + readyY + 11, 'never observed', { class: 'empty-note' }));
  return parts.join('');
}
