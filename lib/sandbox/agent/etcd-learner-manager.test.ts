import { expect } from 'chai';
import type { EtcdMember } from '../etcd/codec.ts';
import { learnerTickMs, manageLearners, type LearnerOps } from './etcd-learner-manager.ts';

const m = (id: string, isLearner: boolean): EtcdMember => ({ id, idHex: id, name: `n${id}`, peerUrls: [], clientUrls: [], isLearner });

function ops(memberId: string, leader: string, members: EtcdMember[], refuse = false): LearnerOps & { promoted: string[] } {
  const promoted: string[] = [];
  return {
    promoted,
    status: async () => ({ memberId, leader }),
    memberList: async () => ({ members }),
    memberPromote: async (id) => {
      if (refuse) throw new Error('etcdserver: can only promote a learner member which is in sync with leader');
      promoted.push(id);
    },
  };
}

describe('etcd learner manager (k3s manageLearners)', () => {
  it('only the etcd leader acts', async () => {
    const o = ops('2', '1', [m('1', false), m('3', true)]);
    expect((await manageLearners(o)).kind).to.equal('not-leader');
    expect(o.promoted).to.deep.equal([]);
  });

  it('the leader promotes the first learner', async () => {
    const o = ops('1', '1', [m('1', false), m('3', true), m('4', true)]);
    expect((await manageLearners(o)).kind).to.equal('promoted');
    expect(o.promoted).to.deep.equal(['3']);
  });

  it('a learner not in sync yet is tried again next tick', async () => {
    const pass = await manageLearners(ops('1', '1', [m('1', false), m('3', true)], true));
    expect(pass.kind).to.equal('not-ready');
  });

  it('no learner: nothing to do', async () => {
    expect((await manageLearners(ops('1', '1', [m('1', false)]))).kind).to.equal('no-learner');
  });

  it("ticks as k3s's 15 s ticker scaled like the node-monitor grace, never faster than the heartbeat", () => {
    expect(learnerTickMs(40_000, 10_000)).to.equal(15_000); // upstream's own timers
    expect(learnerTickMs(2_500, 250)).to.equal(937.5); // the sandbox's defaults
    expect(learnerTickMs(400, 250)).to.equal(250);
  });
});
