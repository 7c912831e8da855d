// Test helper, run as a process of its own (node --import tsx ...): starts a 3-node sandbox, pauses cp-0 (so its
// agent and etcd member cannot exit by themselves when this process dies), prints what it started as one JSON line
// and waits to be killed. The SIGKILL + `cpchaos cleanup` tests kill it.
import { SandboxProvider } from '../sandbox-provider.ts';

const cluster = await new SandboxProvider().start({ topology: { controlPlanes: 3, workers: 0 }, readyTimeoutMs: 120_000 });
await cluster.inject({ kind: 'pause', nodes: ['cp-0'] });
process.stdout.write(JSON.stringify({ runId: cluster.runId, runDir: cluster.runDir, holderPid: cluster.holderPid ?? null }) + '\n');
setInterval(() => undefined, 60_000);
