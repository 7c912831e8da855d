// What an exploration leaves in its --out folder besides the scenario files: explore.json (the summary, for tools),
// explore.md (the same for a person: the counts, the fault combinations, the coverage table of step kinds by target
// role, and the finding), and the reports of failing runs (report/ and schedule-<seed>.report/ as `cpchaos run`
// writes them: index.html, junit.xml, summary.json and the run's history).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRunReports } from '../report/json.ts';
import type { ScenarioResult } from '../report/result.ts';
import type { ExploreOutcome, ExploreSummary } from './explore.ts';

/** A run's full result (the default runner's), which reports can be written from; a test's fake runner gives less. */
export function isFullResult(outcome: ExploreOutcome): outcome is ScenarioResult {
  return 'history' in outcome && 'scenario' in outcome && 'runId' in outcome;
}

/** Writes the reports of one failing run into `dir`; false when the outcome has nothing to write them from. */
export async function writeFailingRunReport(dir: string, outcome: ExploreOutcome): Promise<boolean> {
  if (!isFullResult(outcome)) return false;
  await writeRunReports(dir, [outcome]);
  return true;
}

/** The coverage table as rows of cells: a header (step, then each target role), then a row per step kind. */
export function coverageRows(coverage: ExploreSummary['coverage']): string[][] {
  const roles = [...new Set(Object.values(coverage).flatMap((row) => Object.keys(row)))].sort();
  const rows = Object.entries(coverage)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, row]) => [kind, ...roles.map((role) => String(row[role] ?? ''))]);
  return [['step', ...roles], ...rows];
}

/** The table for a terminal: columns padded, the first left-aligned. */
export function coverageLines(coverage: ExploreSummary['coverage']): string[] {
  return coverageRows(coverage).map((row) => `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(12) : cell.padStart(14))).join(' ')}`);
}

function markdownTable(rows: readonly string[][]): string[] {
  const [header = [], ...body] = rows;
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...body.map((row) => `| ${row.join(' | ')} |`)];
}

export function exploreMarkdown(summary: ExploreSummary): string {
  const report = summary.finding?.minimalReport;
  const lines = [
    `# cpchaos explore --seed ${summary.seed}`,
    '',
    `${summary.schedulesTried} schedules, ${summary.runs} runs, ${summary.unjudged} not judged (error or inconclusive).`,
    '',
    summary.finding
      ? `**Violation: ${summary.finding.invariant}**: ${summary.finding.summary}. Found with schedule ${summary.finding.scheduleSeed}; ` +
        `minimal scenario \`${summary.finding.minimalFile}\` (${summary.finding.minimal.steps.length} steps, ${summary.finding.shrinkRuns} candidates run)` +
        (report ? `; its failing run: \`${report}/index.html\`.` : '.')
      : 'No violation found.',
    '',
    ...(summary.unconfirmed.length > 0
      ? [
          'Seen once and not confirmed by the re-runs (flaky?):',
          '',
          ...summary.unconfirmed.map((u) => `- schedule ${u.scheduleSeed}: ${u.invariant}`),
          '',
        ]
      : []),
    `## Fault combinations covered (${summary.faultCombinations.length})`,
    '',
    ...summary.faultCombinations.map((combination) => `- ${combination}`),
    '',
    '## Coverage: steps by target role',
    '',
    ...markdownTable(coverageRows(summary.coverage)),
    '',
  ];
  return lines.join('\n');
}

/** Writes explore.json and explore.md into the out folder. */
export async function writeExploreSummary(outDir: string, summary: ExploreSummary): Promise<void> {
  await writeFile(join(outDir, 'explore.json'), JSON.stringify(summary, null, 2) + '\n', 'utf8');
  await writeFile(join(outDir, 'explore.md'), exploreMarkdown(summary), 'utf8');
}
