// Reading a report folder back whole, for `cpchaos merge`: its summary.json checked for everything a report is
// rebuilt from (verdict evidence seqs and details, tags, the known bug, the history file, the shard), on top of what
// readRunSummary checks. Every problem names the file, line, field path and what was expected (exit 2).
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { fileError, inputIssueMessage, ReportInputError, zodInputProblems } from './summary-read-problems.ts';
import { readRunSummary } from './summary-read.ts';
import type { RunSummary } from './summary.ts';

const verdict = z.object({
  evidenceSeqs: z.array(z.number().int().nonnegative()),
  details: z.record(z.string(), z.unknown()).optional(),
});

const scenario = z.object({
  tags: z.array(z.string()),
  description: z.string().optional(),
  knownBug: z.object({ url: z.string(), fails: z.array(z.string()).min(1), outcome: z.string().optional() }).optional(),
  history: z
    .string()
    .regex(/^[A-Za-z0-9._-]+\.json$/, { error: 'expected a history file name beside summary.json (no folders)' })
    .optional(),
  verdicts: z.array(verdict),
});

const shard = z.object({ index: z.number().int().min(1), count: z.number().int().min(1) });

const mergeable = z.object({
  scenarios: z.array(scenario),
  shards: z.array(shard).optional(),
});

/** A report folder to merge: where it is, and its summary as written. */
export interface ReportToMerge {
  readonly dir: string;
  readonly summary: RunSummary;
}

/** Reads a report folder (or its summary.json) and checks it holds what a merge needs. */
export async function readReportToMerge(pathOrDir: string): Promise<ReportToMerge> {
  const { file } = await readRunSummary(pathOrDir);
  const text = await readFile(file, 'utf8');
  const raw: unknown = JSON.parse(text);
  const parsed = mergeable.safeParse(raw, { error: inputIssueMessage });
  if (!parsed.success) throw new ReportInputError(zodInputProblems(parsed.error, file, text));
  // Both schemas passed: the document has the shape summary.ts writes.
  return { dir: dirname(file), summary: raw as RunSummary };
}

/**
 * The shards the merged reports hold, checked: all of one sharded run (1..n, each once) or none sharded. A missing
 * shard would make the merged report look complete when it is not.
 */
export function mergedShards(reports: readonly ReportToMerge[]): { index: number; count: number }[] {
  const shards = reports.flatMap((r) => r.summary.shards ?? []);
  if (shards.length === 0) return [];
  const unsharded = reports.filter((r) => (r.summary.shards ?? []).length === 0).map((r) => r.dir);
  if (unsharded.length > 0) throw fileError(unsharded[0] ?? '', 'not part of a sharded run, and merged with the shards of one');
  const count = shards[0]?.count ?? 0;
  const problems: string[] = [];
  if (shards.some((s) => s.count !== count))
    problems.push(`shards of runs split differently (${[...new Set(shards.map((s) => s.count))].join(' and ')} ways)`);
  for (let index = 1; index <= count; index += 1) {
    const seen = shards.filter((s) => s.index === index).length;
    if (seen === 0) problems.push(`shard ${index}/${count} is missing`);
    if (seen > 1) problems.push(`shard ${index}/${count} is there ${seen} times`);
  }
  if (problems.length > 0) {
    const where = reports.map((r) => r.dir).join(', ');
    throw fileError(where, `${problems.join('; ')}: expected shards 1 to ${count} of one run, each once`);
  }
  return Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));
}
