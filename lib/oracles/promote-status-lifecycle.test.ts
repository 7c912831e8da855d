import { expect } from 'chai';
import { runOracles } from './index.ts';
import { PROMOTE_STATUS_LIFECYCLE } from './promote-status-lifecycle.ts';
import { HistoryBuilder, tnode } from './testing.ts';
import type { Verdict } from './verdict.ts';

const w = (status?: string, extra = {}) => tnode('w-0', { ageMinutes: 10, ...(status === undefined ? {} : { status }), ...extra });
const check = (b: HistoryBuilder): Verdict => runOracles(b.build(), [PROMOTE_STATUS_LIFECYCLE])[0] as Verdict;
const base = (first = w()) => new HistoryBuilder().cluster([tnode('cp-0', { management: true }), first]);

describe('promote-status-lifecycle', () => {
  it('passes none -> running -> complete, failed or unknown', () => {
    for (const end of ['complete', 'failed', 'unknown']) {
      expect(check(base().at(1).node('MODIFIED', w('running')).at(2).node('MODIFIED', w(end)).end()).status, end).to.equal('pass');
    }
  });

  it('takes a first observation as it is', () => {
    expect(check(base(w('complete')).end()).status).to.equal('pass');
  });

  it('fails on clearing, going back to running, leaving a final status, or skipping running', () => {
    const cases: [string, (string | undefined)[]][] = [
      ['cleared', ['running', 'complete', undefined]],
      ['back to running', ['running', 'failed', 'running']],
      ['final to final', ['running', 'complete', 'failed']],
      ['skipped running', ['complete']],
    ];
    for (const [name, statuses] of cases) {
      const b = base();
      statuses.forEach((status, i) => b.at(i + 1).node('MODIFIED', w(status)));
      const v = check(b.end());
      expect(v.status, name).to.equal('fail');
      expect(v.evidence.length, name).to.equal(2);
    }
  });

  it('fails on a value Harvester never writes', () => {
    const v = check(base().at(1).node('MODIFIED', w('done')).end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/"done"/);
  });

  it('is inconclusive about a skipped step seen across a relist or a watch gap', () => {
    expect(check(base().at(5).node('SYNC', w('complete')).end()).status).to.equal('inconclusive');
    const gap = check(base().at(5).gap('nodes', 2, 5).node('MODIFIED', w('complete')).end());
    expect(gap.status).to.equal('inconclusive');
    expect(gap.evidence.some((e) => e.kind === 'gap')).to.equal(true);
    expect(check(base(w('complete')).at(5).gap('nodes', 2, 5).node('SYNC', w('running')).end()).status, 'never back to running').to.equal('fail');
  });

  it('starts over for a new Node object of the same name', () => {
    const b = base().at(1).node('MODIFIED', w('running')).at(2).node('MODIFIED', w('complete'));
    b.at(3).node('DELETED', w('complete')).at(4).node('ADDED', w(undefined, { uid: 'again' })).at(5).node('MODIFIED', w('running', { uid: 'again' }));
    expect(check(b.end()).status).to.equal('pass');
  });
});
