// The processes of a started sandbox and their CPU, read from /proc (for the bench/ scripts; asserts nothing).
import { readFileSync } from 'node:fs';
import type { StartedSandbox } from '../lib/cluster/sandbox/sandbox-cluster.ts';
import { namespacePids } from '../lib/sandbox/network.ts';

export const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

export function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** utime + stime + cutime + cstime in clock ticks (0 once the process is gone). */
export function cpuTicks(pid: number): number {
  const stat = readOr(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces: fields count from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
}

/** What a process is: etcd, the node agent, or its command name. */
export function processKind(pid: number): string {
  const argv = readOr(`/proc/${pid}/cmdline`).split('\0');
  if (argv.some((a) => /(^|\/)etcd$/.test(a))) return 'etcd';
  if (argv.some((a) => /agent[^/]*\/main\.[jt]s$|agent-bundle|\.mjs$/.test(a))) return 'node agent';
  return readOr(`/proc/${pid}/comm`).trim() || '?';
}

export interface ClusterProcess {
  readonly pid: number;
  readonly node: string;
  readonly role: string;
  readonly kind: string;
}

/** Every process in the nodes' network namespaces (etcd members and node agents). */
export async function clusterProcesses(cluster: StartedSandbox): Promise<ClusterProcess[]> {
  const found: ClusterProcess[] = [];
  for (const node of cluster.nodes) {
    for (const pid of await namespacePids(cluster.member(node.name).processes.namespace)) {
      found.push({ pid, node: node.name, role: node.role, kind: processKind(pid) });
    }
  }
  return found;
}

/** CPU of the processes between two readings, in ticks, by process. */
export class CpuMeter {
  private readonly before: Map<number, number>;
  private readonly startedMs = performance.now();

  constructor(private readonly processes: readonly ClusterProcess[]) {
    this.before = new Map(processes.map((p) => [p.pid, cpuTicks(p.pid)]));
  }

  /** % of one core per process since the meter was made. */
  percentages(): { readonly process: ClusterProcess; readonly percent: number }[] {
    const wallS = (performance.now() - this.startedMs) / 1000;
    return this.processes.map((process) => ({
      process,
      percent: (100 * (cpuTicks(process.pid) - (this.before.get(process.pid) ?? 0))) / CLOCK_TICKS_PER_S / wallS,
    }));
  }
}
