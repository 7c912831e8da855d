// What the CLI prints for results, and where it writes reports.
import type { ScenarioResult } from '../report/result.ts';
import { formatVerdictLine, newReportDir, writeRunReports } from '../report/index.ts';

export function resultLines(result: ScenarioResult): string[] {
  return [
    `   result: ${result.status.toUpperCase()} in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId || '-'}, seed ${result.seed})`,
    ...result.verdicts.map((verdict) => `     ${formatVerdictLine(verdict)}`),
  ];
}

/** Writes the run's reports (junit.xml, summary.json, history files, index.html); returns the folder. */
export async function writeReports(root: string, results: readonly ScenarioResult[]): Promise<string | undefined> {
  if (results.length === 0) return undefined;
  const dir = await newReportDir(root, results[0]?.runId ? { runId: results[0].runId } : {});
  const paths = await writeRunReports(dir, results);
  return paths.dir;
}
