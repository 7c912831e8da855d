// The node lifecycle controller against a sandbox API server on a real etcd: a node without a renewed lease turns
// Unknown, gets the unreachable taints, and its pods are marked not ready.
import type { V1Lease } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { FailoverApiClient } from './api-client.ts';
import { NODE_LEASE_NAMESPACE } from './kubelet.ts';
import { failoverKubeletPodsApi, syncNodePods } from './kubelet-pods.ts';
import { UNREACHABLE_TAINT_KEY, reconcileNodeLifecycle } from './node-lifecycle-controller.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

describe('node lifecycle controller against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  let api: FailoverApiClient;

  before(async () => {
    // Each step reads the pods it has just written: from etcd, not the watch cache (agent-api.ts).
    fixture = await startAgentApi({ watchCacheSize: 0 });
    api = fixture.api;
  });
  after(async () => {
    await fixture?.close();
  });

  it('turns a node whose lease is stale Unknown, taints it, and marks its pods not ready', async () => {
    await api.call('create node', (a) =>
      a.core.createNode({ body: { metadata: { name: 'nl-1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } }),
    );
    await api.call('create pod', (a) =>
      a.core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name: 'nl-pod' }, spec: { nodeName: 'nl-1', containers: [{ name: 'c', image: 'busybox' }] } },
      }),
    );
    await syncNodePods(failoverKubeletPodsApi(api), 'nl-1', '10.0.0.7');
    expect(await reconcileNodeLifecycle(api, { gracePeriodMs: 1000, leadingSinceMs: () => 0 })).to.equal(1);
    const node = await api.call('read node', (a) => a.core.readNode({ name: 'nl-1' }));
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('Unknown');
    expect(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).to.deep.equal([
      `${UNREACHABLE_TAINT_KEY}:NoSchedule`,
      `${UNREACHABLE_TAINT_KEY}:NoExecute`,
    ]);
    const pod = await api.call('read pod', (a) => a.core.readNamespacedPod({ name: 'nl-pod', namespace: 'default' }));
    expect(pod.status?.phase).to.equal('Running');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('False');
  });
});

describe('node lifecycle controller: a Lease stale only in the watch cache', () => {
  // A stand-in API with a lagging cache: a list at resourceVersion "0" (the cache) sees the Lease renewed 10 s ago,
  // a list without one (etcd) sees it renewed now, as a loaded machine can deliver it.
  function laggingCacheApi(nowMs: number): { api: FailoverApiClient; patches: string[] } {
    const patches: string[] = [];
    const lease = (renewMs: number): V1Lease => ({
      metadata: { name: 'nl-lag', namespace: NODE_LEASE_NAMESPACE },
      spec: { renewTime: new Date(renewMs) },
    });
    const apiSet = {
      core: {
        listNode: async () => ({
          items: [{ metadata: { name: 'nl-lag' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }],
        }),
        patchNodeStatus: async () => patches.push('status'),
        patchNode: async () => patches.push('taints'),
        listPodForAllNamespaces: async () => ({ items: [] }),
      },
      coordination: {
        listNamespacedLease: async (request: { resourceVersion?: string }) => ({
          items: [lease(request.resourceVersion === '0' ? nowMs - 10_000 : nowMs)],
        }),
      },
    };
    const run = <T>(call: (a: never, options: never) => Promise<T>): Promise<T> => call(apiSet as never, {} as never);
    const api = { list: (_key: string, _what: string, call: never) => run(call), call: (_what: string, call: never) => run(call) };
    return { api: api as unknown as FailoverApiClient, patches };
  }

  it('reads the latest Leases before marking a node Unknown, and leaves a node whose Lease is fresh there', async () => {
    const { api, patches } = laggingCacheApi(Date.now());
    expect(await reconcileNodeLifecycle(api, { gracePeriodMs: 2000, leadingSinceMs: () => 0 })).to.equal(0);
    expect(patches).to.deep.equal([]);
  });
});
