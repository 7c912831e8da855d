// The pod garbage collector against a sandbox API server on a real etcd: pods of a node that is gone are failed and
// deleted after the quarantine; pods of an existing node, even one being deleted, stay.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import type { FailoverApiClient } from './api-client.ts';
import { PodGarbageCollector, failoverPodGcApi, type PodGcApi } from './pod-gc.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

describe('pod garbage collector against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  let api: FailoverApiClient;
  let gcApi: PodGcApi;
  const logged: string[] = [];

  before(async () => {
    fixture = await startAgentApi();
    api = fixture.api;
    gcApi = failoverPodGcApi(api);
  });
  after(async () => {
    await fixture?.close();
  });

  const create = (name: string, nodeName: string): Promise<V1Pod> =>
    api.call('create pod', (a) =>
      a.core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } },
      }),
    );
  const exists = async (name: string): Promise<boolean> =>
    api
      .call('read pod', (a) => a.core.readNamespacedPod({ name, namespace: 'default' }))
      .then(
        () => true,
        (error: unknown) => {
          if (statusCodeOf(error) === 404) return false;
          throw error;
        },
      );

  it('keeps pods of existing nodes, a Terminating one included, and of a node missing for less than the quarantine', async () => {
    await api.call('create node', (a) => a.core.createNode({ body: { metadata: { name: 'gc-n1' } } }));
    await api.call('create node', (a) => a.core.createNode({ body: { metadata: { name: 'gc-held', finalizers: ['test/hold'] } } }));
    await api.call('delete node', (a) => a.core.deleteNode({ name: 'gc-held' }));
    await create('gc-live', 'gc-n1');
    await create('gc-on-held', 'gc-held');
    await create('gc-orphan', 'gc-gone');
    const patient = new PodGarbageCollector(gcApi, { quarantineMs: 3_600_000, log: (m) => logged.push(m) });
    expect(await patient.reconcile()).to.deep.equal([]);
    expect(await exists('gc-orphan')).to.equal(true);
  });

  it('fails and deletes the pods of a node that is gone once the quarantine is over', async () => {
    const collector = new PodGarbageCollector(gcApi, { quarantineMs: 0, log: (m) => logged.push(m) });
    expect(await collector.reconcile()).to.deep.equal(['default/gc-orphan']);
    expect(await exists('gc-orphan')).to.equal(false);
    expect(await exists('gc-live')).to.equal(true);
    expect(await exists('gc-on-held')).to.equal(true);
    expect(logged).to.deep.equal(['pod garbage collector: deleted pod default/gc-orphan: its node gc-gone no longer exists']);
    await api.call('release node', (a) => a.core.replaceNode({ name: 'gc-held', body: { metadata: { name: 'gc-held', finalizers: [] } } }));
    expect(await collector.reconcile()).to.deep.equal(['default/gc-on-held']);
    expect(await exists('gc-live')).to.equal(true);
  });
});
