// Benchmark: the sandbox at scale (issue #17, lighter nodes). For 3 control planes + 1 worker and 3 + N workers:
// time to all Nodes Ready, the memory of every process the sandbox started (the processes of the nodes' network
// namespaces: etcd members and node agents), memory per worker node, teardown time; and the idle CPU of a 3 + 1
// cluster, per process, as % of one core. Prints figures; asserts nothing.
// Run as root: node --import tsx bench/sandbox-scale.ts [workers=50] [--idle-s 20] [--repeat 3]
// Pss (smaps_rollup) shares pages among the processes mapping them (node's own code, etcd's binary), so the Pss sum
// is the memory the cluster takes; the RSS sum counts shared pages once per process.
import { cpus } from 'node:os';
import { SandboxProvider } from '../lib/cluster/sandbox/sandbox-provider.ts';
import type { StartedSandbox as SandboxCluster } from '../lib/cluster/sandbox/sandbox-cluster.ts';
import { clusterProcesses, CpuMeter, readOr } from './sandbox-processes.ts';

const READY_TIMEOUT_MS = 300_000;

interface Args {
  readonly workers: number;
  readonly idleS: number;
  readonly repeat: number;
}

function parseArgs(argv: readonly string[]): Args {
  let workers = 50;
  let idleS = 20;
  let repeat = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--idle-s') idleS = Number(argv[++i]);
    else if (arg === '--repeat') repeat = Number(argv[++i]);
    else workers = Number(arg);
  }
  for (const [name, value] of Object.entries({ workers, idleS, repeat })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, got ${value}`);
  }
  return { workers, idleS, repeat };
}

interface Memory {
  readonly rssKb: number;
  readonly pssKb: number;
}

function processMemory(pid: number): Memory {
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readOr(`/proc/${pid}/status`))?.[1] ?? 0);
  const pssKb = Number(/^Pss:\s+(\d+)/m.exec(readOr(`/proc/${pid}/smaps_rollup`))?.[1] ?? 0);
  return { rssKb, pssKb };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (kb: number): number => kb / 1024;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

interface SizeFigures {
  readonly readyS: number;
  readonly totalRssMib: number;
  readonly totalPssMib: number;
  readonly workerRssMib: number;
  readonly workerPssMib: number;
  readonly controlPlanePssMib: number;
  readonly teardownS: number;
  readonly mode: string;
}

/** Starts 3 + workers, samples memory for a few seconds (the peak), optionally measures idle CPU, stops it. */
async function measureSize(workers: number, idle?: (cluster: SandboxCluster) => Promise<void>): Promise<SizeFigures> {
  const started = performance.now();
  const cluster = await new SandboxProvider().start({ topology: { controlPlanes: 3, workers }, readyTimeoutMs: READY_TIMEOUT_MS });
  const readyS = (performance.now() - started) / 1000;
  let peak = { totalRss: 0, totalPss: 0, workerRss: 0, workerPss: 0, cpPss: 0 };
  let teardownS: number;
  try {
    for (let i = 0; i < 10; i++) {
      const processes = await clusterProcesses(cluster);
      const sample = { totalRss: 0, totalPss: 0, workerRss: 0, workerPss: 0, cpPss: 0 };
      for (const p of processes) {
        const m = processMemory(p.pid);
        sample.totalRss += m.rssKb;
        sample.totalPss += m.pssKb;
        if (p.role === 'worker') {
          sample.workerRss += m.rssKb;
          sample.workerPss += m.pssKb;
        } else sample.cpPss += m.pssKb;
      }
      if (sample.totalPss > peak.totalPss) peak = sample;
      await sleep(300);
    }
    if (idle !== undefined) await idle(cluster);
  } finally {
    const stopStarted = performance.now();
    await cluster.stop();
    teardownS = (performance.now() - stopStarted) / 1000;
  }
  const workerCount = cluster.nodes.filter((n) => n.role === 'worker').length;
  const controlPlaneCount = cluster.nodes.length - workerCount;
  return {
    readyS,
    totalRssMib: mib(peak.totalRss),
    totalPssMib: mib(peak.totalPss),
    workerRssMib: mib(peak.workerRss) / workerCount,
    workerPssMib: mib(peak.workerPss) / workerCount,
    controlPlanePssMib: mib(peak.cpPss) / controlPlaneCount,
    teardownS,
    mode: cluster.holderPid === undefined ? 'root' : 'user namespace',
  };
}

interface IdleFigures {
  readonly clusterPercent: number;
  readonly harnessPercent: number;
  readonly breakdown: readonly { readonly label: string; readonly percent: number }[];
}

async function measureIdle(cluster: SandboxCluster, idleS: number): Promise<IdleFigures> {
  await sleep(5_000); // settle: the start's own work (registrations, first elections) is not idle
  const meter = new CpuMeter(await clusterProcesses(cluster));
  const harnessBefore = process.cpuUsage();
  const wallStarted = performance.now();
  await sleep(idleS * 1000);
  const wallS = (performance.now() - wallStarted) / 1000;
  const harness = process.cpuUsage(harnessBefore);
  const breakdown = meter.percentages().map(({ process: p, percent }) => ({ label: `${p.node} ${p.kind} (pid ${p.pid})`, percent }));
  breakdown.sort((a, b) => b.percent - a.percent);
  return {
    clusterPercent: breakdown.reduce((sum, b) => sum + b.percent, 0),
    harnessPercent: (100 * (harness.user + harness.system)) / 1e6 / wallS,
    breakdown,
  };
}

const args = parseArgs(process.argv.slice(2));
const loadAtStart = readOr('/proc/loadavg').split(' ').slice(0, 3).join(' ');

function progress(workers: number, f: SizeFigures): void {
  console.log(
    `3 + ${workers}: Ready in ${f.readyS.toFixed(2)} s; Pss ${f.totalPssMib.toFixed(0)} MiB, RSS ${f.totalRssMib.toFixed(0)} MiB; ` +
      `per worker Pss ${f.workerPssMib.toFixed(0)} MiB; teardown ${f.teardownS.toFixed(2)} s`,
  );
}

// 3 + 1, `repeat` times (the first also measures idle CPU); then 3 + N once. Each run is printed as it ends.
const small: SizeFigures[] = [];
let idle: IdleFigures | undefined;
for (let i = 0; i < args.repeat; i++) {
  const figures = await measureSize(
    1,
    i === 0
      ? async (cluster) => {
          idle = await measureIdle(cluster, args.idleS);
        }
      : undefined,
  );
  progress(1, figures);
  small.push(figures);
}
let large: SizeFigures | string;
try {
  large = await measureSize(args.workers);
  progress(args.workers, large);
} catch (error) {
  large = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  console.log(`3 + ${args.workers}: failed to start: ${large}`);
}
const loadAtEnd = readOr('/proc/loadavg').split(' ').slice(0, 3).join(' ');

const n = args.workers;
const smallReady = small.map((s) => s.readyS);
const rows: [string, string, string][] = [
  [
    `3 + 1 Ready (median of ${small.length}; all: ${smallReady.map((s) => s.toFixed(2)).join(', ')} s)`,
    `${median(smallReady).toFixed(2)} s`,
    '<= 2 s',
  ],
  [
    '3 + 1 memory, Pss sum (RSS sum)',
    `${median(small.map((s) => s.totalPssMib)).toFixed(0)} MiB (${median(small.map((s) => s.totalRssMib)).toFixed(0)} MiB)`,
    '',
  ],
  ['3 + 1 teardown (median)', `${median(small.map((s) => s.teardownS)).toFixed(2)} s`, ''],
];
if (typeof large === 'string') rows.push([`3 + ${n}`, `did not start: ${large}`, '']);
else {
  rows.push(
    [`3 + ${n} Ready`, `${large.readyS.toFixed(2)} s`, n === 50 ? '<= 20 s' : ''],
    [
      `3 + ${n} memory, Pss sum (RSS sum)`,
      `${(large.totalPssMib / 1024).toFixed(2)} GiB (${(large.totalRssMib / 1024).toFixed(2)} GiB)`,
      n === 50 ? '<= 2.5 GiB' : '',
    ],
    [`3 + ${n} per worker node, Pss (RSS)`, `${large.workerPssMib.toFixed(0)} MiB (${large.workerRssMib.toFixed(0)} MiB)`, '<= 40 MiB'],
    [`3 + ${n} per control-plane node, Pss`, `${large.controlPlanePssMib.toFixed(0)} MiB`, ''],
    [`3 + ${n} teardown`, `${large.teardownS.toFixed(2)} s`, n === 50 ? '<= 5 s' : ''],
  );
}
if (idle !== undefined) {
  rows.push([`idle 3 + 1, all its processes, over ${args.idleS} s`, `${idle.clusterPercent.toFixed(1)}% of one core`, '<= 10%']);
  rows.push(['  the harness meanwhile (VIP health checks, this script)', `${idle.harnessPercent.toFixed(1)}% of one core`, '']);
}

const width = Math.max(...rows.map((r) => r[0].length));
const valueWidth = Math.max(...rows.map((r) => r[1].length));
console.log(
  `sandbox scale (${small[0]?.mode ?? '?'} mode; ${cpus().length} cores; load average ${loadAtStart} at start, ${loadAtEnd} at end; ` +
    'a shared machine: other work runs meanwhile)',
);
console.log(`${'figure'.padEnd(width)}  ${'measured'.padEnd(valueWidth)}  goal`);
for (const [figure, measured, goal] of rows) console.log(`${figure.padEnd(width)}  ${measured.padEnd(valueWidth)}  ${goal}`);
if (idle !== undefined) {
  console.log(`\nidle 3 + 1, CPU per process (% of one core over ${args.idleS} s):`);
  for (const b of idle.breakdown) console.log(`  ${b.percent.toFixed(1).padStart(5)}%  ${b.label}`);
}
