// What the CLI prints for results, and where it writes reports.
import type { ScenarioResult } from '../report/result.ts';
import type { ShardInfo } from '../report/summary.ts';
import { formatVerdictLine, newReportDir, STATUS_LABEL, writeRunReports } from '../report/index.ts';

export function resultLines(result: ScenarioResult): string[] {
  return [
    `   result: ${STATUS_LABEL[result.status]} in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId || '-'}, seed ${result.seed})`,
    ...(result.knownBug ? [`   ${result.knownBug}`] : []),
    ...result.verdicts.map((verdict) => `     ${formatVerdictLine(verdict)}`),
  ];
}

/** `3 passed, 1 failed, ...`: each status that occurred, in order of concern. */
export function countsLine(results: readonly ScenarioResult[]): string {
  const words: Record<ScenarioResult['status'], string> = {
    pass: 'passed',
    fail: 'failed',
    inconclusive: 'inconclusive',
    error: 'errored (harness or environment)',
    xfail: 'known bug(s) reproduced',
    xpass: 'known bug(s) not reproduced (fixed?)',
  };
  const counts = new Map<ScenarioResult['status'], number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const always = ['pass', 'fail', 'inconclusive'] as const;
  const shown = (['pass', 'fail', 'inconclusive', 'error', 'xfail', 'xpass'] as const).filter(
    (s) => (always as readonly string[]).includes(s) || counts.has(s),
  );
  return shown.map((s) => `${counts.get(s) ?? 0} ${words[s]}`).join(', ');
}

/** Writes the run's reports (junit.xml, summary.json, history files, index.html); returns the folder. */
export async function writeReports(
  root: string,
  results: readonly ScenarioResult[],
  options: { readonly allowXpass?: boolean; readonly shards?: readonly ShardInfo[] } = {},
): Promise<string | undefined> {
  // A shard with nothing to run still writes its (empty) report: a merge checks that every shard is there.
  if (results.length === 0 && !options.shards) return undefined;
  const dir = await newReportDir(root, results[0]?.runId ? { runId: results[0].runId } : {});
  const paths = await writeRunReports(dir, results, options);
  return paths.dir;
}
