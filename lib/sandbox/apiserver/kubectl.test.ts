import { expect } from 'chai';
import path from 'node:path';
import { CoreV1Api, type V1Volume } from '@kubernetes/client-node';
import { run } from '../../util/exec.ts';
import { startPeriodic } from '../../util/periodic.ts';
import { FailoverApiClient } from '../agent/api-client.ts';
import { failoverKubeletPodsApi, syncNodePods } from '../agent/kubelet-pods.ts';
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

  describe('with pods on a node (its kubelet: kubelet-pods.ts)', () => {
    const ownedBy = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'k-web',
      uid: '7d4f1a52-0000-4000-8000-000000000001',
      controller: true,
    };
    const podOn = (name: string, nodeName: string, volumes: V1Volume[] = []): Parameters<CoreV1Api['createNamespacedPod']>[0] => ({
      namespace: 'default',
      body: {
        metadata: { name, labels: { app: 'k-web' }, ownerReferences: [ownedBy] },
        spec: { nodeName, containers: [{ name: 'web', image: 'nginx:1.27' }], volumes },
      },
    });
    const kubeletSync = (nodeName: string): (() => Promise<void>) => {
      const pods = failoverKubeletPodsApi(new FailoverApiClient('', () => f.url, 10_000, true));
      return async () => {
        await syncNodePods(pods, nodeName, '10.0.0.9');
      };
    };

    before(async () => {
      for (const name of ['k-d1', 'k-d2']) {
        await core.createNode({ body: { metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } });
      }
      await core.createNamespacedPod(podOn('k-web-1', 'k-d1'));
      await core.createNamespacedPod(podOn('k-web-2', 'k-d1', [{ name: 'scratch', emptyDir: {} }]));
      await core.createNamespacedPod(podOn('k-web-3', 'k-d2'));
      await kubeletSync('k-d1')();
    });

    it('gets pods as a table, -o wide with the node', async () => {
      const [header, ...rows] = (await kubectl('get', 'pods', '-n', 'default')).split('\n');
      expect(header?.split(/\s+/)).to.deep.equal(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      expect(rows.map((r) => r.split(/\s+/).slice(0, 4))).to.deep.equal([
        ['k-web-1', '1/1', 'Running', '0'],
        ['k-web-2', '1/1', 'Running', '0'],
        ['k-web-3', '0/1', 'Pending', '0'],
      ]);
      const wide = (await kubectl('get', 'po', '-A', '-o', 'wide', '--field-selector', 'spec.nodeName=k-d1')).split('\n');
      expect(wide[0]?.split(/\s{2,}/)).to.deep.equal([
        'NAMESPACE',
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
        'IP',
        'NODE',
        'NOMINATED NODE',
        'READINESS GATES',
      ]);
      expect(wide.slice(1).map((r) => r.split(/\s+/)[7])).to.deep.equal(['k-d1', 'k-d1']);
    });

    it('describes a pod; lists PodDisruptionBudgets (none)', async () => {
      const out = await kubectl('describe', 'pod', 'k-web-1', '-n', 'default');
      expect(out).to.match(/^Status:\s+Running$/m);
      expect(out).to.match(/^Node:\s+k-d1\/10\.0\.0\.9$/m);
      expect(out).to.match(/^Controlled By:\s+ReplicaSet\/k-web$/m);
      expect(out).to.match(/^QoS Class:\s+BestEffort$/m);
      expect(await kubectl('get', 'pdb', '-A')).to.equal('');
    });

    it('describes a node with its non-terminated pods', async () => {
      const out = await kubectl('describe', 'node', 'k-d1');
      expect(out).to.match(/^Name:\s+k-d1$/m);
      expect(out).to.match(/^Non-terminated Pods:\s+\(2 in total\)$/m);
      expect(out)
        .to.match(/^\s+default\s+k-web-1\s/m)
        .and.match(/^\s+default\s+k-web-2\s/m);
      expect(out).to.not.include('k-web-3');
    });

    it('drains a node: cordoned, its pods evicted and gone, the pods of another node kept', async () => {
      const stopKubelet = startPeriodic(200, kubeletSync('k-d1'), () => undefined);
      let out: string;
      try {
        out = await kubectl('drain', 'k-d1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=30s');
      } finally {
        stopKubelet();
      }
      expect(out).to.include('node/k-d1 cordoned').and.include('node/k-d1 drained');
      expect(out).to.include('evicting pod default/k-web-1').and.include('pod/k-web-2 evicted');
      expect((await core.readNode({ name: 'k-d1' })).spec?.unschedulable).to.equal(true);
      expect(await kubectl('get', 'pods', '-A', '-o', 'name', '--field-selector', 'spec.nodeName=k-d1')).to.equal('');
      expect(await kubectl('get', 'pods', '-n', 'default', '-o', 'name')).to.equal('pod/k-web-3');
      expect(await kubectl('describe', 'node', 'k-d1')).to.match(/^Non-terminated Pods:\s+\(0 in total\)$/m);
    });

    it('waits for a pod to be Ready; deletes one whose node has no kubelet only by force', async () => {
      await kubeletSync('k-d2')();
      expect(await kubectl('wait', 'pod/k-web-3', '-n', 'default', '--for=condition=Ready', '--timeout=10s')).to.equal(
        'pod/k-web-3 condition met',
      );
      expect(await kubectl('delete', 'pod', 'k-web-3', '-n', 'default', '--wait=false')).to.equal('pod "k-web-3" deleted');
      expect(await kubectl('get', 'pod', 'k-web-3', '-n', 'default', '--no-headers'), 'terminating, nobody finishes it').to.match(
        /^k-web-3\s+1\/1\s+Terminating\s/,
      );
      expect(await kubectl('delete', 'pod', 'k-web-3', '-n', 'default', '--grace-period=0', '--force')).to.equal(
        'pod "k-web-3" force deleted',
      );
      expect(await kubectl('get', 'pods', '-n', 'default', '-o', 'name')).to.equal('');
    });
  });
});
