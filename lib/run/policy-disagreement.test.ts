import { expect } from 'chai';
import { selectorWith } from '../harvester/promotion.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import { firstDisagreement } from './policy-disagreement.ts';

// The youngest-first policy of checker self-validation (fixtures/policies/faulty-picks-youngest.ts).
const youngestFirst = selectorWith({ agePreference: 'youngest' });
const cp = (i: number) => tnode(`cp-${i}`, { management: true, ageMinutes: i });
const w0 = tnode('w-0', { ageMinutes: 10 });
const w1 = tnode('w-1', { ageMinutes: 20 });

describe('where a faulty policy and Harvester would choose differently', () => {
  it('ignores the run-start node list arriving one node at a time (workers first), and finds the first disagreement after an action', () => {
    // Workers listed before the control planes: after w-0 and w-1 alone, both policies would promote, differently.
    const started = new HistoryBuilder().cluster([w0, w1, cp(0), cp(1), cp(2)], { promotionMs: 100_000 }).at(5);
    expect(firstDisagreement(started.build(), youngestFirst), 'before any action').to.equal(undefined);
    const deleted = started.fault('d', 'delete-node', ['cp-2']).at(8).node('DELETED', cp(2)).end().build();
    const found = firstDisagreement(deleted, youngestFirst);
    expect(found?.faulty).to.equal('w-1');
    expect(found?.harvester).to.deep.equal(['w-0']);
    expect(found?.t).to.equal(deleted.find((e) => e.kind === 'node' && e.type === 'DELETED')?.t);
  });

  it('finds none while the only candidate is the one both would name', () => {
    const history = new HistoryBuilder()
      .cluster([cp(0), cp(1), cp(2), w0, tnode('w-1', { ageMinutes: 20, cordoned: true })], { promotionMs: 100_000 })
      .at(5)
      .fault('d', 'delete-node', ['cp-2'])
      .at(8)
      .node('DELETED', cp(2))
      .end()
      .build();
    expect(firstDisagreement(history, youngestFirst)).to.equal(undefined);
  });
});
