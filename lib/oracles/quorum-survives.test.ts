import { expect } from 'chai';
import { runOracles } from './index.ts';
import { isContendedVerdict, QUORUM_SURVIVES } from './quorum-survives.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import type { Verdict } from './verdict.ts';

const cp = (i: number) => tnode(`cp-${i}`, { management: true, ageMinutes: i });
const check = (b: HistoryBuilder): Verdict => runOracles(b.build(), [QUORUM_SURVIVES])[0] as Verdict;

/** Three control-plane nodes; one acknowledged write per second over [from, to] (outageMs 3 s by default). */
function sampler(b: HistoryBuilder, from: number, to: number, first = from * 10): HistoryBuilder {
  for (let s = from, id = first; s <= to; s += 1, id += 1) b.at(s).write(id, id);
  return b;
}
const cluster = (): HistoryBuilder => new HistoryBuilder().cluster([cp(0), cp(1), cp(2)]);

describe('quorum-survives', () => {
  it('passes short outages while a minority is down, and lists them', () => {
    const b = sampler(cluster(), 1, 4);
    b.at(5).fault('k', 'kill', ['cp-0']);
    sampler(b, 7, 12, 100).at(13).fault('r', 'restart', ['cp-0']);
    const v = check(sampler(b, 14, 15, 200).end());
    expect(v.status).to.equal('pass');
    const outages = v.details?.['outages'] as { durationMs: number; judgement: string }[];
    expect(outages.map((o) => [o.durationMs, o.judgement])).to.deep.equal([
      [3000, 'within-budget'],
      [2000, 'within-budget'],
    ]);
  });

  it('fails an outage over budget during a partition of one node, naming the nodes', () => {
    const b = sampler(cluster(), 1, 4);
    b.at(5).fault('p', 'partition', [], { groups: [['cp-0'], ['cp-1', 'cp-2']] });
    sampler(b, 12, 13, 100).at(14).fault('h', 'heal', []);
    const v = check(b.end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/for 8005 ms|for 8000 ms/);
    expect(v.summary).to.match(/cp-0 of 3 control-plane nodes/);
  });

  it('fails when writes never come back before the run ends', () => {
    const b = sampler(cluster(), 1, 4).at(5).fault('k', 'kill', ['cp-0']).at(20).end();
    const v = check(b);
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/until the run ended/);
  });

  it('does not judge outages outside fault intervals or during a majority loss', () => {
    const b = sampler(cluster(), 1, 4).at(10);
    sampler(b, 10, 11, 100).at(12).fault('k', 'kill', ['cp-0', 'cp-1']);
    sampler(b, 30, 31, 200).at(32).fault('r', 'restart', ['cp-0', 'cp-1']);
    sampler(b, 33, 34, 300).at(34.5).fault('k2', 'kill', ['cp-2']);
    sampler(b, 35, 36, 400).at(37).fault('r2', 'restart', ['cp-2']);
    const v = check(b.end());
    expect(v.status).to.equal('pass');
    const judgements = (v.details?.['outages'] as { judgement: string }[]).map((o) => o.judgement);
    // 4 -> 10 before any fault; 11 -> 30 majority loss; 31 -> 33 straddles the end of the majority loss
    expect(judgements).to.deep.equal(['no-fault', 'majority-loss', 'majority-loss']);
  });

  it("is inconclusive on an outage over budget that the machine's CPU contention could explain, and fails one it cannot", () => {
    // An outage of 4 s against a 3 s budget: with 1.5 s of CPU stall inside it (PSI) it might have been within budget;
    // with 0.5 s it could not.
    const outage = (stallMs: number): Verdict => {
      const b = sampler(cluster(), 1, 4).push({ kind: 'cpu', stalledUs: 7_000_000 }).at(5).fault('k', 'kill', ['cp-0']);
      sampler(b, 8, 9, 100).push({ kind: 'cpu', stalledUs: 7_000_000 + stallMs * 1000 });
      return check(b.at(10).fault('r', 'restart', ['cp-0']).end());
    };
    const contended = outage(1500);
    expect(contended.status).to.equal('inconclusive');
    expect(contended.summary).to.match(/lasted 4000 ms, and tasks waited for a CPU for 1500 ms of it \(Linux PSI\)/);
    const judged = (contended.details?.['outages'] as { judgement: string; cpuStallMs?: number }[]).find(
      (o) => o.judgement === 'contended',
    );
    expect(judged?.cpuStallMs).to.equal(1500);
    // What the catalogue tests skip: this verdict, also as a report's summary.json has it, and no other.
    expect(isContendedVerdict(contended)).to.equal(true);
    expect(isContendedVerdict(JSON.parse(JSON.stringify(contended)) as Verdict)).to.equal(true);
    expect(isContendedVerdict({ ...contended, invariant: 'no-lost-writes' })).to.equal(false);
    const failed = outage(500);
    expect(failed.status).to.equal('fail');
    expect(isContendedVerdict(failed)).to.equal(false);
    expect(failed.summary).to.match(/for 4000 ms/);
  });

  it('judges an outage over budget as before when no CPU readings bracket it', () => {
    // One reading inside the outage, none before it: nothing to take from it.
    const b = sampler(cluster(), 1, 4).at(5).fault('k', 'kill', ['cp-0']).at(6).push({ kind: 'cpu', stalledUs: 1 });
    sampler(b, 8, 9, 100).push({ kind: 'cpu', stalledUs: 5_000_000 });
    expect(check(b.at(10).fault('r', 'restart', ['cp-0']).end()).status).to.equal('fail');
  });

  it('is inconclusive when no minority was ever down', () => {
    expect(check(sampler(cluster(), 1, 5).end()).status).to.equal('inconclusive');
  });

  it('is inconclusive without an acknowledged write before the first fault', () => {
    const b = cluster().at(5).fault('k', 'kill', ['cp-0']);
    const v = check(sampler(b, 6, 8).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/no baseline/);
  });

  it('is inconclusive when a sampler gap covers the long outage', () => {
    const b = sampler(cluster(), 1, 4).at(5).fault('k', 'kill', ['cp-0']);
    const v = check(sampler(b.at(14).gap('sampler', 5, 13, 'sampler stalled'), 14, 15, 100).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.evidence[0]?.kind).to.equal('gap');
  });

  it('is inconclusive when the provider could not do a fault', () => {
    const b = sampler(cluster(), 1, 4)
      .at(5)
      .fault('k', 'kill', ['cp-0'])
      .action('p', 'intent', 'partition', [], { groups: [['cp-1'], ['cp-0', 'cp-2']] })
      .action('p', 'unsupported', 'partition', []);
    const v = check(sampler(b, 6, 8, 100).at(9).fault('r', 'restart', ['cp-0']).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/could not do partition/);
  });
});
