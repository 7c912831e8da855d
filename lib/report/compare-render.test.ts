import { expect } from 'chai';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderComparisonHtml } from './compare-html.ts';
import { renderComparisonMarkdown } from './compare-markdown.ts';
import { renderComparisonText } from './compare-text.ts';
import { summaryOf } from './compare.testing.ts';
import { compareRuns, type RunComparison } from './compare.ts';
import { readRunSummary } from './summary-read.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/summaries/', import.meta.url));

describe('comparison renderers', () => {
  let c: RunComparison;
  before(async () => {
    const base = await readRunSummary(join(FIXTURES, 'base'));
    const candidate = await readRunSummary(join(FIXTURES, 'verdict-fails'));
    c = compareRuns(
      { ...base, file: 'base/summary.json' },
      { ...candidate, file: 'verdict-fails/summary.json' },
      {
        longestWriteOutageMs: { maxIncrease: 500 },
        promotionLatencyMs: { maxIncreasePct: 20 },
      },
    );
  });

  it('terminal: a table of changed verdicts and every metric, then the regressions', () => {
    const lines = renderComparisonText(c).split('\n');
    expect(lines.slice(0, 2)).to.deep.equal([
      'base:      base/summary.json (3 scenario runs)',
      'candidate: verdict-fails/summary.json (3 scenario runs)',
    ]);
    const columns = (line: string | undefined): string[] => (line ?? '').split(/\s{2,}/);
    expect(columns(lines[3])).to.deep.equal(['SCENARIO', 'WHAT', 'BASE', 'CANDIDATE', 'CHANGE']);
    expect(columns(lines[4])).to.deep.equal(['kill-cp-no-promotion', 'status', 'pass', 'fail', 'REGRESSION']);
    expect(columns(lines[5])).to.deep.equal(['', 'quorum-survives', 'pass', 'fail', 'REGRESSION']);
    expect(columns(lines[6])).to.deep.equal(['', '(3 invariants unchanged)', '(no-lost-writes, management-count, steps)']);
    expect(lines).to.include.members([
      `${''.padEnd(41)}longestWriteOutageMs      1200 ms   4300 ms    REGRESSION: +3100 ms (+258.3%), threshold +500`,
      `${''.padEnd(41)}recorderGapCount          0         1          worse: +1 (from 0)`,
    ]);
    expect(lines.slice(-6)).to.deep.equal([
      'Regressions:',
      '  kill-cp-no-promotion: scenario pass -> fail',
      '  kill-cp-no-promotion: invariant quorum-survives pass -> fail',
      '  kill-cp-no-promotion: metric longestWriteOutageMs 1200 ms -> 4300 ms, +3100 ms (+258.3%): over its threshold +500',
      '3 regressions in 1 scenario (3 scenarios compared).',
      '',
    ]);
  });

  it('markdown: the regressions first, then a table; cells cannot break the table', () => {
    const md = renderComparisonMarkdown(c);
    expect(md.split('\n').slice(0, 8)).to.deep.equal([
      '### cpchaos compare: 3 regressions',
      '',
      'Base `base/summary.json` (3 scenario runs), candidate `verdict-fails/summary.json` (3 scenario runs).',
      '',
      '**Regressions**',
      '',
      '- kill-cp-no-promotion: scenario pass -> fail',
      '- kill-cp-no-promotion: invariant quorum-survives pass -> fail',
    ]);
    expect(md).to.contain('| **kill-cp-no-promotion** | status | pass | fail | **REGRESSION** |');
    expect(md).to.contain('|  | promotionLatencyMs | 41000 ms | 41000 ms | same: threshold +20% |');
    const odd = compareRuns(
      summaryOf('a|b.json', [{ name: 'x|y<script>', verdicts: { 'a|b': 'pass' } }]),
      summaryOf('c.json', [{ name: 'x|y<script>', verdicts: { 'a|b': 'fail' } }]),
    );
    const oddMd = renderComparisonMarkdown(odd);
    expect(oddMd).to.contain('| **x\\|y&lt;script>** | status | pass | pass | same |');
    expect(oddMd).to.contain('|  | a\\|b | pass | fail | **REGRESSION** |');
    for (const line of oddMd.split('\n').filter((l) => l.startsWith('|'))) expect(line.replace(/\\\|/g, '').split('|')).to.have.length(7);
  });

  it('html: one self-contained page with every row, the regressions and the verdict', () => {
    const html = renderComparisonHtml(c);
    expect(html).to.match(/^<!doctype html>\n<html lang="en">/);
    expect(html).to.contain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.to.match(/https?:\/\/|<link\b|\bsrc="/);
    expect(html).to.contain('<p class="verdict" data-testid="verdict">3 regressions in 1 scenario (3 scenarios compared).</p>');
    const rows = [...html.matchAll(/<tr[^>]* data-scenario="([^"]+)" data-kind="(\w+)" data-subject="([^"]+)" data-change="(\w+)">/g)];
    expect(rows.filter((m) => m[4] === 'regression').map((m) => [m[1], m[2], m[3]])).to.deep.equal([
      ['kill-cp-no-promotion', 'status', 'status'],
      ['kill-cp-no-promotion', 'invariant', 'quorum-survives'],
      ['kill-cp-no-promotion', 'metric', 'longestWriteOutageMs'],
    ]);
    // Unchanged invariants are rows too: 3 scenarios' statuses, 10 invariants, 11 metrics.
    expect(rows).to.have.length(3 + 10 + 11);
    expect([...html.matchAll(/<li data-scenario="[^"]+" data-kind="(\w+)" data-subject="([^"]+)">/g)].map((m) => m[2])).to.deep.equal([
      'status',
      'quorum-survives',
      'longestWriteOutageMs',
    ]);
  });
});
