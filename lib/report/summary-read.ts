// Reading a run's summary.json back (written by writeRunReports, shape in summary.ts) for `cpchaos compare` and
// `cpchaos trend`. Only what those read is checked; other fields are allowed and ignored, so a summary written by a
// newer cpchaos of the same version still reads. Every problem names the file, its line and column, the field path
// and what was expected (ReportInputError, a SetupError: exit 2).
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { Infer } from '../observe/history-schema.ts';
import { SCENARIO_STATUSES, type ScenarioStatus } from './result.ts';
import { SUMMARY_VERSION } from './summary.ts';
import { fileError, inputIssueMessage, ReportInputError, zodInputProblems } from './summary-read-problems.ts';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: 'expected an ISO 8601 time (2025-06-01T00:00:00.000Z)' });

const summaryVerdict = z.object({
  invariant: z.string().min(1),
  status: z.enum(['pass', 'fail', 'inconclusive', 'error']),
  summary: z.string(),
});

const summaryScenario = z.object({
  name: z.string().min(1),
  file: z.string(),
  status: z.enum(SCENARIO_STATUSES as unknown as [ScenarioStatus, ...ScenarioStatus[]]),
  seed: z.string(),
  runId: z.string(),
  startedAt: isoTime,
  durationMs: z.number().nonnegative(),
  verdicts: z.array(summaryVerdict),
  /** Scalar figures of the run (lower is better); a metric that does not apply is absent (or null). */
  metrics: z.object({ values: z.record(z.string(), z.number().nullable()) }).optional(),
});

const runSummaryDocument = z.object({
  version: z.literal(SUMMARY_VERSION, {
    error: (issue) =>
      `found ${JSON.stringify(issue.input) ?? 'nothing'}; expected ${SUMMARY_VERSION} (this cpchaos reads summary.json version ${SUMMARY_VERSION})`,
  }),
  scenarios: z.array(summaryScenario),
});

export type SummaryVerdict = Infer<typeof summaryVerdict>;

/** One scenario run as summary.json has it, with its metrics flattened to the measured ones. */
export interface SummaryScenarioRun extends Omit<Infer<typeof summaryScenario>, 'metrics'> {
  readonly startedAtMs: number;
  /** Metric name -> value; only the metrics the run measured. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface RunSummaryFile {
  /** The summary.json path read. */
  readonly file: string;
  readonly scenarios: readonly SummaryScenarioRun[];
}

/**
 * Where JSON.parse stopped: its message says ("... at position 12") for some errors; for the others the YAML parser
 * (JSON is YAML) is asked where the text breaks; 0:0 when neither can tell.
 */
function jsonErrorPosition(text: string, error: unknown): { line: number; column: number } {
  const match = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  const lineCounter = new LineCounter();
  const offset = match === null ? parseDocument(text, { lineCounter }).errors[0]?.pos[0] : Number(match[1]);
  if (offset === undefined) return { line: 0, column: 0 };
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}

/** Parses and checks the text of a summary.json; `file` names it in errors. */
export function parseRunSummary(text: string, file: string): RunSummaryFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = `not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    throw new ReportInputError([{ file, ...jsonErrorPosition(text, error), path: '', message }], { cause: error });
  }
  const parsed = runSummaryDocument.safeParse(raw, { error: inputIssueMessage });
  if (!parsed.success) throw new ReportInputError(zodInputProblems(parsed.error, file, text));
  return {
    file,
    scenarios: parsed.data.scenarios.map(({ metrics, ...scenario }) => ({
      ...scenario,
      startedAtMs: Date.parse(scenario.startedAt),
      metrics: Object.fromEntries(Object.entries(metrics?.values ?? {}).filter((e): e is [string, number] => e[1] !== null)),
    })),
  };
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or folder; expected a cpchaos report folder or a summary.json file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** The summary.json of a report folder, or the path itself when it is a file. */
async function summaryFileOf(path: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(path, reason(error), error);
  }
  if (!info.isDirectory()) return path;
  const file = join(path, 'summary.json');
  if (!existsSync(file)) {
    throw fileError(
      path,
      'no summary.json in this folder; expected a cpchaos report folder (reports/<time>-<run id>/) or a summary.json file',
    );
  }
  return file;
}

/** Reads and checks a run's summary: a report folder (its summary.json) or a summary.json file. */
export async function readRunSummary(pathOrDir: string): Promise<RunSummaryFile> {
  const file = await summaryFileOf(pathOrDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileError(file, `cannot read it: ${reason(error)}`, error);
  }
  return parseRunSummary(text, file);
}

/**
 * The summaries named by `paths`: a report folder, a summary.json file, or a folder of report folders (each of its
 * direct subfolders that holds a summary.json, in name order: report folders are named by time).
 */
export async function findRunSummaries(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw fileError(path, reason(error), error);
    }
    if (!info.isDirectory() || existsSync(join(path, 'summary.json'))) {
      found.push(path);
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true });
    const runs = entries
      .filter((e) => e.isDirectory() && existsSync(join(path, e.name, 'summary.json')))
      .map((e) => join(path, e.name))
      .sort();
    if (runs.length === 0) throw fileError(path, 'no summary.json in this folder nor in its subfolders; expected cpchaos report folders');
    found.push(...runs);
  }
  return found;
}
