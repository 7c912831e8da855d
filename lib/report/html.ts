// index.html: one self-contained page (inline CSS, script and SVG; nothing fetched) with the run summary and, per
// scenario, its verdicts, its figures (metrics.ts), a timeline, the events that prove each failure, and the run log.
import { SCENARIO_STATUSES, type ScenarioResult, type ScenarioStatus } from './result.ts';
import { STATUS_ORDER, type Verdict, type VerdictStatus } from '../oracles/verdict.ts';
import { formatDuration } from './describe.ts';
import { matrixSection } from './html-matrix.ts';
import type { Matrix } from './matrix.ts';
import { METRIC_NAMES, METRICS, type ScenarioMetrics } from './metrics.ts';
import { LEADER_COLORS, REPORT_SCRIPT, pageHead } from './html-assets.ts';
import { progressLog } from './progress.ts';
import { redactValue } from './redact.ts';
import { summarizeRun, type ScenarioSummary } from './summary.ts';
import { leaderColorIndex, renderTimelineSvg, TIMELINE_DEFS } from './svg-timeline.ts';
import { buildTimeline, type Timeline } from './timeline.ts';
import { attrs, escapeText as h } from './xml.ts';

export interface HtmlReportOptions {
  readonly title?: string;
  /** Shown in the header; left out when absent (keeps the output reproducible). */
  readonly generatedAt?: Date;
  /** Stretches without an acknowledged VIP operation longer than this are shaded as outages (default 1000). */
  readonly outageThresholdMs?: number;
  /** cpchaos matrix: the policy x scenario table, shown above the scenarios (the cells of matrix.md and matrix.json). */
  readonly matrix?: Matrix;
}

/** xfail: a known bug reproduced as described; xpass: a known bug that did not reproduce. */
const BADGE_TEXT: Readonly<Record<ScenarioStatus, string>> = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'inconclusive',
  error: 'error',
  xfail: 'known bug',
  xpass: 'bug fixed?',
};

function badge(status: ScenarioStatus): string {
  return `<span class="badge ${status}" data-status="${status}">${BADGE_TEXT[status]}</span>`;
}

function slugs(results: readonly ScenarioResult[]): string[] {
  return results.map(
    (r, i) =>
      `s${i + 1}-${r.scenario.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')}`,
  );
}

function verdictCounts(verdicts: readonly Verdict[]): string {
  const counts = new Map<VerdictStatus, number>();
  for (const v of verdicts) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
  return (
    STATUS_ORDER.filter((s) => counts.has(s))
      .map((s) => `${counts.get(s)} ${s}`)
      .join(' · ') || 'none'
  );
}

function runSummary(results: readonly ScenarioResult[], ids: readonly string[]): string {
  const rows = results.map((r, i) =>
    [
      `<tr${attrs({ 'data-scenario': r.scenario.name })}>`,
      `<td><a href="#${ids[i]}">${h(r.scenario.name)}</a></td>`,
      `<td>${badge(r.status)}</td>`,
      `<td><code>${h(r.seed)}</code></td>`,
      `<td><code>${h(r.runId || '—')}</code></td>`,
      `<td>${h(formatDuration(r.durationMs))}</td>`,
      `<td>${h(verdictCounts(r.verdicts))}</td>`,
      '</tr>',
    ].join(''),
  );
  return [
    '<section id="summary" data-testid="run-summary"><h3>Scenarios</h3><table>',
    '<thead><tr><th>Scenario</th><th>Status</th><th>Seed</th><th>Run id</th><th>Duration</th><th>Verdicts</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table></section>`,
  ].join('');
}

function meta(result: ScenarioResult): string {
  const items: [string, string][] = [
    ['seed', `<code>${h(result.seed)}</code>`],
    ['run id', `<code>${h(result.runId || '—')}</code>`],
    [
      'started',
      `${h(new Date(result.startedAt).toISOString())} <span class="muted"${attrs({ 'data-epoch-ms': result.startedAt })}></span>`,
    ],
    ['duration', h(formatDuration(result.durationMs))],
    ['file', `<code>${h(result.scenario.source.file)}</code>`],
  ];
  if (result.scenario.tags.length > 0) items.push(['tags', h(result.scenario.tags.join(', '))]);
  return `<dl class="meta">${items.map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

function verdictTable(result: ScenarioResult, id: string): string {
  const rows = result.verdicts.map((v) => {
    const seqs = v.evidence.map((e) => (v.status === 'fail' ? `<a href="#${id}-ev-${e.seq}">#${e.seq}</a>` : `#${e.seq}`));
    return `<tr${attrs({ class: `verdict-${v.status}`, 'data-invariant': v.invariant, 'data-status': v.status })}><td><code>${h(v.invariant)}</code></td><td>${badge(v.status)}</td><td>${h(v.summary)}</td><td>${seqs.join(' ') || '<span class="muted">—</span>'}</td></tr>`;
  });
  const body = rows.length > 0 ? rows.join('') : '<tr><td colspan="4" class="muted">The run produced no verdicts.</td></tr>';
  return `<table class="verdicts" data-testid="verdicts"><thead><tr><th>Invariant</th><th>Status</th><th>Summary</th><th>Evidence</th></tr></thead><tbody>${body}</tbody></table>`;
}

function figureValue(value: number, unit: 'ms' | 'count'): string {
  if (unit === 'count') return String(value);
  return value >= 1000 ? `${value} ms <span class="muted">(${h(formatDuration(value))})</span>` : `${value} ms`;
}

/** The run's figures (metrics.ts, as summary.json has them), those that apply; what each measures shows on hover. */
function figuresTable({ values }: ScenarioMetrics): string {
  const rows = METRIC_NAMES.flatMap((name) => {
    const value = values[name];
    if (value === undefined) return [];
    const { unit, description } = METRICS[name];
    return [
      `<tr${attrs({ 'data-metric': name, 'data-value': value, title: description })}><td><code>${h(name)}</code></td><td class="num">${figureValue(value, unit)}</td></tr>`,
    ];
  });
  if (rows.length === 0)
    return '<p class="muted" data-testid="figures-none">No figures: the history holds nothing they are measured from.</p>';
  return `<table class="figures" data-testid="figures"><thead><tr><th>Metric</th><th>Value</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function legend(timeline: Timeline): string {
  const item = (color: string, label: string): string => `<li><span class="swatch" style="background:${color}"></span>${h(label)}</li>`;
  const leaders = [...leaderColorIndex(timeline)].map(([name, i]) => item(LEADER_COLORS[i] ?? '#999', `etcd leader ${name}`));
  return [
    '<ul class="legend" data-testid="legend">',
    item('#22a05a', 'Ready=True'),
    item('#f0b429', 'Ready=Unknown'),
    item('#dc3545', 'Ready=False'),
    item('#6d4bc3', 'management role'),
    item('#c7ccd4', 'worker role'),
    item('#2f7fd8', 'promote running'),
    item('#0f8a7a', 'promote complete'),
    item('#b42318', 'promote failed'),
    item('#7c8594', 'promote unknown'),
    item('#9a6b2f', 'cordoned'),
    item('repeating-linear-gradient(45deg,#111827 0 1px,#fff 1px 4px)', 'deleting'),
    item('#ea580c', 'fault (band shaded across lanes)'),
    item('repeating-linear-gradient(-45deg,#c2410c 0 2px,#fff 2px 6px)', 'node under fault'),
    item('linear-gradient(90deg,#22a05a 0 2px,#fff 2px 8px,#dc3545 8px 10px,#fff 10px)', 'VIP op ok / failed'),
    item('rgba(220,53,69,.25)', 'API outage > 1s'),
    item('repeating-linear-gradient(45deg,#6b7280 0 2px,#fff 2px 6px)', 'observer blind (gap)'),
    item('#b42318', 'violation (numbered)'),
    ...leaders,
    '</ul>',
  ].join('');
}

function violationList(timeline: Timeline, id: string): string {
  if (timeline.violations.length === 0) return '<p class="muted" data-testid="violations-none">No failed verdicts.</p>';
  const items = timeline.violations.map(
    (v, i) =>
      `<li${attrs({ id: `${id}-ev-${v.event.seq}`, 'data-violation-item': i + 1, 'data-seq': v.event.seq, 'data-target': `${id}-violation-${i + 1}` })}><span class="vnum">${i + 1}</span><code>${h(v.description)}</code><span class="vinv">${h(v.invariants.join(', '))}</span></li>`,
  );
  return `<ol class="violations" data-testid="violations">${items.join('')}</ol>`;
}

function scenarioSection(result: ScenarioResult, metrics: ScenarioMetrics, id: string, options: HtmlReportOptions): string {
  const timeline = buildTimeline(result, options.outageThresholdMs);
  const log = progressLog(result.history);
  const description = result.scenario.description === undefined ? '' : `<p class="description">${h(result.scenario.description)}</p>`;
  return [
    `<section${attrs({ class: `scenario ${result.status}`, id, 'data-scenario': result.scenario.name, 'data-status': result.status })}>`,
    `<h2>${h(result.scenario.name)} ${badge(result.status)}</h2>`,
    description,
    result.knownBug === undefined ? '' : `<p class="known-bug" data-testid="known-bug">${h(result.knownBug)}</p>`,
    meta(result),
    '<h3>Verdicts</h3>',
    verdictTable(result, id),
    '<h3>Figures</h3>',
    figuresTable(metrics),
    '<h3>Timeline <span class="muted">(seconds from run start; hover for details)</span></h3>',
    `<div class="timeline-wrap">${renderTimelineSvg(timeline, `Timeline of ${result.scenario.name}`, `${id}-`)}</div>`,
    legend(timeline),
    `<h3>Violations${timeline.violations.length > 0 ? ` (${timeline.violations.length} events)` : ''}</h3>`,
    violationList(timeline, id),
    `<details><summary>Run log (${log.length} lines)</summary><pre>${h(log.join('\n'))}</pre></details>`,
    '</section>',
  ].join('\n');
}

export function renderHtmlReport(results: readonly ScenarioResult[], options: HtmlReportOptions = {}): string {
  const safe = results.map((r) => redactValue(r));
  const run = summarizeRun(safe);
  const ids = slugs(safe);
  const title = options.title ?? `cpchaos report: ${run.status} (${run.counts.scenarios} scenario${run.counts.scenarios === 1 ? '' : 's'})`;
  const counts = SCENARIO_STATUSES.filter((s) => run.counts[s] > 0 || ['fail', 'inconclusive', 'pass'].includes(s))
    .map((s) => `${run.counts[s]} ${BADGE_TEXT[s]}`)
    .join(', ');
  const generated = options.generatedAt === undefined ? '' : ` · generated ${h(options.generatedAt.toISOString())}`;
  return [
    ...pageHead(title, '', true),
    `<svg width="0" height="0" style="position:absolute" aria-hidden="true">${TIMELINE_DEFS}</svg>`,
    `<header><h1>cpchaos run report ${badge(run.status)}</h1><div class="muted">${run.counts.scenarios} scenario${run.counts.scenarios === 1 ? '' : 's'}: ${h(counts)}${generated}</div></header>`,
    options.matrix === undefined ? '' : matrixSection(options.matrix),
    runSummary(safe, ids),
    ...safe.map((r, i) => scenarioSection(r, (run.scenarios[i] as ScenarioSummary).metrics, ids[i] as string, options)),
    options.matrix === undefined
      ? "<footer>Each scenario's history is saved beside this page (history.json or &lt;scenario&gt;.history.json) and can be re-checked offline. Credentials are redacted.</footer>"
      : '<footer>matrix.md and matrix.json beside this page hold the same cells; run a scenario with cpchaos run to keep its history. Credentials are redacted.</footer>',
    `<script>${REPORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
