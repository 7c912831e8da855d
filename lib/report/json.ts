// Writes a run's report directory: junit.xml, summary.json, the history of each scenario (loadable offline with
// loadHistory, so the oracles can re-check it), and index.html. Everything is redacted before it is written.
import type { ScenarioResult } from './result.ts';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serializeHistory } from '../observe/history-io.ts';
import { renderHtmlReport } from './html.ts';
import { renderJUnit } from './junit.ts';
import { redact, redactValue } from './redact.ts';
import { summarizeRun, type ShardInfo } from './summary.ts';

export interface RunReportPaths {
  readonly dir: string;
  readonly junit: string;
  readonly summary: string;
  readonly html: string;
  /** Parallel to the results. */
  readonly histories: readonly string[];
}

/** `history.json` for a single scenario; `<scenario-name>.history.json` (made unique, file-name safe) for several. */
export function historyFileNames(results: readonly ScenarioResult[]): string[] {
  if (results.length === 1) return ['history.json'];
  const used = new Set<string>();
  return results.map((r) => {
    const base = r.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'scenario';
    let name = base;
    for (let i = 2; used.has(name); i += 1) name = `${base}-${i}`;
    used.add(name);
    return `${name}.history.json`;
  });
}

async function writeRedacted(path: string, text: string): Promise<string> {
  await writeFile(path, redact(text), 'utf8');
  return path;
}

export async function writeRunReports(
  dir: string,
  results: readonly ScenarioResult[],
  options: { readonly allowXpass?: boolean; readonly shards?: readonly ShardInfo[] } = {},
): Promise<RunReportPaths> {
  await mkdir(dir, { recursive: true });
  const safe = results.map((r) => redactValue(r));
  const names = historyFileNames(safe);
  const histories: string[] = [];
  for (const [i, result] of safe.entries()) {
    histories.push(await writeRedacted(join(dir, names[i] as string), serializeHistory(result.history)));
  }
  const summary = `${JSON.stringify(summarizeRun(safe, names, options.shards ? { shards: options.shards } : {}), null, 2)}\n`;
  return {
    dir,
    junit: await writeRedacted(join(dir, 'junit.xml'), renderJUnit(safe, options.allowXpass ? { allowXpass: true } : {})),
    summary: await writeRedacted(join(dir, 'summary.json'), summary),
    html: await writeRedacted(join(dir, 'index.html'), renderHtmlReport(safe)),
    histories,
  };
}

export interface ReportDirOptions {
  /** Goes into the directory name; default: 6 random hex digits. */
  readonly runId?: string;
  readonly now?: Date;
}

/** `20250601T000000Z`: sortable and safe in file names. */
export function compactTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Creates and returns a fresh `<root>/<timestamp>-<runid>/`; fails if it already exists. */
export async function newReportDir(root = 'reports', options: ReportDirOptions = {}): Promise<string> {
  const runId = (options.runId ?? randomBytes(3).toString('hex')).replace(/[^A-Za-z0-9._-]+/g, '_');
  const dir = join(root, `${compactTimestamp(options.now ?? new Date())}-${runId}`);
  await mkdir(root, { recursive: true });
  await mkdir(dir);
  return dir;
}
