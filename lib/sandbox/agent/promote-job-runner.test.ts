import { expect } from 'chai';
import type { V1Job, V1JobStatus, V1Node, V1Taint } from '@kubernetes/client-node';
import { fakeNode } from '../../harvester/fake-node.ts';
import type { FakeNodeSpec } from '../../harvester/fake-node.ts';
import { roleLabelsForPromotion, WITNESS_TAINT } from '../../harvester/contract.ts';
import type { EtcdMember } from '../etcd/codec.ts';
import type { EtcdMemberPlan } from './config.ts';
import { buildPromoteJob, jobOutcome } from '../../harvester/promote/actions.ts';
import {
  PromoteJobRunner,
  controlPlaneEtcdUrls,
  failedStatus,
  hasPromotionRoles,
  joinPlan,
  jobsToRun,
  promotionFails,
  succeededStatus,
} from './promote-job-runner.ts';
import type { EtcdJoinOps, PromoteJobApi, PromoteJobRunnerOptions } from './promote-job-runner.ts';

const SELF = 'w1';
const SELF_ADDRESS = '10.0.0.4';
const SELF_PEER = `http://${SELF_ADDRESS}:2380`;
const NOW = new Date('2025-06-01T12:00:00Z');

function member(id: number, name: string, address: string): EtcdMember {
  return { id: String(id), idHex: id.toString(16), name, peerUrls: [`http://${address}:2380`], clientUrls: [], isLearner: false };
}

function promoteJob(node: string, status: V1JobStatus = {}, uid = `job-${node}`, spec: FakeNodeSpec = {}): V1Job {
  const job = buildPromoteJob(fakeNode(node, spec));
  return { ...job, metadata: { ...job.metadata, uid }, status };
}

/** An in-memory API: jobs by name, the node, and every write. */
class FakeApi implements PromoteJobApi {
  readonly jobs = new Map<string, V1Job>();
  readonly nodePatches: object[] = [];
  readonly statusPatches: { job: string; status: V1JobStatus }[] = [];
  failStatusPatches = 0;
  constructor(public node: V1Node) {}
  async listJobs(): Promise<V1Job[]> {
    return [...this.jobs.values()];
  }
  async readNode(): Promise<V1Node> {
    return this.node;
  }
  async patchNode(_node: string, body: object): Promise<unknown> {
    this.nodePatches.push(body);
    const patch = body as { metadata?: { labels?: Record<string, string> }; spec?: { taints?: V1Taint[] } };
    this.node = {
      ...this.node,
      metadata: { ...this.node.metadata, labels: { ...this.node.metadata?.labels, ...patch.metadata?.labels } },
      spec: { ...this.node.spec, ...(patch.spec?.taints ? { taints: patch.spec.taints } : {}) },
    };
    return this.node;
  }
  async patchJobStatus(job: string, status: V1JobStatus): Promise<unknown> {
    if (this.failStatusPatches > 0) {
      this.failStatusPatches--;
      throw new Error('503 from the API server');
    }
    this.statusPatches.push({ job, status });
    const current = this.jobs.get(job);
    if (current) this.jobs.set(job, { ...current, status: { ...current.status, ...status } });
    return undefined;
  }
}

/** The cluster's etcd as seen through any member: a member list; `down` URLs refuse. */
class FakeEtcd {
  members: EtcdMember[] = [member(1, 'm1', '10.0.0.2')];
  readonly down = new Set<string>();
  readonly adds: { via: string; peerUrls: readonly string[]; isLearner: boolean }[] = [];
  localStarted = false;
  /** The local member is still a learner (the etcd leader has not promoted it). */
  holdLearner = false;
  private nextId = 100;
  client(url: string): EtcdJoinOps {
    const check = (): void => {
      if (this.down.has(url)) throw new Error(`connect ECONNREFUSED ${url}`);
    };
    return {
      memberList: async () => (check(), { members: [...this.members] }),
      memberAdd: async (peerUrls, isLearner) => {
        check();
        this.adds.push({ via: url, peerUrls, isLearner });
        this.members.push({ ...member(this.nextId++, '', '0.0.0.0'), peerUrls: [...peerUrls], isLearner });
        return { members: [...this.members] };
      },
      status: async () => {
        check();
        const local = url === `http://${SELF_ADDRESS}:2379`;
        if (local && !this.localStarted) throw new Error('connect ECONNREFUSED (local etcd)');
        return { leader: '1', isLearner: local && this.holdLearner };
      },
    };
  }
}

interface Harness {
  readonly api: FakeApi;
  readonly etcd: FakeEtcd;
  readonly plans: EtcdMemberPlan[];
  readonly starts: { etcdOnly: boolean }[];
  readonly logs: string[];
  readonly errors: string[];
  readonly runner: PromoteJobRunner;
}

function harness(
  nodeSpec: FakeNodeSpec = {},
  overrides: Partial<PromoteJobRunnerOptions> = {},
  hooks: { failStarts?: number } = {},
): Harness {
  const api = new FakeApi(fakeNode(SELF, nodeSpec));
  const etcd = new FakeEtcd();
  const plans: EtcdMemberPlan[] = [];
  const starts: { etcdOnly: boolean }[] = [];
  const logs: string[] = [];
  const errors: string[] = [];
  let failStarts = hooks.failStarts ?? 0;
  const runner = new PromoteJobRunner(api, {
    nodeName: SELF,
    address: SELF_ADDRESS,
    periodMs: 10_000,
    apiServerUrl: `http://${SELF_ADDRESS}:6443`,
    controlPlaneEtcdUrls: () => ['http://10.0.0.2:2379', 'http://10.0.0.3:2379'],
    etcdFor: (url) => etcd.client(url),
    hasEtcdMember: () => etcd.localStarted,
    becomeControlPlane: async (plan, options) => {
      plans.push(plan);
      starts.push(options);
      if (failStarts > 0) {
        failStarts--;
        throw new Error('API server failed to start');
      }
      etcd.localStarted = true;
    },
    httpStatus: async () => (etcd.localStarted ? 200 : 503),
    log: (message) => logs.push(message),
    onError: (what, error) => errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`),
    ...overrides,
  });
  return { api, etcd, plans, starts, logs, errors, runner };
}

describe('promote job runner: helpers', () => {
  it('derives control-plane etcd client URLs from the API endpoints, own address last', () => {
    const endpoints = ['http://10.0.0.4:6443', 'http://10.0.0.2:6443', 'http://10.0.0.3:6443', 'http://10.0.0.2:6443', 'not a url'];
    expect(controlPlaneEtcdUrls(endpoints, '10.0.0.4')).to.deep.equal([
      'http://10.0.0.2:2379',
      'http://10.0.0.3:2379',
      'http://10.0.0.4:2379',
    ]);
    expect(controlPlaneEtcdUrls([], '10.0.0.4')).to.deep.equal([]);
  });

  it('builds the join plan from every member, naming this node and giving unstarted members a placeholder', () => {
    const members = [member(1, 'm1', '10.0.0.2'), member(0x2a, '', '10.0.0.5'), { ...member(7, '', '0.0.0.0'), peerUrls: [SELF_PEER] }];
    expect(joinPlan(members, { name: SELF, peerUrl: SELF_PEER })).to.deep.equal({
      state: 'existing',
      initialCluster: [
        { name: 'm1', peerUrl: 'http://10.0.0.2:2380' },
        { name: 'unstarted-2a', peerUrl: 'http://10.0.0.5:2380' },
        { name: SELF, peerUrl: SELF_PEER },
      ],
    });
  });

  it('adds this node to the plan when the member list does not have it yet', () => {
    expect(joinPlan([member(1, 'm1', '10.0.0.2')], { name: SELF, peerUrl: SELF_PEER }).initialCluster).to.deep.equal([
      { name: 'm1', peerUrl: 'http://10.0.0.2:2380' },
      { name: SELF, peerUrl: SELF_PEER },
    ]);
  });

  it('runs only unfinished jobs labelled for this node', () => {
    const jobs = [promoteJob(SELF), promoteJob('w2'), promoteJob(SELF, { succeeded: 1 }, 'old'), promoteJob(SELF, { failed: 3 }, 'older')];
    expect(jobsToRun(jobs, SELF).map((j) => j.metadata?.uid)).to.deep.equal([`job-${SELF}`]);
  });

  it('writes job statuses the controller reads as succeeded / failed', () => {
    const job = promoteJob(SELF);
    const ok = succeededStatus(job, NOW);
    expect(ok).to.deep.include({ succeeded: 1, completionTime: NOW, startTime: NOW });
    expect(ok.conditions).to.deep.equal([{ type: 'Complete', status: 'True', lastProbeTime: NOW, lastTransitionTime: NOW }]);
    expect(jobOutcome({ ...job, status: ok })).to.equal('succeeded');
    const bad = failedStatus(job, NOW, 'boom');
    expect(bad.failed).to.equal(3);
    expect(bad.conditions?.[0]).to.deep.include({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'boom' });
    expect(jobOutcome({ ...job, status: bad })).to.equal('failed');
  });

  it('knows a promoted node by its role labels (and the taint for a witness)', () => {
    expect(hasPromotionRoles(fakeNode('a'))).to.equal(false);
    expect(hasPromotionRoles(fakeNode('a', { management: true }))).to.equal(true);
    expect(hasPromotionRoles(fakeNode('a', { management: true, witness: true }))).to.equal(false);
    const witness = fakeNode('a', { management: true, witness: true });
    expect(hasPromotionRoles({ ...witness, spec: { taints: [{ ...WITNESS_TAINT }] } })).to.equal(true);
  });
});

describe('promote job runner: the work', () => {
  it('joins etcd, starts the control plane, labels the node and marks the job succeeded', async () => {
    const h = harness();
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(h.etcd.adds, 'added as a learner (k3s join: MemberAddAsLearner)').to.deep.equal([
      { via: 'http://10.0.0.2:2379', peerUrls: [SELF_PEER], isLearner: true },
    ]);
    expect(h.starts).to.deep.equal([{ etcdOnly: false }]);
    expect(h.plans).to.deep.equal([
      {
        state: 'existing',
        initialCluster: [
          { name: 'm1', peerUrl: 'http://10.0.0.2:2380' },
          { name: SELF, peerUrl: SELF_PEER },
        ],
      },
    ]);
    expect(h.api.nodePatches).to.deep.equal([{ metadata: { labels: roleLabelsForPromotion(false) } }]);
    expect(h.api.statusPatches).to.have.length(1);
    expect(h.api.statusPatches[0]?.status).to.deep.include({ succeeded: 1 });
    expect(h.errors).to.deep.equal([]);
    await h.runner.tick();
    expect(h.api.statusPatches, 'a finished job is left alone').to.have.length(1);
  });

  it('with a change watch, lists only when it says so, and on every tick while a run is unfinished', async () => {
    let due = false;
    const asked: string[] = [];
    const changes = {
      listDue: () => (asked.push('due?'), due),
      listAgain: () => asked.push('again'),
    };
    const h = harness({}, { changes }, { failStarts: 10 });
    let lists = 0;
    const list = h.api.listJobs.bind(h.api);
    h.api.listJobs = () => (lists++, list());
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(lists, 'no change seen: no list').to.equal(0);
    due = true;
    await h.runner.tick();
    expect(lists).to.equal(1);
    due = false;
    await h.runner.tick();
    await h.runner.tick();
    expect(lists, 'the run keeps failing (retried every heartbeat): listed every tick').to.equal(3);
    expect(asked, 'not asked while a run is unfinished').to.deep.equal(['due?', 'due?']);
    h.api.listJobs = () => Promise.reject(new Error('503'));
    await h.runner.tick().catch(() => undefined);
    expect(asked.at(-1), 'a failed list is due again').to.equal('again');
  });

  it('a witness runs etcd only (no API server awaited), gets etcd=true only and the etcd NoExecute taint', async () => {
    const h = harness({ witness: true }, { httpStatus: async () => 503 });
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF, {}, 'job-w1', { witness: true }));
    await h.runner.tick();
    expect(h.starts).to.deep.equal([{ etcdOnly: true }]);
    expect(h.api.nodePatches).to.deep.equal([
      { metadata: { labels: { 'node-role.kubernetes.io/etcd': 'true' } }, spec: { taints: [WITNESS_TAINT] } },
    ]);
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });

  it("reuses a member already added with this node's peer URL", async () => {
    const h = harness();
    h.etcd.members.push({ ...member(9, '', '0.0.0.0'), peerUrls: [SELF_PEER] });
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(h.etcd.adds).to.deep.equal([]);
    expect(h.plans[0]?.initialCluster.map((p) => p.name)).to.deep.equal(['m1', SELF]);
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });

  it('goes through the next control plane when the first etcd does not answer', async () => {
    const h = harness();
    h.etcd.down.add('http://10.0.0.2:2379');
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(h.etcd.adds.map((a) => a.via)).to.deep.equal(['http://10.0.0.3:2379']);
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });

  it('retries on the next heartbeat after an error, without adding the member twice', async () => {
    const h = harness({}, {}, { failStarts: 1 });
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(h.api.statusPatches).to.deep.equal([]);
    expect(h.errors).to.have.length(1);
    expect(h.errors[0]).to.match(/API server failed to start/);
    await h.runner.tick();
    expect(h.etcd.adds).to.have.length(1);
    expect(h.plans).to.have.length(2);
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });

  it('retries marking the job when the status patch fails', async () => {
    const h = harness();
    h.api.failStatusPatches = 1;
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick().catch(() => undefined);
    expect(h.api.statusPatches).to.deep.equal([]);
    await h.runner.tick();
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
    expect(h.plans, 'the control plane was started once').to.have.length(1);
  });

  it('only marks the job succeeded when the node already has its roles and etcd member (agent restart)', async () => {
    const h = harness({ management: true });
    h.etcd.localStarted = true;
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(h.etcd.adds).to.deep.equal([]);
    expect(h.plans).to.deep.equal([]);
    expect(h.api.nodePatches).to.deep.equal([]);
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });

  it('a node with a running etcd member but no labels yet is labelled without a second join', async () => {
    const h = harness();
    h.etcd.localStarted = true;
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(h.etcd.adds).to.deep.equal([]);
    expect(h.plans).to.deep.equal([]);
    expect(h.api.nodePatches).to.have.length(1);
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });

  it('promotion.fail marks the job failed (BackoffLimitExceeded) without touching etcd', async () => {
    const h = harness({}, { fail: true });
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    expect(h.etcd.adds).to.deep.equal([]);
    const status = h.api.statusPatches[0]?.status;
    expect(status?.failed).to.equal(3);
    expect(status?.conditions?.[0]).to.deep.include({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' });
  });

  it("promotion.fail fails every node's promotions (true) or only those of the nodes it lists", () => {
    expect(promotionFails(true, 'w1')).to.equal(true);
    expect(promotionFails(['w0', 'w1'], 'w1')).to.equal(true);
    expect(promotionFails(['w0'], 'w1')).to.equal(false);
    expect(promotionFails([], 'w1')).to.equal(false);
    expect(promotionFails(false, 'w1')).to.equal(false);
    expect(promotionFails(undefined, 'w1')).to.equal(false);
  });

  it('waits promotion.jobDelayMs before the work', async () => {
    const h = harness({}, { jobDelayMs: 150 });
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    const startedMs = Date.now();
    await h.runner.tick();
    expect(Date.now() - startedMs).to.be.at.least(140);
    expect(h.etcd.adds, 'the work goes on at the next heartbeat').to.deep.equal([]);
    await h.runner.tick();
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });

  it('a job deleted during the delay is not worked on', async () => {
    const h = harness({}, { jobDelayMs: 50 });
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    h.api.jobs.clear();
    await h.runner.tick();
    expect(h.etcd.adds).to.deep.equal([]);
    expect(h.api.statusPatches).to.deep.equal([]);
  });

  it('has no deadline: a promotion that keeps failing stays active, retried every heartbeat, past a minute', async () => {
    const h = harness({}, { attemptDeadlineMs: 200 });
    h.etcd.down.add('http://10.0.0.2:2379').add('http://10.0.0.3:2379');
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    const realNow = Date.now;
    try {
      // Far past the 60 s the sandbox used to give the work.
      Date.now = () => realNow() + 61 * 60_000;
      await h.runner.tick();
      await h.runner.tick();
    } finally {
      Date.now = realNow;
    }
    expect(h.api.statusPatches, 'never marked failed').to.deep.equal([]);
    expect(h.errors.length).to.be.at.least(3);
    expect(h.errors[0]).to.match(/retried next heartbeat.*ECONNREFUSED/);
    h.etcd.down.clear();
    await h.runner.tick();
    expect(h.api.statusPatches[0]?.status.succeeded, 'and succeeds once what it waits for comes').to.equal(1);
  });

  it('waits, attempt after attempt, while the local member is still a learner', async () => {
    const h = harness({}, { attemptDeadlineMs: 300 });
    h.etcd.holdLearner = true;
    h.api.jobs.set('harvester-promote-w1', promoteJob(SELF));
    await h.runner.tick();
    await h.runner.tick();
    expect(h.api.statusPatches).to.deep.equal([]);
    expect(h.errors[0]).to.match(/voting member/);
    expect(h.plans, 'the member is started once').to.have.length(1);
    h.etcd.holdLearner = false;
    await h.runner.tick();
    expect(h.api.statusPatches[0]?.status.succeeded).to.equal(1);
  });
});
