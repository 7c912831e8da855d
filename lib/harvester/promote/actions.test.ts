import { expect } from 'chai';
import type { V1Job, V1Node } from '@kubernetes/client-node';
import { fakeNode } from '../fake-node.ts';
import type { FakeNodeSpec } from '../fake-node.ts';
import { selectPromoteNode, selectorWith } from '../promotion.ts';
import type { PromotionPolicy } from '../promotion.ts';
import { PROMOTE_STATUS_ANNOTATION, roleLabelsForPromotion } from '../contract.ts';
import { buildPromoteJob, jobOutcome, promoteEventName, promotionActions, WITNESS_PROMOTE_PARAMETER } from './actions.ts';
import type { PromotionAction } from './actions.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const reference: PromotionPolicy = { selectPromoteNode };
const fixed = (name: string | undefined): PromotionPolicy => ({ selectPromoteNode: () => name });

function node(name: string, spec: FakeNodeSpec = {}): V1Node {
  const n = fakeNode(name, spec);
  return { ...n, metadata: { ...n.metadata, uid: `uid-${name}`, resourceVersion: `rv-${name}` } };
}
const mgmt = (name: string, spec: FakeNodeSpec = {}): V1Node => node(name, { management: true, ...spec });
const running = (name: string, age = 1, spec: FakeNodeSpec = {}): V1Node =>
  node(name, { ageRankMinutes: age, promoteStatus: 'running', cordoned: true, ...spec });

function job(nodeName: string, status: V1Job['status'] = {}): V1Job {
  const built = buildPromoteJob(node(nodeName));
  return { ...built, status };
}

const kinds = (actions: readonly PromotionAction[]): string[] => actions.map((a) => `${a.kind}:${a.node}`);
function only<K extends PromotionAction['kind']>(actions: readonly PromotionAction[], kind: K): Extract<PromotionAction, { kind: K }>[] {
  return actions.filter((a): a is Extract<PromotionAction, { kind: K }> => a.kind === kind);
}

describe('promote actions: jobOutcome', () => {
  const cases: { title: string; status: V1Job['status']; backoffLimit?: number; expected: string }[] = [
    { title: 'no status', status: undefined, expected: 'active' },
    { title: 'active pod', status: { active: 1 }, expected: 'active' },
    { title: 'succeeded 1', status: { succeeded: 1 }, expected: 'succeeded' },
    { title: 'Complete=True only', status: { conditions: [{ type: 'Complete', status: 'True' }] }, expected: 'succeeded' },
    { title: 'Complete=False', status: { conditions: [{ type: 'Complete', status: 'False' }] }, expected: 'active' },
    { title: 'Failed=True', status: { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] }, expected: 'failed' },
    { title: 'failed == backoffLimit is still retrying', status: { failed: 2 }, expected: 'active' },
    { title: 'failed > backoffLimit', status: { failed: 3 }, expected: 'failed' },
    { title: 'failed > a Job-given backoffLimit', status: { failed: 1 }, backoffLimit: 0, expected: 'failed' },
    { title: 'succeeded wins over failures', status: { failed: 3, succeeded: 1 }, expected: 'succeeded' },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const j = job('w1', c.status);
      if (c.backoffLimit !== undefined && j.spec) j.spec.backoffLimit = c.backoffLimit;
      expect(jobOutcome(j)).to.equal(c.expected);
    });
  }
});

describe('promote actions: following a running promotion', () => {
  const cluster = (w1: V1Node): V1Node[] => [mgmt('m1'), mgmt('m2'), w1, node('w2', { ageRankMinutes: 2 })];
  const cases: {
    title: string;
    job: V1Job | undefined;
    status?: string;
    unschedulable?: boolean;
    reason?: string;
    type?: string;
  }[] = [
    {
      title: 'job succeeded -> complete and uncordoned',
      job: job('w1', { succeeded: 1 }),
      status: 'complete',
      unschedulable: false,
      reason: 'NodePromoteComplete',
      type: 'Normal',
    },
    {
      title: 'job Complete condition -> complete',
      job: job('w1', { conditions: [{ type: 'Complete', status: 'True' }] }),
      status: 'complete',
      unschedulable: false,
      reason: 'NodePromoteComplete',
      type: 'Normal',
    },
    {
      title: 'job Failed condition -> failed, stays cordoned',
      job: job('w1', { conditions: [{ type: 'Failed', status: 'True' }] }),
      status: 'failed',
      reason: 'NodePromoteFailed',
      type: 'Warning',
    },
    {
      title: 'job failed past backoffLimit -> failed',
      job: job('w1', { failed: 3 }),
      status: 'failed',
      reason: 'NodePromoteFailed',
      type: 'Warning',
    },
    { title: 'unfinished job removed -> unknown', job: undefined, status: 'unknown', reason: 'NodePromoteUnknown', type: 'Warning' },
    { title: 'job still active -> nothing', job: job('w1', { active: 1 }) },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const events = c.job ? {} : { changed: [], removed: [job('w1', { active: 1 })] };
      const actions = promotionActions(cluster(running('w1')), c.job ? [c.job] : [], reference, NOW, events);
      if (c.status === undefined) {
        expect(actions).to.deep.equal([]);
        return;
      }
      expect(kinds(actions)).to.deep.equal(['set-status:w1', 'emit-event:w1']);
      const [set] = only(actions, 'set-status');
      expect(set).to.deep.include({ prev: 'running', status: c.status, resourceVersion: 'rv-w1' });
      expect(set?.unschedulable).to.equal(c.unschedulable);
      const [emit] = only(actions, 'emit-event');
      expect(emit?.event).to.deep.include({
        reason: c.reason,
        type: c.type,
        message: `Node w1 promote status change: running => ${c.status}`,
        count: 1,
        firstTimestamp: NOW,
        lastTimestamp: NOW,
      });
      expect(emit?.event.involvedObject).to.deep.equal({ kind: 'Node', name: 'w1', uid: 'uid-w1' });
      expect(emit?.event.metadata).to.deep.equal({ name: promoteEventName('w1', NOW, 0), namespace: 'default' });
      expect(emit?.event.source).to.deep.equal({ component: 'harvester-promote-node-controller' });
    });
  }

  it("a Job's result goes to the node its label names, whatever that node's status (setPromoteResult)", () => {
    const actions = promotionActions(cluster(running('w1')), [job('w2', { succeeded: 1 })], reference, NOW, {
      changed: [job('w2', { succeeded: 1 })],
    });
    expect(only(actions, 'set-status').map((a) => `${a.node}:${a.prev ?? '(none)'}=>${a.status}`)).to.deep.equal(['w2:(none)=>complete']);
  });

  it('a failed Job handled again (a resync) writes failed again on a node whose status an operator cleared', () => {
    const nodes = [mgmt('m1'), mgmt('m2'), mgmt('m3'), node('w1', { cordoned: true })];
    const actions = promotionActions(nodes, [job('w1', { failed: 3 })], reference, NOW);
    expect(kinds(actions)).to.deep.equal(['set-status:w1', 'emit-event:w1']);
    expect(only(actions, 'set-status')[0]).to.deep.include({ prev: undefined, status: 'failed', resourceVersion: 'rv-w1' });
  });

  it('an unchanged Job is not handled between resyncs: the cleared status stays cleared', () => {
    const nodes = [mgmt('m1'), mgmt('m2'), mgmt('m3'), node('w1', { cordoned: true })];
    expect(promotionActions(nodes, [job('w1', { failed: 3 })], reference, NOW, { changed: [] })).to.deep.equal([]);
  });

  it('a promote Job whose Node is gone is deleted (OnJobChanged, background propagation)', () => {
    const actions = promotionActions([mgmt('m1'), mgmt('m2'), mgmt('m3')], [job('w9', { succeeded: 1 })], reference, NOW);
    expect(actions).to.deep.equal([{ kind: 'delete-job', node: 'w9', job: 'harvester-promote-w9' }]);
  });

  it('a finished Job that goes away changes nothing (OnJobRemove)', () => {
    const events = { changed: [], removed: [job('w1', { succeeded: 1 })] };
    expect(promotionActions(cluster(running('w1')), [], reference, NOW, events)).to.deep.equal([]);
  });

  it('a running node without a Job gets none: Harvester does not recreate a Job for a running node', () => {
    expect(promotionActions(cluster(running('w1')), [], reference, NOW)).to.deep.equal([]);
  });

  it('complete, failed and unknown nodes are not followed again', () => {
    for (const status of ['complete', 'failed', 'unknown']) {
      const nodes = [mgmt('m1'), mgmt('m2'), mgmt('m3'), node('w1', { promoteStatus: status })];
      expect(promotionActions(nodes, [], reference, NOW), status).to.deep.equal([]);
    }
  });
});

describe('promote actions: starting a promotion', () => {
  it("the policy's node gets running + cordon, an event, then its job", () => {
    const nodes = [mgmt('m1'), mgmt('m2'), node('w2', { ageRankMinutes: 2 }), node('w1', { ageRankMinutes: 1 })];
    const actions = promotionActions(nodes, [], reference, NOW);
    expect(kinds(actions)).to.deep.equal(['set-status:w1', 'emit-event:w1', 'create-job:w1']);
    const [set] = only(actions, 'set-status');
    expect(set).to.deep.equal({
      kind: 'set-status',
      node: 'w1',
      prev: undefined,
      status: 'running',
      unschedulable: true,
      resourceVersion: 'rv-w1',
    });
    const [emit] = only(actions, 'emit-event');
    expect(emit?.event).to.deep.include({
      reason: 'NodePromoteRunning',
      type: 'Normal',
      message: 'Node w1 promote status change:  => running',
    });
    const [create] = only(actions, 'create-job');
    const j = create?.job;
    expect(j?.metadata).to.deep.equal({
      name: 'harvester-promote-w1',
      namespace: 'harvester-system',
      labels: { 'harvesterhci.io/promote-node': 'w1' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'w1', uid: 'uid-w1' }],
    });
    expect(j?.spec?.backoffLimit).to.equal(2);
    const pod = j?.spec?.template.spec;
    expect(pod?.nodeName).to.equal('w1');
    expect(pod?.nodeSelector).to.deep.equal({ 'kubernetes.io/hostname': 'w1' });
    expect(pod?.restartPolicy).to.equal('Never');
    expect(pod?.containers).to.have.length(1);
    expect(pod?.containers[0]).to.deep.include({
      name: 'promote',
      image: 'cpchaos/promote',
      command: ['sh'],
      args: ['-e', '/harvester-helpers/promote.sh', ''],
    });
  });

  it("a witness node's job passes the etcd-role parameter to promote.sh", () => {
    const j = buildPromoteJob(node('wit', { witness: true }));
    expect(j.spec?.template.spec?.containers[0]?.args).to.deep.equal(['-e', '/harvester-helpers/promote.sh', WITNESS_PROMOTE_PARAMETER]);
  });

  it('no choice -> no actions (the reference with fewer than 3 nodes)', () => {
    expect(promotionActions([mgmt('m1'), node('w1')], [], reference, NOW)).to.deep.equal([]);
  });

  it('a policy naming a node that is already running starts no duplicate job', () => {
    const nodes = [mgmt('m1'), mgmt('m2'), running('w1')];
    const actions = promotionActions(nodes, [job('w1', { active: 1 })], fixed('w1'), NOW);
    expect(actions).to.deep.equal([{ kind: 'skip-choice', node: 'w1', reason: 'already-running' }]);
  });

  it('a policy naming a node that is not listed does nothing', () => {
    const actions = promotionActions([mgmt('m1'), mgmt('m2'), node('w1')], [], fixed('ghost'), NOW);
    expect(actions).to.deep.equal([{ kind: 'skip-choice', node: 'ghost', reason: 'not-listed' }]);
  });

  it('a faulty policy choosing a second node while one is running starts a second promotion (no extra gating)', () => {
    const twoAtOnce: PromotionPolicy = { selectPromoteNode: selectorWith({ blockWhileInFlight: false }) };
    const nodes = [mgmt('m1'), mgmt('m2'), running('w1', 1), node('w2', { ageRankMinutes: 2 }), node('w3', { ageRankMinutes: 3 })];
    expect(reference.selectPromoteNode(nodes)).to.equal(undefined);
    const actions = promotionActions(nodes, [job('w1', { active: 1 })], twoAtOnce, NOW);
    expect(kinds(actions)).to.deep.equal(['set-status:w2', 'emit-event:w2', 'create-job:w2']);
  });

  it('a faulty policy re-promoting a failed node: failed => running, and the job is created again', () => {
    const nodes = [mgmt('m1'), mgmt('m2'), node('w1', { promoteStatus: 'failed', cordoned: true })];
    const actions = promotionActions(nodes, [job('w1', { failed: 3 })], fixed('w1'), NOW);
    expect(kinds(actions)).to.deep.equal(['set-status:w1', 'emit-event:w1', 'create-job:w1']);
    expect(only(actions, 'emit-event')[0]?.event.message).to.equal('Node w1 promote status change: failed => running');
  });

  it('the policy sees the nodes as the first half of the pass leaves them', () => {
    const seen: V1Node[][] = [];
    const spy: PromotionPolicy = { selectPromoteNode: (nodes, now) => (seen.push([...nodes]), selectPromoteNode(nodes, now)) };
    // w1's job labelled it and succeeded: w1 goes complete and uncordoned, and the next promotion can start.
    const w1 = running('w1', 1, { labels: roleLabelsForPromotion(false) });
    const nodes = [mgmt('m1'), w1, node('w2', { ageRankMinutes: 2 }), node('w3', { ageRankMinutes: 3 })];
    const actions = promotionActions(nodes, [job('w1', { succeeded: 1 })], spy, NOW);
    expect(kinds(actions)).to.deep.equal(['set-status:w1', 'emit-event:w1', 'set-status:w2', 'emit-event:w2', 'create-job:w2']);
    const viewed = seen[0]?.find((n) => n.metadata?.name === 'w1');
    expect(viewed?.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('complete');
    expect(viewed?.spec?.unschedulable).to.equal(false);
    expect(viewed?.metadata?.resourceVersion).to.equal(undefined);
    expect(nodes[1]?.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION], 'input not mutated').to.equal('running');
    const names = only(actions, 'emit-event').map((a) => a.event.metadata.name);
    expect(new Set(names).size, 'event names unique within a pass').to.equal(2);
  });

  it('a node just changed in the pass and chosen again is patched without a stale resourceVersion', () => {
    const nodes = [mgmt('m1'), mgmt('m2'), running('w1')];
    const actions = promotionActions(nodes, [job('w1', { succeeded: 1 })], fixed('w1'), NOW);
    const sets = only(actions, 'set-status');
    expect(sets.map((a) => `${a.prev}=>${a.status}`)).to.deep.equal(['running=>complete', 'complete=>running']);
    expect(sets[1]?.resourceVersion).to.equal(undefined);
  });
});

describe('promote actions: event names', () => {
  it('are <node>.<hex nanoseconds>, distinct per sequence', () => {
    expect(promoteEventName('w1', NOW)).to.equal(`w1.${(BigInt(NOW.getTime()) * 1_000_000n).toString(16)}`);
    expect(promoteEventName('w1', NOW, 1)).to.not.equal(promoteEventName('w1', NOW, 0));
  });
});
