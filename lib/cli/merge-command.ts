// `cpchaos merge DIR... [--reports OUT] [--allow-xpass]`: report folders of several machines (the shards of one
// catalogue run) as one report: junit.xml, summary.json, the histories and index.html, written as one run would have
// written them. Exits as `cpchaos run` would have on the merged results (0, 1 on a failure or a known bug that did
// not reproduce, 2 on an error), and 2 when a shard of a sharded run is missing.
import { mergeResults, resultsOfReport } from '../report/merge.ts';
import { mergedShards, readReportToMerge } from '../report/merge-read.ts';
import { suiteExitCode } from '../report/result.ts';
import { findRunSummaries } from '../report/summary-read.ts';
import { UsageError, parseOptions } from './options.ts';
import { countsLine, writeReports } from './output.ts';

const MERGE_OPTIONS = {
  reports: { type: 'string', default: 'reports' },
  'allow-xpass': { type: 'boolean', default: false },
} as const;

export async function mergeCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, MERGE_OPTIONS);
  if (positionals.length === 0) throw new UsageError('cpchaos merge: name the report folders to merge (or folders of report folders)');
  const reports = [];
  for (const path of await findRunSummaries(positionals)) reports.push(await readReportToMerge(path));
  const shards = mergedShards(reports);
  const groups = [];
  for (const report of reports) groups.push(await resultsOfReport(report.dir, report.summary));
  const results = mergeResults(groups);
  const allowXpass = values['allow-xpass'] === true;
  const dir = await writeReports(values.reports ?? 'reports', results, { allowXpass, ...(shards.length > 0 ? { shards } : {}) });
  const from = shards.length > 0 ? `shards 1-${shards.length} of ${shards.length}` : `${reports.length} report folder(s)`;
  process.stdout.write(`merged ${results.length} scenario run(s) from ${from}\n`);
  if (dir) process.stdout.write(`report: ${dir}/index.html (junit.xml, summary.json and history files beside it)\n`);
  process.stdout.write(`${countsLine(results)}\n`);
  return suiteExitCode(
    results.map((r) => r.status),
    { allowXpass },
  );
}
