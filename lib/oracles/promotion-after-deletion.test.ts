import { expect } from 'chai';
import { runOracles } from './index.ts';
import { PROMOTION_AFTER_DELETION } from './promotion-after-deletion.ts';
import { HistoryBuilder, tnode } from './testing.ts';
import type { Verdict } from './verdict.ts';

const cp = (i: number, extra = {}) => tnode(`cp-${i}`, { management: true, ageMinutes: i, ...extra });
const w = (i: number, extra = {}) => tnode(`w-${i}`, { ageMinutes: 10 * (i + 1), ...extra });
const check = (b: HistoryBuilder): Verdict => runOracles(b.build(), [PROMOTION_AFTER_DELETION])[0] as Verdict;

/** cp-0..2, w-0, w-1; cp-2 deleted at +5 s, gone at +8 s. Budget 100 s. */
function deleted(extraNodes: ReturnType<typeof tnode>[] = [w(0), w(1)]): HistoryBuilder {
  return new HistoryBuilder()
    .cluster([cp(0), cp(1), cp(2), ...extraNodes], { promotionMs: 100_000 })
    .at(5).fault('d', 'delete-node', ['cp-2'])
    .at(8).node('DELETED', cp(2));
}

function promote(b: HistoryBuilder, node: ReturnType<typeof tnode>, startSec: number, doneSec: number): HistoryBuilder {
  const age = { ageMinutes: Number(node.creationTimestamp.slice(14, 16)) };
  return b
    .at(startSec).node('MODIFIED', tnode(node.name, { ...age, status: 'running', cordoned: true }))
    .at(doneSec).node('MODIFIED', tnode(node.name, { ...age, status: 'complete', management: true }));
}

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
    expect(check(deleted().at(9).node('MODIFIED', w(0, { status: 'running' })).at(30).end()).status).to.equal('inconclusive');
  });

  it('fails when the promotion completes after the budget', () => {
    const v = check(promote(deleted(), w(0), 9, 150).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/had not completed by/);
  });

  it('fails when the promotion ends failed', () => {
    const v = check(deleted().at(9).node('MODIFIED', w(0, { status: 'running' })).at(20).node('MODIFIED', w(0, { status: 'failed', cordoned: true })).at(200).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/promote-status failed/);
  });

  it('follows the state level-triggered: a candidate named after a change counts', () => {
    // w-0 is cordoned when cp-2 disappears, so w-1 is named; then w-0 is uncordoned and becomes the choice.
    const b = deleted([w(0, { cordoned: true }), w(1)]).at(9).node('MODIFIED', w(0));
    expect(check(promote(b, w(0), 10, 60).end()).status).to.equal('pass');
    const b2 = deleted([w(0, { cordoned: true }), w(1)]).at(9).node('MODIFIED', w(0));
    expect(check(promote(b2, w(1), 10, 60).end()).status, 'w-1 was named while w-0 was cordoned').to.equal('pass');
  });

  it('does not name unhealthy, worker-only or unmanaged nodes', () => {
    const v = check(promote(deleted([w(0, { ready: 'False' }), w(1, { workerOnly: true }), tnode('w-2', { ageMinutes: 40 })]), tnode('w-2', { ageMinutes: 40 }), 9, 60).end());
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
      .at(5).fault('d', 'delete-node', ['cp-1', 'cp-2'])
      .at(8).node('DELETED', cp(1)).node('DELETED', cp(2));
    promote(b, w(0), 9, 90);
    promote(b, w(1), 91, 180);
    const v = check(b.end());
    expect(v.status, v.summary).to.equal('pass');
    expect((v.details?.['deletions'] as { promoted: string }[]).map((d) => d.promoted)).to.deep.equal(['w-0', 'w-1']);
  });

  it('is inconclusive when the deleted node never disappears, or the provider cannot delete', () => {
    const stuck = new HistoryBuilder().cluster([cp(0), cp(1), cp(2), w(0)]).at(5).fault('d', 'delete-node', ['cp-2']).node('MODIFIED', cp(2, { deleting: true })).at(400).end();
    expect(check(stuck).summary).to.match(/never disappeared/);
    expect(check(stuck).status).to.equal('inconclusive');
    const unsupported = new HistoryBuilder().cluster([cp(0), cp(1), cp(2), w(0)]).at(5).action('d', 'intent', 'delete-node', ['cp-2']).action('d', 'unsupported', 'delete-node', ['cp-2']).end();
    expect(check(unsupported).summary).to.match(/could not delete-node/);
  });

  it('judges against another policy when given one', () => {
    const youngest = { selectPromoteNode: () => 'w-1' };
    const v = runOracles(promote(deleted(), w(1), 9, 60).end().build(), [PROMOTION_AFTER_DELETION], { reference: youngest })[0];
    expect(v?.status).to.equal('pass');
  });
});
