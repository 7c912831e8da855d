import { expect } from 'chai';
import { runOracles } from './index.ts';
import { QUORUM_LOST } from './quorum-lost.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import type { Verdict } from './verdict.ts';

const cp = (i: number) => tnode(`cp-${i}`, { management: true, ageMinutes: i });
const check = (b: HistoryBuilder): Verdict => runOracles(b.build(), [QUORUM_LOST])[0] as Verdict;
const cluster = (recoveryMs = 10_000): HistoryBuilder => new HistoryBuilder().cluster([cp(0), cp(1), cp(2)], { recoveryMs });

/** Writes through the VIP once a second over [from, to] with the given outcome. */
function writes(b: HistoryBuilder, from: number, to: number, outcome: 'ok' | 'fail' | 'info', first: number): HistoryBuilder {
  for (let s = from, id = first; s <= to; s += 1, id += 1) b.at(s).write(id, id, outcome);
  return b;
}

describe('quorum-lost', () => {
  it('passes when writes are refused during the loss and acknowledged after recovery', () => {
    const b = writes(cluster(), 1, 3, 'ok', 1).at(4).fault('k', 'pause', ['cp-1', 'cp-2']);
    writes(b, 6, 10, 'info', 100).at(11).fault('r', 'resume', ['cp-1', 'cp-2']);
    const v = check(writes(b, 12, 13, 'ok', 200).end());
    expect(v.status, v.summary).to.equal('pass');
  });

  it('accepts a write invoked before the election timeout ran out', () => {
    const b = writes(cluster(), 1, 3, 'ok', 1).at(4).fault('k', 'kill', ['cp-1', 'cp-2']);
    b.at(4.5).write(50, 50, 'ok', 10);
    writes(b, 6, 10, 'fail', 100).at(11).fault('r', 'restart', ['cp-1', 'cp-2']);
    expect(check(writes(b, 12, 13, 'ok', 200).end()).status).to.equal('pass');
  });

  it('fails when writes are not acknowledged again within the recovery budget', () => {
    const b = writes(cluster(), 1, 3, 'ok', 1).at(4).fault('k', 'kill', ['cp-1', 'cp-2']);
    writes(b, 6, 10, 'fail', 100).at(11).fault('r', 'restart', ['cp-1', 'cp-2']);
    const v = check(writes(b, 12, 30, 'fail', 200).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/no write was acknowledged again/);
  });

  it('is inconclusive when the run ends soon after recovery, or before it', () => {
    const b = writes(cluster(), 1, 3, 'ok', 1).at(4).fault('k', 'kill', ['cp-1', 'cp-2']);
    writes(b, 6, 10, 'fail', 100);
    expect(check(b.at(11).end()).summary).to.match(/before recovery/);
    const c = writes(cluster(), 1, 3, 'ok', 1).at(4).fault('k', 'kill', ['cp-1', 'cp-2']);
    writes(c, 6, 10, 'fail', 100).at(11).fault('r', 'restart', ['cp-1', 'cp-2']);
    expect(check(c.at(12).end()).status).to.equal('inconclusive');
  });

  it('is inconclusive when no write was attempted during the loss, or the sampler was blind', () => {
    const quiet = writes(cluster(), 1, 3, 'ok', 1)
      .at(4)
      .fault('k', 'kill', ['cp-1', 'cp-2'])
      .at(11)
      .fault('r', 'restart', ['cp-1', 'cp-2']);
    expect(check(writes(quiet, 12, 13, 'ok', 200).end()).summary).to.match(/attempted no write/);
    const blind = writes(cluster(), 1, 3, 'ok', 1).at(4).fault('k', 'kill', ['cp-1', 'cp-2']);
    writes(blind, 6, 7, 'fail', 100).gap('sampler', 8, 10).at(11).fault('r', 'restart', ['cp-1', 'cp-2']);
    expect(check(writes(blind, 12, 13, 'ok', 200).end()).status).to.equal('inconclusive');
  });

  it('does not treat network cuts or a single kill as a majority down', () => {
    const b = writes(cluster(), 1, 3, 'ok', 1).at(4).fault('k', 'kill', ['cp-1']).fault('i', 'isolate', ['cp-2']);
    expect(check(writes(b, 5, 8, 'ok', 100).end()).status).to.equal('inconclusive');
  });
});
