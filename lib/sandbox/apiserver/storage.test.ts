import { expect } from 'chai';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import { startSingleEtcd, type SingleEtcd } from '../etcd/testing/single-etcd.ts';
import { ensureDefaultNamespaces } from './bootstrap.ts';
import { toApiError } from './error-map.ts';
import { matchesLabels, parseLabelSelector } from './label-selector.ts';
import { applyPatch } from './patch.ts';
import { labelsOf, metaOf, type KubeObject } from './object-meta.ts';
import { findResource, type ResourceInfo } from './resources.ts';
import { ApiError } from './status.ts';
import { ObjectStore } from './storage.ts';
import { prepareForCreate, prepareForUpdate } from './strategy.ts';

const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;
const configmaps = findResource('', 'v1', 'configmaps') as ResourceInfo;
const namespaces = findResource('', 'v1', 'namespaces') as ResourceInfo;

const rv = (obj: KubeObject): string => String(metaOf(obj).resourceVersion);

async function expectApiError(promise: Promise<unknown>, code: number, reason: string): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ApiError);
    expect((error as ApiError).code).to.equal(code);
    expect((error as ApiError).reason).to.equal(reason);
    return error as ApiError;
  }
  expect.fail(`expected ${code} ${reason}`);
}

describe('ObjectStore on a real etcd', function () {
  this.timeout(60_000);
  let etcd: SingleEtcd;
  let client: EtcdClient;
  let store: ObjectStore;
  const signal = (): AbortSignal => AbortSignal.timeout(2000);

  const createNode = (name: string, labels: Record<string, string> = {}, extra: KubeObject = {}): Promise<KubeObject> =>
    store.create(nodes, undefined, prepareForCreate(nodes, { metadata: { name, labels }, ...extra }, name, undefined), signal());

  before(async () => {
    etcd = await startSingleEtcd();
    client = etcd.client(2000);
    store = new ObjectStore(client);
    await ensureDefaultNamespaces(store, signal());
  });
  after(async () => {
    client?.close();
    await etcd?.stop();
  });

  it('creates, gets and refuses a second create with AlreadyExists', async () => {
    const created = await createNode('s-n1', { role: 'cp' });
    expect(rv(created)).to.match(/^\d+$/);
    const got = await store.get(nodes, undefined, 's-n1', signal());
    expect(got).to.deep.equal(created);
    expect((await client.get('/registry/nodes/s-n1')).kv?.modRevision).to.equal(Number(rv(created)));
    await expectApiError(createNode('s-n1'), 409, 'AlreadyExists');
    await expectApiError(store.get(nodes, undefined, 'missing', signal()), 404, 'NotFound');
  });

  it('lists with the header revision and filters by label selector', async () => {
    await createNode('s-n2', { role: 'worker', zone: 'a' });
    await createNode('s-n3', { role: 'worker', zone: 'b' });
    const selector = parseLabelSelector('role=worker,zone notin (b)');
    const listed = await store.list(nodes, undefined, { filter: (o) => matchesLabels(selector, labelsOf(o)) }, signal());
    expect(listed.items.map((o) => metaOf(o).name)).to.deep.equal(['s-n2']);
    const { revision } = await client.status();
    expect(Number(listed.resourceVersion)).to.equal(revision);
  });

  it('stores namespaced objects under their namespace and needs the namespace to exist', async () => {
    const body = { metadata: { name: 'cm1' }, data: { a: '1' } };
    await store.create(configmaps, 'default', prepareForCreate(configmaps, body, 'cm1', 'default'), signal());
    await store.create(configmaps, 'kube-system', prepareForCreate(configmaps, body, 'cm1', 'kube-system'), signal());
    expect((await client.get('/registry/configmaps/default/cm1')).kv).to.not.equal(undefined);
    expect((await store.list(configmaps, 'default', {}, signal())).items).to.have.length(1);
    expect((await store.list(configmaps, undefined, {}, signal())).items).to.have.length(2);
    const err = await expectApiError(
      store.create(configmaps, 'nowhere', prepareForCreate(configmaps, body, 'cm1', 'nowhere'), signal()),
      404,
      'NotFound',
    );
    expect(err.message).to.equal('namespaces "nowhere" not found');
  });

  it('updates with optimistic concurrency: a stale resourceVersion is a Conflict, none is unconditional', async () => {
    const created = await createNode('s-u1');
    const update = (expected: string | undefined, label: string): Promise<KubeObject> =>
      store.update(
        nodes,
        undefined,
        's-u1',
        (current) => ({
          object: prepareForUpdate(nodes, current, { ...current, metadata: { ...metaOf(current), labels: { v: label } } }, undefined),
          expectedResourceVersion: expected,
        }),
        signal(),
      );
    const first = await update(rv(created), 'one');
    expect(Number(rv(first))).to.be.greaterThan(Number(rv(created)));
    await expectApiError(update(rv(created), 'two'), 409, 'Conflict');
    const second = await update(undefined, 'three');
    expect(labelsOf(second)).to.deep.equal({ v: 'three' });
    const noop = await update(undefined, 'three');
    expect(rv(noop)).to.equal(rv(second));
  });

  it('retries an unconditional update across concurrent writers (no lost updates)', async () => {
    await createNode('s-race');
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.update(
          nodes,
          undefined,
          's-race',
          (current) => {
            const patched = applyPatch('merge', current, { metadata: { labels: { [`k${i}`]: 'v' } } }) as KubeObject;
            return { object: prepareForUpdate(nodes, current, patched, undefined) };
          },
          AbortSignal.timeout(10_000),
        ),
      ),
    );
    const final = await store.get(nodes, undefined, 's-race', signal());
    expect(Object.keys(labelsOf(final)).sort()).to.deep.equal(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
  });

  it('marks an object with finalizers for deletion and deletes it when the last finalizer goes', async () => {
    await store.create(
      nodes,
      undefined,
      prepareForCreate(nodes, { metadata: { name: 's-f1', finalizers: ['a', 'b'] } }, 's-f1', undefined),
      signal(),
    );
    const marked = await store.delete(nodes, undefined, 's-f1', {}, signal());
    expect(marked.deleted).to.equal(false);
    expect(metaOf(marked.object).deletionTimestamp).to.be.a('string');
    const again = await store.delete(nodes, undefined, 's-f1', {}, signal());
    expect(again.deleted).to.equal(false);
    expect(metaOf(again.object).deletionTimestamp).to.equal(metaOf(marked.object).deletionTimestamp);
    const removeFinalizer = (name: string): Promise<KubeObject> =>
      store.update(
        nodes,
        undefined,
        's-f1',
        (current) => {
          const finalizers = (metaOf(current).finalizers as string[]).filter((f) => f !== name);
          return { object: prepareForUpdate(nodes, current, { ...current, metadata: { ...metaOf(current), finalizers } }, undefined) };
        },
        signal(),
      );
    await removeFinalizer('a');
    expect(metaOf(await store.get(nodes, undefined, 's-f1', signal())).finalizers).to.deep.equal(['b']);
    await removeFinalizer('b');
    await expectApiError(store.get(nodes, undefined, 's-f1', signal()), 404, 'NotFound');
  });

  it('deletes without finalizers, honouring uid and resourceVersion preconditions', async () => {
    const created = await createNode('s-d1');
    await expectApiError(store.delete(nodes, undefined, 's-d1', { uid: 'nope' }, signal()), 409, 'Conflict');
    await expectApiError(store.delete(nodes, undefined, 's-d1', { resourceVersion: '1' }, signal()), 409, 'Conflict');
    const outcome = await store.delete(
      nodes,
      undefined,
      's-d1',
      { uid: String(metaOf(created).uid), resourceVersion: rv(created) },
      signal(),
    );
    expect(outcome.deleted).to.equal(true);
    await expectApiError(store.delete(nodes, undefined, 's-d1', {}, signal()), 404, 'NotFound');
  });

  it("takes a namespace's objects with it", async () => {
    await store.create(
      namespaces,
      undefined,
      prepareForCreate(namespaces, { metadata: { name: 'doomed' } }, 'doomed', undefined),
      signal(),
    );
    await store.create(configmaps, 'doomed', prepareForCreate(configmaps, { metadata: { name: 'c' } }, 'c', 'doomed'), signal());
    await store.delete(namespaces, undefined, 'doomed', {}, signal());
    expect((await store.list(configmaps, 'doomed', {}, signal())).items).to.have.length(0);
  });

  it('reads a list at an exact revision and reports a compacted one as 410 Expired', async () => {
    const before = await store.list(nodes, undefined, {}, signal());
    await createNode('s-c1');
    const exact = await store.list(nodes, undefined, { resourceVersion: before.resourceVersion, exact: true }, signal());
    expect(exact.items.length).to.equal(before.items.length);
    const { revision } = await client.status();
    await client.compact(revision);
    try {
      await store.list(nodes, undefined, { resourceVersion: before.resourceVersion, exact: true }, signal());
      expect.fail('listing at a compacted revision succeeded');
    } catch (error) {
      const apiError = toApiError(error);
      expect(apiError.code).to.equal(410);
      expect(apiError.reason).to.equal('Expired');
    }
  });
});
