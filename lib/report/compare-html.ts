// The comparison as one self-contained HTML page (inline style, nothing fetched, the report page's
// Content-Security-Policy): the verdict, the regressions, and every row, unchanged ones included.
import { CHANGE_LABEL, comparisonRows, verdictLine, type ComparisonRow } from './compare-rows.ts';
import type { RunComparison } from './compare.ts';
import { pageHead } from './html-assets.ts';
import { attrs, escapeText as h } from './xml.ts';

const COMPARE_CSS = `
tr.first td { border-top: 2px solid #d1d5db; }
td.change-regression { color: var(--fail); font-weight: 700; } td.change-worse { color: var(--inconclusive); }
td.change-better { color: var(--pass); } td.change-same { color: var(--muted); } td.change-added, td.change-removed { color: var(--error); }
ul.regressions li { color: var(--fail); }
.verdict { font-size: 15px; font-weight: 600; }
`;

function row(r: ComparisonRow): string {
  const change = r.change === undefined ? '' : CHANGE_LABEL[r.change];
  return [
    `<tr${attrs({ class: r.first ? 'first' : undefined, 'data-scenario': r.scenario, 'data-kind': r.kind, 'data-subject': r.subject, 'data-change': r.change })}>`,
    `<td>${r.first ? `<strong>${h(r.scenario)}</strong>` : ''}</td>`,
    `<td>${r.kind === 'note' ? `<em>${h(r.subject)}</em>` : `<code>${h(r.subject)}</code>`}</td>`,
    `<td>${h(r.base)}</td><td>${h(r.candidate)}</td>`,
    `<td${attrs({ class: r.change === undefined ? undefined : `change-${r.change}` })}>${h(change)}</td>`,
    `<td>${h(r.detail)}</td>`,
    '</tr>',
  ].join('');
}

export function renderComparisonHtml(c: RunComparison, options: { readonly generatedAt?: Date } = {}): string {
  const title = `cpchaos compare: ${c.regressions.length > 0 ? `${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}` : 'no regressions'}`;
  const regressions =
    c.regressions.length === 0
      ? ''
      : `<h3>Regressions</h3><ul class="regressions" data-testid="regressions">${c.regressions
          .map((r) => `<li${attrs({ 'data-scenario': r.scenario, 'data-kind': r.kind, 'data-subject': r.subject })}>${h(r.message)}</li>`)
          .join('')}</ul>`;
  const unused =
    c.unusedThresholds.length === 0
      ? ''
      : `<p class="muted">Thresholds not used (no metric of either run has the name): ${c.unusedThresholds.map((n) => `<code>${h(n)}</code>`).join(', ')}</p>`;
  const generated = options.generatedAt === undefined ? '' : ` · generated ${h(options.generatedAt.toISOString())}`;
  return [
    ...pageHead(title, COMPARE_CSS, false),
    `<header><h1>${h(title)}</h1><div class="muted">base <code>${h(c.base.file)}</code> (${c.base.runs} scenario runs) · candidate <code>${h(c.candidate.file)}</code> (${c.candidate.runs} scenario runs)${generated}</div></header>`,
    `<p class="verdict" data-testid="verdict">${h(verdictLine(c))}</p>`,
    regressions,
    '<table data-testid="comparison"><thead><tr><th>Scenario</th><th>What</th><th>Base</th><th>Candidate</th><th>Change</th><th>Detail</th></tr></thead>',
    `<tbody>${comparisonRows(c, { showUnchanged: true }).map(row).join('')}</tbody></table>`,
    unused,
    '<footer>Scenarios are matched by name. A regression: the scenario status or an invariant went from passing to failing or error, or a metric rose over its threshold. Several runs of a scenario are compared on their pass rates and metric medians.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
