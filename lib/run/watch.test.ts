// `cpchaos watch` end to end on a sandbox it does not control: a script outside the watch (the sandbox's own fault
// injection, and a Node DELETE through the API as an operator's kubectl would send) kills a control plane, restarts
// it, then deletes another; the watch attaches read-only and must judge what the scripted scenarios
// kill-cp-no-promotion and delete-cp-promotes-worker judge on the same sandbox (every promotion oracle passes,
// reads ride out the single failure), and write nothing into the cluster. With a faulty policy (promotes past three
// management nodes: it promotes as soon as the sandbox is up, so the promotion may already be running when the
// watch attaches, and only the fourth management node is certain to be seen) the watch must report the violation
// while it watches, and fail.
import { CoreV1Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { StartedSandbox } from '../cluster/sandbox/sandbox-cluster.ts';
import { SandboxProvider } from '../cluster/sandbox/sandbox-provider.ts';
import { isManagementNode, PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import type { Verdict } from '../oracles/verdict.ts';
import type { ScenarioResult } from '../report/result.ts';
import { loadKubeConfig } from '../util/kubeconfig.ts';
import { sleepMs, waitFor } from '../util/wait.ts';
import { watchCluster } from './watch.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const isRoot = process.getuid?.() === 0;

function topology(workers: number) {
  return {
    nodes: [
      ...[0, 1, 2].map((i) => ({ name: `cp-${i}`, role: 'control-plane' as const })),
      ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i}`, role: 'worker' as const })),
    ],
  };
}

/** Starts a watch on the sandbox's kubeconfig with its real timers; `end()` stops it and returns the result. */
function startWatch(sandbox: StartedSandbox, onChange?: (v: Verdict, change: 'failing' | 'cleared') => void, probeWrites = false) {
  const controller = new AbortController();
  const { kubeletHeartbeatMs, nodeMonitorGraceMs, etcdHeartbeatMs, etcdElectionTimeoutMs } = sandbox.timers;
  const done = watchCluster({
    kubeconfigPath: sandbox.endpoints.kubeconfigPath,
    timers: { kubeletHeartbeatMs, nodeMonitorGraceMs, etcdHeartbeatMs, etcdElectionTimeoutMs },
    judgeIntervalMs: 500,
    probeWrites,
    signal: controller.signal,
    ...(onChange ? { onVerdictChange: onChange } : {}),
  });
  return {
    end: async (): Promise<ScenarioResult> => {
      controller.abort();
      return done;
    },
  };
}

const verdictOf = (result: ScenarioResult, name: string): Verdict | undefined => result.verdicts.find((v) => v.invariant === name);
const lines = (result: ScenarioResult): string => result.verdicts.map((v) => `${v.invariant}: ${v.status}: ${v.summary}`).join('\n');

describe('cpchaos watch on a sandbox it does not control', function () {
  this.timeout(240_000);

  describe('a control plane killed and restarted, then another deleted by an operator', () => {
    let result: ScenarioResult;
    let configMaps: string[] = [];
    before(async function () {
      if (!isRoot) this.skip();
      const sandbox = await new SandboxProvider().start({ topology: topology(2) });
      try {
        const core = loadKubeConfig(sandbox.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
        const watch = startWatch(sandbox);
        const ready = async (name: string): Promise<string | undefined> => {
          const node = await core.readNode({ name });
          return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        };
        await sleepMs(2000); // a baseline of answered reads before the first failure
        await sandbox.inject({ kind: 'kill', nodes: ['cp-1'] });
        await waitFor('cp-1 Ready=Unknown', async () => (await ready('cp-1')) === 'Unknown', { timeoutMs: 60_000, intervalMs: 200 });
        await sandbox.inject({ kind: 'restart', nodes: ['cp-1'] });
        await waitFor('cp-1 Ready again', async () => (await ready('cp-1')) === 'True', { timeoutMs: 60_000, intervalMs: 200 });
        await core.deleteNode({ name: 'cp-0' });
        await waitFor(
          'cp-0 gone and a worker promoted (promote-status complete)',
          async () => {
            const nodes = (await core.listNode()).items;
            const gone = !nodes.some((n) => n.metadata?.name === 'cp-0');
            const promoted = nodes.some((n) => n.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION] === 'complete' && isManagementNode(n));
            return gone && promoted;
          },
          { timeoutMs: 90_000, intervalMs: 250 },
        );
        result = await watch.end();
        configMaps = (await core.listConfigMapForAllNamespaces()).items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`);
      } finally {
        await sandbox.stop();
      }
    });

    it('passes every promotion oracle, as the scripted scenarios do', () => {
      for (const name of ['promotion-only-after-deletion', 'promotion-after-deletion', 'management-count', 'promote-status-lifecycle'])
        expect(verdictOf(result, name)?.status, lines(result)).to.equal('pass');
    });

    it('attributes the deletion to an operator', () => {
      const intents = result.history.filter((e) => e.kind === 'action' && e.phase === 'intent');
      expect(intents.map((e) => (e.kind === 'action' ? `${e.fault} ${e.nodes.join()}` : ''))).to.deep.equal(['delete-node cp-0']);
    });

    it('judges reads through the single failure: answered within the outage budget', () => {
      const v = verdictOf(result, 'read-availability');
      expect(v?.status, lines(result)).to.equal('pass');
      const reads = result.history.filter((e) => e.kind === 'op' && e.process === 'reader' && e.phase === 'ok');
      expect(reads.length).to.be.greaterThan(10);
    });

    it('wrote nothing: no write operation, no ConfigMap of its own', () => {
      expect(result.history.some((e) => e.kind === 'op' && e.f !== 'read')).to.equal(false);
      expect(configMaps.filter((c) => c.includes('cpchaos-'))).to.deep.equal([]);
    });
  });

  it('reports a fourth management node while it watches (faulty policy), and fails; with --probe-writes it writes and cleans up', async function () {
    if (!isRoot) this.skip();
    const sandbox = await new SandboxProvider().start({
      topology: topology(1),
      promotionPolicy: `${ROOT}fixtures/policies/faulty-promotes-past-three.ts`,
    });
    let result: ScenarioResult;
    let configMaps: string[] = [];
    const seen: string[] = [];
    try {
      let failing = false;
      const watch = startWatch(
        sandbox,
        (v, change) => {
          seen.push(`${change} ${v.invariant}`);
          if (change === 'failing' && v.invariant === 'management-count') failing = true;
        },
        true,
      );
      await waitFor('the watch to report a fourth management node', () => failing, { timeoutMs: 90_000, intervalMs: 200 });
      result = await watch.end();
      const core = loadKubeConfig(sandbox.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
      configMaps = (await core.listConfigMapForAllNamespaces()).items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`);
    } finally {
      await sandbox.stop();
    }
    // Whether promotion-only-after-deletion fails too depends on whether the promotion began before the watch attached.
    expect(
      seen.filter((s) => s.startsWith('failing')),
      seen.join('\n'),
    ).to.include.members(['failing management-count']);
    expect(result.status).to.equal('fail');
    expect(verdictOf(result, 'management-count')?.status, lines(result)).to.equal('fail');
    expect(verdictOf(result, 'management-count')?.summary).to.match(/4 management nodes/);
    // --probe-writes: acknowledged writes through the endpoint, judged by no-lost-writes, and its ConfigMaps deleted.
    expect(result.history.some((e) => e.kind === 'op' && e.f !== 'read' && e.phase === 'ok')).to.equal(true);
    expect(verdictOf(result, 'no-lost-writes')?.status, lines(result)).to.equal('pass');
    expect(configMaps.filter((c) => c.includes('cpchaos-'))).to.deep.equal([]);
  });
});
