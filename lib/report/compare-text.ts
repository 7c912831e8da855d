// The comparison as a plain-text table for the terminal, then the regressions, one line each.
import { CHANGE_LABEL, comparisonRows, verdictLine, type ComparisonRow } from './compare-rows.ts';
import type { RunComparison } from './compare.ts';

const HEADER = ['SCENARIO', 'WHAT', 'BASE', 'CANDIDATE', 'CHANGE'] as const;

function cells(row: ComparisonRow): string[] {
  const change = row.change === undefined ? '' : CHANGE_LABEL[row.change];
  const tail = row.kind === 'note' ? `(${row.detail})` : row.detail === '' ? change : `${change}: ${row.detail}`;
  return [row.first ? row.scenario : '', row.kind === 'note' ? `(${row.subject})` : row.subject, row.base, row.candidate, tail];
}

function table(lines: readonly string[][]): string[] {
  const widths = HEADER.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines.map((l) =>
    l
      .map((cell, i) => (i === l.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function renderComparisonText(c: RunComparison): string {
  const out = [
    `base:      ${c.base.file} (${c.base.runs} scenario ${c.base.runs === 1 ? 'run' : 'runs'})`,
    `candidate: ${c.candidate.file} (${c.candidate.runs} scenario ${c.candidate.runs === 1 ? 'run' : 'runs'})`,
    '',
  ];
  const rows = comparisonRows(c);
  if (rows.length === 0) out.push('Neither run has scenarios.');
  else out.push(...table([[...HEADER], ...rows.map(cells)]));
  out.push('');
  if (c.unusedThresholds.length > 0) {
    out.push(`note: no metric of either run is named ${c.unusedThresholds.join(', ')}: those thresholds were not used`);
  }
  if (c.regressions.length > 0) {
    out.push('Regressions:', ...c.regressions.map((r) => `  ${r.message}`));
  }
  out.push(verdictLine(c));
  return `${out.join('\n')}\n`;
}
