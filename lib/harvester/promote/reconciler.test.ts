// The reconciler against an in-memory API: what Harvester's promote controller does across passes (its informer
// events): no Job recreated for a running node, a 409 not followed, Jobs of gone Nodes deleted, results re-applied on
// a resync whatever the node's status.
import { expect } from 'chai';
import type { CoreV1Event, V1Job, V1Node } from '@kubernetes/client-node';
import { fakeNode, type FakeNodeSpec } from '../fake-node.ts';
import { selectPromoteNode } from '../promotion.ts';
import { PROMOTE_STATUS_ANNOTATION } from '../contract.ts';
import { PromoteReconciler, type PromoteApi } from './reconciler.ts';

class HttpError extends Error {
  constructor(readonly code: number) {
    super(`HTTP ${code}`);
  }
}

/** A minimal API: Nodes and Jobs in maps, merge patches of annotations and unschedulable, resourceVersions. */
class FakeApi implements PromoteApi {
  nodes = new Map<string, V1Node>();
  jobs = new Map<string, V1Job>();
  events: CoreV1Event[] = [];
  deleted: string[] = [];
  failCreates = 0;
  private rv = 100;

  addNode(name: string, spec: FakeNodeSpec = {}, uid = `uid-${name}`): void {
    const n = fakeNode(name, spec);
    this.nodes.set(name, { ...n, metadata: { ...n.metadata, uid, resourceVersion: String(this.rv++) } });
  }
  status(name: string): string | undefined {
    return this.nodes.get(name)?.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION];
  }
  setJobStatus(name: string, status: V1Job['status']): void {
    const job = this.jobs.get(name);
    if (job) this.jobs.set(name, { ...job, status, metadata: { ...job.metadata, resourceVersion: String(this.rv++) } });
  }
  clearStatus(name: string): void {
    const node = this.nodes.get(name);
    if (!node) return;
    const annotations = { ...node.metadata?.annotations };
    delete annotations[PROMOTE_STATUS_ANNOTATION];
    this.nodes.set(name, { ...node, metadata: { ...node.metadata, annotations, resourceVersion: String(this.rv++) } });
  }

  listNodes = (): Promise<V1Node[]> => Promise.resolve([...this.nodes.values()]);
  listJobs = (): Promise<V1Job[]> => Promise.resolve([...this.jobs.values()]);
  patchNode = (name: string, body: { metadata?: { annotations?: Record<string, string> }; spec?: { unschedulable?: boolean } }) => {
    const node = this.nodes.get(name);
    if (!node) return Promise.reject(new HttpError(404));
    const annotations = { ...node.metadata?.annotations, ...body.metadata?.annotations };
    const spec = { ...node.spec, ...body.spec };
    this.nodes.set(name, { ...node, spec, metadata: { ...node.metadata, annotations, resourceVersion: String(this.rv++) } });
    return Promise.resolve({});
  };
  createEvent = (_node: string, _namespace: string, event: CoreV1Event): Promise<unknown> => {
    this.events.push(event);
    return Promise.resolve({});
  };
  createJob = (_node: string, job: V1Job): Promise<unknown> => {
    const name = job.metadata?.name ?? '';
    if (this.failCreates > 0) {
      this.failCreates--;
      return Promise.reject(new HttpError(500));
    }
    if (this.jobs.has(name)) return Promise.reject(new HttpError(409));
    this.jobs.set(name, { ...job, metadata: { ...job.metadata, uid: `job-${this.rv}`, resourceVersion: String(this.rv++) } });
    return Promise.resolve({});
  };
  deleteJob = (name: string): Promise<unknown> => {
    this.deleted.push(name);
    if (!this.jobs.delete(name)) return Promise.reject(new HttpError(404));
    return Promise.resolve({});
  };
}

describe('promote reconciler across passes (Harvester promote_controller.go)', () => {
  let api: FakeApi;
  let nowMs: number;
  let logs: string[];
  const make = (jobResyncMs?: number): PromoteReconciler =>
    new PromoteReconciler(
      api,
      { selectPromoteNode },
      { log: (m) => logs.push(m), now: () => new Date(nowMs), ...(jobResyncMs ? { jobResyncMs } : {}) },
    );
  /** 2 management nodes and two workers: w1 is the oldest, so the one promoted. */
  const cluster = (): void => {
    api.addNode('m1', { management: true });
    api.addNode('m2', { management: true });
    api.addNode('w1', { ageRankMinutes: 1 });
    api.addNode('w2', { ageRankMinutes: 2 });
  };
  const passes = async (r: PromoteReconciler, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      await r.pass().catch(() => undefined);
      nowMs += 1000;
    }
  };

  beforeEach(() => {
    api = new FakeApi();
    nowMs = Date.parse('2025-06-01T12:00:00Z');
    logs = [];
  });

  it('a Job create that fails after running was written leaves the node running: no later pass creates the Job', async () => {
    cluster();
    api.failCreates = 1;
    const r = make();
    await passes(r, 5);
    expect(api.status('w1')).to.equal('running');
    expect(api.jobs.size, 'no Job ever created').to.equal(0);
    expect(api.status('w2'), 'one at a time: w2 is not promoted either').to.equal(undefined);
    expect(logs.some((l) => l.includes('creating job harvester-system/harvester-promote-w1 for w1 failed'))).to.equal(true);
  });

  it('a 409 on create is not followed: a leftover Job of that name does not make the new promotion complete (#1040)', async () => {
    api.addNode('m1', { management: true });
    api.addNode('m2', { management: true });
    api.addNode('w1', { management: true, promoteStatus: 'complete', ageRankMinutes: 3 });
    api.jobs.set('harvester-promote-w1', {
      metadata: { name: 'harvester-promote-w1', uid: 'old', resourceVersion: '1', labels: { 'harvesterhci.io/promote-node': 'w1' } },
      spec: { template: {} },
      status: { succeeded: 1 },
    });
    const r = make();
    await passes(r, 1);
    // w1 is reinstalled under the same name (a new Node object); nothing deletes the old Job (no garbage collector here).
    api.nodes.delete('w1');
    api.addNode('w1', { ageRankMinutes: 1 }, 'uid-w1-new');
    api.addNode('w2', { ageRankMinutes: 2 });
    await passes(r, 4);
    expect(api.status('w1'), 'the old Job is unchanged: no event, the node stays running').to.equal('running');
    expect(api.jobs.get('harvester-promote-w1')?.metadata?.uid).to.equal('old');
    expect(logs.some((l) => l.includes('(a Job of that name already exists)'))).to.equal(true);
  });

  it('deletes the promote Job of a Node that is gone (background) when the Job is handled', async () => {
    cluster();
    const r = make();
    await passes(r, 1);
    api.setJobStatus('harvester-promote-w1', { succeeded: 1 });
    await passes(r, 1);
    expect(api.status('w1')).to.equal('complete');
    api.nodes.delete('w1');
    await passes(r, 1);
    expect(api.jobs.has('harvester-promote-w1'), 'unchanged Job, no resync yet: kept').to.equal(true);
    api.setJobStatus('harvester-promote-w1', { succeeded: 1, active: 0 });
    await passes(r, 1);
    expect(api.deleted).to.deep.equal(['harvester-promote-w1']);
    expect(api.jobs.has('harvester-promote-w1')).to.equal(false);
  });

  it("writes a failed Job's result again on a resync after an operator cleared it (not before)", async () => {
    cluster();
    const r = make(60_000);
    await passes(r, 1);
    api.setJobStatus('harvester-promote-w1', { failed: 3 });
    await passes(r, 1);
    expect(api.status('w1')).to.equal('failed');
    api.clearStatus('w1');
    await passes(r, 3);
    expect(api.status('w1'), 'no Job event: the clearing stands').to.equal(undefined);
    nowMs += 60_000;
    await passes(r, 1);
    expect(api.status('w1'), 'the resync handles the failed Job again').to.equal('failed');
    const messages = api.events.map((e) => e.message);
    expect(messages.slice(-1)).to.deep.equal(['Node w1 promote status change:  => failed']);
  });

  it('a running promotion whose unfinished Job is removed turns unknown; a new leader (reset) handles every Job', async () => {
    cluster();
    const r = make();
    await passes(r, 2);
    api.jobs.delete('harvester-promote-w1');
    await passes(r, 1);
    expect(api.status('w1')).to.equal('unknown');
    api.clearStatus('w1');
    r.reset();
    await passes(r, 1);
    expect(api.status('w1'), 'w1 is cordoned: not a candidate').to.equal(undefined);
    expect(api.status('w2')).to.equal('running');
  });
});
