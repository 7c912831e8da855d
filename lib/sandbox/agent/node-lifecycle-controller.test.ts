// The node lifecycle controller against a sandbox API server on a real etcd: a node without a renewed lease turns
// Unknown, gets the unreachable taints, and its pods are marked not ready.
import { expect } from 'chai';
import type { FailoverApiClient } from './api-client.ts';
import { failoverKubeletPodsApi, syncNodePods } from './kubelet-pods.ts';
import { UNREACHABLE_TAINT_KEY, reconcileNodeLifecycle } from './node-lifecycle-controller.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

describe('node lifecycle controller against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  let api: FailoverApiClient;

  before(async () => {
    fixture = await startAgentApi();
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
