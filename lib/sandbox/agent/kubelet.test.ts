// The sandbox kubelet against a real sandbox API server on a real single etcd: registration order.
import { expect } from 'chai';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import { sleepMs, waitFor } from '../../util/wait.ts';
import type { FailoverApiClient } from './api-client.ts';
import { Kubelet } from './kubelet.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

describe('sandbox kubelet against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  let etcdClient: EtcdClient;
  let api: FailoverApiClient;
  const kubelets: Kubelet[] = [];

  before(async () => {
    fixture = await startAgentApi();
    ({ api, etcdClient } = fixture);
  });

  after(async () => {
    for (const k of kubelets) k.stop();
    await fixture?.close();
  });

  const kubelet = (nodeName: string, registerAfter?: string): Kubelet => {
    const k = new Kubelet(api, { nodeName, address: '10.0.0.1', labels: {}, heartbeatMs: 50, statusRefreshMs: 200, registerAfter });
    kubelets.push(k);
    return k;
  };
  const nodeNames = async (): Promise<string[]> =>
    (await api.call('list nodes', (a) => a.core.listNode())).items.map((n) => n.metadata?.name ?? '');

  it('registers only after the node it must follow (Nodes age in topology order)', async () => {
    kubelet('w1', 'w0').start();
    await sleepMs(500);
    expect(await nodeNames(), 'w1 waits for w0').to.not.include('w1');
    kubelet('w0').start();
    await waitFor('w0 and w1 to register', async () => (await nodeNames()).includes('w1'), { timeoutMs: 10_000, intervalMs: 50 });
    const created = async (name: string): Promise<number> =>
      Number((await etcdClient.get(`/registry/nodes/${name}`)).kv?.createRevision ?? 0);
    expect(await created('w0')).to.be.lessThan(await created('w1'));
  });
});
