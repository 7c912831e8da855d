// One trend chart as inline SVG: runs in time order along x (evenly spaced: each run one step), a value along y
// from 0, one series drawn as a line through its points (broken where a run has no point), the max over repeated
// runs as a whisker above the point. Every point carries its run, time and value as data attributes and a tooltip.
import { el, text, title } from './svg-element.ts';
import { round } from './svg-scale.ts';
import type { TrendRun, TrendSeries } from './trend.ts';

export const CHART_WIDTH = 420;
export const CHART_HEIGHT = 150;
const MARGIN = { left: 58, right: 14, top: 12, bottom: 30 } as const;
const PLOT_WIDTH = CHART_WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = CHART_HEIGHT - MARGIN.top - MARGIN.bottom;

export interface ChartOptions {
  /** Unique in the page; prefixes the ids inside the chart. */
  readonly id: string;
  readonly label: string;
  readonly runs: readonly TrendRun[];
  /** The top of the y axis; default: a round number at or above the largest value. */
  readonly yMax?: number;
  readonly formatValue: (value: number) => string;
  /** A point's tooltip. */
  readonly describePoint: (point: TrendSeries['points'][number], run: TrendRun) => string;
  readonly kind: 'metric' | 'pass-rate';
}

/** 1, 2, 5, 10, 20, 50, ...: the smallest at or above `value` (1 for 0). */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value - 1e-9) ?? 10;
  return step * magnitude;
}

export function runX(index: number, count: number): number {
  return round(MARGIN.left + (count <= 1 ? PLOT_WIDTH / 2 : (index / (count - 1)) * PLOT_WIDTH));
}

/** `12-02 06:34` in UTC. */
export function runLabel(run: TrendRun): string {
  return new Date(run.startedAtMs).toISOString().slice(5, 16).replace('T', ' ');
}

/** At most `max` run indices, evenly spread, first and last included. */
function labelledRuns(count: number, max = 4): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round((i / (max - 1)) * (count - 1))))];
}

function axes(options: ChartOptions, yMax: number, y: (v: number) => number): string {
  const bottom = MARGIN.top + PLOT_HEIGHT;
  const yTicks = [0, 0.5, 1].map((f) => f * yMax);
  const xTicks = labelledRuns(options.runs.length);
  return [
    ...yTicks.map((v) =>
      [
        el('line', { class: 'grid', x1: MARGIN.left, x2: MARGIN.left + PLOT_WIDTH, y1: y(v), y2: y(v) }),
        text(MARGIN.left - 6, y(v) + 3, options.formatValue(v), { class: 'tick', 'text-anchor': 'end' }),
      ].join(''),
    ),
    el('line', { class: 'axis-line', x1: MARGIN.left, x2: MARGIN.left + PLOT_WIDTH, y1: bottom, y2: bottom }),
    ...xTicks.map((i) => {
      const run = options.runs[i] as TrendRun;
      const anchor =
        options.runs.length > 1 && i === 0 ? 'start' : options.runs.length > 1 && i === options.runs.length - 1 ? 'end' : 'middle';
      return text(runX(i, options.runs.length), bottom + 14, runLabel(run), { class: 'tick', 'text-anchor': anchor });
    }),
  ].join('');
}

function seriesMarkup(series: TrendSeries, options: ChartOptions, y: (v: number) => number): string {
  const count = options.runs.length;
  const segments: string[] = [];
  let previous: number | undefined;
  for (const p of series.points) {
    segments.push(`${previous === p.run - 1 ? 'L' : 'M'}${runX(p.run, count)} ${y(p.value)}`);
    previous = p.run;
  }
  const points = series.points.map((p) => {
    const run = options.runs[p.run] as TrendRun;
    const whisker =
      p.max !== undefined && p.max > p.value
        ? el('line', { class: 'whisker', x1: runX(p.run, count), x2: runX(p.run, count), y1: y(p.value), y2: y(p.max) })
        : '';
    const point = el(
      'circle',
      {
        class: 'point',
        cx: runX(p.run, count),
        cy: y(p.value),
        r: 3.5,
        'data-run': p.run,
        'data-time': new Date(run.startedAtMs).toISOString(),
        'data-value': round4(p.value),
        'data-max': p.max,
        'data-runs': p.runs,
      },
      title(options.describePoint(p, run)),
    );
    return whisker + point;
  });
  return el('g', { class: 'series', 'data-series': series.name }, el('path', { class: 'line', d: segments.join(' ') }), ...points);
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export function renderTrendChart(series: TrendSeries, options: ChartOptions): string {
  const largest = Math.max(0, ...series.points.map((p) => Math.max(p.value, p.max ?? 0)));
  const yMax = options.yMax ?? niceCeiling(largest);
  const y = (v: number): number => round(MARGIN.top + PLOT_HEIGHT - (Math.min(v, yMax) / yMax) * PLOT_HEIGHT);
  return el(
    'svg',
    {
      class: `trend-chart ${options.kind}`,
      id: options.id,
      viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      role: 'img',
      'aria-label': options.label,
      'data-y-max': yMax,
      'data-plot-top': MARGIN.top,
      'data-plot-height': PLOT_HEIGHT,
    },
    title(options.label),
    axes(options, yMax, y),
    seriesMarkup(series, options, y),
  );
}
