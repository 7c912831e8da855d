// The sandbox kubelet against a real sandbox API server on a real single etcd: registration order.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSingleEtcd, type SingleEtcd } from '../etcd/testing/single-etcd.ts';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import { startApiServer, type RunningApiServer } from '../apiserver/server.ts';
import { sleepMs, waitFor } from '../../../util/wait.ts';
import { FailoverApiClient } from './api-client.ts';
import { Kubelet } from './kubelet.ts';

describe('sandbox kubelet against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let etcd: SingleEtcd;
  let etcdClient: EtcdClient;
  let server: RunningApiServer;
  let dir: string;
  let api: FailoverApiClient;
  const kubelets: Kubelet[] = [];

  before(async () => {
    etcd = await startSingleEtcd();
    etcdClient = etcd.client(2000);
    server = await startApiServer({ etcd: etcdClient, listen: [{ host: '127.0.0.1', port: 0 }], nodeName: 'test' });
    expect(await server.namespacesReady).to.equal(true);
    dir = await mkdtemp(join(tmpdir(), 'cpchaos-kubelet-'));
    const endpointsFile = join(dir, 'api-endpoints.json');
    await writeFile(endpointsFile, JSON.stringify(server.urls));
    api = new FailoverApiClient(endpointsFile, () => undefined, 2000);
  });

  after(async () => {
    for (const k of kubelets) k.stop();
    await server?.close();
    etcdClient?.close();
    await etcd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const kubelet = (nodeName: string, registerAfter?: string): Kubelet => {
    const k = new Kubelet(api, { nodeName, address: '10.0.0.1', labels: {}, heartbeatMs: 50, statusRefreshMs: 200, registerAfter });
    kubelets.push(k);
    return k;
  };
  const nodeNames = async (): Promise<string[]> => (await api.call('list nodes', (a) => a.core.listNode())).items.map((n) => n.metadata?.name ?? '');

  it('registers only after the node it must follow (Nodes age in topology order)', async () => {
    kubelet('w1', 'w0').start();
    await sleepMs(500);
    expect(await nodeNames(), 'w1 waits for w0').to.not.include('w1');
    kubelet('w0').start();
    await waitFor('w0 and w1 to register', async () => (await nodeNames()).includes('w1'), { timeoutMs: 10_000, intervalMs: 50 });
    const created = async (name: string): Promise<number> => Number((await etcdClient.get(`/registry/nodes/${name}`)).kv?.createRevision ?? 0);
    expect(await created('w0')).to.be.lessThan(await created('w1'));
  });
});
