// summary.json: per scenario its outcome and verdicts, with evidence reduced to seqs (the events are in the history).
import type { ScenarioResult } from './result.ts';
import type { VerdictStatus } from '../oracles/verdict.ts';

export const SUMMARY_VERSION = 1;

export interface VerdictSummary {
  readonly invariant: string;
  readonly status: VerdictStatus;
  readonly summary: string;
  /** Seqs of the evidence events, to look up in the scenario's history file. */
  readonly evidenceSeqs: readonly number[];
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface ScenarioSummary {
  readonly name: string;
  readonly file: string;
  readonly status: VerdictStatus;
  readonly seed: string;
  readonly runId: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  /** The history file, relative to the report directory. */
  readonly history?: string;
  readonly verdicts: readonly VerdictSummary[];
}

export interface RunSummary {
  readonly version: typeof SUMMARY_VERSION;
  /** Worst scenario status; 'pass' for an empty run. */
  readonly status: VerdictStatus;
  readonly counts: Readonly<Record<VerdictStatus, number>> & { readonly scenarios: number };
  readonly scenarios: readonly ScenarioSummary[];
}

export function summarizeScenario(result: ScenarioResult, historyFile?: string): ScenarioSummary {
  return {
    name: result.scenario.name,
    file: result.scenario.source.file,
    status: result.status,
    seed: result.seed,
    runId: result.runId,
    startedAt: new Date(result.startedAt).toISOString(),
    durationMs: result.durationMs,
    ...(historyFile === undefined ? {} : { history: historyFile }),
    verdicts: result.verdicts.map((v) => ({
      invariant: v.invariant,
      status: v.status,
      summary: v.summary,
      evidenceSeqs: v.evidence.map((e) => e.seq),
      ...(v.details === undefined ? {} : { details: v.details }),
    })),
  };
}

/** `historyFiles[i]` is the history file of `results[i]`. */
export function summarizeRun(results: readonly ScenarioResult[], historyFiles: readonly string[] = []): RunSummary {
  const counts = { scenarios: results.length, pass: 0, fail: 0, inconclusive: 0 };
  for (const r of results) counts[r.status] += 1;
  const status: VerdictStatus = counts.fail > 0 ? 'fail' : counts.inconclusive > 0 ? 'inconclusive' : 'pass';
  return { version: SUMMARY_VERSION, status, counts, scenarios: results.map((r, i) => summarizeScenario(r, historyFiles[i])) };
}
