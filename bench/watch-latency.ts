// Benchmark: latency from a Node change acknowledged by the API to its record in the history (through the VIP),
// and the oracles' cost is in bench/oracles.ts. Prints figures; asserts nothing. Run as root:
//   node --import tsx bench/watch-latency.ts [changes]
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { SandboxProvider } from '../lib/cluster/sandbox/sandbox-provider.ts';
import { loadKubeConfig } from '../lib/util/kubeconfig.ts';
import { ClusterObserver } from '../lib/observe/cluster-observer.ts';
import { Recorder } from '../lib/observe/recorder.ts';

const changes = Number(process.argv[2] ?? 300);
const cluster = await new SandboxProvider().start({ topology: { controlPlanes: 3, workers: 1 } });
try {
  const recorder = new Recorder();
  const seenAt = new Map<string, number>();
  recorder.subscribe((event) => {
    if (event.kind === 'node' && event.node.name === 'worker-0') {
      const mark = event.node.labels['bench/mark'];
      if (mark && !seenAt.has(mark)) seenAt.set(mark, performance.now());
    }
  });
  const observer = new ClusterObserver(cluster, recorder);
  await observer.start();
  const core = loadKubeConfig(cluster.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
  const ackAt = new Map<string, number>();
  for (let i = 0; i < changes; i++) {
    const mark = `m${i}`;
    await core.patchNode(
      { name: 'worker-0', body: { metadata: { labels: { 'bench/mark': mark } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    ackAt.set(mark, performance.now());
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 1000));
  await observer.stop();
  // A watch event can arrive before the patch response: count that as zero latency.
  const latencies = [...ackAt].map(([mark, at]) => Math.max(0, (seenAt.get(mark) ?? Number.POSITIVE_INFINITY) - at)).sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const missed = latencies.filter((l) => !Number.isFinite(l)).length;
  console.log(
    `watch event -> history record over ${changes} Node changes: p50 ${pick(0.5).toFixed(1)} ms, p99 ${pick(0.99).toFixed(1)} ms, ` +
      `max ${latencies.at(-1)?.toFixed(1)} ms, missed ${missed}; history ${recorder.history.length} events`,
  );
} finally {
  await cluster.stop();
}
