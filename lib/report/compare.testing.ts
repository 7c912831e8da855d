// Run summaries built by hand for the compare and trend tests, in summary.json's shape and read back through
// parseRunSummary, so every test summary passes the same checks as a file.
import type { ScenarioStatus } from './result.ts';
import { parseRunSummary, type RunSummaryFile } from './summary-read.ts';

export interface ScenarioSpec {
  readonly name: string;
  readonly status?: ScenarioStatus;
  /** Invariant -> status. */
  readonly verdicts?: Readonly<Record<string, string>>;
  readonly metrics?: Readonly<Record<string, number | null>>;
  readonly startedAt?: string;
}

export function summaryDocument(scenarios: readonly ScenarioSpec[]): Record<string, unknown> {
  return {
    version: 1,
    status: 'pass',
    counts: { scenarios: scenarios.length },
    scenarios: scenarios.map((s, i) => ({
      name: s.name,
      file: `suites/${s.name}.yaml`,
      status: s.status ?? 'pass',
      seed: 'abc123',
      runId: `run${i}`,
      startedAt: s.startedAt ?? new Date(Date.UTC(2026, 11, 1, 2, i)).toISOString(),
      durationMs: 60_000,
      verdicts: Object.entries(s.verdicts ?? {}).map(([invariant, status]) => ({
        invariant,
        status,
        summary: `${invariant} ${status}`,
        evidenceSeqs: [],
      })),
      ...(s.metrics === undefined ? {} : { metrics: { values: s.metrics } }),
    })),
  };
}

export function summaryOf(file: string, scenarios: readonly ScenarioSpec[]): RunSummaryFile {
  return parseRunSummary(JSON.stringify(summaryDocument(scenarios), null, 2), file);
}
