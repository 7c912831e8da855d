// Benchmark: cold start of sandbox clusters to all nodes Ready, and the memory they take.
// Prints figures; asserts nothing. Run as root: node --import tsx bench/sandbox-start.ts [workers...]
// (CPCHAOS_USERNS=1, or a non-root user: the user-namespace mode; the mode is printed.)
import { readFileSync } from 'node:fs';
import { SandboxProvider } from '../lib/cluster/sandbox/sandbox-provider.ts';
import { namespacePids } from '../lib/sandbox/network.ts';

function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function clusterRssMb(namespaces: readonly string[]): Promise<number> {
  let kb = 0;
  for (const ns of namespaces) for (const pid of await namespacePids(ns)) kb += rssKb(pid);
  return kb / 1024;
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 0);
for (const workers of sizes.length > 0 ? sizes : [1, 20]) {
  const started = performance.now();
  const cluster = await new SandboxProvider().start({ topology: { controlPlanes: 3, workers }, readyTimeoutMs: 180_000 });
  const readyMs = performance.now() - started;
  const namespaces = cluster.nodes.map((n) => cluster.member(n.name).processes.namespace);
  let peakMb = 0;
  for (let i = 0; i < 10; i++) {
    peakMb = Math.max(peakMb, await clusterRssMb(namespaces));
    await new Promise((r) => setTimeout(r, 300));
  }
  const stopStarted = performance.now();
  await cluster.stop();
  const stopMs = performance.now() - stopStarted;
  console.log(
    `sandbox 3 control-plane + ${workers} worker (${cluster.holderPid === undefined ? 'root' : 'user namespace'}): all nodes Ready in ${(readyMs / 1000).toFixed(2)} s; ` +
      `cluster RSS peak ${peakMb.toFixed(0)} MiB (${(peakMb / (3 + workers)).toFixed(0)} MiB/node); teardown ${(stopMs / 1000).toFixed(2)} s; ` +
      `harness heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}
