// The sandbox's part of `cpchaos cleanup`: a killed run's processes and namespaces (and with them bridges, veths
// and iptables rules), found through the journal the run wrote before creating anything; then namespaces of ours
// that no journal names and that are truly abandoned. A journal lives in the workspace of the run that wrote it
// (CPCHAOS_STATE_DIR, a test's temp folder, another user's), so "no journal here" is not "abandoned": another
// workspace's sandbox may be running in them. A run without root kept its namespaces inside a user namespace (see
// host-namespace.ts): killing its processes — the namespace holder among them — is all it takes, the namespaces
// die with the last one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import {
  deleteNamespace,
  destroyNamespace,
  listNamespaces,
  NETNS_PREFIX,
  NETNS_RUN_DIR,
  processNetworkNamespaces,
  runIdOfNamespace,
} from '../../sandbox/network.ts';
import type { CleanupHandler, LeftRun, ReapOutcome } from '../core/reaper.ts';
import { KILL_AT_ONCE, ProcessesSurvivedError, stopProcesses } from '../../util/process-exit.ts';
import { errorMessage } from '../../util/errors.ts';

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
 * How long a namespace of ours must have existed before the orphan sweep may take it for abandoned. A run creates
 * its namespaces (the hub, then each node's with its packet-filter chains) before it starts any process in them,
 * so for a few seconds — more on a busy machine — a live run's namespaces hold nothing and name nothing.
 */
export const ORPHAN_GRACE_MS = 60_000;

export interface SandboxCleanupOptions {
  /** How old a namespace must be before it can count as abandoned; default ORPHAN_GRACE_MS. */
  readonly orphanGraceMs?: number;
  /**
   * Sweep only these runs' namespaces (default: every `cpc-` one). A test that shortens the grace limits its sweep
   * to its own runs, so it cannot take another person's run that is just being set up.
   */
  readonly orphanRunIds?: ReadonlySet<string>;
}

/** A process as the orphan sweep sees it: the network namespace it is in ("net:[4026532301]") and its command line. */
interface ProcessView {
  readonly pid: number;
  readonly netns: string | undefined;
  readonly cmdline: string;
}

/**
 * Every live process, read once. A zombie has left its namespaces (reading its ns link fails) and has an empty
 * command line, so it holds nothing here, as it holds nothing in the kernel.
 */
function liveProcesses(): ProcessView[] {
  return processNetworkNamespaces().map((view) => ({ ...view, cmdline: commandLineOf(view.pid) ?? '' }));
}

function describeProcess(view: ProcessView): string {
  return `process ${view.pid} (${view.cmdline.trim().slice(0, 80)})`;
}

/**
 * True when the command line names the run: its folder (`.../<run>/...`, etcd data dirs, agent configs) or one of
 * its namespaces (`ip netns exec cpc-<run>-n0 ...`, `nsenter`).
 */
function namesRun(cmdline: string, runId: string): boolean {
  return (
    cmdline.includes(`${NETNS_PREFIX}${runId}-`) ||
    cmdline.includes(`/${runId}/`) ||
    // The command line's arguments are joined by spaces (it ends with one): a path that ends with the run folder.
    cmdline.includes(`/${runId} `)
  );
}

/** The namespaces of one run (or one namespace of ours whose name has no run id in it). */
interface OrphanGroup {
  readonly runId: string | undefined;
  readonly namespaces: string[];
}

/**
 * Why the group's namespaces must stay, or undefined when they are abandoned. A run is one thing: its hub namespace
 * never holds a process (only the bridge), so it is in use as long as any of its node namespaces is.
 */
function whyInUse(group: OrphanGroup, processes: readonly ProcessView[], graceMs: number): string | undefined {
  let newestMs = 0;
  for (const ns of group.namespaces) {
    let inode: number;
    try {
      const stat = statSync(`${NETNS_RUN_DIR}/${ns}`);
      inode = stat.ino;
      newestMs = Math.max(newestMs, stat.mtimeMs);
    } catch {
      continue; // deleted meanwhile: nothing of it to keep
    }
    // What `ip netns pids` does: every process whose /proc/PID/ns/net is this namespace's inode is inside it.
    const inside = processes.find((p) => p.netns === `net:[${inode}]`);
    if (inside) return `${describeProcess(inside)} is in namespace ${ns}`;
  }
  const runId = group.runId;
  if (runId !== undefined) {
    const naming = processes.find((p) => p.pid !== process.pid && namesRun(p.cmdline, runId));
    if (naming) return `${describeProcess(naming)} names run ${runId}`;
  }
  const ageMs = Date.now() - newestMs;
  if (ageMs < graceMs) {
    return `created ${Math.round(ageMs / 1000)} s ago, under ${graceMs / 1000} s (a run creates its namespaces before their processes)`;
  }
  return undefined;
}

/**
 * Namespaces of ours that no journal here names (a journal deleted by hand, a run of another workspace or user)
 * and that are abandoned: no process is in any of the run's namespaces, no live process names the run, and none of
 * them is younger than the grace. Only their names are deleted (`ip netns del`), no process is killed: one that
 * entered since the check keeps its namespace. Without root there are none this user could have made in the root
 * mount namespace (nor delete): those belong to root's runs. What this cannot see: another workspace's run all of
 * whose processes have been gone for longer than the grace (every node killed by a fault) looks abandoned; its
 * harness names nothing of the run on its command line, and its journal is not here.
 */
async function reapOrphans(journaledRunIds: ReadonlySet<string>, options: SandboxCleanupOptions): Promise<ReapOutcome> {
  const done: string[] = [];
  const failed: string[] = [];
  const skipped: string[] = [];
  if (process.getuid?.() !== 0) return { done, failed, leftForPerson: [] };
  const groups = new Map<string, OrphanGroup>();
  for (const ns of await listNamespaces()) {
    if (!ns.startsWith(NETNS_PREFIX)) continue;
    const runId = runIdOfNamespace(ns);
    if (runId !== undefined && journaledRunIds.has(runId)) continue;
    if (options.orphanRunIds && (runId === undefined || !options.orphanRunIds.has(runId))) continue;
    const key = runId ?? ns;
    const group = groups.get(key) ?? { runId, namespaces: [] };
    group.namespaces.push(ns);
    groups.set(key, group);
  }
  if (groups.size === 0) return { done, failed, leftForPerson: [] };
  const processes = liveProcesses();
  const graceMs = options.orphanGraceMs ?? ORPHAN_GRACE_MS;
  for (const group of groups.values()) {
    const reason = whyInUse(group, processes, graceMs);
    for (const ns of group.namespaces) {
      if (reason !== undefined) {
        skipped.push(`namespace ${ns} left: ${reason}`);
        continue;
      }
      try {
        await deleteNamespace(ns);
        done.push(`deleted namespace ${ns}`);
      } catch (error) {
        failed.push(`could not delete namespace ${ns}: ${errorMessage(error)}`);
      }
    }
  }
  return { done, failed, leftForPerson: [], skipped };
}

/** The sandbox's cleanup; options only change the orphan sweep (a test's shorter grace). */
export function sandboxCleanupHandler(options: SandboxCleanupOptions = {}): CleanupHandler {
  return { provider: 'sandbox', reapRun, reapOrphans: (journaledRunIds) => reapOrphans(journaledRunIds, options) };
}

export const sandboxCleanup: CleanupHandler = sandboxCleanupHandler();
