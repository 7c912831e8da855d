// The policy matrix as a section of index.html (cpchaos matrix): a row per scenario, a column per policy, each cell
// the phrases matrix.md and the terminal show (cellPhrases), so the page formats no number of its own.
import { cellOf, cellPhrases, type Matrix } from './matrix.ts';
import { attrs, escapeText as h } from './xml.ts';

function cellHtml(matrix: Matrix, policy: string, scenario: string): string {
  const cell = cellOf(matrix, policy, scenario);
  if (!cell) return `<td${attrs({ 'data-policy': policy, 'data-status': 'not-run' })} class="muted">not run</td>`;
  const [verdict, ...rest] = cellPhrases(cell);
  const marked = cell.status === 'pass' ? 'matrix-pass' : 'matrix-fail';
  return [
    `<td${attrs({ class: `matrix-cell ${marked}`, 'data-policy': policy, 'data-status': cell.status })}>`,
    `<span class="badge ${cell.status}">${h(cell.status)}</span> ${h((verdict ?? '').slice(cell.status.length).trim())}`,
    rest.map((phrase) => `<div>${h(phrase)}</div>`).join(''),
    '</td>',
  ].join('');
}

/** The section; `matrix.md` and `matrix.json` beside the page hold the same cells. */
export function matrixSection(matrix: Matrix): string {
  const head = matrix.policies.map((p) => `<th${attrs({ 'data-policy': p })}>${h(p)}</th>`).join('');
  const rows = matrix.scenarios.map(
    (scenario) =>
      `<tr${attrs({ 'data-scenario': scenario })}><td><code>${h(scenario)}</code></td>${matrix.policies.map((p) => cellHtml(matrix, p, scenario)).join('')}</tr>`,
  );
  return [
    '<section id="matrix" data-testid="policy-matrix"><h3>Promotion policies <span class="muted">(scenario x policy: verdict, promotions, promotion latency, longest write outage)</span></h3>',
    `<table class="matrix"><thead><tr><th>Scenario</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`,
  ].join('');
}
