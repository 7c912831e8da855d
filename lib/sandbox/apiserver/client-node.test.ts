import { expect } from 'chai';
import {
  ApiException,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubeConfig,
  type V1Node,
} from '@kubernetes/client-node';
import { startApiFixture, type ApiFixture } from './testing/api-fixture.ts';

async function waitUntil(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function expectCode(promise: Promise<unknown>, code: number): Promise<ApiException<unknown>> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ApiException);
    expect((error as ApiException<unknown>).code).to.equal(code);
    return error as ApiException<unknown>;
  }
  expect.fail(`expected HTTP ${code}`);
}

describe('@kubernetes/client-node against the API server', function () {
  this.timeout(60_000);
  let f: ApiFixture;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    f = await startApiFixture({ watchHeartbeatMs: 300 });
    kc = f.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await f?.stop();
  });

  it('creates, lists, reads and merge-patches nodes', async () => {
    const created = await core.createNode({
      body: { metadata: { name: 'c-n1', labels: { pool: 'a' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    });
    expect(created.metadata?.uid).to.be.a('string');
    expect(created.metadata?.resourceVersion).to.match(/^\d+$/);
    expect(created.metadata?.creationTimestamp).to.be.instanceOf(Date);
    const list = await core.listNode({ labelSelector: 'pool=a' });
    expect(list.metadata?.resourceVersion).to.match(/^\d+$/);
    expect(list.items.map((n) => n.metadata?.name)).to.deep.equal(['c-n1']);
    const patched = await core.patchNode(
      { name: 'c-n1', body: { metadata: { labels: { pool: null, zone: 'z1' } }, spec: { unschedulable: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).to.deep.equal({ zone: 'z1' });
    expect(patched.spec?.unschedulable).to.equal(true);
    const status = await core.patchNodeStatus(
      { name: 'c-n1', body: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Stopped' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(status.status?.conditions?.[0]).to.deep.include({ type: 'Ready', status: 'False', reason: 'Stopped' });
    const read = await core.readNode({ name: 'c-n1' });
    expect(read.status?.conditions).to.have.length(1);
    await core.patchNode(
      { name: 'c-n1', body: [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect((await core.readNode({ name: 'c-n1' })).metadata?.annotations).to.deep.equal({ a: 'b' });
    await expectCode(core.readNode({ name: 'c-missing' }), 404);
    await expectCode(core.createNode({ body: { metadata: { name: 'c-n1' } } }), 409);
  });

  it('refuses a configmap replace with a stale resourceVersion (409)', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c-cm' }, data: { v: '1' } } });
    const fresh = await core.replaceNamespacedConfigMap({ name: 'c-cm', namespace: 'default', body: { ...cm, data: { v: '2' } } });
    expect(Number(fresh.metadata?.resourceVersion)).to.be.greaterThan(Number(cm.metadata?.resourceVersion));
    const error = await expectCode(
      core.replaceNamespacedConfigMap({ name: 'c-cm', namespace: 'default', body: { ...cm, data: { v: '3' } } }),
      409,
    );
    expect(JSON.parse(String(error.body)).reason).to.equal('Conflict');
    const unconditional = await core.replaceNamespacedConfigMap({
      name: 'c-cm',
      namespace: 'default',
      body: { metadata: { name: 'c-cm' }, data: { v: '4' } },
    });
    expect(unconditional.data).to.deep.equal({ v: '4' });
    await core.deleteNamespacedConfigMap({ name: 'c-cm', namespace: 'default' });
    await expectCode(core.readNamespacedConfigMap({ name: 'c-cm', namespace: 'default' }), 404);
  });

  it('keeps leases (coordination.k8s.io/v1)', async () => {
    const leases = kc.makeApiClient(CoordinationV1Api);
    const now = new Date();
    const lease = await leases.createNamespacedLease({
      namespace: 'kube-node-lease',
      body: { metadata: { name: 'c-n1' }, spec: { holderIdentity: 'c-n1', leaseDurationSeconds: 40, renewTime: now } },
    });
    expect(lease.spec?.holderIdentity).to.equal('c-n1');
    const renewed = await leases.replaceNamespacedLease({
      name: 'c-n1',
      namespace: 'kube-node-lease',
      body: { ...lease, spec: { ...lease.spec, renewTime: new Date(now.getTime() + 1000) } },
    });
    // client-node 1.4 leaves MicroTime as the wire string.
    expect(new Date(String(renewed.spec?.renewTime)).getTime()).to.be.greaterThan(now.getTime());
    const list = await leases.listNamespacedLease({ namespace: 'kube-node-lease' });
    expect(list.items.map((l) => l.metadata?.name)).to.include('c-n1');
    await expectCode(leases.replaceNamespacedLease({ name: 'c-n1', namespace: 'kube-node-lease', body: lease }), 409);
  });

  it('runs jobs (batch/v1) with a status subresource', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const job = await batch.createNamespacedJob({
      namespace: 'default',
      body: {
        metadata: { name: 'c-job' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
      },
    });
    expect(job.metadata?.generation).to.equal(1);
    const status = await batch.patchNamespacedJobStatus(
      { name: 'c-job', namespace: 'default', body: { status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(status.status?.succeeded).to.equal(1);
    const list = await batch.listNamespacedJob({ namespace: 'default' });
    expect(list.items[0]?.status?.conditions?.[0]?.type).to.equal('Complete');
    await batch.deleteNamespacedJob({ name: 'c-job', namespace: 'default' });
  });

  it('delivers ADDED, MODIFIED and DELETED to a Watch', async () => {
    const list = await core.listNode();
    const events: string[] = [];
    let doneError: unknown = 'not done';
    const controller = await new Watch(kc).watch(
      '/api/v1/nodes',
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type, obj: V1Node) => {
        if (type !== 'BOOKMARK') events.push(`${type}:${obj.metadata?.name ?? ''}`);
      },
      (err) => (doneError = err),
    );
    await core.createNode({ body: { metadata: { name: 'c-w1' } } });
    await core.patchNode(
      { name: 'c-w1', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNode({ name: 'c-w1' });
    await waitUntil('three watch events', () => events.length >= 3);
    expect(events).to.deep.equal(['ADDED:c-w1', 'MODIFIED:c-w1', 'DELETED:c-w1']);
    controller.abort();
    expect(doneError).to.not.equal(undefined);
  });

  it('feeds an informer add, update and delete', async () => {
    const informer = makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name ?? ''}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name ?? ''}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name ?? ''}`));
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c-inf' } } });
      await waitUntil('add', () => seen.includes('add:c-inf'));
      await core.patchNamespacedConfigMap(
        { name: 'c-inf', namespace: 'default', body: { data: { a: 'b' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitUntil('update', () => seen.includes('update:c-inf'));
      await core.deleteNamespacedConfigMap({ name: 'c-inf', namespace: 'default' });
      await waitUntil('delete', () => seen.includes('delete:c-inf'));
      expect(informer.get('c-inf', 'default')).to.equal(undefined);
      // Heartbeat bookmarks keep the informer's resourceVersion current and valid.
      await new Promise((r) => setTimeout(r, 700));
      expect(errors).to.deep.equal([]);
    } finally {
      await informer.stop();
    }
  });

  it('reports a watch from a compacted resourceVersion as 410 through done', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c-410' } } });
    await core.replaceNamespacedConfigMap({ name: 'c-410', namespace: 'default', body: { metadata: { name: 'c-410' }, data: { a: 'b' } } });
    const { revision } = await f.etcdClient.status();
    await f.etcdClient.compact(revision);
    const err = await new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(
        '/api/v1/namespaces/default/configmaps',
        // Older than any watch cache's window (http-api.test.ts), so etcd says whether it was compacted.
        { resourceVersion: '1' },
        () => undefined,
        resolve,
      );
    });
    expect((err as { statusCode?: number }).statusCode).to.equal(410);
  });
});
