// summary.json: per scenario its outcome, verdicts (evidence reduced to seqs: the events are in the history) and figures
// (metrics.ts); pass rates when a scenario ran more than once (pass-rates.ts).
import { SCENARIO_STATUSES, type ScenarioResult, type ScenarioStatus } from './result.ts';
import type { VerdictStatus } from '../oracles/verdict.ts';
import type { KnownBug } from '../scenario/types.ts';
import { scenarioMetrics, type ScenarioMetrics } from './metrics.ts';
import { anyRepeated, passRates, type PassRate } from './pass-rates.ts';

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
  /** The run's figures (lib/report/metrics.ts: METRICS says what each measures). */
  readonly metrics: ScenarioMetrics;
}

export interface RunSummary {
  readonly version: typeof SUMMARY_VERSION;
  /** Worst scenario status (SCENARIO_STATUSES order); 'pass' for an empty run. */
  readonly status: ScenarioStatus;
  readonly counts: Readonly<Record<ScenarioStatus, number>> & { readonly scenarios: number };
  /** The shards of a sharded run this report holds (one, or all of them once merged). */
  readonly shards?: readonly ShardInfo[];
  readonly scenarios: readonly ScenarioSummary[];
  /** When some scenario ran more than once (--repeat): pass rates per scenario and per invariant. */
  readonly passRates?: readonly PassRate[];
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
    metrics: scenarioMetrics(result.history),
  };
}

/** `historyFiles[i]` is the history file of `results[i]`. */
/** Which part of a sharded run a report is (`--shard i/n`); a merged report lists every shard it holds. */
export interface ShardInfo {
  readonly index: number;
  readonly count: number;
}

export function summarizeRun(
  results: readonly ScenarioResult[],
  historyFiles: readonly string[] = [],
  options: { readonly shards?: readonly ShardInfo[] } = {},
): RunSummary {
  const counts = { scenarios: results.length, pass: 0, fail: 0, inconclusive: 0, error: 0, xfail: 0, xpass: 0 };
  for (const r of results) counts[r.status] += 1;
  const status = SCENARIO_STATUSES.find((s) => counts[s] > 0) ?? 'pass';
  return {
    version: SUMMARY_VERSION,
    status,
    counts,
    ...(options.shards && options.shards.length > 0 ? { shards: options.shards } : {}),
    scenarios: results.map((r, i) => summarizeScenario(r, historyFiles[i])),
    ...(anyRepeated(results) ? { passRates: passRates(results) } : {}),
  };
}
