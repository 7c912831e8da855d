// What a sandbox run may leave on the machine: its namespaces and processes. Tests assert these are gone.
import { readdirSync, readFileSync } from 'node:fs';
import { listNamespaces, NETNS_PREFIX } from '../network.ts';

export async function namespacesOfRun(runId: string): Promise<string[]> {
  return (await listNamespaces()).filter((ns) => ns.startsWith(`${NETNS_PREFIX}${runId}-`));
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
