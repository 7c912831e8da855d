import { expect } from 'chai';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { run } from '../../util/exec.ts';
import { startApiFixture, writeKubeconfig, type ApiFixture } from './testing/api-fixture.ts';

describe('kubectl 1.32 against the API server', function () {
  this.timeout(90_000);
  let f: ApiFixture;
  let core: CoreV1Api;
  let kubectl: (...args: string[]) => Promise<string>;

  before(async () => {
    f = await startApiFixture();
    const kubeconfig = await writeKubeconfig(f.dir, f.url);
    const cacheDir = path.join(f.dir, 'kube-cache');
    kubectl = (...args) =>
      run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, '--request-timeout=10s', ...args], { timeoutMs: 30_000 });
    core = f.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNode({
      body: {
        metadata: { name: 'k-n1', labels: { 'node-role.kubernetes.io/control-plane': 'true' } },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.30.0' } as never },
      },
    });
  });
  after(async () => {
    await f?.stop();
  });

  it('gets nodes as a table (legacy discovery, server-side columns)', async () => {
    const out = await kubectl('get', 'nodes');
    const [header, row] = out.split('\n');
    expect(header?.split(/\s+/)).to.deep.equal(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(row?.split(/\s+/).slice(0, 3)).to.deep.equal(['k-n1', 'Ready', 'control-plane']);
    expect(await kubectl('get', 'no', '-o', 'name')).to.equal('node/k-n1');
  });

  it('gets nodes as JSON', async () => {
    const list = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as {
      items: { kind: string; metadata: { name: string; uid: string } }[];
    };
    expect(list.items.map((n) => n.metadata.name)).to.deep.equal(['k-n1']);
    expect(list.items[0]?.kind).to.equal('Node');
    expect(list.items[0]?.metadata.uid).to.be.a('string');
  });

  it('labels and cordons a node', async () => {
    expect(await kubectl('label', 'node', 'k-n1', 'env=test')).to.equal('node/k-n1 labeled');
    expect(await kubectl('cordon', 'k-n1')).to.equal('node/k-n1 cordoned');
    const node = await core.readNode({ name: 'k-n1' });
    expect(node.metadata?.labels?.env).to.equal('test');
    expect(node.spec?.unschedulable).to.equal(true);
    expect(await kubectl('get', 'node', 'k-n1')).to.match(/Ready,SchedulingDisabled/);
    expect(await kubectl('uncordon', 'k-n1')).to.equal('node/k-n1 uncordoned');
    expect((await core.readNode({ name: 'k-n1' })).spec?.unschedulable).to.not.equal(true);
    expect(await kubectl('label', 'node', 'k-n1', 'env-')).to.equal('node/k-n1 unlabeled');
  });

  it('gets configmaps, namespaces, leases and jobs', async () => {
    expect(await kubectl('get', 'cm', '-n', 'default')).to.equal('');
    expect(await kubectl('create', 'configmap', 'k-cm', '-n', 'default', '--from-literal=a=1')).to.equal('configmap/k-cm created');
    const cms = await kubectl('get', 'cm', '-n', 'default');
    expect(cms.split('\n')[1]?.split(/\s+/).slice(0, 2)).to.deep.equal(['k-cm', '1']);
    expect(await kubectl('get', 'configmap', 'k-cm', '-n', 'default', '-o', 'jsonpath={.data.a}')).to.equal('1');
    const ns = await kubectl('get', 'ns');
    for (const name of ['default', 'kube-system', 'kube-node-lease', 'harvester-system']) expect(ns).to.include(name);
    expect(await kubectl('get', 'leases', '-A')).to.equal('');
    expect(await kubectl('get', 'jobs', '-n', 'default')).to.equal('');
    const resources = await kubectl('api-resources', '--no-headers');
    expect(resources).to.match(/^nodes\s+no\s+v1\s+false\s+Node$/m);
    expect(resources).to.match(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
    const version = JSON.parse(await kubectl('version', '-o', 'json')) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).to.equal('v1.30.0-cpchaos');
  });

  it('deletes a node (waiting for it to go) and marks one held by a finalizer', async () => {
    await core.createNode({ body: { metadata: { name: 'k-n2' } } });
    expect(await kubectl('delete', 'node', 'k-n2')).to.equal('node "k-n2" deleted');
    expect(await kubectl('get', 'nodes', '-o', 'name')).to.equal('node/k-n1');
    await core.createNode({ body: { metadata: { name: 'k-n3', finalizers: ['cpchaos.io/test'] } } });
    expect(await kubectl('delete', 'node', 'k-n3', '--wait=false')).to.equal('node "k-n3" deleted');
    const held = await core.readNode({ name: 'k-n3' });
    expect(held.metadata?.deletionTimestamp).to.be.instanceOf(Date);
    await kubectl('patch', 'node', 'k-n3', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]');
    expect(await kubectl('get', 'nodes', '-o', 'name')).to.equal('node/k-n1');
    expect(await kubectl('delete', 'node', 'k-n1')).to.equal('node "k-n1" deleted');
    expect(await kubectl('get', 'nodes', '-o', 'name')).to.equal('');
  });
});
