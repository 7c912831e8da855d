// What the CLI prints for results, and where it writes reports.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenario/runner.ts';
import { serializeHistory } from '../observe/history.ts';

export function printResult(result: ScenarioResult): void {
  process.stdout.write(`   result: ${result.status.toUpperCase()} in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId || '-'}, seed ${result.seed})\n`);
  for (const verdict of result.verdicts) {
    process.stdout.write(`     ${verdict.status.padEnd(12)} ${verdict.invariant}: ${verdict.summary}\n`);
  }
}

/** Writes the run's reports; returns the folder. */
export function writeReports(root: string, results: readonly ScenarioResult[]): string | undefined {
  if (results.length === 0) return undefined;
  const stamp = new Date(results[0]?.startedAt ?? Date.now()).toISOString().replace(/[:.]/g, '-');
  const dir = join(root, `${stamp}-${results[0]?.runId || 'run'}`);
  mkdirSync(dir, { recursive: true });
  for (const result of results) writeFileSync(join(dir, `${result.scenario.name}.history.json`), serializeHistory(result.history));
  writeFileSync(
    join(dir, 'summary.json'),
    JSON.stringify(results.map((r) => ({ scenario: r.scenario.name, status: r.status, seed: r.seed, runId: r.runId, durationMs: r.durationMs, verdicts: r.verdicts.map((v) => ({ invariant: v.invariant, status: v.status, summary: v.summary, evidence: v.evidence.map((e) => e.seq) })) })), null, 2),
  );
  return dir;
}
