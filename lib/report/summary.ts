// summary.json: per scenario its outcome and verdicts, with evidence reduced to seqs (the events are in the history).
import { SCENARIO_STATUSES, type ScenarioResult, type ScenarioStatus } from './result.ts';
import type { VerdictStatus } from '../oracles/verdict.ts';
import type { KnownBug } from '../scenario/types.ts';

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
  readonly status: ScenarioStatus;
  readonly tags: readonly string[];
  readonly description?: string;
  /** A known-bug scenario: its bug (url, the verdicts it makes fail) and how the run compares with it. */
  readonly knownBug?: KnownBug & { readonly outcome?: string };
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
  /** Worst scenario status (SCENARIO_STATUSES order); 'pass' for an empty run. */
  readonly status: ScenarioStatus;
  readonly counts: Readonly<Record<ScenarioStatus, number>> & { readonly scenarios: number };
  readonly scenarios: readonly ScenarioSummary[];
}

export function summarizeScenario(result: ScenarioResult, historyFile?: string): ScenarioSummary {
  return {
    name: result.scenario.name,
    file: result.scenario.source.file,
    status: result.status,
    tags: result.scenario.tags,
    ...(result.scenario.description === undefined ? {} : { description: result.scenario.description }),
    ...(result.scenario.knownBug === undefined
      ? {}
      : { knownBug: { ...result.scenario.knownBug, ...(result.knownBug === undefined ? {} : { outcome: result.knownBug }) } }),
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
  const counts = { scenarios: results.length, pass: 0, fail: 0, inconclusive: 0, error: 0, xfail: 0, xpass: 0 };
  for (const r of results) counts[r.status] += 1;
  const status = SCENARIO_STATUSES.find((s) => counts[s] > 0) ?? 'pass';
  return { version: SUMMARY_VERSION, status, counts, scenarios: results.map((r, i) => summarizeScenario(r, historyFiles[i])) };
}
