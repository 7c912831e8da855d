import { expect } from 'chai';
import { startApiFixture, type ApiFixture } from './testing/api-fixture.ts';
import { LineStream, request, type Reply } from './testing/http-request.ts';

function expectStatus(reply: Reply, code: number, reason: string): Record<string, unknown> {
  expect(reply.status, reply.text).to.equal(code);
  const body = reply.json();
  expect(body).to.include({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
  expect(body.message).to.be.a('string');
  return body;
}

const node = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
});

describe('API server over HTTP (real etcd)', function () {
  this.timeout(60_000);
  let f: ApiFixture;
  let target: { url: string };

  before(async () => {
    f = await startApiFixture({ watchHeartbeatMs: 200 });
    target = { url: f.url };
  });
  after(async () => {
    await f?.stop();
  });

  it('answers health checks; every reply is JSON-typed and names the node', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const reply = await request(target, 'GET', path);
      expect(reply.status, path).to.equal(200);
      expect(reply.text).to.equal('ok');
      expect(reply.headers['content-type']).to.equal('application/json');
      expect(reply.headers['x-cpchaos-apiserver']).to.equal('test-node');
    }
    const verbose = await request(target, 'GET', '/readyz?verbose');
    expect(verbose.text).to.include('[+]etcd ok').and.include('readyz check passed');
    const missing = await request(target, 'GET', '/apis/apps/v1/deployments');
    expectStatus(missing, 404, 'NotFound');
    expect(missing.headers['content-type']).to.equal('application/json');
    expect(missing.headers['x-cpchaos-apiserver']).to.equal('test-node');
    // OpenAPI (openapi.test.ts has the documents): the v3 index names the core group version.
    const openapi = await request(target, 'GET', '/openapi/v3');
    expect(openapi.status).to.equal(200);
    expect(Object.keys(openapi.json().paths as object)).to.include('api/v1');
    expect((await request(target, 'GET', '/openapi/v2')).json().swagger).to.equal('2.0');
  });

  it('serves /version and discovery documents', async () => {
    expect((await request(target, 'GET', '/version')).json().gitVersion).to.equal('v1.30.0-cpchaos');
    expect((await request(target, 'GET', '/api')).json()).to.include({ kind: 'APIVersions' });
    const core = (await request(target, 'GET', '/api/v1')).json() as { resources: Record<string, unknown>[] };
    const byName = new Map(core.resources.map((r) => [r.name, r]));
    expect(byName.get('nodes')).to.deep.include({ kind: 'Node', namespaced: false, shortNames: ['no'] });
    expect(byName.get('nodes')?.verbs).to.include.members(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
    expect(byName.get('nodes/status')).to.deep.include({ verbs: ['get', 'patch', 'update'] });
    expect(byName.get('namespaces')).to.deep.include({ shortNames: ['ns'], namespaced: false });
    expect(byName.get('configmaps')).to.deep.include({ shortNames: ['cm'], namespaced: true });
    expect(byName.get('events')).to.deep.include({ shortNames: ['ev'], namespaced: true });
    const groups = (await request(target, 'GET', '/apis')).json() as {
      kind: string;
      groups: { name: string; preferredVersion: { groupVersion: string } }[];
    };
    expect(groups.kind).to.equal('APIGroupList');
    expect(groups.groups.map((g) => g.preferredVersion.groupVersion).sort()).to.deep.equal([
      'batch/v1',
      'coordination.k8s.io/v1',
      'kubevirt.io/v1',
      'policy/v1',
      'subresources.kubevirt.io/v1',
    ]);
    const batch = (await request(target, 'GET', '/apis/batch/v1')).json() as { groupVersion: string; resources: { name: string }[] };
    expect(batch.groupVersion).to.equal('batch/v1');
    expect(batch.resources.map((r) => r.name)).to.deep.equal(['jobs', 'jobs/status']);
    const leases = (await request(target, 'GET', '/apis/coordination.k8s.io/v1')).json() as {
      resources: { name: string; namespaced: boolean }[];
    };
    expect(leases.resources).to.deep.equal([
      {
        name: 'leases',
        singularName: 'lease',
        namespaced: true,
        kind: 'Lease',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      },
    ]);
    expect((await request(target, 'GET', '/apis/batch')).json()).to.include({ kind: 'APIGroup', name: 'batch' });
    expectStatus(await request(target, 'GET', '/apis/apps/v1'), 404, 'NotFound');
  });

  it('starts with the default namespaces', async () => {
    const list = (await request(target, 'GET', '/api/v1/namespaces')).json() as {
      items: { metadata: { name: string }; status: { phase: string } }[];
    };
    const names = list.items.map((n) => n.metadata.name);
    expect(names).to.include.members(['default', 'kube-system', 'kube-node-lease', 'harvester-system']);
    expect(list.items.every((n) => n.status.phase === 'Active')).to.equal(true);
  });

  it('answers errors with Kubernetes Status bodies', async () => {
    expect((await request(target, 'POST', '/api/v1/nodes', { body: node('h-n1') })).status).to.equal(201);
    const exists = expectStatus(await request(target, 'POST', '/api/v1/nodes', { body: node('h-n1') }), 409, 'AlreadyExists');
    expect(exists.details).to.deep.equal({ name: 'h-n1', kind: 'nodes' });
    const missing = expectStatus(
      await request(target, 'GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/nope'),
      404,
      'NotFound',
    );
    expect(missing.message).to.equal('leases.coordination.k8s.io "nope" not found');
    expectStatus(await request(target, 'PUT', '/api/v1/nodes/h-n1', { body: node('other') }), 400, 'BadRequest');
    expectStatus(
      await request(target, 'PATCH', '/api/v1/nodes/h-n1', { body: {}, headers: { 'Content-Type': 'application/apply-patch+yaml' } }),
      415,
      'UnsupportedMediaType',
    );
    expectStatus(await request(target, 'POST', '/api/v1/nodes/h-n1', { body: node('h-n1') }), 405, 'MethodNotAllowed');
    expectStatus(await request(target, 'POST', '/api/v1/configmaps', { body: { metadata: { name: 'x' } } }), 405, 'MethodNotAllowed');
    expectStatus(await request(target, 'POST', '/api/v1/nodes', { body: '{not json' }), 400, 'BadRequest');
    expectStatus(
      await request(target, 'POST', '/api/v1/nodes', { body: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' } } }),
      400,
      'BadRequest',
    );
    expectStatus(await request(target, 'POST', '/api/v1/nodes', { body: node('Bad_Name') }), 422, 'Invalid');
    expectStatus(await request(target, 'GET', '/api/v1/nodes?labelSelector=a%20in%20('), 400, 'BadRequest');
    expectStatus(await request(target, 'GET', '/api/v1/nodes?fieldSelector=spec.foo%3D1'), 400, 'BadRequest');
    expectStatus(await request(target, 'GET', '/api/v1/nodes/h-n1/proxy'), 404, 'NotFound');
    expectStatus(
      await request(target, 'PATCH', '/api/v1/nodes/h-n1', {
        body: [{ op: 'test', path: '/metadata/name', value: 'x' }],
        headers: { 'Content-Type': 'application/json-patch+json' },
      }),
      422,
      'Invalid',
    );
    const conflict = expectStatus(
      await request(target, 'PATCH', '/api/v1/nodes/h-n1', {
        body: { metadata: { resourceVersion: '1', labels: { a: 'b' } } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      }),
      409,
      'Conflict',
    );
    expect(conflict.message).to.include('the object has been modified');
  });

  it('deletes with a DeleteOptions body and answers a Success Status', async () => {
    await request(target, 'POST', '/api/v1/nodes', { body: node('h-del') });
    const reply = await request(target, 'DELETE', '/api/v1/nodes/h-del', {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
    });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.json()).to.deep.include({ kind: 'Status', status: 'Success' });
    expectStatus(await request(target, 'GET', '/api/v1/nodes/h-del'), 404, 'NotFound');
  });

  it('serves the same API on the unix socket', async () => {
    const reply = await request({ socketPath: f.socketPath }, 'GET', '/api/v1/namespaces/default');
    expect(reply.status).to.equal(200);
    expect(reply.json()).to.deep.include({ kind: 'Namespace' });
  });

  it('stores a 3 MB configmap', async () => {
    // A server of its own with kube-apiserver's default request timeout (--request-timeout, 1 min), not the sandbox's
    // compressed 2 s: on a loaded machine, 3 MB through etcd's JSON gateway can take longer than 2 s, and the size is
    // what is tested here, not the time.
    const patient = await startApiFixture({ requestDeadlineMs: 60_000 });
    try {
      const at = { url: patient.url };
      const big = 'x'.repeat(3 * 1024 * 1024);
      const created = await request(at, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: { metadata: { name: 'big' }, data: { big } },
      });
      expect(created.status, created.text.slice(0, 300)).to.equal(201);
      const got = (await request(at, 'GET', '/api/v1/namespaces/default/configmaps/big')).json() as { data: { big: string } };
      expect(got.data.big.length).to.equal(big.length);
    } finally {
      await patient.stop();
    }
  });

  it('keeps job status behind /status and counts generations', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j1' },
      spec: { completions: 1, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
      status: { succeeded: 5 },
    };
    const created = (await request(target, 'POST', '/apis/batch/v1/namespaces/default/jobs', { body: job })).json() as Record<
      string,
      Record<string, unknown>
    >;
    expect(created).to.not.have.property('status');
    expect(created.metadata?.generation).to.equal(1);
    const status = await request(target, 'PUT', '/apis/batch/v1/namespaces/default/jobs/j1/status', {
      body: { ...created, status: { succeeded: 1 } },
    });
    expect(status.status).to.equal(200);
    const patched = await request(target, 'PATCH', '/apis/batch/v1/namespaces/default/jobs/j1', {
      body: { spec: { parallelism: 2 }, status: { succeeded: 9 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    const body = patched.json() as { metadata: { generation: number }; status: { succeeded: number } };
    expect(body.metadata.generation).to.equal(2);
    expect(body.status.succeeded).to.equal(1);
  });

  it('watches with bookmarks, selector transitions and a server-side timeout', async () => {
    const list = (await request(target, 'GET', '/api/v1/nodes')).json() as { metadata: { resourceVersion: string } };
    const rv = list.metadata.resourceVersion;
    const watch = await new LineStream(
      target,
      `/api/v1/nodes?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}&labelSelector=pool%3Dblue&timeoutSeconds=3`,
    ).open();
    try {
      expect(watch.status).to.equal(200);
      expect(watch.headers['content-type']).to.equal('application/json');
      await request(target, 'POST', '/api/v1/nodes', { body: node('h-w1', { pool: 'blue' }) });
      await request(target, 'POST', '/api/v1/nodes', { body: node('h-w2', { pool: 'red' }) });
      const merge = { 'Content-Type': 'application/merge-patch+json' };
      await request(target, 'PATCH', '/api/v1/nodes/h-w1', { body: { metadata: { annotations: { a: '1' } } }, headers: merge });
      await request(target, 'PATCH', '/api/v1/nodes/h-w1', { body: { metadata: { labels: { pool: 'red' } } }, headers: merge });
      await request(target, 'PATCH', '/api/v1/nodes/h-w2', { body: { metadata: { labels: { pool: 'blue' } } }, headers: merge });
      await request(target, 'DELETE', '/api/v1/nodes/h-w2');
      const changes = (s: LineStream): string[] =>
        s
          .events()
          .filter((e) => e.type !== 'BOOKMARK')
          .map((e) => `${e.type}:${String((e.object.metadata as Record<string, unknown>).name)}`);
      await watch.waitFor('five events', (s) => changes(s).length >= 5);
      expect(changes(watch)).to.deep.equal(['ADDED:h-w1', 'MODIFIED:h-w1', 'DELETED:h-w1', 'ADDED:h-w2', 'DELETED:h-w2']);
      for (const e of watch.events()) expect((e.object.metadata as Record<string, unknown>).resourceVersion).to.match(/^\d+$/);
      await watch.waitFor('a bookmark', (s) => s.events().some((e) => e.type === 'BOOKMARK'));
      const bookmark = watch.events().find((e) => e.type === 'BOOKMARK');
      expect(bookmark?.object).to.deep.include({ kind: 'Node', apiVersion: 'v1' });
      const lastChange = watch
        .events()
        .filter((e) => e.type !== 'BOOKMARK')
        .pop();
      expect(Number((bookmark?.object.metadata as Record<string, string>).resourceVersion)).to.be.at.most(
        Number((lastChange?.object.metadata as Record<string, string>).resourceVersion) + 10,
      );
      await watch.waitFor('the stream to end after timeoutSeconds', (s) => s.ended, 6000);
    } finally {
      watch.close();
    }
  });

  it('sends newlines as heartbeats when bookmarks are not allowed, and initial ADDED events for resourceVersion=""', async () => {
    await request(target, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'hb' } } });
    const watch = await new LineStream(target, '/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dhb').open();
    try {
      await watch.waitFor('the initial event and a heartbeat', (s) => s.events().length === 1 && s.lines.some((l) => l.trim() === ''));
      expect(watch.events()[0]?.type).to.equal('ADDED');
    } finally {
      watch.close();
    }
  });

  it('sends initial events and an initial-events-end bookmark for sendInitialEvents', async () => {
    const watch = await new LineStream(
      target,
      '/api/v1/namespaces?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan',
    ).open();
    try {
      await watch.waitFor('the initial-events-end bookmark', (s) => s.events().some((e) => e.type === 'BOOKMARK'));
      const events = watch.events();
      const end = events.findIndex((e) => e.type === 'BOOKMARK');
      expect(events.slice(0, end).every((e) => e.type === 'ADDED')).to.equal(true);
      expect(end).to.be.at.least(4);
      expect((events[end]?.object.metadata as Record<string, unknown>).annotations).to.deep.equal({ 'k8s.io/initial-events-end': 'true' });
    } finally {
      watch.close();
    }
  });

  it('supports the legacy /watch/ path', async () => {
    const watch = await new LineStream(target, '/api/v1/watch/namespaces/default/configmaps/hb').open();
    try {
      await watch.waitFor('the ADDED event', (s) => s.events().length === 1);
      expect(watch.events()[0]?.type).to.equal('ADDED');
    } finally {
      watch.close();
    }
  });

  it('lists in chunks (limit/continue) at one resourceVersion, as kubectl --chunk-size and the Python client page', async () => {
    const base = '/api/v1/namespaces/paged/configmaps';
    await request(target, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'paged' } } });
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await request(target, 'POST', base, { body: { metadata: { name } } });
    type List = {
      metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
      items: { metadata: { name: string } }[];
    };
    const first = (await request(target, 'GET', `${base}?limit=2`)).json() as List;
    expect(first.items.map((i) => i.metadata.name)).to.deep.equal(['p1', 'p2']);
    expect(first.metadata.remainingItemCount).to.equal(3);
    // Written after the first chunk: not in this list (the chunks read at the first chunk's revision).
    await request(target, 'POST', base, { body: { metadata: { name: 'p0' } } });
    await request(target, 'DELETE', `${base}/p5`);
    const names: string[] = first.items.map((i) => i.metadata.name);
    let token = first.metadata.continue;
    while (token) {
      const chunk = (await request(target, 'GET', `${base}?limit=2&continue=${encodeURIComponent(token)}`)).json() as List;
      expect(chunk.metadata.resourceVersion).to.equal(first.metadata.resourceVersion);
      names.push(...chunk.items.map((i) => i.metadata.name));
      token = chunk.metadata.continue;
    }
    expect(names).to.deep.equal(['p1', 'p2', 'p3', 'p4', 'p5']);
    // A selector filters each chunk; no remainingItemCount then.
    const selected = (await request(target, 'GET', `${base}?limit=1&fieldSelector=metadata.name!=p1`)).json() as List;
    expect(selected.items.map((i) => i.metadata.name)).to.deep.equal(['p0']);
    expect(selected.metadata.remainingItemCount).to.equal(undefined);
    expectStatus(await request(target, 'GET', `${base}?limit=2&continue=garbage!`), 400, 'BadRequest');
    expectStatus(await request(target, 'GET', `${base}?limit=2&continue=${first.metadata.continue}&resourceVersion=1`), 400, 'BadRequest');
    expectStatus(await request(target, 'GET', `${base}?limit=-2`), 400, 'BadRequest');
    // A token whose revision etcd compacted: 410 Expired.
    const { revision } = await f.etcdClient.status();
    await f.etcdClient.compact(revision);
    expectStatus(await request(target, 'GET', `${base}?limit=2&continue=${first.metadata.continue}`), 410, 'Expired');
  });

  it('answers 410 Expired for a watch from a compacted resourceVersion', async () => {
    const first = (
      await request(target, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'c410' } } })
    ).json() as { metadata: { resourceVersion: string } };
    await request(target, 'PUT', '/api/v1/namespaces/default/configmaps/c410', { body: { metadata: { name: 'c410' }, data: { a: 'b' } } });
    const { revision } = await f.etcdClient.status();
    await f.etcdClient.compact(revision);
    // Revision 1 is older than any watch cache's window (a cache starts with a list, after the server's bootstrap),
    // so etcd answers; a compacted revision still in the window is served, as kube-apiserver's Cacher serves it.
    const reply = await request(target, 'GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1');
    const body = expectStatus(reply, 410, 'Expired');
    expect(body.message).to.match(/too old resource version/);
    expectStatus(
      await request(
        target,
        'GET',
        `/api/v1/namespaces/default/configmaps?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`,
      ),
      410,
      'Expired',
    );
  });
});

describe('API server watches and etcd watches (real etcd)', function () {
  this.timeout(60_000);
  /** The etcd watchers of the fixture's member, awaited to reach `count` (cancelling is asynchronous). */
  const expectWatchers = async (f: ApiFixture, count: number, what: string): Promise<void> => {
    const watchers = async (): Promise<number> => {
      const metrics = await (await fetch(`${f.etcd.url}/metrics`)).text();
      const line = metrics.split('\n').find((l) => l.startsWith('etcd_debugging_mvcc_watcher_total '));
      return Number(line?.split(' ')[1]);
    };
    const deadline = Date.now() + 5000;
    while ((await watchers()) !== count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await watchers(), what).to.equal(count);
  };

  it('without the watch cache, cancels the etcd watch of each client that goes away', async () => {
    const f = await startApiFixture({ watchCacheSize: 0 });
    try {
      await expectWatchers(f, 0, 'etcd watches before any client');
      const streams = await Promise.all([1, 2, 3].map(() => new LineStream({ url: f.url }, '/api/v1/nodes?watch=true').open()));
      // A watch's headers can reach the client just before its etcd watch is registered.
      await expectWatchers(f, 3, 'etcd watches with three clients watching');
      for (const s of streams) s.close();
      await expectWatchers(f, 0, 'etcd watches after the three clients went away');
    } finally {
      await f.stop();
    }
  });

  it('serves every client watch of a resource from one etcd watch, kept when the clients go away (the watch cache)', async () => {
    const f = await startApiFixture();
    const streams: LineStream[] = [];
    try {
      // The first watch starts the resource's cache (its list and shared etcd watch) and has an etcd watch of its own.
      streams.push(await new LineStream({ url: f.url }, '/api/v1/nodes?watch=true').open());
      await expectWatchers(f, 2, 'etcd watches: the first client and the cache');
      for (const rv of ['0', '', '0', '', '0']) {
        streams.push(await new LineStream({ url: f.url }, `/api/v1/nodes?watch=true&resourceVersion=${rv}`).open());
      }
      await new Promise((r) => setTimeout(r, 300));
      await expectWatchers(f, 2, 'etcd watches with six clients watching');
      await request({ url: f.url }, 'POST', '/api/v1/nodes', { body: node('shared') });
      for (const [i, s] of streams.entries()) {
        await s.waitFor(`client ${i} to see the new Node`, (x) => x.events().some((e) => e.type === 'ADDED'));
      }
      for (const s of streams.splice(0)) s.close();
      await expectWatchers(f, 1, "etcd watches once the clients went away: the cache's");
    } finally {
      for (const s of streams) s.close();
      await f.stop();
    }
  });
});

describe('API server close()', function () {
  this.timeout(30_000);
  it('ends open watches and stops listening; is idempotent', async () => {
    const f = await startApiFixture();
    try {
      const watch = await new LineStream({ url: f.url }, '/api/v1/nodes?watch=true').open();
      await Promise.all([f.server.close(), f.server.close()]);
      await watch.waitFor('the watch to end', (s) => s.ended, 3000);
      try {
        await request({ url: f.url }, 'GET', '/healthz', { timeoutMs: 1000 });
        expect.fail('a closed server answered');
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
      }
    } finally {
      await f.stop();
    }
  });
});
