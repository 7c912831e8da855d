// Benchmark: what an idle 3 + 1 sandbox's CPU is made of (issue #17: idle at most 10% of one core). Measures
//  1. the requests etcd serves at idle, per second, by gRPC method (etcd's /metrics: grpc_server_handled_total, the
//     JSON gateway's requests included, since it calls etcd's gRPC server), its proposals and WAL fsyncs;
//  2. the etcd members' CPU alone, every node agent stopped (SIGSTOP) meanwhile: raft heartbeats and nothing else;
//  3. the marginal CPU of one API request of each kind (etcd members and node agents, over the idle baseline), driven
//     at a fixed rate through cp-0's own endpoint: a /readyz, a read from the watch cache, a read from etcd, a Lease
//     update;
//  4. a client's own CPU per request (this process): node:http against @kubernetes/client-node (a kept-alive agent, as
//     the node agents use it), the same read of a Lease;
// and from these what the idle cluster's rates cost. Prints figures; asserts nothing.
// Run as root: node --import tsx bench/sandbox-request-cost.ts [--window-s 10] [--rate 50]
import { request as httpRequest, Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SandboxProvider } from '../lib/cluster/sandbox/sandbox-provider.ts';
import type { StartedSandbox } from '../lib/cluster/sandbox/sandbox-cluster.ts';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { plainKubeConfig } from '../lib/util/kubeconfig.ts';
import { sleepMs } from '../lib/util/wait.ts';
import { clusterProcesses, CpuMeter, readOr, type ClusterProcess } from './sandbox-processes.ts';

function parseArgs(argv: readonly string[]): { windowS: number; rate: number } {
  let windowS = 10;
  let rate = 50;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--window-s') windowS = Number(argv[++i]);
    else if (argv[i] === '--rate') rate = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}: expected --window-s S or --rate N`);
  }
  if (!(windowS > 0) || !(rate > 0)) throw new Error('--window-s and --rate: expected positive numbers');
  return { windowS, rate };
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

function call(
  options: { socketPath?: string; host?: string; port?: string; agent?: Agent },
  method: string,
  path: string,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { ...options, method, path, timeout: 10_000, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * etcd's counters of interest: requests by gRPC method (each served by one member: summed over the members), and
 * proposals and WAL fsyncs (every member commits and syncs each proposal: their mean per member).
 */
async function etcdCounters(cluster: StartedSandbox): Promise<Map<string, number>> {
  const counters = new Map<string, number>();
  const members = cluster.nodes.filter((n) => n.role === 'control-plane');
  const add = (key: string, value: number): void => void counters.set(key, (counters.get(key) ?? 0) + value);
  for (const node of members) {
    const { body } = await call({ socketPath: cluster.member(node.name).processes.layout.etcdSocketPath }, 'GET', '/metrics');
    for (const line of body.split('\n')) {
      const handled = /^grpc_server_handled_total\{.*grpc_method="(\w+)".*\} (\S+)$/.exec(line);
      if (handled) add(handled[1] ?? '?', Number(handled[2]));
      const total = /^(etcd_server_proposals_committed_total|etcd_disk_wal_fsync_duration_seconds_count) (\S+)$/.exec(line);
      if (total)
        add(
          total[1] === 'etcd_server_proposals_committed_total' ? 'proposals committed, per member' : 'WAL fsyncs, per member',
          Number(total[2]) / members.length,
        );
    }
  }
  return counters;
}

interface Split {
  readonly etcd: number;
  readonly agents: number;
}

function split(percentages: ReturnType<CpuMeter['percentages']>): Split {
  const sum = (kind: string): number => percentages.filter((p) => p.process.kind === kind).reduce((s, p) => s + p.percent, 0);
  return { etcd: sum('etcd'), agents: sum('node agent') };
}

async function measure(
  processes: readonly ClusterProcess[],
  windowS: number,
  load?: () => Promise<unknown>,
  rate = 0,
): Promise<Split & { requests: number; failed: number }> {
  const meter = new CpuMeter(processes);
  const started = performance.now();
  let requests = 0;
  let failed = 0;
  if (load === undefined) await sleepMs(windowS * 1000);
  else
    while (performance.now() - started < windowS * 1000) {
      const sent = performance.now();
      await load().then(
        () => requests++,
        () => failed++,
      );
      await sleepMs(Math.max(0, 1000 / rate - (performance.now() - sent)));
    }
  return { ...split(meter.percentages()), requests, failed };
}

const args = parseArgs(process.argv.slice(2));
const cluster = await new SandboxProvider().start({ topology: { controlPlanes: 3, workers: 1 } });
try {
  const kubeconfig = cluster.endpoints.nodeKubeconfigPaths.get('cp-0');
  if (kubeconfig === undefined) throw new Error('cp-0 has no endpoint');
  const server = new URL(
    (parse(readFileSync(kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] }).clusters[0]?.cluster.server ?? '',
  );
  const endpoint = { host: server.hostname, port: server.port, agent: new Agent({ keepAlive: true }) };
  await sleepMs(5_000); // the start's own work is not idle
  const processes = await clusterProcesses(cluster);

  const before = await etcdCounters(cluster);
  const idle = await measure(processes, args.windowS);
  const after = await etcdCounters(cluster);
  const rates = [...after].map(([key, value]) => [key, (value - (before.get(key) ?? 0)) / args.windowS] as const).filter(([, r]) => r > 0);

  // etcd alone: every agent stopped; resumed whatever happens.
  const agents = processes.filter((p) => p.kind === 'node agent');
  let etcdAlone: Split;
  try {
    for (const p of agents) process.kill(p.pid, 'SIGSTOP');
    etcdAlone = await measure(processes, args.windowS);
  } finally {
    for (const p of agents) process.kill(p.pid, 'SIGCONT');
  }
  await sleepMs(3_000); // the agents catch up

  const lease = '/apis/coordination.k8s.io/v1/namespaces/default/leases/cpchaos-bench';
  const created = await call(
    endpoint,
    'POST',
    '/apis/coordination.k8s.io/v1/namespaces/default/leases',
    JSON.stringify({ metadata: { name: 'cpchaos-bench' }, spec: { holderIdentity: 'bench', leaseDurationSeconds: 40 } }),
  );
  if (created.status !== 201) throw new Error(`creating the bench Lease: HTTP ${created.status} ${created.body}`);
  let current = JSON.parse(created.body) as { spec: Record<string, unknown> };
  const kinds: [string, () => Promise<unknown>][] = [
    ['GET /readyz', () => call(endpoint, 'GET', '/readyz')],
    ['GET a Lease from the watch cache (resourceVersion=0)', () => call(endpoint, 'GET', `${lease}?resourceVersion=0`)],
    ['GET a Lease from etcd (a quorum read)', () => call(endpoint, 'GET', lease)],
    [
      'PUT a Lease (its renewal)',
      async () => {
        current.spec['renewTime'] = new Date().toISOString().replace('Z', '000Z');
        const answer = await call(endpoint, 'PUT', lease, JSON.stringify(current));
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
        current = JSON.parse(answer.body) as typeof current;
      },
    ],
  ];
  const costs: { kind: string; etcdUs: number; agentsUs: number; requests: number; failed: number }[] = [];
  for (const [kind, load] of kinds) {
    const loaded = await measure(processes, args.windowS, load, args.rate);
    const base = await measure(processes, args.windowS / 2);
    const perRequestUs = (loadedPct: number, basePct: number): number =>
      (((loadedPct - basePct) / 100) * args.windowS * 1e6) / Math.max(1, loaded.requests);
    costs.push({
      kind,
      etcdUs: perRequestUs(loaded.etcd, base.etcd),
      agentsUs: perRequestUs(loaded.agents, base.agents),
      requests: loaded.requests,
      failed: loaded.failed,
    });
  }
  // The client's side: this process's CPU per request, the same read by each client, one at a time.
  const coordination = plainKubeConfig(server.origin).makeApiClient(CoordinationV1Api);
  const clients: [string, () => Promise<unknown>][] = [
    ['node:http', () => call(endpoint, 'GET', lease)],
    ['@kubernetes/client-node', () => coordination.readNamespacedLease({ name: 'cpchaos-bench', namespace: 'default' }, undefined)],
  ];
  const clientCosts: { client: string; us: number }[] = [];
  for (const [client, read] of clients) {
    for (let i = 0; i < 50; i++) await read(); // warm up
    const before = process.cpuUsage();
    const count = 1000;
    for (let i = 0; i < count; i++) await read();
    const used = process.cpuUsage(before);
    clientCosts.push({ client, us: (used.user + used.system) / count });
  }
  await call(endpoint, 'DELETE', lease);

  console.log(
    `sandbox request cost (3 + 1; windows of ${args.windowS} s; load average ${readOr('/proc/loadavg').split(' ').slice(0, 3).join(' ')} at the end)`,
  );
  console.log(
    `\nidle: etcd members ${idle.etcd.toFixed(1)}%, node agents ${idle.agents.toFixed(1)}% of one core; etcd members alone (agents stopped) ${etcdAlone.etcd.toFixed(1)}%`,
  );
  console.log("\netcd at idle, per second (gRPC requests: the JSON gateway's included, over all members):");
  for (const [key, rate] of rates.sort((a, b) => b[1] - a[1])) console.log(`  ${rate.toFixed(1).padStart(6)}  ${key}`);
  console.log(
    `\nmarginal CPU per request (${args.rate} a second through cp-0's endpoint, over the idle baseline; noisy on a busy machine):`,
  );
  for (const c of costs)
    console.log(
      `  etcd ${(c.etcdUs / 1000).toFixed(2).padStart(5)} ms  agents ${(c.agentsUs / 1000).toFixed(2).padStart(5)} ms  ${c.kind} (${c.requests} sent, ${c.failed} failed)`,
    );
  console.log("\na client's own CPU per request (this process; 1000 reads of a Lease, one at a time):");
  for (const c of clientCosts) console.log(`  ${(c.us / 1000).toFixed(2).padStart(5)} ms  ${c.client}`);
  const readCost = costs.find((c) => c.kind.startsWith('GET a Lease from etcd'));
  const writeCost = costs.find((c) => c.kind.startsWith('PUT'));
  const rangeRate = rates.find(([k]) => k === 'Range')?.[1] ?? 0;
  const txnRate = rates.find(([k]) => k === 'Txn')?.[1] ?? 0;
  if (readCost && writeCost) {
    const estimate =
      etcdAlone.etcd + (rangeRate * (readCost.etcdUs + readCost.agentsUs) + txnRate * (writeCost.etcdUs + writeCost.agentsUs)) / 1e4;
    console.log(
      `\nthe idle rates at those costs: etcd alone ${etcdAlone.etcd.toFixed(1)}% + ${rangeRate.toFixed(1)} reads and ${txnRate.toFixed(1)} writes a second = ${estimate.toFixed(1)}% of one core, against ${(idle.etcd + idle.agents).toFixed(1)}% measured (the rest: the agents' own timers, watches and the requests that do not reach etcd)`,
    );
    // What the compressed timers cost before any read: the members' own raft heartbeats (etcd's default 100 ms) and
    // the writes the timers require (node Lease renewals every quarter of the grace, the controllers' leader Lease).
    const floor = etcdAlone.etcd + (txnRate * (writeCost.etcdUs + writeCost.agentsUs)) / 1e4;
    console.log(
      `the floor at these timers: the members' own heartbeats and ${txnRate.toFixed(1)} Lease writes a second, with no read, health check, watch or controller = ${floor.toFixed(1)}% of one core; issue #17's idle goal is 10%`,
    );
  }
} finally {
  await cluster.stop();
}
