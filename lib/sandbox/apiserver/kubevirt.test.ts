import { expect } from 'chai';
import { route } from './router.ts';
import { startApiFixture, type ApiFixture } from './testing/api-fixture.ts';
import { request, type Reply } from './testing/http-request.ts';

const VMS = '/apis/kubevirt.io/v1/namespaces/kv/virtualmachines';
const VMIS = '/apis/kubevirt.io/v1/namespaces/kv/virtualmachineinstances';
const SUB = '/apis/subresources.kubevirt.io/v1/namespaces/kv';

function vm(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name },
    spec: { ...spec, template: { metadata: { labels: { 'kubevirt.io/vm': name } }, spec: { domain: { cpu: { cores: 2 } } } } },
  };
}

const runningVmi = (name: string): Record<string, unknown> => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstance',
  metadata: { name },
  spec: {},
  status: { phase: 'Running' },
});

function expectConflict(reply: Reply, message: string): void {
  expect(reply.status, reply.text).to.equal(409);
  expect(reply.json()).to.include({ kind: 'Status', reason: 'Conflict', code: 409, message });
}

describe('API server: KubeVirt VirtualMachines and virt-api actions (real etcd)', function () {
  this.timeout(60_000);
  let f: ApiFixture;
  let target: { url: string };

  const get = async (path: string): Promise<Record<string, unknown> | undefined> => {
    const reply = await request(target, 'GET', path);
    if (reply.status === 404) return undefined;
    expect(reply.status, reply.text).to.equal(200);
    return reply.json();
  };
  const put = (path: string, body: unknown = {}): Promise<Reply> => request(target, 'PUT', path, { body });
  const accepted = async (path: string, body: unknown = {}): Promise<void> => {
    const reply = await put(path, body);
    expect(reply.status, `${path}: ${reply.text}`).to.equal(202);
    expect(reply.text).to.equal('');
  };
  const create = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const reply = await request(target, 'POST', path, { body });
    expect(reply.status, reply.text).to.equal(201);
    return reply.json();
  };
  const uidOf = (obj: Record<string, unknown> | undefined): unknown => (obj?.metadata as Record<string, unknown> | undefined)?.uid;
  const pausedOf = (vmi: Record<string, unknown> | undefined): unknown =>
    ((vmi?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Paused')
      ?.status;

  before(async () => {
    f = await startApiFixture();
    target = { url: f.url };
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kv' } });
  });
  after(async () => {
    await f?.stop();
  });

  it('routes the actions, and only those', () => {
    expect(route(`${SUB}/virtualmachines/a/start`)).to.deep.equal({ kind: 'kubevirtAction', namespace: 'kv', name: 'a', action: 'start' });
    expect(route(`${SUB}/virtualmachineinstances/a/unpause`)).to.deep.equal({
      kind: 'kubevirtAction',
      namespace: 'kv',
      name: 'a',
      action: 'unpause',
    });
    for (const path of [
      `${SUB}/virtualmachines/a/pause`,
      `${SUB}/virtualmachineinstances/a/start`,
      `${SUB}/virtualmachines/a`,
      `${SUB}/virtualmachines/a/start/x`,
      '/apis/subresources.kubevirt.io/v2/namespaces/kv/virtualmachines/a/start',
    ]) {
      expect(route(path), path).to.deep.equal({ kind: 'notFound' });
    }
  });

  it('lists kubevirt.io/v1 and subresources.kubevirt.io/v1 in discovery', async () => {
    const groups = (await get('/apis')) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).to.include.members(['kubevirt.io', 'subresources.kubevirt.io']);
    const kubevirt = (await get('/apis/kubevirt.io/v1')) as { resources: Record<string, unknown>[] };
    expect(kubevirt.resources.map((r) => r.name)).to.deep.equal([
      'virtualmachines',
      'virtualmachines/status',
      'virtualmachineinstances',
      'virtualmachineinstances/status',
    ]);
    expect(kubevirt.resources[0]).to.deep.include({ kind: 'VirtualMachine', namespaced: true, shortNames: ['vm', 'vms'] });
    const sub = (await get('/apis/subresources.kubevirt.io/v1')) as { resources: Record<string, unknown>[] };
    expect(sub.resources.map((r) => r.name)).to.deep.equal([
      'virtualmachines/start',
      'virtualmachines/stop',
      'virtualmachines/restart',
      'virtualmachineinstances/pause',
      'virtualmachineinstances/unpause',
    ]);
    expect(await get('/apis/subresources.kubevirt.io')).to.include({ kind: 'APIGroup', name: 'subresources.kubevirt.io' });
  });

  it('stores VirtualMachines like any resource: create (status kept), get, list, merge patch, delete', async () => {
    const created = await create(VMS, { ...vm('crud', { running: false }), status: { printableStatus: 'Stopped' } });
    expect(created).to.deep.include({ kind: 'VirtualMachine', status: { printableStatus: 'Stopped' } });
    expect(created.metadata).to.include({ namespace: 'kv', generation: 1 });
    const patched = await request(target, 'PATCH', `${VMS}/crud`, {
      body: { spec: { running: true } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patched.json()).to.deep.include({ spec: { ...(vm('crud', {}).spec as object), running: true } });
    expect(patched.json().metadata).to.include({ generation: 2 });
    const list = (await get(VMS)) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).to.equal('VirtualMachineList');
    expect(list.items.map((i) => i.metadata.name)).to.include('crud');
    expect((await request(target, 'DELETE', `${VMS}/crud`)).status).to.equal(200);
    expect(await get(`${VMS}/crud`)).to.equal(undefined);
  });

  it('start/stop/restart change spec.running and the VMI; already so is 409 as in virt-api', async () => {
    await create(VMS, vm('a', { running: false }));
    await accepted(`${SUB}/virtualmachines/a/start`);
    let stored = await get(`${VMS}/a`);
    expect(stored).to.deep.include({ status: { created: true, ready: true, printableStatus: 'Running' } });
    expect((stored?.spec as Record<string, unknown>).running).to.equal(true);
    expect((stored?.metadata as Record<string, unknown>).generation).to.equal(2);
    const vmi = await get(`${VMIS}/a`);
    expect(vmi).to.deep.include({ spec: { domain: { cpu: { cores: 2 } } } });
    expect(vmi?.status).to.include({ phase: 'Running' });
    expect(vmi?.metadata).to.deep.include({ labels: { 'kubevirt.io/vm': 'a' } });
    expect((vmi?.metadata as { ownerReferences: unknown[] }).ownerReferences).to.deep.equal([
      { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'a', uid: uidOf(stored), controller: true, blockOwnerDeletion: true },
    ]);
    expectConflict(
      await put(`${SUB}/virtualmachines/a/start`),
      'Operation cannot be fulfilled on virtualmachine.kubevirt.io "a": VM is already running',
    );

    await accepted(`${SUB}/virtualmachines/a/restart`);
    const restarted = await get(`${VMIS}/a`);
    expect(uidOf(restarted)).to.be.a('string').and.not.equal(uidOf(vmi));

    await accepted(`${SUB}/virtualmachines/a/stop`, { gracePeriod: 0 });
    stored = await get(`${VMS}/a`);
    expect((stored?.spec as Record<string, unknown>).running).to.equal(false);
    expect(stored?.status).to.deep.equal({ created: false, ready: false, printableStatus: 'Stopped' });
    expect(await get(`${VMIS}/a`)).to.equal(undefined);
    expectConflict(
      await put(`${SUB}/virtualmachines/a/stop`),
      'Operation cannot be fulfilled on virtualmachine.kubevirt.io "a": VM is not running',
    );
    expectConflict(
      await put(`${SUB}/virtualmachines/a/restart`),
      'Operation cannot be fulfilled on virtualmachine.kubevirt.io "a": Halted does not support manual restart requests',
    );

    const missing = await put(`${SUB}/virtualmachines/nope/start`);
    expect(missing.status).to.equal(404);
    expect(missing.json().message).to.equal('virtualmachines.kubevirt.io "nope" not found');
    expect((await request(target, 'GET', `${SUB}/virtualmachines/a/start`)).status).to.equal(405);
    expect((await request(target, 'PUT', `${SUB}/virtualmachines/a/start`, { body: '[1]' })).status).to.equal(400);
  });

  it('follows spec.runStrategy when the VM uses it (Always/Halted; Manual keeps its strategy)', async () => {
    await create(VMS, vm('b', { runStrategy: 'Always' }));
    await create(VMIS, runningVmi('b'));
    expectConflict(
      await put(`${SUB}/virtualmachines/b/start`),
      'Operation cannot be fulfilled on virtualmachine.kubevirt.io "b": VM is already running',
    );
    await accepted(`${SUB}/virtualmachines/b/stop`);
    expect((await get(`${VMS}/b`))?.spec).to.include({ runStrategy: 'Halted' });
    expect(await get(`${VMIS}/b`)).to.equal(undefined);
    await accepted(`${SUB}/virtualmachines/b/start`);
    expect((await get(`${VMS}/b`))?.spec)
      .to.include({ runStrategy: 'Always' })
      .and.not.have.property('running');
    expect(await get(`${VMIS}/b`)).to.not.equal(undefined);

    await create(VMS, vm('m', { runStrategy: 'Manual' }));
    expectConflict(
      await put(`${SUB}/virtualmachines/m/stop`),
      'Operation cannot be fulfilled on virtualmachine.kubevirt.io "m": VM is not running',
    );
    await accepted(`${SUB}/virtualmachines/m/start`);
    expect((await get(`${VMS}/m`))?.spec).to.include({ runStrategy: 'Manual' });
    expectConflict(
      await put(`${SUB}/virtualmachines/m/start`),
      'Operation cannot be fulfilled on virtualmachine.kubevirt.io "m": VM is already running',
    );
    await accepted(`${SUB}/virtualmachines/m/stop`);
    expect(await get(`${VMIS}/m`)).to.equal(undefined);
  });

  it("pause/unpause set and clear the VMI's Paused condition (and the VM's printableStatus)", async () => {
    await create(VMS, vm('p', { running: false }));
    await accepted(`${SUB}/virtualmachines/p/start`);
    await accepted(`${SUB}/virtualmachineinstances/p/pause`);
    expect(pausedOf(await get(`${VMIS}/p`))).to.equal('True');
    expect((await get(`${VMIS}/p`))?.status).to.include({ phase: 'Running' });
    expect((await get(`${VMS}/p`))?.status).to.include({ printableStatus: 'Paused' });
    expectConflict(
      await put(`${SUB}/virtualmachineinstances/p/pause`),
      'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "p": VMI is already paused',
    );
    await accepted(`${SUB}/virtualmachineinstances/p/unpause`);
    expect(pausedOf(await get(`${VMIS}/p`))).to.equal(undefined);
    expect((await get(`${VMS}/p`))?.status).to.include({ printableStatus: 'Running' });
    expectConflict(
      await put(`${SUB}/virtualmachineinstances/p/unpause`),
      'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "p": VMI is not paused',
    );

    await create(VMIS, { ...runningVmi('pending'), status: { phase: 'Scheduling' } });
    expectConflict(
      await put(`${SUB}/virtualmachineinstances/pending/pause`),
      'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "pending": VMI is not running',
    );
    await accepted(`${SUB}/virtualmachines/p/stop`);
    const gone = await put(`${SUB}/virtualmachineinstances/p/pause`);
    expect(gone.status).to.equal(404);
    expect(gone.json().message).to.equal('virtualmachineinstances.kubevirt.io "p" not found');
  });

  it('deleting the namespace takes its VMs and VMIs with it', async () => {
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    await create('/apis/kubevirt.io/v1/namespaces/gone/virtualmachines', vm('x', { running: true }));
    await create('/apis/kubevirt.io/v1/namespaces/gone/virtualmachineinstances', runningVmi('x'));
    expect((await request(target, 'DELETE', '/api/v1/namespaces/gone')).status).to.equal(200);
    expect(await get('/apis/kubevirt.io/v1/namespaces/gone/virtualmachines/x')).to.equal(undefined);
    expect(await get('/apis/kubevirt.io/v1/namespaces/gone/virtualmachineinstances/x')).to.equal(undefined);
  });
});
