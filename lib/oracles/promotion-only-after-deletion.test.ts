import { expect } from 'chai';
import { runOracles } from './index.ts';
import { PROMOTION_ONLY_AFTER_DELETION } from './promotion-only-after-deletion.ts';
import { PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import type { Verdict } from './verdict.ts';

const cp = (i: number, extra = {}) => tnode(`cp-${i}`, { management: true, ageMinutes: i, ...extra });
const w = (i: number, extra = {}) => tnode(`w-${i}`, { ageMinutes: 10 * (i + 1), ...extra });
const check = (b: HistoryBuilder): Verdict => runOracles(b.build(), [PROMOTION_ONLY_AFTER_DELETION])[0] as Verdict;
const fiveNodes = (): HistoryBuilder => new HistoryBuilder().cluster([cp(0), cp(1), cp(2), w(0), w(1)]);

describe('promotion-only-after-deletion', () => {
  it('passes when nothing is promoted', () => {
    expect(check(fiveNodes().at(5).fault('k', 'kill', ['cp-1']).end()).status).to.equal('pass');
  });

  it('fails on a promotion in a run without any harness action', () => {
    const v = check(
      fiveNodes()
        .at(5)
        .node('MODIFIED', w(0, { status: 'running' }))
        .end(),
    );
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/w-0 started promoting \(promote-status running\).*no management node deleted/);
    expect(v.evidence.map((e) => e.seq)).to.include(6);
  });

  it('counts a management label gained without any status as a promotion', () => {
    const v = check(
      fiveNodes()
        .at(5)
        .fault('k', 'kill', ['cp-2'])
        .at(6)
        .node('MODIFIED', w(0, { management: true }))
        .end(),
    );
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/management role label/);
  });

  it("counts a management node gone after the harness's DELETE though a later part of its removal failed (kind's etcd member removal)", () => {
    const history = fiveNodes()
      .at(5)
      .action('d', 'intent', 'delete-node', ['cp-2'])
      .node('DELETED', cp(2))
      .at(6)
      .node('MODIFIED', w(0, { status: 'running' }))
      .at(7)
      .action('d', 'failed', 'delete-node', ['cp-2'], { error: 'etcdserver: unhealthy cluster' });
    expect(check(history.end()).status).to.equal('pass');
  });

  it('does not count the deletion of a worker', () => {
    const v = check(fiveNodes().at(5).fault('d', 'delete-node', ['w-1']).at(6).node('DELETED', w(1)).at(7).job('ADDED', 'w-0').end());
    expect(v.status).to.equal('fail');
  });

  it('fails when promotions outnumber disappeared management nodes', () => {
    const v = check(
      fiveNodes()
        .at(5)
        .fault('d', 'delete-node', ['cp-2'])
        .at(6)
        .node('DELETED', cp(2))
        .at(7)
        .node('MODIFIED', w(0, { status: 'running' }))
        .at(8)
        .node('MODIFIED', w(0, { status: 'complete', management: true }))
        .at(9)
        .node('MODIFIED', w(1, { status: 'running' }))
        .end(),
    );
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/2nd promotion.*only 1 harness-deleted management node/);
  });

  describe("after a failed promotion the harness cleared (an operator's annotate step)", () => {
    const clear = { annotations: { [PROMOTE_STATUS_ANNOTATION]: null } };
    /** cp-2 deleted; w-0's promotion fails (it stays cordoned); `then` goes on from +9 s. */
    const failed = (then: (b: HistoryBuilder) => HistoryBuilder): HistoryBuilder =>
      then(
        fiveNodes()
          .at(5)
          .fault('d', 'delete-node', ['cp-2'])
          .at(6)
          .node('DELETED', cp(2))
          .at(7)
          .node('MODIFIED', w(0, { status: 'running', cordoned: true }))
          .at(8)
          .node('MODIFIED', w(0, { status: 'failed', cordoned: true }))
          .at(9),
      );
    const retry = (b: HistoryBuilder): HistoryBuilder =>
      b
        .at(11)
        .node('MODIFIED', w(1, { status: 'running' }))
        .at(12)
        .node('MODIFIED', w(1, { status: 'complete', management: true }));

    it('lets the promotion the clearing unblocks serve the same deletion', () => {
      const v = check(
        failed((b) =>
          retry(
            b
              .fault('a', 'annotate', ['w-0'], clear)
              .at(10)
              .node('MODIFIED', w(0, { cordoned: true })),
          ).end(),
        ),
      );
      expect(v.status, v.summary).to.equal('pass');
      expect((v.details?.['promotions'] as { clearedByHarnessSeq?: number }[])[0]?.clearedByHarnessSeq).to.be.a('number');
    });

    it('still fails a second promotion when the failed status was cleared by nobody the harness knows of', () => {
      const v = check(failed((b) => retry(b.at(10).node('MODIFIED', w(0, { cordoned: true }))).end()));
      expect(v.status).to.equal('fail');
      expect(v.summary).to.match(/w-1 started promoting.*2nd promotion, with only 1 harness-deleted management node/);
    });

    it('does not release a promotion that completed, nor one cleared only after the next started', () => {
      const completed = fiveNodes()
        .at(5)
        .fault('d', 'delete-node', ['cp-2'])
        .at(6)
        .node('DELETED', cp(2))
        .at(7)
        .node('MODIFIED', w(0, { status: 'running' }))
        .at(8)
        .node('MODIFIED', w(0, { status: 'complete', management: true }))
        .at(9)
        .fault('a', 'annotate', ['w-0'], clear)
        .at(10)
        .node('MODIFIED', w(0, { management: true }));
      expect(check(retry(completed).end()).status, 'completed').to.equal('fail');
      const late = failed((b) =>
        retry(b)
          .at(13)
          .fault('a', 'annotate', ['w-0'], clear)
          .at(14)
          .node('MODIFIED', w(0, { cordoned: true })),
      );
      expect(check(late.end()).status, 'cleared late').to.equal('fail');
    });
  });

  it('counts each node once, whichever signal comes first', () => {
    const v = check(
      fiveNodes()
        .at(5)
        .fault('d', 'delete-node', ['cp-2'])
        .at(6)
        .node('DELETED', cp(2))
        .at(7)
        .job('ADDED', 'w-0')
        .node('MODIFIED', w(0, { status: 'running' }))
        .at(8)
        .node('MODIFIED', w(0, { status: 'complete', management: true }))
        .end(),
    );
    expect(v.status).to.equal('pass');
    expect((v.details?.['promotions'] as unknown[]).length).to.equal(1);
  });

  it('lets a re-created node with the name of a deleted management node be promoted later', () => {
    const v = check(
      fiveNodes()
        .at(5)
        .fault('d1', 'delete-node', ['cp-2'])
        .at(6)
        .node('DELETED', cp(2))
        .at(7)
        .node('MODIFIED', w(0, { status: 'running' }))
        .at(8)
        .node('MODIFIED', w(0, { status: 'complete', management: true }))
        .at(9)
        .fault('d2', 'delete-node', ['cp-1'])
        .at(10)
        .node('DELETED', cp(1))
        .at(11)
        .node('ADDED', cp(2, { management: false, uid: 'again' }))
        .at(12)
        .node('MODIFIED', cp(2, { management: false, uid: 'again', status: 'running' }))
        .end(),
    );
    expect(v.status).to.equal('pass');
  });

  it('ignores pre-existing promote jobs of the initial list', () => {
    const v = check(
      new HistoryBuilder()
        .cluster([cp(0), cp(1), cp(2), w(0)])
        .job('SYNC', 'cp-2', 0, 1)
        .job('SYNC', 'w-0', 0, 1)
        .at(5)
        .fault('k', 'kill', ['cp-1'])
        .end(),
    );
    expect(v.status).to.equal('pass');
  });

  it('is inconclusive when a promotion was already running at the start', () => {
    const v = check(
      new HistoryBuilder()
        .cluster([cp(0), cp(1), w(0, { status: 'running' })])
        .at(5)
        .fault('k', 'kill', ['cp-1'])
        .end(),
    );
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/already running.*w-0/);
  });

  it('is inconclusive when a node-watch gap hides whether the deletion finished first', () => {
    const v = check(
      fiveNodes()
        .at(5)
        .fault('d', 'delete-node', ['cp-2'])
        .at(8)
        .node('MODIFIED', w(0, { status: 'running' }))
        .at(20)
        .gap('nodes', 6, 20)
        .node('DELETED', cp(2))
        .end(),
    );
    expect(v.status).to.equal('inconclusive');
    expect(v.evidence.some((e) => e.kind === 'gap')).to.equal(true);
  });
});
