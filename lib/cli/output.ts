// What the CLI prints for results, and where it writes reports.
import type { ScenarioResult } from '../report/result.ts';
import { formatVerdictLine, newReportDir, writeRunReports } from '../report/index.ts';

export function resultLines(result: ScenarioResult): string[] {
  return [
    `   result: ${result.status.toUpperCase()} in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId || '-'}, seed ${result.seed})`,
    ...result.verdicts.map((verdict) => `     ${formatVerdictLine(verdict)}`),
  ];
}

/** Where a scenario's lines go: straight to stdout, or (scenarios in parallel) held and printed as one block. */
export class ScenarioOutput {
  private readonly held: string[] = [];
  constructor(private readonly hold: boolean) {}

  line(text: string): void {
    if (this.hold) this.held.push(text);
    else process.stdout.write(`${text}\n`);
  }

  flush(): void {
    if (this.held.length > 0) process.stdout.write(`${this.held.join('\n')}\n`);
    this.held.length = 0;
  }
}

/** Writes the run's reports (junit.xml, summary.json, history files, index.html); returns the folder. */
export async function writeReports(root: string, results: readonly ScenarioResult[]): Promise<string | undefined> {
  if (results.length === 0) return undefined;
  const dir = await newReportDir(root, results[0]?.runId ? { runId: results[0].runId } : {});
  const paths = await writeRunReports(dir, results);
  return paths.dir;
}
