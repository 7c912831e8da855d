// The sandbox kubelet's pod sync against a sandbox API server on a real etcd: a bound pod starts, an evicted or
// deleted one is finished, another node's pods are left alone.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import type { FailoverApiClient } from './api-client.ts';
import { failoverKubeletPodsApi, syncNodePods, type KubeletPodsApi } from './kubelet-pods.ts';
import { markPodsNotReady } from './node-lifecycle-pods.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

describe('sandbox kubelet pods against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  let api: FailoverApiClient;
  let pods: KubeletPodsApi;

  before(async () => {
    // Each step reads the pods it has just written: from etcd, not the watch cache (agent-api.ts).
    fixture = await startAgentApi({ watchCacheSize: 0 });
    api = fixture.api;
    pods = failoverKubeletPodsApi(api);
  });
  after(async () => {
    await fixture?.close();
  });

  const create = (name: string, nodeName: string, hostNetwork = false): Promise<V1Pod> =>
    api.call('create pod', (a) =>
      a.core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name }, spec: { nodeName, hostNetwork, containers: [{ name: 'c', image: 'busybox' }] } },
      }),
    );
  const read = (name: string): Promise<V1Pod> => api.call('read pod', (a) => a.core.readNamespacedPod({ name, namespace: 'default' }));

  it('starts the Pending pods bound to its node (Running, containers ready), not the others', async () => {
    await create('kp-1', 'kp-n1');
    await create('kp-host', 'kp-n1', true);
    await create('kp-other', 'kp-n2');
    const result = await syncNodePods(pods, 'kp-n1', '10.0.0.5');
    expect(result).to.deep.equal({ started: ['default/kp-1', 'default/kp-host'], readied: [], removed: [] });
    const started = await read('kp-1');
    expect(started.status?.phase).to.equal('Running');
    expect(started.status?.hostIP).to.equal('10.0.0.5');
    expect(started.status?.podIP, 'no pod network').to.equal(undefined);
    expect(started.status?.qosClass, 'kept from create').to.equal('BestEffort');
    expect(started.status?.containerStatuses?.map((c) => [c.name, c.ready, c.state?.running !== undefined])).to.deep.equal([
      ['c', true, true],
    ]);
    expect(started.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
    expect((await read('kp-host')).status?.podIP).to.equal('10.0.0.5');
    expect((await read('kp-other')).status?.phase).to.equal('Pending');
    expect(await syncNodePods(pods, 'kp-n1', '10.0.0.5'), 'a second pass changes nothing').to.deep.equal({
      started: [],
      readied: [],
      removed: [],
    });
  });

  it('sets Ready back on the pods the node lifecycle controller marked not ready while its node was unreachable', async () => {
    const readyOf = async (name: string): Promise<string | undefined> =>
      (await read(name)).status?.conditions?.find((c) => c.type === 'Ready')?.status;
    await create('kp-2', 'kp-n2');
    await syncNodePods(pods, 'kp-n2', '10.0.0.6');
    expect(await markPodsNotReady(pods, 'kp-n2')).to.deep.equal(['default/kp-2', 'default/kp-other']);
    expect(await readyOf('kp-2')).to.equal('False');
    expect((await read('kp-2')).status?.phase, 'the phase stays').to.equal('Running');
    expect(await readyOf('kp-1'), 'pods of other nodes are left alone').to.equal('True');
    expect(await markPodsNotReady(pods, 'kp-n2'), 'nothing left to mark').to.deep.equal([]);
    const back = await syncNodePods(pods, 'kp-n2', '10.0.0.6');
    expect(back.readied).to.deep.equal(['default/kp-2', 'default/kp-other']);
    expect(await readyOf('kp-2')).to.equal('True');
  });

  it('finishes an evicted pod and a deleted one (graceful deletes wait for the kubelet)', async () => {
    await api.call('evict', (a) =>
      a.core.createNamespacedPodEviction({
        name: 'kp-1',
        namespace: 'default',
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'kp-1', namespace: 'default' } },
      }),
    );
    await api.call('delete', (a) => a.core.deleteNamespacedPod({ name: 'kp-host', namespace: 'default' }));
    expect((await read('kp-1')).metadata?.deletionTimestamp, 'terminating until its kubelet is done').to.be.instanceOf(Date);
    const result = await syncNodePods(pods, 'kp-n1', '10.0.0.5');
    expect(result.removed.sort()).to.deep.equal(['default/kp-1', 'default/kp-host']);
    for (const name of ['kp-1', 'kp-host']) {
      expect(await read(name).catch((error: unknown) => statusCodeOf(error)), name).to.equal(404);
    }
    expect((await read('kp-other')).metadata?.deletionTimestamp).to.equal(undefined);
  });
});
