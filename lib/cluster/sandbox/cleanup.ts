// `cpchaos cleanup`: undoes what killed runs left behind — processes, namespaces (and with them bridges, veths and
// iptables rules), run folders — using the journals the runs wrote before creating anything.
import { readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { isOwnerAlive, Journal, type JournalEntry } from '../../faults/journal.ts';
import { destroyNamespace, listNamespaces, NETNS_PREFIX } from './network.ts';

export interface CleanupReport {
  readonly runs: string[];
  readonly namespaces: string[];
  readonly processes: number[];
  readonly skippedLiveRuns: string[];
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

function ownerIsAlive(entries: readonly JournalEntry[]): boolean {
  const run = entries.find((e) => e.type === 'run');
  return run !== undefined && run.type === 'run' && run.ownerPid !== process.pid && isOwnerAlive(run.ownerPid, run.ownerStartTicks);
}

/** Cleans every run whose owner is gone (or every run with `all`), plus namespaces no journal accounts for. */
export async function cleanupSandboxRuns(options: { all?: boolean } = {}): Promise<CleanupReport> {
  const report: CleanupReport = { runs: [], namespaces: [], processes: [], skippedLiveRuns: [] };
  const liveNamespaces = new Set<string>();
  for (const runDir of Journal.listRunDirs()) {
    const entries = Journal.read(runDir);
    const runId = basename(runDir);
    if (!options.all && ownerIsAlive(entries)) {
      report.skippedLiveRuns.push(runId);
      for (const e of entries) if (e.type === 'netns') liveNamespaces.add(e.name);
      continue;
    }
    for (const entry of entries) {
      if (entry.type !== 'process') continue;
      const cmdline = commandLineOf(entry.pid);
      // Only a process that still is ours: its command line names this run's folder or it runs in its namespace.
      if (cmdline && (cmdline.includes(runDir) || cmdline.includes(`${NETNS_PREFIX}${runId}`) || cmdline.includes(`/${runId}/`))) {
        try {
          process.kill(entry.pid, 'SIGKILL');
          report.processes.push(entry.pid);
        } catch {
          // gone meanwhile
        }
      }
    }
    const existing = new Set(await listNamespaces());
    for (const entry of [...entries].reverse()) {
      if (entry.type === 'netns' && existing.has(entry.name)) {
        await destroyNamespace(entry.name);
        report.namespaces.push(entry.name);
      }
    }
    rmSync(runDir, { recursive: true, force: true });
    report.runs.push(runId);
  }
  // Namespaces of ours that no journal names (a journal deleted by hand, say).
  for (const ns of await listNamespaces()) {
    if (ns.startsWith(NETNS_PREFIX) && !liveNamespaces.has(ns) && !report.namespaces.includes(ns)) {
      await destroyNamespace(ns);
      report.namespaces.push(ns);
    }
  }
  return report;
}
