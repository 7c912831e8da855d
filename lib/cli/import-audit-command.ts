// `cpchaos import-audit LOG... [--reports DIR] [--profile P] [--run-id ID] [--strict]`: judges a cluster's past from
// its Kubernetes audit log. Reads the files (lib/observe/audit/read-audit-log.ts), merges them by auditID in time
// order, builds a history, runs the oracles, writes history.json (loadable by `cpchaos check`) and the usual report,
// prints the verdicts. Exit 0/1 as `cpchaos run`; 2 on bad input: an unreadable file, no usable event at all, or
// with --strict any unusable line (without it, unusable lines are warnings).
import { readFileSync } from 'node:fs';
import { buildHistoryFromAudit, AUDIT_IMPORT_SCENARIO } from '../observe/audit/build-history.ts';
import { mergeAuditEvents } from '../observe/audit/merge.ts';
import { readAuditLogText } from '../observe/audit/read-audit-log.ts';
import type { AuditFileRead } from '../observe/audit/read-audit-log.ts';
import { HARVESTER_PROFILE_NAMES } from '../harvester/profiles.ts';
import type { HarvesterProfileName } from '../harvester/profiles.ts';
import { runOracles } from '../oracles/index.ts';
import { scenarioOutcome, suiteExitCode } from '../report/result.ts';
import type { ScenarioResult } from '../report/result.ts';
import { FileProblemsError, formatProblem, unreadableFileProblem } from '../schema/problems.ts';
import type { Problem } from '../schema/problems.ts';
import { auditVerdicts } from './import-audit-verdicts.ts';
import { UsageError, parseOptions } from './options.ts';
import { resultLines, writeReports } from './output.ts';

export interface AuditImport {
  readonly result: ScenarioResult;
  readonly problems: readonly Problem[];
  readonly notes: readonly string[];
  readonly duplicates: number;
}

/** Reads, merges, builds and judges; throws FileProblemsError (bad input) when no event could be used. */
export function importAuditLogs(
  files: readonly string[],
  options: { readonly profile?: HarvesterProfileName; readonly runId?: string; readonly strict?: boolean } = {},
): AuditImport {
  const reads: AuditFileRead[] = [];
  const unreadable: Problem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      unreadable.push(unreadableFileProblem(file, error, 'audit log'));
      continue;
    }
    reads.push(readAuditLogText(text, file));
  }
  if (unreadable.length > 0) throw new FileProblemsError(unreadable);
  const problems = reads.flatMap((r) => r.problems);
  if (options.strict === true && problems.length > 0) throw new FileProblemsError(problems);
  const merged = mergeAuditEvents(reads.map((r) => r.events));
  if (merged.events.length === 0) {
    const empty = files.map((file) => ({
      file,
      line: 0,
      column: 0,
      path: '',
      message: 'expected audit.k8s.io/v1 Events, one JSON object per line; found none usable',
    }));
    throw new FileProblemsError([...problems, ...empty]);
  }
  const runId = options.runId ?? 'audit';
  const built = buildHistoryFromAudit(merged.events, { runId, ...(options.profile ? { profile: options.profile } : {}) });
  const verdicts = auditVerdicts(runOracles(built.history), built.coverage);
  const scenario = {
    name: AUDIT_IMPORT_SCENARIO,
    description: `judged from the audit log ${files.join(', ')}`,
    tags: ['audit'],
    source: { file: files[0] ?? '' },
  };
  const outcome = scenarioOutcome(scenario, verdicts);
  const result: ScenarioResult = {
    scenario,
    runId,
    seed: '0',
    status: outcome.status,
    ...(outcome.knownBug ? { knownBug: outcome.knownBug } : {}),
    verdicts,
    history: built.history,
    startedAt: built.coverage.firstMs,
    durationMs: built.coverage.lastMs - built.coverage.firstMs,
  };
  return { result, problems, notes: built.notes, duplicates: merged.duplicates };
}

function isProfileName(value: string): value is HarvesterProfileName {
  return (HARVESTER_PROFILE_NAMES as readonly string[]).includes(value);
}

export async function importAuditCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    reports: { type: 'string', default: 'reports' },
    profile: { type: 'string' },
    'run-id': { type: 'string' },
    strict: { type: 'boolean', default: false },
  });
  if (positionals.length === 0) throw new UsageError('cpchaos import-audit: name one or more audit log files');
  const profile = values.profile;
  if (profile !== undefined && !isProfileName(profile))
    throw new UsageError(`--profile: expected one of ${HARVESTER_PROFILE_NAMES.join(', ')}, got "${profile}"`);
  const imported = importAuditLogs(positionals, {
    ...(profile !== undefined ? { profile } : {}),
    ...(values['run-id'] !== undefined ? { runId: values['run-id'] } : {}),
    strict: values.strict,
  });
  for (const p of imported.problems) process.stderr.write(`cpchaos: warning: ${formatProblem(p)} (line skipped)\n`);
  process.stdout.write(`${AUDIT_IMPORT_SCENARIO}: ${imported.result.history.length} history events from ${positionals.length} file(s)`);
  process.stdout.write(` (${imported.duplicates} duplicate or earlier-stage audit event(s) merged)\n`);
  for (const note of imported.notes) process.stdout.write(`   note: ${note}\n`);
  process.stdout.write(`${resultLines(imported.result).join('\n')}\n`);
  const dir = await writeReports(values.reports, [imported.result]);
  if (dir !== undefined) process.stdout.write(`reports: ${dir} (history.json: cpchaos check ${dir}/history.json)\n`);
  return suiteExitCode([imported.result.status]);
}
