// `cpchaos compare BASE CANDIDATE`: did the candidate run get worse than the base? Prints the comparison table;
// exit 1 on a regression, 0 otherwise, 2 on bad input (a summary or thresholds file that cannot be used).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderComparisonHtml } from '../report/compare-html.ts';
import { renderComparisonMarkdown } from '../report/compare-markdown.ts';
import { renderComparisonText } from '../report/compare-text.ts';
import { DEFAULT_THRESHOLDS, mergeThresholds, readThresholdsFile, thresholdsFromFlags } from '../report/compare-thresholds.ts';
import { compareRuns } from '../report/compare.ts';
import { readRunSummary, type RunSummaryFile } from '../report/summary-read.ts';
import { ReportInputError } from '../report/summary-read-problems.ts';
import { UsageError, parseOptions } from './options.ts';

export const COMPARE_USAGE = `usage: cpchaos compare BASE CANDIDATE [--threshold METRIC=+N|METRIC=+N%]... [--thresholds FILE]
                       [--markdown FILE] [--html FILE]
  BASE, CANDIDATE: report folders (reports/<time>-<run id>/) or summary.json files
  --threshold METRIC=+N    a regression when METRIC rises by more than N (its unit) from base to candidate
  --threshold METRIC=+N%   ... by more than N percent of the base; METRIC * applies to every metric without its own
  --thresholds FILE        thresholds from a YAML or JSON file (METRIC: +N | "+N%" | {maxIncrease, maxIncreasePct});
                           --threshold flags win over the file
  --markdown FILE, --html FILE
                           also write the comparison as markdown (for a pull request comment) or an HTML page
  With no threshold, metrics are shown but never a regression. Exit 1 on a regression, 2 on bad input.
`;

async function writeOutput(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
}

/** Both summaries; when both are bad, every problem of both is reported at once. */
async function readBoth(basePath: string, candidatePath: string): Promise<[RunSummaryFile, RunSummaryFile]> {
  const [base, candidate] = await Promise.allSettled([readRunSummary(basePath), readRunSummary(candidatePath)]);
  if (base.status === 'fulfilled' && candidate.status === 'fulfilled') return [base.value, candidate.value];
  const errors = [base, candidate].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.every((e) => e instanceof ReportInputError)) throw new ReportInputError(errors.flatMap((e) => e.problems));
  throw errors[0];
}

export async function compareCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    threshold: { type: 'string', multiple: true },
    thresholds: { type: 'string' },
    markdown: { type: 'string' },
    html: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    process.stdout.write(COMPARE_USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    throw new UsageError(`cpchaos compare: name two runs, BASE and CANDIDATE (got ${positionals.length})\n\n${COMPARE_USAGE}`);
  }
  const [basePath, candidatePath] = positionals as [string, string];
  const fromFlags = thresholdsFromFlags(values.threshold ?? []);
  const fromFile = values.thresholds === undefined ? {} : await readThresholdsFile(values.thresholds);
  const thresholds = mergeThresholds(DEFAULT_THRESHOLDS, fromFile, fromFlags);
  const [base, candidate] = await readBoth(basePath, candidatePath);
  const comparison = compareRuns(base, candidate, thresholds);
  process.stdout.write(renderComparisonText(comparison));
  if (values.markdown !== undefined) {
    await writeOutput(values.markdown, renderComparisonMarkdown(comparison));
    process.stdout.write(`markdown: ${values.markdown}\n`);
  }
  if (values.html !== undefined) {
    await writeOutput(values.html, renderComparisonHtml(comparison, { generatedAt: new Date() }));
    process.stdout.write(`html: ${values.html}\n`);
  }
  return comparison.regressions.length > 0 ? 1 : 0;
}
