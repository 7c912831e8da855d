// The comparison as GitHub-flavoured markdown, for a pull request comment: the verdict and the regressions first,
// then the table (unchanged invariants folded into one row per scenario).
import { CHANGE_LABEL, comparisonRows, verdictLine, type ComparisonRow } from './compare-rows.ts';
import type { RunComparison } from './compare.ts';

/** Text safe in a table cell: no pipes, no HTML tags (a `<` is escaped), no line breaks. */
export function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/[\r\n]+/g, ' ');
}

/** Inline code that cannot be closed early by a backtick in the text. */
function code(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ');
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

function row(r: ComparisonRow): string {
  const change = r.change === undefined ? '' : r.change === 'regression' ? `**${CHANGE_LABEL[r.change]}**` : CHANGE_LABEL[r.change];
  const what = r.kind === 'note' ? `_${markdownCell(r.subject)}_` : markdownCell(r.subject);
  const detail = r.kind === 'note' || r.detail === '' ? markdownCell(r.detail) || change : `${change}: ${markdownCell(r.detail)}`;
  return `| ${r.first ? `**${markdownCell(r.scenario)}**` : ''} | ${what} | ${markdownCell(r.base)} | ${markdownCell(r.candidate)} | ${detail} |`;
}

export function renderComparisonMarkdown(c: RunComparison): string {
  const title = c.regressions.length > 0 ? `${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}` : 'no regressions';
  const out = [
    `### cpchaos compare: ${title}`,
    '',
    `Base ${code(c.base.file)} (${c.base.runs} scenario runs), candidate ${code(c.candidate.file)} (${c.candidate.runs} scenario runs).`,
    '',
  ];
  if (c.regressions.length > 0) {
    out.push('**Regressions**', '', ...c.regressions.map((r) => `- ${markdownCell(r.message)}`), '');
  }
  const rows = comparisonRows(c);
  if (rows.length > 0) {
    out.push('| Scenario | What | Base | Candidate | Change |', '| --- | --- | --- | --- | --- |', ...rows.map(row), '');
  }
  if (c.unusedThresholds.length > 0) {
    out.push(`Thresholds not used (no metric of either run has the name): ${c.unusedThresholds.map(code).join(', ')}.`, '');
  }
  out.push(markdownCell(verdictLine(c)), '');
  return out.join('\n');
}
