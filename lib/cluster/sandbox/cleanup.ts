// The sandbox's part of `cpchaos cleanup`: a killed run's processes and namespaces (and with them bridges, veths
// and iptables rules), found through the journal the run wrote before creating anything; then namespaces of ours
// that no journal names. A run without root kept its namespaces inside a user namespace (see host-namespace.ts):
// killing its processes — the namespace holder among them — is all it takes, the namespaces die with the last one.
import { readdirSync, readFileSync } from 'node:fs';
import { destroyNamespace, listNamespaces, NETNS_PREFIX } from '../../sandbox/network.ts';
import type { CleanupHandler, LeftRun, ReapOutcome } from '../core/reaper.ts';
import { KILL_AT_ONCE, ProcessesSurvivedError, stopProcesses } from '../../util/process-exit.ts';

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** Processes whose command line names the run folder (etcd data dirs, agent configs, the namespace holder). */
export function processesNaming(runDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if (commandLineOf(Number(entry))?.includes(`${runDir}/`)) pids.push(Number(entry));
  }
  return pids;
}

/** The run's processes that still are its own: journaled ones whose command line names the run, and any other. */
function processesOfRun(run: LeftRun): Set<number> {
  const victims = new Set<number>();
  for (const entry of run.entries) {
    if (entry.type !== 'process') continue;
    const cmdline = commandLineOf(entry.pid);
    if (
      cmdline &&
      (cmdline.includes(run.runDir) || cmdline.includes(`${NETNS_PREFIX}${run.runId}`) || cmdline.includes(`/${run.runId}/`))
    ) {
      victims.add(entry.pid);
    }
  }
  // Processes the journal cannot name (etcd members started by a node agent) still name the run folder.
  for (const pid of processesNaming(run.runDir)) victims.add(pid);
  return victims;
}

async function reapRun(run: LeftRun): Promise<ReapOutcome> {
  const done: string[] = [];
  const failed: string[] = [];
  const victims = [...processesOfRun(run)].map((pid) => ({ pid, what: `process ${pid} (${commandLineOf(pid)?.slice(0, 80) ?? '?'})` }));
  let survivors = new Set<number>();
  try {
    // Returns once every one has exited; one that would not die is reported.
    await stopProcesses(victims, KILL_AT_ONCE);
  } catch (error) {
    if (!(error instanceof ProcessesSurvivedError)) throw error;
    failed.push(error.message);
    survivors = new Set(error.survivors.map((p) => p.pid));
  }
  for (const victim of victims) if (!survivors.has(victim.pid)) done.push(`killed process ${victim.pid}`);
  const existing = new Set(await listNamespaces());
  for (const entry of [...run.entries].reverse()) {
    if (entry.type === 'netns' && existing.has(entry.name)) {
      await destroyNamespace(entry.name);
      done.push(`deleted namespace ${entry.name}`);
    }
  }
  return { done, failed, leftForPerson: [] };
}

/**
 * Namespaces of ours that no journal names (a journal deleted by hand, say). Without root there
 * are none this user could have made in the root mount namespace (nor delete): those belong to root's runs.
 */
async function reapOrphans(journaledRunIds: ReadonlySet<string>): Promise<ReapOutcome> {
  const done: string[] = [];
  if (process.getuid?.() !== 0) return { done, failed: [], leftForPerson: [] };
  for (const ns of await listNamespaces()) {
    if (!ns.startsWith(NETNS_PREFIX) || [...journaledRunIds].some((runId) => ns.startsWith(`${NETNS_PREFIX}${runId}-`))) continue;
    await destroyNamespace(ns);
    done.push(`deleted namespace ${ns}`);
  }
  return { done, failed: [], leftForPerson: [] };
}

export const sandboxCleanup: CleanupHandler = { provider: 'sandbox', reapRun, reapOrphans };
