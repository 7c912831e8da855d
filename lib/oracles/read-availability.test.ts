import { expect } from 'chai';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import { READ_SAMPLER_PROCESS } from '../observe/read-sampler.ts';
import { OracleContext } from './context.ts';
import { readAvailability } from './read-availability.ts';
import type { Verdict } from './verdict.ts';

// TEST_TIMERS: heartbeat 10 s, grace 40 s (the lead a failure has on its NotReady: 50 s), election 1 s: outage budget 3 s.
const cp = (i: number, ready: 'True' | 'Unknown' = 'True') => tnode(`cp-${i}`, { management: true, ageMinutes: i, ready });
const cluster = (): HistoryBuilder => new HistoryBuilder().cluster([cp(0), cp(1), cp(2), tnode('w-0', { ageMinutes: 9 })]);

/** One answered read per second over [from, to]. */
function reads(b: HistoryBuilder, from: number, to: number): HistoryBuilder {
  for (let s = from; s <= to; s += 1) b.at(s).read(s, undefined, 5, READ_SAMPLER_PROCESS);
  return b;
}
const judge = (b: HistoryBuilder): Verdict => readAvailability(new OracleContext(b.build()));
const outagesOf = (v: Verdict) =>
  (v.details?.['outages'] as { durationMs: number; judgement: string }[]).map((o) => [o.durationMs, o.judgement]);

describe('read-availability (cpchaos watch)', () => {
  it('passes a short outage while one management node fails, counting the grace period before its NotReady', () => {
    const b = reads(cluster(), 1, 30);
    reads(b, 32, 70).at(70.5).node('MODIFIED', cp(1, 'Unknown'));
    const v = judge(reads(b, 71, 80).end());
    expect(v.status, v.summary).to.equal('pass');
    expect(outagesOf(v)).to.deep.equal([[2000, 'within-budget']]);
    expect(v.summary).to.match(/1 interval\(s\) with a minority .*longest 2000 ms/);
  });

  it('fails an outage over budget while a minority is down, naming the node', () => {
    const b = reads(cluster(), 1, 30);
    reads(b, 40, 70).at(70.5).node('MODIFIED', cp(1, 'Unknown'));
    const v = judge(reads(b, 71, 80).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/for 10.0 s .*while cp-1 of 3 management nodes were not Ready; budget 3000 ms/);
  });

  it('does not judge an outage while half or more of the management nodes are down', () => {
    const b = reads(cluster(), 1, 10).at(11).node('MODIFIED', cp(1, 'Unknown')).node('MODIFIED', cp(2, 'Unknown'));
    const v = judge(reads(b, 40, 50).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/only half or more/);
    expect(outagesOf(v)).to.deep.equal([[30000, 'majority-down']]);
  });

  it('lists an outage with every node Ready without judging it (the watcher may be the one cut off)', () => {
    const b = reads(cluster(), 1, 10);
    const v = judge(reads(b, 20, 30).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/every management node stayed Ready .*1 read outage\(s\) with every management node Ready, longest 10.0 s/);
  });

  it('is inconclusive without an answered read before the failure showed', () => {
    const b = cluster().at(5).node('MODIFIED', cp(0, 'Unknown'));
    const v = judge(reads(b, 6, 10).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/no read was answered before the first failure showed/);
  });

  it('ignores the write sampler: only the read sampler counts', () => {
    const b = cluster();
    for (let s = 1; s <= 10; s += 1) b.at(s).read(s, 0);
    const v = judge(b.end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/no read through the endpoint was ever answered/);
  });
});
