// `cpchaos trend DIR...`: many runs' summaries in time order as one HTML page of charts per scenario.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { findRunSummaries, readRunSummary } from '../report/summary-read.ts';
import { ReportInputError } from '../report/summary-read-problems.ts';
import { renderTrendHtml } from '../report/trend-html.ts';
import { buildTrend } from '../report/trend.ts';
import { UsageError, parseOptions } from './options.ts';

export const TREND_USAGE = `usage: cpchaos trend DIR... [--out FILE]
  DIR: a report folder, a summary.json file, or a folder of report folders (e.g. reports/)
  --out FILE   where to write the page (default trend.html)
`;

export async function trendCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    out: { type: 'string', default: 'trend.html' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    process.stdout.write(TREND_USAGE);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError(`cpchaos trend: name the runs' report folders or summary.json files\n\n${TREND_USAGE}`);
  const files = await findRunSummaries(positionals);
  const read = await Promise.allSettled(files.map((f) => readRunSummary(f)));
  const errors = read.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) {
    if (errors.every((e) => e instanceof ReportInputError)) throw new ReportInputError(errors.flatMap((e) => e.problems));
    throw errors[0];
  }
  const trend = buildTrend(read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  const out = values.out;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, renderTrendHtml(trend, { generatedAt: new Date() }), 'utf8');
  for (const file of trend.leftOut) process.stderr.write(`cpchaos trend: ${file}: no scenarios, left out\n`);
  process.stdout.write(`${trend.runs.length} runs, ${trend.scenarios.length} scenarios: ${out}\n`);
  return 0;
}
