// Server-side dry run against a real sandbox API server on a real etcd: every write verb with dryRun=All answers as the
// write would and leaves etcd as it was; other values are kube-apiserver's 422.
import { expect } from 'chai';
import { deleteDryRun, dryRunOf, queryDryRun } from './dry-run.ts';
import { ApiError } from './status.ts';
import { startApiFixture, type ApiFixture } from './testing/api-fixture.ts';
import { request, type Reply } from './testing/http-request.ts';

describe('dryRun values', () => {
  it('no value is a write, All a dry run, anything else a 422 naming the options kind', () => {
    expect(dryRunOf([], 'CreateOptions')).to.equal(false);
    expect(dryRunOf(['All'], 'CreateOptions')).to.equal(true);
    expect(queryDryRun(new URLSearchParams('dryRun=All&dryRun=All'), 'PatchOptions')).to.equal(true);
    const error = (() => {
      try {
        queryDryRun(new URLSearchParams('dryRun=Yes'), 'UpdateOptions');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).to.be.instanceOf(ApiError);
    expect((error as ApiError).toStatus()).to.deep.include({
      code: 422,
      reason: 'Invalid',
      message: 'UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Yes"]: supported values: "All"',
    });
    expect(() => queryDryRun(new URLSearchParams('dryRun='), 'CreateOptions')).to.throw(ApiError, 'Unsupported value: [""]');
  });

  it('a DELETE reads it from its DeleteOptions body when it has one, else from the query', () => {
    expect(deleteDryRun({ dryRun: ['All'] }, new URLSearchParams())).to.equal(true);
    expect(deleteDryRun({}, new URLSearchParams('dryRun=All'))).to.equal(false);
    expect(deleteDryRun(undefined, new URLSearchParams('dryRun=All'))).to.equal(true);
    expect(() => deleteDryRun({ dryRun: ['Some'] }, new URLSearchParams())).to.throw(ApiError, 'DeleteOptions.meta.k8s.io');
    expect(() => deleteDryRun({ dryRun: 'All' }, new URLSearchParams())).to.throw(ApiError);
  });
});

describe('dryRun=All over HTTP (real etcd)', function () {
  this.timeout(60_000);
  let f: ApiFixture;
  let target: { url: string };
  const cm = (name: string, data: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...extra },
    data,
  });
  const base = '/api/v1/namespaces/default/configmaps';
  const stored = async (key: string): Promise<{ value: string; modRevision: number } | undefined> => {
    const { kv } = await f.etcdClient.get(key);
    return kv ? { value: kv.value, modRevision: kv.modRevision } : undefined;
  };
  const expectOk = (reply: Reply, code: number): Record<string, unknown> => {
    expect(reply.status, reply.text).to.equal(code);
    return reply.json();
  };

  before(async () => {
    f = await startApiFixture();
    target = { url: f.url };
    expectOk(await request(target, 'POST', base, { body: cm('kept', { a: '1' }) }), 201);
    expectOk(
      await request(target, 'POST', '/api/v1/nodes', { body: { metadata: { name: 'dry-node' }, status: { phase: 'Running' } } }),
      201,
    );
  });
  after(async () => {
    await f?.stop();
  });

  it('create returns the object it would store (identity, no resourceVersion) and stores nothing', async () => {
    const created = expectOk(await request(target, 'POST', `${base}?dryRun=All`, { body: cm('dry', { a: '1' }) }), 201);
    const meta = created.metadata as Record<string, unknown>;
    expect(meta).to.include({ name: 'dry', namespace: 'default' });
    expect(meta.uid).to.be.a('string');
    expect(meta.creationTimestamp).to.be.a('string');
    expect(meta.resourceVersion).to.equal(undefined);
    expect(await stored('/registry/configmaps/default/dry')).to.equal(undefined);
    expect((await request(target, 'GET', `${base}/dry`)).status).to.equal(404);
  });

  it('create keeps the checks of a real create: an existing name is 409, a missing namespace 404', async () => {
    expect((await request(target, 'POST', `${base}?dryRun=All`, { body: cm('kept', {}) })).status).to.equal(409);
    expect((await request(target, 'POST', '/api/v1/namespaces/nope/configmaps?dryRun=All', { body: cm('x', {}) })).status).to.equal(404);
  });

  it('update, patch and the status subresource answer the would-be object; etcd keeps its revision', async () => {
    const before = await stored('/registry/configmaps/default/kept');
    const current = expectOk(await request(target, 'GET', `${base}/kept`), 200);
    const put = expectOk(await request(target, 'PUT', `${base}/kept?dryRun=All`, { body: { ...current, data: { a: '2' } } }), 200);
    expect(put.data).to.deep.equal({ a: '2' });
    expect((put.metadata as Record<string, unknown>).resourceVersion).to.equal(String(before?.modRevision));
    const patched = expectOk(
      await request(target, 'PATCH', `${base}/kept?dryRun=All`, {
        body: { data: { b: '3' } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      }),
      200,
    );
    expect(patched.data).to.deep.equal({ a: '1', b: '3' });
    const nodeBefore = await stored('/registry/nodes/dry-node');
    const status = expectOk(
      await request(target, 'PATCH', '/api/v1/nodes/dry-node/status?dryRun=All', {
        body: { status: { phase: 'Terminated' } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      }),
      200,
    );
    expect(status.status).to.deep.equal({ phase: 'Terminated' });
    expect(await stored('/registry/configmaps/default/kept')).to.deep.equal(before);
    expect(await stored('/registry/nodes/dry-node')).to.deep.equal(nodeBefore);
    // A stale resourceVersion is the same 409 it is for a real update.
    const stale = { ...current, metadata: { ...(current.metadata as object), resourceVersion: '1' } };
    expect((await request(target, 'PUT', `${base}/kept?dryRun=All`, { body: stale })).status).to.equal(409);
  });

  it('delete (body or query) and deletecollection answer as a delete would; the objects stay', async () => {
    const byBody = expectOk(
      await request(target, 'DELETE', `${base}/kept`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] } }),
      200,
    );
    expect(byBody).to.include({ kind: 'Status', status: 'Success' });
    expectOk(await request(target, 'DELETE', `${base}/kept?dryRun=All`), 200);
    const collection = expectOk(await request(target, 'DELETE', `${base}?dryRun=All`), 200);
    expect((collection.items as { metadata: { name: string } }[]).map((i) => i.metadata.name)).to.deep.equal(['kept']);
    expect(await stored('/registry/configmaps/default/kept')).to.not.equal(undefined);
    // Held by a finalizer: the would-be mark, not stored.
    expectOk(
      await request(target, 'PATCH', `${base}/kept`, {
        body: { metadata: { finalizers: ['test/hold'] } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      }),
      200,
    );
    const marked = expectOk(await request(target, 'DELETE', `${base}/kept?dryRun=All`), 200);
    expect((marked.metadata as Record<string, unknown>).deletionTimestamp).to.be.a('string');
    const after = expectOk(await request(target, 'GET', `${base}/kept`), 200);
    expect((after.metadata as Record<string, unknown>).deletionTimestamp).to.equal(undefined);
  });

  it('any other dryRun value is a 422; reads ignore the parameter', async () => {
    const reply = await request(target, 'POST', `${base}?dryRun=true`, { body: cm('bad', {}) });
    expect(reply.status).to.equal(422);
    expect(reply.json()).to.deep.include({
      reason: 'Invalid',
      message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["true"]: supported values: "All"',
      details: {
        group: 'meta.k8s.io',
        kind: 'CreateOptions',
        causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: ["true"]: supported values: "All"', field: 'dryRun' }],
      },
    });
    expect((await request(target, 'DELETE', `${base}/kept`, { body: { dryRun: ['Nope'] } })).status).to.equal(422);
    expect((await request(target, 'GET', `${base}/kept?dryRun=whatever`)).status).to.equal(200);
  });
});
