// The promote controller against a real sandbox API server on a real single etcd: Nodes created through the API, the
// Job's status patched the way the job runner patches it, and the annotation, cordon, Job and Events asserted.
import { expect } from 'chai';
import type { CoreV1Event, V1Job, V1Node } from '@kubernetes/client-node';
import { fakeNode } from '../../harvester/fake-node.ts';
import type { FakeNodeSpec } from '../../harvester/fake-node.ts';
import { selectPromoteNode } from '../../harvester/promotion.ts';
import { PROMOTE_STATUS_ANNOTATION, roleLabelsForPromotion } from '../../harvester/contract.ts';
import type { FailoverApiClient } from './api-client.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { PromoteController, batchApiOf } from './promote-controller.ts';
import { promoteJobApi, succeededStatus, failedStatus } from './promote-job-runner.ts';
import { collectGarbage, failoverGarbageCollectorApi } from './garbage-collector.ts';

describe('promote controller against a sandbox API server (real etcd)', function () {
  this.timeout(60_000);
  let fixture: AgentApiFixture | undefined;
  let api: FailoverApiClient;
  const logs: string[] = [];
  let controller: PromoteController;

  before(async () => {
    fixture = await startAgentApi();
    api = fixture.api;
    controller = new PromoteController(api, { selectPromoteNode }, { log: (m) => logs.push(m) });
  });

  after(async () => {
    await fixture?.close();
  });

  async function createNode(name: string, spec: FakeNodeSpec): Promise<void> {
    const { metadata, spec: nodeSpec, status } = fakeNode(name, spec);
    const body: V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: metadata?.labels ?? {} },
      ...(nodeSpec ? { spec: nodeSpec } : {}),
    };
    await api.call('create node', (a) => a.core.createNode({ body }));
    await api.call('post node status', (a) => a.core.patchNodeStatus({ name, body: { status } }, mergePatch()));
  }
  const readNode = (name: string): Promise<V1Node> => api.call('read node', (a) => a.core.readNode({ name }));
  const readJob = (name: string): Promise<V1Job> =>
    api.call('read job', (a) => batchApiOf(a).readNamespacedJob({ name, namespace: 'harvester-system' }));
  async function nodeEvents(name: string): Promise<CoreV1Event[]> {
    const list = await api.call('list events', (a) => a.core.listNamespacedEvent({ namespace: 'default' }));
    return list.items.filter((e) => e.involvedObject.name === name);
  }

  it('promotes the oldest eligible worker: running + cordon, Job, Event', async () => {
    await createNode('m1', { management: true });
    await createNode('m2', { management: true });
    await createNode('w1', { ageRankMinutes: 1 });
    await createNode('w2', { ageRankMinutes: 2 });
    // fakeNode's creation times are not what the server stamps: both workers get the server's; w1 is created first.
    const actions = await controller.reconcile();
    expect(actions.map((a) => `${a.kind}:${a.node}`)).to.deep.equal(['set-status:w1', 'emit-event:w1', 'create-job:w1']);

    const w1 = await readNode('w1');
    expect(w1.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('running');
    expect(w1.spec?.unschedulable).to.equal(true);

    const job = await readJob('harvester-promote-w1');
    expect(job.metadata?.labels).to.deep.equal({ 'harvesterhci.io/promote-node': 'w1' });
    expect(job.metadata?.ownerReferences).to.deep.equal([{ apiVersion: 'v1', kind: 'Node', name: 'w1', uid: w1.metadata?.uid }]);
    expect(job.spec?.backoffLimit).to.equal(2);
    expect(job.spec?.template.spec?.nodeName).to.equal('w1');
    expect(job.spec?.template.spec?.nodeSelector).to.deep.equal({ 'kubernetes.io/hostname': 'w1' });
    expect(job.spec?.template.spec?.restartPolicy).to.equal('Never');
    expect(job.spec?.template.spec?.containers[0]?.image).to.equal('cpchaos/promote');

    const events = await nodeEvents('w1');
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({
      reason: 'NodePromoteRunning',
      type: 'Normal',
      message: 'Node w1 promote status change:  => running',
      count: 1,
    });
    expect(events[0]?.involvedObject).to.deep.include({ kind: 'Node', name: 'w1', uid: w1.metadata?.uid });
    expect(events[0]?.source?.component).to.equal('harvester-promote-node-controller');
    expect(events[0]?.metadata.name).to.match(/^w1\.[0-9a-f]+$/);

    const again = await controller.reconcile();
    expect(again, 'a running promotion with an active Job: nothing to do').to.deep.equal([]);
  });

  it("the job runner's API finds the Job by label and its succeeded status completes the promotion", async () => {
    const runnerApi = promoteJobApi(api);
    const jobs = await runnerApi.listJobs('w1');
    expect(jobs.map((j) => j.metadata?.name)).to.deep.equal(['harvester-promote-w1']);
    expect(await runnerApi.listJobs('w2')).to.deep.equal([]);
    await runnerApi.patchNode('w1', { metadata: { labels: roleLabelsForPromotion(false) } });
    await runnerApi.patchJobStatus('harvester-promote-w1', succeededStatus(jobs[0] as V1Job, new Date()));
    expect((await readJob('harvester-promote-w1')).status?.succeeded).to.equal(1);

    const actions = await controller.reconcile();
    // w1 completes; with 3 management nodes now the reference starts nothing else.
    expect(actions.map((a) => `${a.kind}:${a.node}`)).to.deep.equal(['set-status:w1', 'emit-event:w1']);
    const w1 = await readNode('w1');
    expect(w1.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('complete');
    expect(w1.spec?.unschedulable).to.equal(false);
    const reasons = (await nodeEvents('w1')).map((e) => e.reason).sort();
    expect(reasons).to.deep.equal(['NodePromoteComplete', 'NodePromoteRunning']);
  });

  it('a failed Job leaves the node failed and cordoned; a deleted Job leaves it unknown', async () => {
    const twoAtOnce = new PromoteController(api, { selectPromoteNode: () => 'w2' }, { log: (m) => logs.push(m) });
    await twoAtOnce.reconcile();
    expect((await readNode('w2')).metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('running');
    const job = await readJob('harvester-promote-w2');
    await promoteJobApi(api).patchJobStatus('harvester-promote-w2', failedStatus(job, new Date(), 'test'));
    await controller.reconcile();
    let w2 = await readNode('w2');
    expect(w2.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('failed');
    expect(w2.spec?.unschedulable).to.equal(true);

    // With its failed Job gone, the faulty policy promotes w2 again; then that Job is deleted while running.
    await api.call('delete job', (a) => batchApiOf(a).deleteNamespacedJob({ name: 'harvester-promote-w2', namespace: 'harvester-system' }));
    const restarted = await twoAtOnce.reconcile();
    expect(restarted.map((a) => `${a.kind}:${a.node}`)).to.deep.equal(['set-status:w2', 'emit-event:w2', 'create-job:w2']);
    // The controller sees the running Job (as Harvester's informer does) before it is deleted.
    expect(await controller.reconcile()).to.deep.equal([]);
    await api.call('delete job', (a) => batchApiOf(a).deleteNamespacedJob({ name: 'harvester-promote-w2', namespace: 'harvester-system' }));
    await controller.reconcile();
    w2 = await readNode('w2');
    expect(w2.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('unknown');
    const messages = (await nodeEvents('w2')).map((e) => e.message).sort();
    expect(messages).to.deep.equal([
      'Node w2 promote status change:  => running',
      'Node w2 promote status change: failed => running',
      'Node w2 promote status change: running => failed',
      'Node w2 promote status change: running => unknown',
    ]);
  });

  it('a new leader finding a node running without a Job creates none: the promotion stays running (Harvester)', async () => {
    await createNode('w9', {});
    // The old leader marked w9 running, then lost leadership before creating its Job.
    await api.call('mark running', (a) =>
      a.core.patchNode(
        { name: 'w9', body: { metadata: { annotations: { [PROMOTE_STATUS_ANNOTATION]: 'running' } }, spec: { unschedulable: true } } },
        mergePatch(),
      ),
    );
    const newLeader = new PromoteController(api, { selectPromoteNode: () => undefined }, { log: (m) => logs.push(m) });
    for (let i = 0; i < 3; i++) expect(await newLeader.reconcile()).to.deep.equal([]);
    const jobs = await api.call('list jobs', (a) => batchApiOf(a).listNamespacedJob({ namespace: 'harvester-system' }));
    expect(jobs.items.map((j) => j.metadata?.name)).to.not.include('harvester-promote-w9');
    expect((await readNode('w9')).metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('running');
  });

  it('promotion.failJobCreate: the Job create fails after running was written; no later pass creates it', async () => {
    await createNode('w10', {});
    const failing = new PromoteController(api, { selectPromoteNode: () => 'w10' }, { log: (m) => logs.push(m), failJobCreate: ['w10'] });
    const error = await failing.reconcile().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(/injected failure/);
    expect((await readNode('w10')).metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('running');
    const healthy = new PromoteController(api, { selectPromoteNode: () => 'w10' }, { log: (m) => logs.push(m) });
    expect((await healthy.reconcile()).map((a) => `${a.kind}:${a.node}`)).to.deep.equal(['skip-choice:w10']);
    const jobs = await api.call('list jobs', (a) => batchApiOf(a).listNamespacedJob({ namespace: 'harvester-system' }));
    expect(jobs.items.map((j) => j.metadata?.name)).to.not.include('harvester-promote-w10');
  });

  it('garbage collector: a Job whose owning Node is gone (or reinstalled under the same name) is deleted; Terminating keeps it', async () => {
    const gc = failoverGarbageCollectorApi(api);
    const gcLogs: string[] = [];
    await createNode('w11', {});
    const w11 = await readNode('w11');
    const owned = (uid: string): V1Job => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'harvester-promote-w11',
        namespace: 'harvester-system',
        labels: { 'harvesterhci.io/promote-node': 'w11' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'w11', uid }],
      },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } } },
    });
    await api.call('create job', (a) =>
      batchApiOf(a).createNamespacedJob({ namespace: 'harvester-system', body: owned(w11.metadata?.uid ?? '') }),
    );
    // A finalizer holds the Node: Terminating, it still exists, its Job stays.
    await api.call('add finalizer', (a) =>
      a.core.patchNode({ name: 'w11', body: { metadata: { finalizers: ['test/hold'] } } }, mergePatch()),
    );
    await api.call('delete node', (a) => a.core.deleteNode({ name: 'w11' }));
    expect(await collectGarbage(gc, (m) => gcLogs.push(m))).to.deep.equal([]);
    await api.call('release finalizer', (a) => a.core.patchNode({ name: 'w11', body: { metadata: { finalizers: null } } }, mergePatch()));
    // Reinstalled under the same name: another uid, so the old Job's owner is gone.
    await createNode('w11', {});
    expect(await collectGarbage(gc, (m) => gcLogs.push(m))).to.deep.equal(['harvester-system/harvester-promote-w11']);
    expect(gcLogs[0]).to.match(/deleted Job harvester-system\/harvester-promote-w11: its owner Node w11/);
    const jobs = await api.call('list jobs', (a) => batchApiOf(a).listNamespacedJob({ namespace: 'harvester-system' }));
    expect(jobs.items.map((j) => j.metadata?.name)).to.not.include('harvester-promote-w11');
  });
});
