// `cpchaos merge`: report folders of several machines (shards of one catalogue run) as one report. Each folder's
// results are rebuilt from its summary.json and history files — the scenario as reports know it (name, file, tags,
// description, known bug), the verdicts with their evidence looked up by seq, the status as the run judged it — and
// written again by writeRunReports, so a merged junit.xml, summary.json and index.html are exactly what one machine
// running every scenario would have written.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadHistory } from '../observe/history-io.ts';
import type { History, HistoryEvent } from '../observe/history.ts';
import type { Verdict } from '../oracles/verdict.ts';
import type { ScenarioResult } from './result.ts';
import type { RunSummary, ScenarioSummary } from './summary.ts';

/** One report folder's results, rebuilt from its summary and its history files. */
export async function resultsOfReport(dir: string, summary: RunSummary): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of summary.scenarios) {
    const history = scenario.history === undefined ? [] : await historyOf(join(dir, scenario.history));
    results.push(resultOf(scenario, history));
  }
  return results;
}

async function historyOf(file: string): Promise<History> {
  return loadHistory(await readFile(file, 'utf8'), file);
}

function resultOf(summary: ScenarioSummary, history: History): ScenarioResult {
  const bySeq = new Map<number, HistoryEvent>(history.map((event) => [event.seq, event]));
  const verdicts: Verdict[] = summary.verdicts.map((v) => ({
    invariant: v.invariant,
    status: v.status,
    summary: v.summary,
    // Evidence the history does not hold (a folder without its history file) is left out, not invented.
    evidence: v.evidenceSeqs.flatMap((seq) => bySeq.get(seq) ?? []),
    ...(v.details === undefined ? {} : { details: v.details }),
  }));
  const { knownBug } = summary;
  return {
    scenario: {
      name: summary.name,
      tags: summary.tags,
      ...(summary.description === undefined ? {} : { description: summary.description }),
      ...(knownBug === undefined ? {} : { knownBug: { url: knownBug.url, fails: knownBug.fails } }),
      source: { file: summary.file },
    },
    runId: summary.runId,
    seed: summary.seed,
    status: summary.status,
    ...(knownBug?.outcome === undefined ? {} : { knownBug: knownBug.outcome }),
    verdicts,
    history,
    startedAt: Date.parse(summary.startedAt),
    durationMs: summary.durationMs,
  };
}

/** Results of several folders in one list, ordered by when each scenario started (then by name). */
export function mergeResults(groups: readonly (readonly ScenarioResult[])[]): ScenarioResult[] {
  return groups
    .flat()
    .sort((a, b) => a.startedAt - b.startedAt || (a.scenario.name < b.scenario.name ? -1 : a.scenario.name > b.scenario.name ? 1 : 0));
}
