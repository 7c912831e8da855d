// Pods on the API server over HTTP (real etcd): defaults and status at create, field selectors, the status
// subresource, graceful deletion, the eviction subresource and its discovery, the table.
import { expect } from 'chai';
import { startApiFixture, type ApiFixture } from './testing/api-fixture.ts';
import { request, type Reply } from './testing/http-request.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const pod = (name: string, nodeName?: string, extra: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'busybox:1.36' }], ...extra },
});

const POD_PATH = '/api/v1/namespaces/default/pods';

describe('pods on the API server (real etcd)', function () {
  this.timeout(60_000);
  let f: ApiFixture;
  let target: { url: string };
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> =>
    request(target, method, path, { ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });
  const names = async (query: string, path = '/api/v1/pods'): Promise<string[]> => {
    const reply = await call('GET', `${path}?${query}`);
    expect(reply.status, reply.text).to.equal(200);
    return (reply.json().items as Obj[]).map((p) => p.metadata.name as string).sort();
  };

  before(async () => {
    f = await startApiFixture();
    target = { url: f.url };
  });
  after(async () => {
    await f?.stop();
  });

  it('creates a pod Pending with the spec defaults, its status dropped; rejects one without containers', async () => {
    const created = await call('POST', POD_PATH, { ...pod('p-defaults', 'n1'), status: { phase: 'Running' } });
    expect(created.status, created.text).to.equal(201);
    const body = created.json() as Obj;
    expect(body.status).to.deep.equal({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(body.spec).to.include({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
    expect(body.spec.containers[0]).to.include({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });
    expect(body.spec.tolerations.map((t: Obj) => t.key)).to.deep.equal(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
    const guaranteed = pod('p-guaranteed', undefined, {
      containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }],
    });
    expect(((await call('POST', POD_PATH, guaranteed)).json() as Obj).status.qosClass).to.equal('Guaranteed');
    const bad = await call('POST', POD_PATH, { ...pod('p-bad'), spec: { containers: [] } });
    expect(bad.status).to.equal(422);
    expect(bad.json().message).to.include('spec.containers: Required value');
  });

  it('lists pods by spec.nodeName, status.phase and spec.hostNetwork, across namespaces and in one', async () => {
    for (const [name, node] of [
      ['p-a1', 'fs-a'],
      ['p-a2', 'fs-a'],
      ['p-b1', 'fs-b'],
    ] as const) {
      expect((await call('POST', POD_PATH, pod(name, node))).status).to.equal(201);
    }
    expect(await names('fieldSelector=spec.nodeName%3Dfs-a')).to.deep.equal(['p-a1', 'p-a2']);
    expect(await names('fieldSelector=spec.nodeName%3Dfs-b', POD_PATH)).to.deep.equal(['p-b1']);
    expect(await names('fieldSelector=spec.nodeName%3Dfs-a,metadata.name!%3Dp-a1')).to.deep.equal(['p-a2']);
    expect(await names('fieldSelector=spec.nodeName%3Dfs-a,status.phase!%3DSucceeded,status.phase!%3DFailed')).to.have.length(2);
    expect(await names('fieldSelector=spec.nodeName%3Dfs-a,spec.hostNetwork%3Dfalse')).to.have.length(2);
    expect(await names('fieldSelector=spec.nodeName%3Dfs-a,status.phase%3DRunning')).to.deep.equal([]);
    expect((await call('GET', '/api/v1/pods?fieldSelector=spec.image%3Dx')).status).to.equal(400);
  });

  it('takes status through /status only, keeping the spec', async () => {
    const path = `${POD_PATH}/p-a1`;
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const ignored = await call('PATCH', path, { status: { phase: 'Running' } }, merge);
    expect((ignored.json() as Obj).status.phase).to.equal('Pending');
    const patched = await call('PATCH', `${path}/status`, { spec: { nodeName: 'elsewhere' }, status: { phase: 'Running' } }, merge);
    expect(patched.status, patched.text).to.equal(200);
    const body = patched.json() as Obj;
    expect(body.status).to.deep.equal({ phase: 'Running', qosClass: 'BestEffort' });
    expect(body.spec.nodeName).to.equal('fs-a');
    expect(await names('fieldSelector=status.phase%3DRunning')).to.deep.equal(['p-a1']);
  });

  it('deletes a bound pod gracefully (marked until a delete with grace 0), an unbound one at once', async () => {
    const marked = await call('DELETE', `${POD_PATH}/p-a2`);
    expect(marked.status).to.equal(200);
    expect((marked.json() as Obj).metadata).to.include({ deletionGracePeriodSeconds: 30 });
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const kept = await call('PATCH', `${POD_PATH}/p-a2/status`, { status: { phase: 'Running' } }, merge);
    expect(kept.status, 'an update in the grace period keeps the pod').to.equal(200);
    const again = await call('DELETE', `${POD_PATH}/p-a2`, { gracePeriodSeconds: 60 });
    expect((again.json() as Obj).metadata.deletionGracePeriodSeconds, 'a longer grace changes nothing').to.equal(30);
    const uid = (again.json() as Obj).metadata.uid as string;
    const gone = await call('DELETE', `${POD_PATH}/p-a2`, { gracePeriodSeconds: 0, preconditions: { uid } });
    expect(gone.json()).to.include({ kind: 'Status', status: 'Success' });
    expect((await call('GET', `${POD_PATH}/p-a2`)).status).to.equal(404);
    const unbound = await call('DELETE', `${POD_PATH}/p-guaranteed`);
    expect(unbound.json()).to.include({ kind: 'Status', status: 'Success' });
  });

  it('evicts: 201 Status Success, the pod deleted with the eviction grace; 404 for a missing pod', async () => {
    const eviction = (name: string, deleteOptions?: Obj): Obj => ({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace: 'default' },
      ...(deleteOptions ? { deleteOptions } : {}),
    });
    const evicted = await call('POST', `${POD_PATH}/p-b1/eviction`, eviction('p-b1', { gracePeriodSeconds: 0 }));
    expect(evicted.status, evicted.text).to.equal(201);
    expect(evicted.json()).to.include({ kind: 'Status', status: 'Success' });
    expect((await call('GET', `${POD_PATH}/p-b1`)).status).to.equal(404);
    const graceful = await call('POST', `${POD_PATH}/p-a1/eviction`, eviction('p-a1'));
    expect(graceful.status).to.equal(201);
    const terminating = (await call('GET', `${POD_PATH}/p-a1`)).json() as Obj;
    expect(terminating.metadata.deletionGracePeriodSeconds, 'the pod terminates with its own grace').to.equal(30);
    const missing = await call('POST', `${POD_PATH}/nope/eviction`, eviction('nope'));
    expect(missing.status).to.equal(404);
    expect(missing.json()).to.include({ reason: 'NotFound', message: 'pods "nope" not found' });
    expect((await call('POST', `${POD_PATH}/p-a1/eviction`, eviction('other'))).status).to.equal(400);
    expect((await call('GET', `${POD_PATH}/p-a1/eviction`)).status).to.equal(405);
    expect((await call('POST', '/api/v1/namespaces/default/configmaps/x/eviction', eviction('x'))).status).to.equal(404);
  });

  it('lists pods/eviction and the policy group in discovery, as kubectl drain looks for them', async () => {
    const core = (await call('GET', '/api/v1')).json() as { resources: Obj[] };
    const byName = new Map(core.resources.map((r) => [r.name as string, r]));
    expect(byName.get('pods')).to.deep.include({ kind: 'Pod', namespaced: true, shortNames: ['po'] });
    expect(byName.get('pods/status')).to.deep.include({ verbs: ['get', 'patch', 'update'] });
    expect(byName.get('pods/eviction')).to.deep.include({ kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    const policy = (await call('GET', '/apis/policy')).json() as Obj;
    expect(policy.preferredVersion).to.deep.equal({ groupVersion: 'policy/v1', version: 'v1' });
    const budgets = (await call('GET', '/apis/policy/v1')).json() as { resources: Obj[] };
    expect(budgets.resources.map((r) => r.name)).to.deep.equal(['poddisruptionbudgets', 'poddisruptionbudgets/status']);
  });

  it('evicts under a PodDisruptionBudget only as far as its status allows (no disruption controller)', async () => {
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
    const budget = { metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } };
    expect((await call('POST', PDBS, budget)).status).to.equal(201);
    for (const name of ['g-1', 'g-2', 'g-pending']) {
      const created = await call('POST', POD_PATH, { ...pod(name, 'fs-g'), metadata: { name, labels: { app: 'guarded' } } });
      expect(created.status).to.equal(201);
      if (name !== 'g-pending') await call('PATCH', `${POD_PATH}/${name}/status`, { status: { phase: 'Running' } }, merge);
    }
    const evict = (name: string): Promise<Reply> =>
      call('POST', `${POD_PATH}/${name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name },
        deleteOptions: { gracePeriodSeconds: 0 },
      });
    const unprocessed = await evict('g-1');
    expect(unprocessed.status, unprocessed.text).to.equal(429);
    expect(unprocessed.json()).to.deep.include({ reason: 'TooManyRequests' });
    expect(JSON.stringify(unprocessed.json().details)).to.include('The disruption budget guard is still being processed by the server.');
    expect((await evict('g-pending')).status, 'a Pending pod ignores budgets').to.equal(201);
    const status = { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 };
    expect((await call('PATCH', `${PDBS}/guard/status`, { status }, merge)).status).to.equal(200);
    expect((await evict('g-1')).status).to.equal(201);
    const spent = (await call('GET', `${PDBS}/guard`)).json() as Obj;
    expect(spent.status.disruptionsAllowed).to.equal(0);
    expect(Object.keys(spent.status.disruptedPods)).to.deep.equal(['g-1']);
    const refused = await evict('g-2');
    expect(refused.status).to.equal(429);
    expect(JSON.stringify(refused.json().details)).to.include('The disruption budget guard needs 1 healthy pods and has 2 currently');
    expect((await call('POST', PDBS, { ...budget, metadata: { name: 'guard-2' } })).status).to.equal(201);
    const twice = await evict('g-2');
    expect(twice.status).to.equal(500);
    expect(twice.json().message).to.include('more than one PodDisruptionBudget');
    expect((await call('GET', `${POD_PATH}/g-2`)).status).to.equal(200);
  });

  it('prints pods as a table: NAME READY STATUS RESTARTS AGE, then the wide columns', async () => {
    expect((await call('POST', POD_PATH, pod('p-table', 'fs-t'))).status).to.equal(201);
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const running = {
      phase: 'Running',
      podIP: '10.42.0.7',
      containerStatuses: [{ name: 'app', ready: true, restartCount: 2, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }],
    };
    expect((await call('PATCH', `${POD_PATH}/p-table/status`, { status: running }, merge)).status).to.equal(200);
    const table = (
      await call('GET', `${POD_PATH}?fieldSelector=spec.nodeName%3Dfs-t`, undefined, {
        Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      })
    ).json() as Obj;
    expect(table.columnDefinitions.map((c: Obj) => `${c.name}:${c.priority}`)).to.deep.equal([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
    const cells = table.rows[0].cells as unknown[];
    expect([...cells.slice(0, 4), ...cells.slice(5)]).to.deep.equal([
      'p-table',
      '1/1',
      'Running',
      '2',
      '10.42.0.7',
      'fs-t',
      '<none>',
      '<none>',
    ]);
    await call('DELETE', `${POD_PATH}/p-table`);
    const terminating = (
      await call('GET', `${POD_PATH}/p-table`, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })
    ).json() as Obj;
    expect(terminating.rows[0].cells[2]).to.equal('Terminating');
  });
});
