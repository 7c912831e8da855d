// The trend page: one self-contained HTML file (inline style, script and SVG; nothing fetched, the report page's
// Content-Security-Policy) with the runs in time order and, per scenario, its status run after run, a chart per
// metric and a chart per invariant's pass rate.
import { formatTally } from './compare-figures.ts';
import { formatMetricValue, SCENARIO_RANK, VERDICT_RANK } from './compare.ts';
import { REPORT_SCRIPT, pageHead } from './html-assets.ts';
import { renderTrendChart, runLabel } from './trend-svg.ts';
import type { ScenarioTrend, Trend, TrendRun } from './trend.ts';
import { attrs, escapeText as h } from './xml.ts';

const TREND_CSS = `
.charts { display: flex; flex-wrap: wrap; gap: 10px 18px; }
.charts figure { margin: 0; }
.charts figcaption { font-size: 12px; font-weight: 600; margin: 0 0 2px 4px; }
svg.trend-chart { display: block; outline: 1px solid var(--line); border-radius: 6px; background: #fff; }
svg.trend-chart .line { fill: none; stroke: #2f7fd8; stroke-width: 1.6; }
svg.trend-chart.pass-rate .line { stroke: #15803d; }
svg.trend-chart .point { fill: #2f7fd8; stroke: #fff; stroke-width: 1; }
svg.trend-chart.pass-rate .point { fill: #15803d; }
svg.trend-chart .whisker { stroke: #2f7fd8; stroke-width: 1; stroke-dasharray: 2 2; }
.status-strip { display: flex; flex-wrap: wrap; align-items: center; gap: 2px; margin: 6px 0 0; font-size: 12px; }
.status-strip .muted { margin-right: 6px; }
.status-strip .cell { width: 14px; height: 14px; border-radius: 2px; background: #e5e7eb; }
.cell.pass { background: var(--pass); } .cell.fail, .cell.xpass { background: var(--fail); } .cell.inconclusive { background: var(--inconclusive); }
.cell.error { background: var(--error); } .cell.xfail { background: var(--xfail); }
`;

function runsTable(runs: readonly TrendRun[]): string {
  const rows = runs.map(
    (r) =>
      `<tr${attrs({ 'data-run': r.index })}><td>${r.index + 1}</td><td>${h(new Date(r.startedAtMs).toISOString())} <span class="muted"${attrs({ 'data-epoch-ms': r.startedAtMs })}></span></td><td><code>${h(r.file)}</code></td><td>${r.scenarios}</td></tr>`,
  );
  return `<table data-testid="runs"><thead><tr><th>#</th><th>Started</th><th>Summary</th><th>Scenario runs</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The scenario's worst status in each run, as a strip of cells (a run without the scenario is grey). */
function statusStrip(s: ScenarioTrend, runs: readonly TrendRun[]): string {
  const cells = runs.map((run) => {
    const entry = s.statuses.find((e) => e.run === run.index);
    const worst = entry === undefined ? undefined : [...SCENARIO_RANK].reverse().find((st) => (entry.tally.counts[st] ?? 0) > 0);
    const label = `${runLabel(run)} UTC: ${entry === undefined ? 'not run' : formatTally(entry.tally, SCENARIO_RANK)}`;
    return `<span${attrs({ class: `cell ${worst ?? 'none'}`, 'data-run': run.index, 'data-status': worst, title: label })}></span>`;
  });
  return `<div class="status-strip" data-testid="status-strip"><span class="muted">status per run:</span>${cells.join('')}</div>`;
}

function scenarioSection(s: ScenarioTrend, index: number, runs: readonly TrendRun[]): string {
  const metricCharts = s.metrics.map((series, j) =>
    [
      `<figure${attrs({ 'data-metric': series.name })}><figcaption>${h(series.name)}</figcaption>`,
      renderTrendChart(series, {
        id: `t${index + 1}-m${j + 1}`,
        label: `${s.name}: ${series.name} per run`,
        runs,
        kind: 'metric',
        formatValue: (v) => formatMetricValue(series.name, v),
        describePoint: (p, run) =>
          `${runLabel(run)} UTC: ${series.name} ${formatMetricValue(series.name, p.value)}${p.runs > 1 ? ` (median of ${p.runs} runs, max ${formatMetricValue(series.name, p.max ?? p.value)})` : ''}\n${run.file}`,
      }),
      '</figure>',
    ].join(''),
  );
  const rateCharts = s.passRates.map((series, j) =>
    [
      `<figure${attrs({ 'data-invariant': series.name })}><figcaption>${h(series.name)}</figcaption>`,
      renderTrendChart(series, {
        id: `t${index + 1}-v${j + 1}`,
        label: `${s.name}: pass rate of ${series.name} per run`,
        runs,
        kind: 'pass-rate',
        yMax: 1,
        formatValue: (v) => `${Math.round(v * 100)}%`,
        describePoint: (p, run) =>
          `${runLabel(run)} UTC: ${series.name} passed ${Math.round(p.value * 100)}%${p.tally === undefined ? '' : ` (${formatTally(p.tally, VERDICT_RANK)})`}\n${run.file}`,
      }),
      '</figure>',
    ].join(''),
  );
  return [
    `<section${attrs({ class: 'scenario', id: `t${index + 1}`, 'data-scenario': s.name })}>`,
    `<h2>${h(s.name)}</h2>`,
    statusStrip(s, runs),
    '<h3>Metrics <span class="muted">(median per run; dashed: the max over repeated runs)</span></h3>',
    metricCharts.length > 0 ? `<div class="charts">${metricCharts.join('')}</div>` : '<p class="muted">No metrics in these runs.</p>',
    '<h3>Pass rate per invariant</h3>',
    rateCharts.length > 0 ? `<div class="charts">${rateCharts.join('')}</div>` : '<p class="muted">No verdicts in these runs.</p>',
    '</section>',
  ].join('\n');
}

export function renderTrendHtml(trend: Trend, options: { readonly generatedAt?: Date } = {}): string {
  const first = trend.runs[0];
  const last = trend.runs[trend.runs.length - 1];
  const span = first === undefined || last === undefined ? '' : `, ${runLabel(first)} to ${runLabel(last)} UTC`;
  const title = `cpchaos trend: ${trend.runs.length} run${trend.runs.length === 1 ? '' : 's'}${span}`;
  const leftOut =
    trend.leftOut.length === 0
      ? ''
      : `<p class="muted" data-testid="left-out">Left out (no scenarios, so no time): ${trend.leftOut.map((f) => `<code>${h(f)}</code>`).join(', ')}</p>`;
  const generated = options.generatedAt === undefined ? '' : `<div class="muted">generated ${h(options.generatedAt.toISOString())}</div>`;
  return [
    ...pageHead(title, TREND_CSS, true),
    `<header><h1>${h(title)}</h1>${generated}</header>`,
    runsTable(trend.runs),
    leftOut,
    ...trend.scenarios.map((s, i) => scenarioSection(s, i, trend.runs)),
    '<footer>Runs are in time order (a run starts with its earliest scenario) and evenly spaced. Lower is better for every metric.</footer>',
    `<script>${REPORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
