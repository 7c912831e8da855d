import { expect } from 'chai';
import { runOracles } from './index.ts';
import { PROMOTION_AFTER_DELETION } from './promotion-after-deletion.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import type { Verdict } from './verdict.ts';

const cp = (i: number, extra = {}) => tnode(`cp-${i}`, { management: true, ageMinutes: i, ...extra });
const w = (i: number, extra = {}) => tnode(`w-${i}`, { ageMinutes: 10 * (i + 1), ...extra });
const check = (b: HistoryBuilder): Verdict => runOracles(b.build(), [PROMOTION_AFTER_DELETION])[0] as Verdict;

/** cp-0..2, w-0, w-1; cp-2 deleted at +5 s, gone at +8 s. Budget 100 s. */
function deleted(extraNodes: ReturnType<typeof tnode>[] = [w(0), w(1)]): HistoryBuilder {
  return new HistoryBuilder()
    .cluster([cp(0), cp(1), cp(2), ...extraNodes], { promotionMs: 100_000 })
    .at(5)
    .fault('d', 'delete-node', ['cp-2'])
    .at(8)
    .node('DELETED', cp(2));
}

function promote(b: HistoryBuilder, node: ReturnType<typeof tnode>, startSec: number, doneSec: number): HistoryBuilder {
  const age = { ageMinutes: Number(node.creationTimestamp.slice(14, 16)) };
  return b
    .at(startSec)
    .node('MODIFIED', tnode(node.name, { ...age, status: 'running', cordoned: true }))
    .at(doneSec)
    .node('MODIFIED', tnode(node.name, { ...age, status: 'complete', management: true }));
}

/** cp-0..2, w-0..2 (or the given workers); cp-1 and cp-2 deleted at +5 s, both gone at +8 s (cp-1 first). Budget 100 s. */
function twoDeleted(workers: ReturnType<typeof tnode>[] = [w(0), w(1), w(2)]): HistoryBuilder {
  return new HistoryBuilder()
    .cluster([cp(0), cp(1), cp(2), ...workers], { promotionMs: 100_000 })
    .at(5)
    .fault('d', 'delete-node', ['cp-1', 'cp-2'])
    .at(8)
    .node('DELETED', cp(1))
    .node('DELETED', cp(2));
}

interface DeletionDetail {
  readonly node: string;
  readonly named: string[];
  readonly promoted?: string;
  readonly status: string;
  readonly summary: string;
}
const deletionsOf = (v: Verdict): DeletionDetail[] => v.details?.['deletions'] as DeletionDetail[];
const running = (node: ReturnType<typeof tnode>, extra = {}) =>
  tnode(node.name, { ageMinutes: Number(node.creationTimestamp.slice(14, 16)), status: 'running', cordoned: true, ...extra });

describe('promotion-after-deletion', () => {
  it('passes when the oldest eligible node completes within the budget', () => {
    const v = check(promote(deleted(), w(0), 9, 60).end());
    expect(v.status).to.equal('pass');
    expect(v.summary).to.match(/w-0 \(the reference's candidate\) completed/);
  });

  it('is inconclusive, saying why, when the reference names no candidate', () => {
    const v = check(deleted([]).at(200).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/no candidate.*2 node\(s\)/);
  });

  it('fails when a candidate was named but nothing was promoted within the budget', () => {
    const v = check(deleted().at(120).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/named w-0.*no promotion started/);
  });

  it('is inconclusive when the run ends before the budget, with nothing wrong yet', () => {
    expect(check(deleted().at(30).end()).status).to.equal('inconclusive');
    expect(
      check(
        deleted()
          .at(9)
          .node('MODIFIED', w(0, { status: 'running' }))
          .at(30)
          .end(),
      ).status,
    ).to.equal('inconclusive');
  });

  it('fails when the promotion completes after the budget', () => {
    const v = check(promote(deleted(), w(0), 9, 150).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/had not completed by/);
  });

  describe('on a machine whose CPUs were contended (Linux PSI stall readings)', () => {
    /** A stall reading of `stallS` s at +`untilS` s (withStallAtStart reads 0 at +6 s; the budget starts at +8 s). */
    const stalled = (b: HistoryBuilder, stallS: number, untilS: number): HistoryBuilder =>
      b.at(untilS).push({ kind: 'cpu', stalledUs: stallS * 1_000_000 });
    const withStallAtStart = (): HistoryBuilder => deleted().at(6).push({ kind: 'cpu', stalledUs: 0 }).at(8);

    it('is inconclusive when a promotion completing after the budget would be within it without the stall', () => {
      // took 142 s from +8 s; 50 s of CPU stall leaves 92 s, within the 100 s budget
      const v = check(stalled(promote(withStallAtStart(), w(0), 9, 150), 50, 151).end());
      expect(v.status).to.equal('inconclusive');
      expect(v.summary).to.match(
        /had not completed by \+108\.0 s \(budget 100\.0 s\); w-0 completed at \+150\.0 s, 142\.0 s after the budget started.*50\.0 s of it \(Linux PSI\)/,
      );
    });

    it('fails when the overrun is longer than the stall explains', () => {
      // took 142 s; 30 s of stall leaves 112 s, past the budget
      expect(check(stalled(promote(withStallAtStart(), w(0), 9, 150), 30, 151).end()).status).to.equal('fail');
    });

    it('judges a promotion that never started, or never completed, up to the end of the run', () => {
      // named w-0 at +8 s, nothing until the run ends at +120 s: 112 s, 30 s of stall leaves 82 s
      const unstarted = check(stalled(withStallAtStart(), 30, 120).end());
      expect(unstarted.status).to.equal('inconclusive');
      expect(unstarted.summary).to.match(/no promotion started within 100\.0 s; w-0 had not completed when the run ended/);
      // w-0 still running when the run ends at +300 s: 292 s, 50 s of stall leaves 242 s
      const running300 = withStallAtStart()
        .at(9)
        .node('MODIFIED', running(w(0)));
      expect(check(stalled(running300, 50, 300).end()).status).to.equal('fail');
    });

    it('fails all the same for a cluster elsewhere (run-start: clusterOnHarnessMachine false): the stall slowed only the harness', () => {
      const history = stalled(promote(withStallAtStart(), w(0), 9, 150), 50, 151)
        .end()
        .build()
        .map((e) => (e.kind === 'run-start' ? { ...e, clusterOnHarnessMachine: false } : e));
      const v = runOracles(history, [PROMOTION_AFTER_DELETION])[0] as Verdict;
      expect(v.status).to.equal('fail');
      expect(v.summary).to.match(/had not completed by \+108\.0 s \(budget 100\.0 s\)$/);
    });

    it('fails as before when the machine reports no stall (no PSI readings)', () => {
      expect(check(promote(deleted(), w(0), 9, 150).end()).status).to.equal('fail');
    });
  });

  it('fails when the promotion ends failed', () => {
    const v = check(
      deleted()
        .at(9)
        .node('MODIFIED', w(0, { status: 'running' }))
        .at(20)
        .node('MODIFIED', w(0, { status: 'failed', cordoned: true }))
        .at(200)
        .end(),
    );
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/promote-status failed/);
  });

  it('follows the state level-triggered: a candidate named after a change counts', () => {
    // w-0 is cordoned when cp-2 disappears, so w-1 is named; then w-0 is uncordoned and becomes the choice.
    const b = deleted([w(0, { cordoned: true }), w(1)])
      .at(9)
      .node('MODIFIED', w(0));
    expect(check(promote(b, w(0), 10, 60).end()).status).to.equal('pass');
    const b2 = deleted([w(0, { cordoned: true }), w(1)])
      .at(9)
      .node('MODIFIED', w(0));
    expect(check(promote(b2, w(1), 10, 60).end()).status, 'w-1 was named while w-0 was cordoned').to.equal('pass');
  });

  it('does not name unhealthy, worker-only or unmanaged nodes', () => {
    const v = check(
      promote(
        deleted([w(0, { ready: 'False' }), w(1, { workerOnly: true }), tnode('w-2', { ageMinutes: 40 })]),
        tnode('w-2', { ageMinutes: 40 }),
        9,
        60,
      ).end(),
    );
    expect(v.status).to.equal('pass');
    const wrong = check(promote(deleted([w(0, { ready: 'False' }), w(1)]), w(0), 9, 60).end());
    expect(wrong.status).to.equal('fail');
    expect(wrong.summary).to.match(/w-0 was promoted.*the reference named w-1/);
  });

  it('fails a promotion when the reference named no node at all', () => {
    const v = check(promote(deleted([w(0, { ready: 'False' })]), w(0), 9, 60).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/named no node/);
  });

  it('is inconclusive about the choice when the node watch was blind before the promotion', () => {
    const b = deleted().at(20).gap('nodes', 9, 20);
    expect(check(promote(b, w(1), 20, 60).end()).status).to.equal('inconclusive');
  });

  it('serves two deletions one after the other, each budget starting when the previous promotion completed', () => {
    const b = new HistoryBuilder()
      .cluster([cp(0), cp(1), cp(2), w(0), w(1), w(2)], { promotionMs: 100_000 })
      .at(5)
      .fault('d', 'delete-node', ['cp-1', 'cp-2'])
      .at(8)
      .node('DELETED', cp(1))
      .node('DELETED', cp(2));
    promote(b, w(0), 9, 90);
    promote(b, w(1), 91, 180);
    const v = check(b.end());
    expect(v.status, v.summary).to.equal('pass');
    expect((v.details?.['deletions'] as { promoted: string }[]).map((d) => d.promoted)).to.deep.equal(['w-0', 'w-1']);
  });

  it('is inconclusive when the deleted node never disappears, or the provider cannot delete', () => {
    const stuck = new HistoryBuilder()
      .cluster([cp(0), cp(1), cp(2), w(0)])
      .at(5)
      .fault('d', 'delete-node', ['cp-2'])
      .node('MODIFIED', cp(2, { deleting: true }))
      .at(400)
      .end();
    expect(check(stuck).summary).to.match(/never disappeared/);
    expect(check(stuck).status).to.equal('inconclusive');
    const unsupported = new HistoryBuilder()
      .cluster([cp(0), cp(1), cp(2), w(0)])
      .at(5)
      .action('d', 'intent', 'delete-node', ['cp-2'])
      .action('d', 'unsupported', 'delete-node', ['cp-2'])
      .end();
    expect(check(unsupported).summary).to.match(/could not delete-node/);
  });

  it('judges against another policy when given one', () => {
    const youngest = { selectPromoteNode: () => 'w-1' };
    const v = runOracles(promote(deleted(), w(1), 9, 60).end().build(), [PROMOTION_AFTER_DELETION], { reference: youngest })[0];
    expect(v?.status).to.equal('pass');
  });
  it('passes a promotion completing exactly at the deadline, and fails one completing just after it', () => {
    // gone at +8 s, budget 100 s: the deadline is +108 s
    expect(check(promote(deleted(), w(0), 9, 108).end()).status).to.equal('pass');
    const late = check(promote(deleted(), w(0), 9, 108.001).end());
    expect(late.status).to.equal('fail');
    expect(late.summary).to.match(/had not completed by \+108\.0 s/);
  });

  it("starts the second deletion's budget, and asks the reference for its candidate, when the first promotion completes", () => {
    // w-0 completes for cp-1 at +90 s; cp-2's budget runs +90 s .. +190 s and w-1 is named at +90 s
    const served = (end: number): Verdict => check(promote(twoDeleted(), w(0), 9, 90).at(end).end());
    const early = deletionsOf(served(150));
    expect(early.map((d) => d.status)).to.deep.equal(['pass', 'inconclusive']);
    expect(early[1]?.summary).to.match(
      /the run ended 40\.0 s before the budget expired: the reference named w-1, no promotion had started/,
    );
    const late = served(200);
    expect(late.status).to.equal('fail');
    expect(late.summary).to.match(
      /^cp-2 disappeared at \+8\.0 s; the reference named w-1 \(\+90\.0 s\) but no promotion started within 100\.0 s/,
    );
  });

  it('leaves a deletion still waiting for its turn inconclusive when the run ends', () => {
    const v = check(
      twoDeleted()
        .at(9)
        .node('MODIFIED', running(w(0)))
        .at(50)
        .end(),
    );
    expect(v.status).to.equal('inconclusive');
    const [first, second] = deletionsOf(v);
    expect(first?.summary).to.match(/the run ended 58\.0 s before the budget expired: w-0 was still promoting/);
    expect(second?.summary).to.match(/the run ended before its turn came: no candidate yet \(not evaluated\)/);
    expect(second?.named).to.deep.equal([]);
    expect(second?.promoted).to.equal(undefined);
  });

  it('counts candidates named only after later node changes, and fails naming the first of them', () => {
    // nobody is eligible when cp-2 disappears; w-1 is uncordoned at +20 s (named), then w-0 turns Ready at +30 s (named too)
    const b = deleted([w(0, { ready: 'False' }), w(1, { cordoned: true })])
      .at(20)
      .node('MODIFIED', w(1))
      .at(30)
      .node('MODIFIED', w(0));
    const v = check(b.at(200).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/the reference named w-1 \(\+20\.0 s\) but no promotion started/);
    expect(deletionsOf(v)[0]?.named).to.deep.equal(['w-1', 'w-0']);
    const promoted = check(
      promote(
        deleted([w(0, { ready: 'False' }), w(1, { cordoned: true })])
          .at(20)
          .node('MODIFIED', w(1)),
        w(1),
        25,
        60,
      ).end(),
    );
    expect(promoted.status, promoted.summary).to.equal('pass');
  });

  it('gives the latest reason when the reference never named a node', () => {
    // "2 management + 0 eligible" at first; after w-0 is gone only 2 nodes are left
    const v = check(
      deleted([w(0, { ready: 'False' })])
        .at(20)
        .node('DELETED', w(0, { ready: 'False' }))
        .at(200)
        .end(),
    );
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/named no candidate within 100\.0 s: 2 node\(s\); nothing is promoted/);
  });

  it('settles a deletion at once when a node the reference never named starts promoting, and serves the next', () => {
    // w-0 is NotReady, so w-1 is named for cp-1; w-0 is promoted anyway. cp-2 is served from then on and gets w-1.
    const b = twoDeleted([w(0, { ready: 'False' }), w(1), w(2)]);
    promote(b, w(0), 9, 60);
    promote(b, w(1), 61, 100);
    const v = check(b.end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/^cp-1 disappeared at \+8\.0 s; w-0 was promoted \(\+9\.0 s\) but the reference named w-1$/);
    const deletions = deletionsOf(v);
    expect(deletions.map((d) => [d.node, d.status, d.promoted])).to.deep.equal([
      ['cp-1', 'fail', 'w-0'],
      ['cp-2', 'pass', 'w-1'],
    ]);
    expect(deletions[1]?.named).to.deep.equal(['w-1']);
  });

  it('fails a promotion starting while the served one runs and another deletion waits; with none waiting it is only unattributed', () => {
    // w-1's promote Job appears while w-0 is promoting (no promote-status on w-1, so only the start signal shows it)
    const v = check(
      twoDeleted()
        .at(9)
        .node('MODIFIED', running(w(0)))
        .at(20)
        .job('ADDED', 'w-1')
        .at(30)
        .end(),
    );
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/^w-1 started promoting at \+20\.0 s while w-0's promotion had not completed \(one at a time\)$/);
    const alone = check(
      promote(
        deleted()
          .at(9)
          .node('MODIFIED', running(w(0)))
          .at(20)
          .job('ADDED', 'w-1'),
        w(0),
        9,
        60,
      ).end(),
    );
    expect(alone.status, alone.summary).to.equal('pass');
    expect((alone.details?.['unattributedStarts'] as { node: string }[]).map((s) => s.node)).to.deep.equal(['w-1']);
  });

  it('fails when two nodes have promote-status running at once', () => {
    const b = deleted()
      .at(9)
      .node('MODIFIED', running(w(0)))
      .at(20)
      .node('MODIFIED', running(w(1)));
    const v = check(promote(b, w(0), 9, 60).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/^w-0 and w-1 had promote-status running at the same time \(\+20\.0 s\)/);
    expect(v.evidence.map((e) => (e.kind === 'node' ? e.node.name : e.kind))).to.deep.equal(['w-0', 'w-1']);
  });

  it('fails when the promotion ends unknown, or the promoted Node object disappears', () => {
    const unknown = check(
      deleted()
        .at(9)
        .node('MODIFIED', running(w(0)))
        .at(20)
        .node('MODIFIED', running(w(0), { status: 'unknown' }))
        .at(30)
        .end(),
    );
    expect(unknown.status).to.equal('fail');
    expect(unknown.summary).to.match(/w-0's promotion ended with promote-status unknown at \+20\.0 s/);
    const vanished = check(
      deleted()
        .at(9)
        .node('MODIFIED', running(w(0)))
        .at(20)
        .node('DELETED', running(w(0)))
        .at(30)
        .end(),
    );
    expect(vanished.status).to.equal('fail');
    expect(vanished.summary).to.match(/w-0 was promoting but its Node object disappeared \(\+20\.0 s\)/);
  });

  it('does not count promote-status complete without the management labels as completion', () => {
    const v = check(
      deleted()
        .at(9)
        .node('MODIFIED', running(w(0)))
        .at(20)
        .node('MODIFIED', w(0, { status: 'complete' }))
        .at(200)
        .end(),
    );
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/w-0 started promoting at \+9\.0 s but had not completed by \+108\.0 s/);
  });

  it("is inconclusive when the node watch was blind while a started promotion overran, citing the node's last state", () => {
    const b = deleted()
      .at(9)
      .node('MODIFIED', running(w(0)));
    const heartbeatSeq = b.build().length;
    b.at(30)
      .node('MODIFIED', running(w(0)))
      .at(120)
      .gap('nodes', 50, 120);
    const v = check(
      b
        .at(150)
        .node('MODIFIED', w(0, { status: 'complete', management: true }))
        .end(),
    );
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/had not completed by \+108\.0 s \(budget 100\.0 s\); the node watch was blind meanwhile$/);
    expect(v.evidence.map((e) => e.seq)).to.include(heartbeatSeq);
  });

  it("starts the next deletion's budget at an expired one's deadline, not when the expiry was noticed", () => {
    // nothing happens for cp-1 until +150 s: its budget expired at +108 s, so cp-2's runs +108 s .. +208 s
    const v = check(promote(twoDeleted(), w(0), 150, 215).end());
    const [first, second] = deletionsOf(v);
    expect(first?.summary).to.match(/the reference named w-0 \(\+8\.0 s\) but no promotion started/);
    expect(second?.summary).to.match(/w-0 started promoting at \+150\.0 s but had not completed by \+208\.0 s/);
    expect(second?.promoted).to.equal('w-0');
  });
});
