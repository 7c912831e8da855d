import { expect } from 'chai';
import { renderHtmlReport } from './html.ts';
import { matrixSection } from './html-matrix.ts';
import { buildMatrix, describeCell, type MatrixCell } from './matrix.ts';
import { sampleResult } from './testing/sample-run.ts';

const CELLS: MatrixCell[] = [
  { policy: 'reference', scenario: 'cut', status: 'fail', failed: ['management-count', 'expect'], promotions: ['w0 (running)'] },
  {
    policy: 'precheck',
    scenario: 'cut',
    status: 'pass',
    failed: [],
    promotions: ['w1'],
    promotionLatencyMs: 1900,
    longestWriteOutageMs: 0,
  },
  { policy: 'reference', scenario: 'flap<x>', status: 'pass', failed: [], promotions: [], longestWriteOutageMs: 1250 },
];

/** The text of the table cell of one policy in one scenario's row. */
function cellText(html: string, scenario: string, policy: string): { attributes: string; text: string } {
  const row = new RegExp(`<tr data-scenario="${scenario}">(.*?)</tr>`).exec(html)?.[1] ?? '';
  const match = new RegExp(`<td([^>]*data-policy="${policy}"[^>]*)>(.*?)</td>`).exec(row);
  return {
    attributes: match?.[1] ?? '',
    text: (match?.[2] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  };
}

describe('report/html-matrix: the policy matrix in index.html', () => {
  const matrix = buildMatrix(['reference', 'precheck'], CELLS);
  const section = matrixSection(matrix);

  it('names each policy and each scenario (escaped), with the phrases matrix.md has', () => {
    expect(section).to.match(/<th data-policy="reference">reference<\/th><th data-policy="precheck">precheck<\/th>/);
    expect(section).to.include('<tr data-scenario="cut">').and.include('<code>flap&lt;x&gt;</code>');
    expect(cellText(section, 'cut', 'precheck').text).to.equal('pass promoted w1 promotion 1.9 s longest write outage 0.0 s');
    expect(describeCell(CELLS[1])).to.equal('pass; promoted w1; promotion 1.9 s; longest write outage 0.0 s');
    expect(cellText(section, 'cut', 'reference').text).to.equal(
      'fail (management-count, expect) promoted w0 (running) longest write outage -',
    );
  });

  it('marks a failing cell, and a cell that did not run', () => {
    expect(cellText(section, 'cut', 'reference').attributes)
      .to.include('matrix-fail')
      .and.include('data-status="fail"');
    expect(cellText(section, 'cut', 'precheck').attributes).to.include('matrix-pass');
    expect(cellText(section, 'flap&lt;x&gt;', 'precheck')).to.deep.equal({
      attributes: ' data-policy="precheck" data-status="not-run" class="muted"',
      text: 'not run',
    });
  });

  it('is a section of the page only when the page is a matrix, above the scenarios', () => {
    expect(renderHtmlReport([sampleResult()])).not.to.include('data-testid="policy-matrix"');
    const page = renderHtmlReport([sampleResult()], { matrix });
    expect(page.indexOf('data-testid="policy-matrix"')).to.be.greaterThan(0).and.lessThan(page.indexOf('data-testid="run-summary"'));
    expect(page).to.include('matrix.md and matrix.json beside this page');
  });
});
