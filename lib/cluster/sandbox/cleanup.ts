// `cpchaos cleanup`: undoes what killed runs left behind — processes, namespaces (and with them bridges, veths and
// iptables rules), run folders — using the journals the runs wrote before creating anything.
// A run without root kept its namespaces inside a user namespace (see host-namespace.ts): killing its processes —
// the namespace holder among them — is all it takes, the namespaces die with the last of them.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { isOwnerAlive, Journal, type JournalEntry } from '../../faults/journal.ts';
import { destroyNamespace, listNamespaces, NETNS_PREFIX } from '../../sandbox/network.ts';

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

/** Processes whose command line names the run folder (etcd data dirs, agent configs, the namespace holder). */
function processesNaming(runDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if (commandLineOf(Number(entry))?.includes(`${runDir}/`)) pids.push(Number(entry));
  }
  return pids;
}

function ownerIsAlive(entries: readonly JournalEntry[]): boolean {
  const run = entries.find((e) => e.type === 'run');
  return run !== undefined && run.type === 'run' && run.ownerPid !== process.pid && isOwnerAlive(run.ownerPid, run.ownerStartTicks);
}

/** Cleans every run whose owner is gone (or every run with `all`), plus namespaces no journal accounts for. */
export async function cleanupSandboxRuns(options: { all?: boolean; keep?: ReadonlySet<string> } = {}): Promise<CleanupReport> {
  const report: CleanupReport = { runs: [], namespaces: [], processes: [], skippedLiveRuns: [] };
  const liveNamespaces = new Set<string>();
  for (const runDir of Journal.listRunDirs()) {
    const entries = Journal.read(runDir);
    const runId = basename(runDir);
    // Runs another cleanup keeps (an existing cluster's faults left for a person): their journals must stay.
    if (options.keep?.has(runId)) continue;
    if (!options.all && ownerIsAlive(entries)) {
      report.skippedLiveRuns.push(runId);
      for (const e of entries) if (e.type === 'netns') liveNamespaces.add(e.name);
      continue;
    }
    const victims = new Set<number>();
    for (const entry of entries) {
      if (entry.type !== 'process') continue;
      const cmdline = commandLineOf(entry.pid);
      // Only a process that still is ours: its command line names this run's folder or it runs in its namespace.
      if (cmdline && (cmdline.includes(runDir) || cmdline.includes(`${NETNS_PREFIX}${runId}`) || cmdline.includes(`/${runId}/`))) {
        victims.add(entry.pid);
      }
    }
    // Processes the journal cannot name (etcd members started by a node agent) still name the run folder.
    for (const pid of processesNaming(runDir)) victims.add(pid);
    for (const pid of victims) {
      try {
        process.kill(pid, 'SIGKILL');
        report.processes.push(pid);
      } catch {
        // gone meanwhile
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
  // Namespaces of ours that no journal names (a journal deleted by hand, say). Without root there are none this
  // user could have made in the root mount namespace (nor delete): those belong to root's runs.
  if (process.getuid?.() !== 0) return report;
  for (const ns of await listNamespaces()) {
    if (ns.startsWith(NETNS_PREFIX) && !liveNamespaces.has(ns) && !report.namespaces.includes(ns)) {
      await destroyNamespace(ns);
      report.namespaces.push(ns);
    }
  }
  return report;
}
