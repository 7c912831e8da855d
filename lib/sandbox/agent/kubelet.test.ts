// The sandbox kubelet against a real sandbox API server on a real single etcd: registration order, and what it does
// while its Node is Terminating and once it is gone.
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { sleepMs, waitFor } from '../../util/wait.ts';
import type { FailoverApiClient } from './api-client.ts';
import { SERVER_GIT_VERSION } from '../apiserver/discovery.ts';
import { ChangeWatch } from './change-watch.ts';
import { Kubelet, type KubeletOptions, type PredecessorTrigger } from './kubelet.ts';
import { nodeResources, readMachineInfo, type NodeResources } from './node-resources.ts';
import { MemoryPressureMonitor, type MemoryThreshold } from './memory-pressure.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

describe('sandbox kubelet against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  let etcdClient: EtcdClient;
  let api: FailoverApiClient;
  const kubelets: Kubelet[] = [];

  before(async () => {
    fixture = await startAgentApi();
    ({ api, etcdClient } = fixture);
  });

  after(async () => {
    for (const k of kubelets) k.stop();
    await fixture?.close();
  });

  const kubelet = (
    nodeName: string,
    registerAfter?: string,
    resources?: NodeResources,
    reportMs = 200,
    memoryPressure?: MemoryPressureMonitor,
    leaseRenewMs?: number,
  ): Kubelet => {
    const k = new Kubelet(api, {
      nodeName,
      address: '10.0.0.1',
      labels: {},
      heartbeatMs: 50,
      ...(leaseRenewMs !== undefined ? { leaseRenewMs } : {}),
      statusUpdateMs: 100,
      statusReportMs: reportMs,
      registerAfter,
      resources,
      memoryPressure,
    });
    kubelets.push(k);
    return k;
  };
  const nodeNames = async (): Promise<string[]> =>
    (await api.call('list nodes', (a) => a.core.listNode())).items.map((n) => n.metadata?.name ?? '');

  it('registers only after the node it must follow (Nodes age in topology order)', async () => {
    kubelet('w1', 'w0').start();
    await sleepMs(500);
    expect(await nodeNames(), 'w1 waits for w0').to.not.include('w1');
    kubelet('w0').start();
    await waitFor('w0 and w1 to register', async () => (await nodeNames()).includes('w1'), { timeoutMs: 10_000, intervalMs: 50 });
    const created = async (name: string): Promise<number> =>
      Number((await etcdClient.get(`/registry/nodes/${name}`)).kv?.createRevision ?? 0);
    expect(await created('w0')).to.be.lessThan(await created('w1'));
  });

  /** A kubelet whose heartbeat (60 s) never comes again during a test: only a wake-up makes it register. */
  const waitingKubelet = (nodeName: string, registerAfter: string, watchPredecessor: KubeletOptions['watchPredecessor']): Kubelet => {
    const k = new Kubelet(api, {
      nodeName,
      address: '10.0.0.1',
      labels: {},
      heartbeatMs: 60_000,
      statusUpdateMs: 60_000,
      statusReportMs: 60_000,
      registerAfter,
      watchPredecessor,
    });
    kubelets.push(k);
    return k;
  };

  it('reads the node to register after only when its trigger says a change is due, and registers as soon as it is told', async () => {
    let due = true;
    let changed: (() => void) | undefined;
    let stopped = 0;
    const trigger: PredecessorTrigger = {
      listDue: () => {
        const answer = due;
        due = false;
        return answer;
      },
      listAgain: () => {
        due = true;
      },
      stop: () => void stopped++,
    };
    const k = new Kubelet(api, {
      nodeName: 't1',
      address: '10.0.0.1',
      labels: {},
      heartbeatMs: 50,
      statusUpdateMs: 100,
      statusReportMs: 200,
      registerAfter: 't0',
      watchPredecessor: (name, onChange) => {
        expect(name).to.equal('t0');
        changed = onChange;
        return trigger;
      },
    });
    kubelets.push(k);
    k.start();
    await waitFor('the first look at t0 (due at start)', () => !due, { timeoutMs: 10_000, intervalMs: 20 });
    await api.call('create t0', (a) => a.core.createNode({ body: { metadata: { name: 't0' } } }));
    await sleepMs(400); // several 50 ms ticks: none reads t0 again, as nothing said it changed
    expect(await nodeNames(), 't1 has not looked again').to.not.include('t1');
    expect(stopped).to.equal(0);
    due = true;
    changed?.();
    await waitFor('t1 to register once told of a change', async () => (await nodeNames()).includes('t1'), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    expect(stopped, 'the trigger is stopped once registered').to.equal(1);
  });

  it('with a watch on the node to register after, registers when that Node appears, not at its next heartbeat', async () => {
    const watches: ChangeWatch[] = [];
    waitingKubelet('v1', 'v0', (name, changed) => {
      const watch = new ChangeWatch(
        api,
        '/api/v1/nodes',
        { fieldSelector: `metadata.name=${name}` },
        {
          resyncMs: 60_000,
          retryMs: 100,
          connectDeadlineMs: 5_000,
          onEvent: changed,
        },
      );
      watches.push(watch);
      watch.start();
      return watch;
    }).start();
    try {
      await sleepMs(300);
      expect(await nodeNames(), 'v1 waits for v0').to.not.include('v1');
      kubelet('v0').start();
      await waitFor('v1 to register after v0 (its own heartbeat is 60 s away)', async () => (await nodeNames()).includes('v1'), {
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      const created = async (name: string): Promise<number> =>
        Number((await etcdClient.get(`/registry/nodes/${name}`)).kv?.createRevision ?? 0);
      expect(await created('v0')).to.be.lessThan(await created('v1'));
    } finally {
      for (const w of watches) w.stop();
    }
  });

  it('registers its Node with addresses, nodeInfo, capacity and allocatable, and keeps them in each status update', async () => {
    const resources = nodeResources(readMachineInfo('.'));
    const k = kubelet('info', undefined, resources);
    k.start();
    const statusOf = async (): Promise<V1Node['status']> => (await api.call('read node', (a) => a.core.readNode({ name: 'info' }))).status;
    await waitFor('info to register', async () => (await nodeNames()).includes('info'), { timeoutMs: 10_000, intervalMs: 50 });
    const registered = await statusOf();
    expect(registered?.addresses).to.deep.equal([
      { type: 'InternalIP', address: '10.0.0.1' },
      { type: 'Hostname', address: 'info' },
    ]);
    expect(registered?.nodeInfo).to.include({ kubeletVersion: SERVER_GIT_VERSION, operatingSystem: 'linux' });
    expect(registered?.nodeInfo?.bootID).to.be.a('string').and.not.equal('');
    expect(registered?.capacity).to.deep.equal(resources.capacity);
    expect(registered?.allocatable).to.deep.equal(resources.allocatable);
    // An operator's patch drops them; the kubelet's next status update puts them back.
    await api.call('clear addresses, nodeInfo and allocatable', (a) =>
      a.core.patchNodeStatus({ name: 'info', body: { status: { addresses: null, nodeInfo: null, allocatable: null } } }, mergePatch()),
    );
    await waitFor('the kubelet to post them again', async () => (await statusOf())?.nodeInfo?.kubeletVersion === SERVER_GIT_VERSION, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect((await statusOf())?.addresses?.map((a) => a.type)).to.deep.equal(['InternalIP', 'Hostname']);
    expect((await statusOf())?.allocatable).to.deep.equal(resources.allocatable);
  });

  it('keeps posting Ready while its Node is Terminating, and never re-creates it once it is gone', async () => {
    const readNode = (name: string): Promise<V1Node> => api.call('read node', (a) => a.core.readNode({ name }));
    const heartbeatMs = async (): Promise<number> => {
      const ready = (await readNode('held')).status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.lastHeartbeatTime ? new Date(ready.lastHeartbeatTime).getTime() : 0;
    };
    const k = kubelet('held');
    k.start();
    await waitFor('held to register', async () => (await nodeNames()).includes('held'), { timeoutMs: 10_000, intervalMs: 50 });
    await api.call('hold the node', (a) =>
      a.core.patchNode({ name: 'held', body: { metadata: { finalizers: ['test/hold'] } } }, mergePatch()),
    );
    await api.call('delete the node', (a) => a.core.deleteNode({ name: 'held' }));
    const deletedMs = new Date((await readNode('held')).metadata?.deletionTimestamp as Date).getTime();
    // deletionTimestamp is whole seconds: a heartbeat more than a second after it was posted after the deletion.
    await waitFor('a Ready heartbeat posted after the deletion', async () => (await heartbeatMs()) > deletedMs + 1000, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(k.nodeGone).to.equal(false);

    await api.call('release the node', (a) => a.core.patchNode({ name: 'held', body: { metadata: { finalizers: null } } }, mergePatch()));
    await waitFor('the kubelet to see its Node gone', () => Promise.resolve(k.nodeGone), { timeoutMs: 10_000, intervalMs: 50 });
    await sleepMs(500);
    const after = await readNode('held').catch((error: unknown) => statusCodeOf(error));
    expect(after, 'not re-created').to.equal(404);
  });

  it('renews its Lease every leaseRenewMs, not every tick', async () => {
    const renewMs = 500;
    kubelet('renewer', undefined, undefined, 60_000, undefined, renewMs).start();
    const leaseVersion = async (): Promise<number> => (await etcdClient.get('/registry/leases/kube-node-lease/renewer')).kv?.version ?? 0;
    await waitFor('the lease to be renewed once', async () => (await leaseVersion()) >= 2, { timeoutMs: 10_000, intervalMs: 50 });
    const [fromVersion, fromMs] = [await leaseVersion(), Date.now()];
    await sleepMs(1500);
    const [toVersion, toMs] = [await leaseVersion(), Date.now()];
    // A load can only make renewals rarer: at most one per renewMs (and one at the window's start), against 30 ticks.
    expect(toVersion - fromVersion).to.be.at.most(Math.ceil((toMs - fromMs) / renewMs) + 1);
  });

  it('patches its status only when it changed or the report interval passed; restores Ready after the controller marked it Unknown', async () => {
    const k = kubelet('quiet', undefined, undefined, 60_000);
    k.start();
    await waitFor('quiet to register', async () => (await nodeNames()).includes('quiet'), { timeoutMs: 10_000, intervalMs: 50 });
    const modRevision = async (): Promise<number> => Number((await etcdClient.get('/registry/nodes/quiet')).kv?.modRevision ?? 0);
    const registered = await modRevision();
    await sleepMs(1000);
    expect(await modRevision(), 'no status write while nothing changed (10 status checks)').to.equal(registered);
    // The node lifecycle controller's write: Ready=Unknown.
    await api.call('mark quiet unknown', (a) =>
      a.core.patchNodeStatus(
        { name: 'quiet', body: { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } } },
        mergePatch(),
      ),
    );
    await waitFor(
      'the kubelet to post Ready again',
      async () =>
        (await api.call('read node', (a) => a.core.readNode({ name: 'quiet' }))).status?.conditions?.find((c) => c.type === 'Ready')
          ?.status === 'True',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  });

  it('reports MemoryPressure as its eviction threshold says, and a restart without the threshold clears it at once', async () => {
    // Its configuration file, as the harness rewrites it: first a threshold no machine meets, then the default.
    let threshold: MemoryThreshold | undefined = { bytes: 1024 ** 5 };
    const monitor = new MemoryPressureMonitor({
      threshold: () => threshold,
      transitionMs: 60_000,
      read: () => ({ capacityBytes: 8 * 1024 ** 3, availableBytes: 6 * 1024 ** 3 }),
    });
    const k = kubelet('pressed', undefined, undefined, 60_000, monitor);
    k.start();
    const memoryCondition = async (): Promise<{ status?: string; reason?: string } | undefined> =>
      (await api.call('read node', (a) => a.core.readNode({ name: 'pressed' }))).status?.conditions?.find(
        (c) => c.type === 'MemoryPressure',
      );
    await waitFor('pressed to register under memory pressure', async () => (await memoryCondition())?.status === 'True', {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(await memoryCondition()).to.include({ reason: 'KubeletHasInsufficientMemory' });
    // Below the threshold no more, but within the transition period: still True.
    threshold = { bytes: 100 * 1024 ** 2 };
    await sleepMs(500);
    expect((await memoryCondition())?.status, 'held for the transition period').to.equal('True');
    // A restart reads the configuration again and forgets what it observed.
    k.restart();
    await waitFor('the restarted kubelet to post MemoryPressure=False', async () => (await memoryCondition())?.status === 'False', {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(await memoryCondition()).to.include({ reason: 'KubeletHasSufficientMemory' });
  });
});
