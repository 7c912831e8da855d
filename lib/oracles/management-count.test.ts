import { expect } from 'chai';
import { runOracles } from './index.ts';
import { MANAGEMENT_COUNT } from './management-count.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import type { Verdict } from './verdict.ts';

const cp = (i: number, extra = {}) => tnode(`cp-${i}`, { management: true, ageMinutes: i, ...extra });
const w = (i: number, extra = {}) => tnode(`w-${i}`, { ageMinutes: 10 * (i + 1), ...extra });
const check = (b: HistoryBuilder): Verdict => runOracles(b.build(), [MANAGEMENT_COUNT])[0] as Verdict;

describe('management-count', () => {
  it('is inconclusive without node observations', () => {
    expect(check(new HistoryBuilder().runStart([{ name: 'cp-0', role: 'control-plane' }]).end()).status).to.equal('inconclusive');
  });

  it('fails at the event that makes a fourth management node, with every management node as evidence', () => {
    const v = check(
      new HistoryBuilder()
        .cluster([cp(0), cp(1), cp(2), w(0)])
        .at(5)
        .node('MODIFIED', w(0, { management: true }))
        .end(),
    );
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/4 management nodes at \+5\.0 s \(cp-0, cp-1, cp-2, w-0\)/);
    expect(v.evidence.length).to.equal(4);
  });

  it('counts a node as management by the first role label present (master=false wins)', () => {
    const odd = tnode('w-0', { labels: { 'node-role.kubernetes.io/master': 'false', 'node-role.kubernetes.io/control-plane': 'true' } });
    expect(check(new HistoryBuilder().cluster([cp(0), cp(1), cp(2), odd]).end()).status).to.equal('pass');
  });

  it('after a management deletion, fails when the run ends (past the budget) with fewer than min(3, nodes)', () => {
    const b = (endSec: number) =>
      new HistoryBuilder()
        .cluster([cp(0), cp(1), cp(2), w(0)], { promotionMs: 60_000 })
        .at(5)
        .fault('d', 'delete-node', ['cp-2'])
        .at(6)
        .node('DELETED', cp(2))
        .at(endSec)
        .end();
    const late = check(b(100));
    expect(late.status).to.equal('fail');
    expect(late.summary).to.match(/ended with 2 management node\(s\) of 3, not 3/);
    expect(check(b(30)).status).to.equal('inconclusive');
  });

  it('accepts min(3, nodes) when the cluster shrank below 3 nodes', () => {
    const v = check(
      new HistoryBuilder()
        .cluster([cp(0), cp(1), cp(2)], { promotionMs: 1_000 })
        .at(5)
        .fault('d', 'delete-node', ['cp-2'])
        .at(6)
        .node('DELETED', cp(2))
        .at(100)
        .end(),
    );
    expect(v.status).to.equal('pass');
  });

  it('is inconclusive when the node watch was blind', () => {
    const v = check(
      new HistoryBuilder()
        .cluster([cp(0), cp(1), cp(2)])
        .at(10)
        .gap('nodes', 5, 10)
        .end(),
    );
    expect(v.status).to.equal('inconclusive');
    expect(v.evidence[0]?.kind).to.equal('gap');
  });
});
