import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import {
  CONTROL_PLANE_ROLE_LABEL,
  ETCD_ROLE_LABEL,
  MASTER_ROLE_LABEL,
  PROMOTE_STATUS_ANNOTATION,
  createdAtMs,
  hasReadyTrue,
  isLegalPromoteTransition,
  isManagementNode,
  isNodeHealthy,
  promoteEventMessage,
  promoteEventReason,
  promoteEventType,
  promoteJobName,
  promoteStatus,
  promotesAsWitness,
  roleLabelsForPromotion,
  zoneOf,
} from './contract.ts';
import type { PromoteStatus } from './contract.ts';
import { fakeNode } from './fake-node.ts';

function labelled(labels: Record<string, string>): V1Node {
  return { metadata: { name: 'n', labels } };
}

describe('harvester contract', () => {
  describe('isManagementNode: the first role key present decides', () => {
    const cases: [string, Record<string, string>, boolean][] = [
      ['no role labels', {}, false],
      ['master=true', { [MASTER_ROLE_LABEL]: 'true' }, true],
      ['control-plane=true', { [CONTROL_PLANE_ROLE_LABEL]: 'true' }, true],
      ['etcd=true (witness)', { [ETCD_ROLE_LABEL]: 'true' }, true],
      ['master="false" shadows control-plane=true', { [MASTER_ROLE_LABEL]: 'false', [CONTROL_PLANE_ROLE_LABEL]: 'true' }, false],
      ['master="" shadows etcd=true', { [MASTER_ROLE_LABEL]: '', [ETCD_ROLE_LABEL]: 'true' }, false],
      ['control-plane="false" shadows etcd=true', { [CONTROL_PLANE_ROLE_LABEL]: 'false', [ETCD_ROLE_LABEL]: 'true' }, false],
      ['master=true wins over control-plane=false', { [MASTER_ROLE_LABEL]: 'true', [CONTROL_PLANE_ROLE_LABEL]: 'false' }, true],
      ['value must be exactly "true"', { [CONTROL_PLANE_ROLE_LABEL]: 'True' }, false],
    ];
    for (const [title, labels, expected] of cases) {
      it(title, () => expect(isManagementNode(labelled(labels))).to.equal(expected));
    }
  });

  describe('isNodeHealthy', () => {
    it('Ready=True is healthy', () => expect(isNodeHealthy(fakeNode('a'))).to.equal(true));
    it('Ready=False is not', () => expect(isNodeHealthy(fakeNode('a', { ready: 'False' }))).to.equal(false));
    it('Ready=Unknown is not', () => expect(isNodeHealthy(fakeNode('a', { ready: 'Unknown' }))).to.equal(false));
    it('no Ready condition is healthy, as in Harvester (its loop finds nothing to reject)', () => {
      expect(isNodeHealthy(fakeNode('a', { ready: 'missing' }))).to.equal(true);
      expect(isNodeHealthy({ metadata: { name: 'bare' } })).to.equal(true);
    });
    it('no Ready condition but a pressure condition True is not', () => {
      expect(isNodeHealthy(fakeNode('a', { ready: 'missing', conditions: [{ type: 'MemoryPressure', status: 'True' }] }))).to.equal(false);
    });
    it('a second Ready condition that is not True makes it unhealthy (every Ready is checked)', () => {
      const node = fakeNode('a', { conditions: [{ type: 'Ready', status: 'False' }] });
      expect(isNodeHealthy(node)).to.equal(false);
    });
    it('hasReadyTrue (the stricter test) needs a Ready=True condition', () => {
      expect(hasReadyTrue(fakeNode('a'))).to.equal(true);
      expect(hasReadyTrue(fakeNode('a', { ready: 'missing' }))).to.equal(false);
      expect(hasReadyTrue(fakeNode('a', { ready: 'Unknown' }))).to.equal(false);
    });
    it('another condition True is not', () => {
      expect(isNodeHealthy(fakeNode('a', { conditions: [{ type: 'PIDPressure', status: 'True' }] }))).to.equal(false);
    });
    it('another condition False is fine', () => {
      expect(isNodeHealthy(fakeNode('a', { conditions: [{ type: 'PIDPressure', status: 'False' }] }))).to.equal(true);
    });
  });

  it('promoteStatus reads known values and ignores others', () => {
    expect(promoteStatus(fakeNode('a', { promoteStatus: 'failed' }))).to.equal('failed');
    expect(promoteStatus(fakeNode('a', { promoteStatus: 'bogus' }))).to.equal(undefined);
    expect(promoteStatus(fakeNode('a'))).to.equal(undefined);
    expect(fakeNode('a', { promoteStatus: 'running' }).metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('running');
  });

  describe('isLegalPromoteTransition', () => {
    const cases: [PromoteStatus | undefined, PromoteStatus | undefined, boolean][] = [
      [undefined, 'running', true],
      ['running', 'complete', true],
      ['running', 'failed', true],
      ['running', 'unknown', true],
      [undefined, 'complete', false],
      [undefined, 'failed', false],
      [undefined, 'unknown', false],
      ['running', 'running', false],
      ['running', undefined, false],
      ['complete', 'running', false],
      ['failed', 'running', false],
      ['unknown', 'complete', false],
      ['failed', undefined, false],
    ];
    for (const [prev, next, legal] of cases) {
      it(`${prev ?? 'none'} -> ${next ?? 'none'} is ${legal ? 'legal' : 'illegal'}`, () => {
        expect(isLegalPromoteTransition(prev, next)).to.equal(legal);
      });
    }
  });

  it('names the job, the events and their messages as Harvester does', () => {
    expect(promoteJobName('node-4')).to.equal('harvester-promote-node-4');
    expect(promoteEventReason('complete')).to.equal('NodePromoteComplete');
    expect(promoteEventType('unknown')).to.equal('Warning');
    expect(promoteEventType('running')).to.equal('Normal');
    expect(promoteEventMessage('n4', undefined, 'running')).to.equal('Node n4 promote status change:  => running');
    expect(promoteEventMessage('n4', 'running', 'complete')).to.equal('Node n4 promote status change: running => complete');
  });

  it('keeps long job names under 64 characters', () => {
    const name = promoteJobName('x'.repeat(80));
    expect(name.length).to.be.lessThan(64);
    expect(name.startsWith('harvester-promote-xxx')).to.equal(true);
    expect(promoteJobName('y'.repeat(45))).to.equal(`harvester-promote-${'y'.repeat(45)}`);
  });

  it('gives the labels a promoted node ends with', () => {
    expect(roleLabelsForPromotion(true)).to.deep.equal({ [ETCD_ROLE_LABEL]: 'true' });
    expect(Object.keys(roleLabelsForPromotion(false)).sort()).to.deep.equal(
      [CONTROL_PLANE_ROLE_LABEL, ETCD_ROLE_LABEL, MASTER_ROLE_LABEL].sort(),
    );
    expect(promotesAsWitness(fakeNode('w', { witness: true }))).to.equal(true);
    expect(promotesAsWitness(fakeNode('w', { labels: { 'node-role.harvesterhci.io/witness': 'yes' } }))).to.equal(false);
  });

  it('reads zones and creation times', () => {
    expect(zoneOf(fakeNode('a', { zone: 'z1' }))).to.equal('z1');
    expect(zoneOf(fakeNode('a', { zone: '' }))).to.equal(undefined);
    expect(createdAtMs({ metadata: { name: 'a' } })).to.equal(Number.NEGATIVE_INFINITY);
    const raw = { metadata: { name: 'a', creationTimestamp: '2025-01-01T00:00:10Z' } } as unknown as V1Node;
    expect(createdAtMs(raw)).to.equal(Date.parse('2025-01-01T00:00:10Z'));
  });
});
