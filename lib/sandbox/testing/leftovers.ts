// What a sandbox run may leave on the machine: its namespaces and processes. Tests assert these are gone.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Journal, runsRoot } from '../../faults/journal.ts';
import { run } from '../../util/exec.ts';
import { listNamespaces, NETNS_PREFIX } from '../network.ts';

/**
 * The run's named network namespaces: in the root mount namespace, and — for a user-namespace run, possibly of
 * another process — in its live holder's mount namespace (found through the run's journal).
 */
export async function namespacesOfRun(runId: string): Promise<string[]> {
  const names = await listNamespaces();
  const holder = Journal.read(join(runsRoot(), runId)).find((e) => e.type === 'process' && e.what === 'userns-holder');
  if (holder?.type === 'process' && isLive(holder.pid)) {
    try {
      const out = await run('nsenter', [
        `--target=${holder.pid}`,
        '--user',
        '--mount',
        '--net',
        '--preserve-credentials',
        '--',
        'ip',
        'netns',
        'list',
      ]);
      names.push(...out.split('\n').map((line) => line.split(' ')[0] ?? ''));
    } catch {
      // the holder went away meanwhile, and its namespaces with it
    }
  }
  return names.filter((ns) => ns.startsWith(`${NETNS_PREFIX}${runId}-`));
}

/** Processes whose command line mentions the run (etcd data dirs and agent configs live in the run folder). */
export function processesOfRun(runId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(`/runs/${runId}/`)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** The namespace a process is in (`/proc/PID/ns/<kind>`, e.g. "user:[4026532301]"), or undefined if it is gone. */
export function namespaceOf(pid: number, kind: 'user' | 'net' | 'mnt'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (an orphan waits, here sometimes for seconds, for init to reap it). */
export function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Live processes in the given namespace (as `namespaceOf` names it): none once a run's user namespace is gone (a
 * zombie still names the namespace but holds nothing).
 */
export function processesInNamespace(kind: 'user' | 'net' | 'mnt', id: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (namespaceOf(Number(entry), kind) === id && isLive(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}
