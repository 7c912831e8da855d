import { expect } from 'chai';
import { checkQuorumGuard, nodesTakenDown, quorumSize } from './quorum-guard.ts';

const CP3 = ['cp-0', 'cp-1', 'cp-2'];

describe('quorum guard', () => {
  it('lets a minority go down and refuses a majority, naming the nodes and the quorum', () => {
    expect(checkQuorumGuard({ kind: 'kill', nodes: ['cp-0'] }, CP3, [], false)).to.deep.equal({ ok: true });
    const refused = checkQuorumGuard({ kind: 'kill', nodes: ['cp-0', 'cp-1'] }, CP3, [], false);
    expect(refused).to.deep.equal({
      ok: false,
      message:
        'refusing "kill cp-0,cp-1": it would take down cp-0, cp-1 (already down: none), leaving 1 of 3 control-plane nodes up; ' +
        'etcd quorum needs 2. Set allowQuorumLoss: true in the scenario to break quorum on purpose.',
    });
  });

  it('counts nodes already down (earlier faults, NotReady), and only control-plane nodes', () => {
    const decision = checkQuorumGuard({ kind: 'pause', nodes: ['cp-2', 'worker-0'] }, CP3, ['cp-0', 'worker-1'], false);
    expect(decision.ok).to.equal(false);
    expect(!decision.ok && decision.message).to.contain('take down cp-2 (already down: cp-0)');
    expect(checkQuorumGuard({ kind: 'isolate', nodes: ['worker-0', 'worker-1'] }, CP3, ['cp-0'], false).ok).to.equal(true);
    // A node already down and killed again is not counted twice.
    expect(checkQuorumGuard({ kind: 'kill', nodes: ['cp-0'] }, CP3, ['cp-0'], false).ok).to.equal(true);
  });

  it("takes an even count's half as quorum loss (4 members need 3)", () => {
    expect(quorumSize(4)).to.equal(3);
    expect(checkQuorumGuard({ kind: 'restart', nodes: ['a', 'b'] }, ['a', 'b', 'c', 'd'], [], false).ok).to.equal(false);
  });

  it('a partition takes down every control-plane node outside the side keeping the most', () => {
    expect(nodesTakenDown({ kind: 'partition', groups: [['cp-0'], ['cp-1', 'cp-2', 'w-0']] }, CP3)).to.deep.equal(['cp-0']);
    expect(checkQuorumGuard({ kind: 'partition', groups: [['cp-0'], ['cp-1', 'cp-2']] }, CP3, [], false).ok).to.equal(true);
    expect(checkQuorumGuard({ kind: 'partition', groups: [['cp-0'], ['cp-1'], ['cp-2']] }, CP3, [], false).ok).to.equal(false);
    expect(
      checkQuorumGuard(
        {
          kind: 'partition',
          groups: [
            ['cp-0', 'w-0'],
            ['cp-1', 'cp-2'],
          ],
        },
        CP3,
        ['cp-1'],
        false,
      ).ok,
    ).to.equal(false);
  });

  it('passes with allowQuorumLoss, and steps that take nothing down', () => {
    expect(checkQuorumGuard({ kind: 'kill', nodes: CP3 }, CP3, [], true)).to.deep.equal({ ok: true });
    for (const request of [
      { kind: 'resume', nodes: CP3 },
      { kind: 'heal' },
      { kind: 'delete-node', nodes: ['cp-0', 'cp-1'] },
      { kind: 'drop', from: ['cp-0'], to: ['cp-1', 'cp-2'] },
    ] as const) {
      expect(checkQuorumGuard(request, CP3, ['cp-0', 'cp-1'], false), request.kind).to.deep.equal({ ok: true });
    }
  });
});
