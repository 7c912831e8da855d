// The timeline SVG of one scenario: an axis of seconds from run start; lanes for steps, faults, the API (VIP)
// strip, the etcd leader and each node; fault bands shaded across all lanes; observer gaps hatched; and numbered
// markers for the events that prove failed verdicts. Lanes carry data-lane ids for tests and scripts.
import { formatSeconds } from './describe.ts';
import { nodeOfEtcdMember } from '../harvester/etcd-members.ts';
import { el, rect, text, title } from './svg-element.ts';
import {
  apiLane,
  faultItems,
  FAULT_ROW_HEIGHT,
  leaderLane,
  NODE_LANE_HEIGHT,
  NODE_ROWS,
  nodeLane,
  STEP_ROW_HEIGHT,
  stepItems,
} from './svg-lanes.ts';
import { axisTicks, fitText, linearScale, packRows, tickLabel, type Scale } from './svg-scale.ts';
import type { LaneId, Timeline } from './timeline.ts';

export const SVG_WIDTH = 1360;
/** Number of .leader-N colour classes the stylesheet defines. */
export const LEADER_COLOR_COUNT = 8;
const LABEL_WIDTH = 220;
const RIGHT_PAD = 28;
const AXIS_HEIGHT = 24;

interface Lane {
  readonly id: LaneId;
  readonly label: string;
  readonly sublabel?: string;
  readonly height: number;
  /** y of the line a marker sits on, relative to the lane's top. */
  readonly markerY: number;
  readonly subrows?: readonly (readonly [string, number])[];
  readonly draw: (y: number) => string;
}

/** Patterns the timelines fill with; put once in the page (ids must be unique). */
export const TIMELINE_DEFS = [
  '<defs>',
  '<pattern id="hatch-gap" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff" fill-opacity="0.55"/><line x1="0" y1="0" x2="0" y2="6" stroke="#6b7280" stroke-width="2"/></pattern>',
  '<pattern id="hatch-fault" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="7" stroke="#c2410c" stroke-width="2.5" stroke-opacity="0.55"/></pattern>',
  '<pattern id="hatch-deleting" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="#111827" stroke-width="1.5" stroke-opacity="0.6"/></pattern>',
  '</defs>',
].join('');

/** Leader colour index (0-7) of every etcd leader seen: a node keeps its lane's colour; other member names follow. */
export function leaderColorIndex(timeline: Timeline): Map<string, number> {
  const lanes = new Map(timeline.nodes.map((n, i) => [n.name, i]));
  const out = new Map<string, number>();
  let next = timeline.nodes.length;
  for (const span of timeline.leader) {
    const { leader } = span.value;
    if (leader === undefined || out.has(leader)) continue;
    // An RKE2 member `<node>-<8 hex>` keeps its node's lane colour (lib/harvester/etcd-members.ts).
    const node = nodeOfEtcdMember(leader, lanes.keys());
    out.set(leader, ((node === undefined ? undefined : lanes.get(node)) ?? next++) % LEADER_COLOR_COUNT);
  }
  return out;
}

function lanesOf(timeline: Timeline, scale: Scale): Lane[] {
  const colorIndex = leaderColorIndex(timeline);
  const colorOf = (node: string): number => colorIndex.get(node) ?? 0;
  const faults = faultItems(scale, timeline.faults, timeline.marks);
  const steps = stepItems(scale, timeline.steps);
  const lanes: Lane[] = [];
  if (timeline.violations.length > 0) {
    const rows = Math.max(...violationRows(timeline, scale)) + 1;
    lanes.push({
      id: 'violations',
      label: 'violations',
      sublabel: 'events proving failures',
      height: rows * VIOLATION_ROW + 8,
      markerY: 0,
      draw: () => '',
    });
  }
  lanes.push(
    { id: 'steps', label: 'steps', height: steps.rows * STEP_ROW_HEIGHT + 4, markerY: 11, draw: steps.draw },
    { id: 'faults', label: 'faults', height: faults.rows * FAULT_ROW_HEIGHT + 6, markerY: 12, draw: faults.draw },
    {
      id: 'api',
      label: 'API (VIP)',
      sublabel: 'ok / failed, outages > 1s',
      height: 34,
      markerY: 21,
      draw: (y) => apiLane(scale, timeline.api, y, 34),
    },
    { id: 'etcd-leader', label: 'etcd leader', height: 24, markerY: 12, draw: (y) => leaderLane(scale, timeline.leader, y, 24, colorOf) },
  );
  for (const node of timeline.nodes) {
    lanes.push({
      id: `node:${node.name}`,
      label: node.name,
      sublabel: node.startRole ?? 'joined later',
      height: NODE_LANE_HEIGHT,
      markerY: NODE_ROWS.ready[0] + NODE_ROWS.ready[1] / 2,
      subrows: [
        ['Ready', NODE_ROWS.ready[0] + 11],
        ['role', NODE_ROWS.role[0] + 7],
        ['promote', NODE_ROWS.promote[0] + 9],
        ['cordon', NODE_ROWS.cordon[0] + 7],
      ],
      draw: (y) => nodeLane(scale, node, y),
    });
  }
  return lanes;
}

function axis(scale: Scale, y: number, top: boolean, gridFrom: number, gridTo: number): string {
  const parts: string[] = [
    el('line', {
      x1: scale.left,
      x2: scale.left + scale.width,
      y1: top ? y + AXIS_HEIGHT : y,
      y2: top ? y + AXIS_HEIGHT : y,
      class: 'axis-line',
    }),
  ];
  for (const atMs of axisTicks(scale.endMs)) {
    const x = scale.x(atMs);
    if (top) parts.push(el('line', { x1: x, x2: x, y1: gridFrom, y2: gridTo, class: 'grid' }));
    parts.push(text(x, top ? y + 16 : y + 15, tickLabel(atMs), { class: 'tick', 'text-anchor': 'middle' }));
  }
  return el('g', { class: 'axis', 'data-axis': top ? 'top' : 'bottom' }, ...parts);
}

function gapOverlays(timeline: Timeline, scale: Scale, laneY: ReadonlyMap<LaneId, { y: number; h: number }>): string {
  const out: string[] = [];
  for (const gap of timeline.gaps) {
    const targets: LaneId[] =
      gap.source === 'nodes'
        ? timeline.nodes.map((n) => `node:${n.name}` as const)
        : gap.source === 'etcd'
          ? ['etcd-leader']
          : gap.source === 'sampler'
            ? ['api']
            : [];
    for (const id of targets) {
      const lane = laneY.get(id);
      if (lane === undefined) continue;
      out.push(
        rect(
          scale.x(gap.fromMs),
          scale.x(gap.toMs),
          lane.y + 1,
          lane.h - 2,
          { class: 'gap', 'data-gap': gap.source },
          `observer blind (${gap.source}): ${gap.reason}, +${formatSeconds(gap.fromMs)} .. +${formatSeconds(gap.toMs)}`,
          2,
        ),
      );
    }
  }
  return out.join('');
}

function faultOverlays(
  timeline: Timeline,
  scale: Scale,
  top: number,
  bottom: number,
  laneY: ReadonlyMap<LaneId, { y: number; h: number }>,
): string {
  return timeline.faults
    .map((band) => {
      const x0 = scale.x(band.fromMs);
      const x1 = scale.x(band.toMs);
      const perNode = band.nodes.map((node) => {
        const lane = laneY.get(`node:${node}`);
        return lane === undefined
          ? ''
          : rect(x0, x1, lane.y + 1, lane.h - 2, { class: 'fault-node', 'data-fault-node': node }, undefined, 2);
      });
      return el(
        'g',
        { class: 'fault-band', 'data-fault': band.fault, 'data-fault-id': band.id },
        rect(x0, x1, top, bottom - top, { class: `fault-area fault-area-${band.fault}` }, undefined, 2),
        ...perNode,
      );
    })
    .join('');
}

const VIOLATION_ROW = 20;

/** The row of each violation's numbered badge, so that close ones do not overlap. */
function violationRows(timeline: Timeline, scale: Scale): number[] {
  return packRows(
    timeline.violations.map((v) => ({ from: scale.x(v.atMs) - 9, to: scale.x(v.atMs) + 9 })),
    2,
  );
}

/** Numbered badges in the violations row, a dashed line down through every lane, and a diamond on the event's lane. */
function violationMarkers(
  timeline: Timeline,
  scale: Scale,
  bottom: number,
  laneY: ReadonlyMap<LaneId, { y: number; h: number; markerY: number }>,
  idPrefix: string,
): string {
  const row = laneY.get('violations');
  if (row === undefined) return '';
  const rows = violationRows(timeline, scale);
  return timeline.violations
    .map((v, i) => {
      const x = scale.x(v.atMs);
      const cy = row.y + 4 + VIOLATION_ROW / 2 + (rows[i] ?? 0) * VIOLATION_ROW;
      const lane = laneY.get(v.lane);
      const dy = lane === undefined ? undefined : lane.y + lane.markerY;
      return el(
        'g',
        {
          class: 'violation',
          'data-violation': i + 1,
          'data-seq': v.event.seq,
          'data-lane-target': v.lane,
          id: `${idPrefix}violation-${i + 1}`,
        },
        title(`${i + 1}. ${v.description} (evidence for ${v.invariants.join(', ')})`),
        el('line', { x1: x, x2: x, y1: cy + 8, y2: bottom, class: 'violation-line' }),
        dy === undefined ? '' : el('path', { d: `M${x},${dy - 6}l6,6l-6,6l-6,-6z`, class: 'violation-diamond' }),
        el('circle', { cx: x, cy, r: 8, class: 'violation-dot' }),
        text(x, cy + 3.5, String(i + 1), { class: 'violation-num', 'text-anchor': 'middle' }),
      );
    })
    .join('');
}

/** The timeline of one scenario as an inline <svg>; `idPrefix` keeps element ids unique in a page of several. */
export function renderTimelineSvg(timeline: Timeline, label: string, idPrefix = ''): string {
  const scale = linearScale(LABEL_WIDTH, SVG_WIDTH - LABEL_WIDTH - RIGHT_PAD, timeline.endMs);
  const lanes = lanesOf(timeline, scale);
  const laneY = new Map<LaneId, { y: number; h: number; markerY: number }>();
  let y = AXIS_HEIGHT;
  for (const lane of lanes) {
    laneY.set(lane.id, { y, h: lane.height, markerY: lane.markerY });
    y += lane.height;
  }
  const bottom = y;
  const height = bottom + AXIS_HEIGHT;
  const backgrounds = lanes.map((lane, i) =>
    rect(0, SVG_WIDTH, laneY.get(lane.id)?.y ?? 0, lane.height, { class: i % 2 === 0 ? 'lane-bg' : 'lane-bg alt' }),
  );
  const laneParts = lanes.map((lane) => {
    const ly = laneY.get(lane.id)?.y ?? 0;
    const sub = (lane.subrows ?? []).map(([name, offset]) =>
      text(LABEL_WIDTH - 8, ly + offset, name, { class: 'sublabel', 'text-anchor': 'end' }),
    );
    return el(
      'g',
      { class: `lane lane-${lane.id.startsWith('node:') ? 'node' : lane.id}`, 'data-lane': lane.id, 'data-testid': `lane-${lane.id}` },
      el(
        'g',
        { class: 'lane-title' },
        title(lane.sublabel === undefined ? lane.label : `${lane.label} (${lane.sublabel})`),
        text(
          10,
          ly + (lane.sublabel === undefined ? lane.height / 2 + 4 : Math.min(lane.height / 2, 18)),
          fitText(lane.label, lane.subrows ? 150 : 200, 12),
          { class: 'lane-label' },
        ),
        lane.sublabel === undefined
          ? ''
          : text(10, ly + Math.min(lane.height / 2, 18) + 13, fitText(lane.sublabel, lane.subrows ? 150 : 200, 10), {
              class: 'lane-sublabel',
            }),
      ),
      ...sub,
      lane.draw(ly),
    );
  });
  return el(
    'svg',
    {
      class: 'timeline',
      viewBox: `0 0 ${SVG_WIDTH} ${height}`,
      width: '100%',
      role: 'img',
      'aria-label': label,
      'data-plot-left': scale.left,
      'data-plot-width': scale.width,
      'data-end-ms': timeline.endMs,
    },
    // Backgrounds, then fault bands and the grid behind the lane contents, markers on top.
    ...backgrounds,
    faultOverlays(timeline, scale, AXIS_HEIGHT, bottom, laneY),
    axis(scale, 0, true, AXIS_HEIGHT, bottom),
    axis(scale, bottom, false, 0, 0),
    ...laneParts,
    gapOverlays(timeline, scale, laneY),
    violationMarkers(timeline, scale, bottom, laneY, idPrefix),
    el('line', { class: 'guide', x1: scale.left, x2: scale.left, y1: AXIS_HEIGHT, y2: bottom, visibility: 'hidden' }),
    text(scale.left, AXIS_HEIGHT - 2, ' ', { class: 'guide-label', visibility: 'hidden' }),
  );
}
