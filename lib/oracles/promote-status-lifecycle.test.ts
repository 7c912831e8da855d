import { expect } from 'chai';
import { runOracles } from './index.ts';
import { PROMOTE_STATUS_LIFECYCLE } from './promote-status-lifecycle.ts';
import { PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import type { TrimmedNode } from '../observe/history.ts';
import { HistoryBuilder, T0, tnode } from '../observe/testing/history-builder.ts';
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
    expect(check(base(w('complete')).at(5).gap('nodes', 2, 5).node('SYNC', w('running')).end()).status, 'never back to running').to.equal(
      'fail',
    );
  });

  describe("an operator clearing a status (the harness's own annotate step)", () => {
    const clear = { annotations: { [PROMOTE_STATUS_ANNOTATION]: null } };
    const nodeAt = (b: HistoryBuilder, type: 'MODIFIED' | 'SYNC', node: TrimmedNode, rv: string): HistoryBuilder =>
      b.push({ kind: 'node', type, node, rv });
    /** w-0 runs and fails (rv 10, 11); `between` happens before the clearing is observed at rv 20. */
    const failedThenCleared = (between: (b: HistoryBuilder) => void, observed: 'MODIFIED' | 'SYNC' = 'MODIFIED'): HistoryBuilder => {
      const b = base();
      nodeAt(b.at(1), 'MODIFIED', w('running'), '10');
      nodeAt(b.at(2), 'MODIFIED', w('failed'), '11');
      between(b.at(3));
      return nodeAt(b.at(4), observed, w(), '20');
    };

    it('accepts a clearing the harness asked for before it was observed, and follows the lifecycle from there', () => {
      const b = failedThenCleared((x) => x.action('a1', 'intent', 'annotate', ['w-0'], clear));
      b.action('a1', 'applied', 'annotate', ['w-0'], { ...clear, rvs: { 'w-0': '20' } });
      nodeAt(b.at(5), 'MODIFIED', w('running'), '21');
      nodeAt(b.at(6), 'MODIFIED', w('complete'), '22');
      const v = check(b.end());
      expect(v.status, v.summary).to.equal('pass');
      expect(v.summary).to.match(/1 change\(s\) made by the harness's own annotate steps \(w-0 failed -> \(none\)\)/);
      expect(v.details?.['byOperator']).to.deep.equal([{ node: 'w-0', from: 'failed', to: '(none)', t: T0 + 4000, action: 'a1' }]);
    });

    it("accepts it across a relist when the harness's patch lies between the two observations", () => {
      const b = failedThenCleared((x) => x.fault('a1', 'annotate', ['w-0'], { ...clear, rvs: { 'w-0': '15' } }), 'SYNC');
      expect(check(b.end()).status).to.equal('pass');
    });

    it('still fails a clearing nobody asked for', () => {
      const cases: [string, (b: HistoryBuilder) => void][] = [
        ['no annotate step', () => undefined],
        ['an annotate step on another node', (b) => b.fault('a1', 'annotate', ['w-1'], clear)],
        ['an annotate step that sets another annotation', (b) => b.fault('a1', 'annotate', ['w-0'], { annotations: { note: 'x' } })],
        [
          'an annotate step that sets the status instead',
          (b) => b.fault('a1', 'annotate', ['w-0'], { annotations: { [PROMOTE_STATUS_ANNOTATION]: 'failed' } }),
        ],
        ['a label step', (b) => b.fault('a1', 'label', ['w-0'])],
        // The harness's patch left rv 25: the clearing observed at rv 20 happened before it, so it was someone else's.
        [
          "a clearing that happened before the harness's patch",
          (b) => b.fault('a1', 'annotate', ['w-0'], { ...clear, rvs: { 'w-0': '25' } }),
        ],
        // Already cleared before the patch (a no-op that left the previous revision).
        ['a patch at or before the previous observation', (b) => b.fault('a1', 'annotate', ['w-0'], { ...clear, rvs: { 'w-0': '11' } })],
      ];
      for (const [name, between] of cases) {
        const v = check(failedThenCleared(between).end());
        expect(v.status, name).to.equal('fail');
        expect(v.summary, name).to.match(/w-0: promote-status failed -> \(none\).*no annotate step of the harness asked for this clearing/);
      }
    });

    it("accepts (none) -> failed again after the operator cleared failed: a resync re-applies the failed Job's result", () => {
      const b = failedThenCleared((x) => x.action('a1', 'intent', 'annotate', ['w-0'], clear));
      b.action('a1', 'applied', 'annotate', ['w-0'], { ...clear, rvs: { 'w-0': '20' } });
      nodeAt(b.at(5), 'MODIFIED', w('failed'), '21');
      const v = check(b.end());
      expect(v.status, v.summary).to.equal('pass');
      expect(v.summary).to.match(/w-0 \(none\) -> failed: a finished Job's result written again/);
    });

    it('still fails (none) -> complete on a node that never held complete', () => {
      const b = failedThenCleared((x) => x.action('a1', 'intent', 'annotate', ['w-0'], clear));
      b.action('a1', 'applied', 'annotate', ['w-0'], { ...clear, rvs: { 'w-0': '20' } });
      nodeAt(b.at(5), 'MODIFIED', w('complete'), '21');
      expect(check(b.end()).status).to.equal('fail');
    });

    it('fails a clearing observed before the harness recorded its step', () => {
      const b = failedThenCleared(() => undefined);
      b.at(5).fault('a1', 'annotate', ['w-0'], clear);
      expect(check(b.end()).status).to.equal('fail');
    });

    it("explains one clearing per node and step: a second clearing is nobody's", () => {
      const b = failedThenCleared((x) => x.fault('a1', 'annotate', ['w-0'], clear));
      nodeAt(b.at(5), 'MODIFIED', w('running'), '21');
      nodeAt(b.at(6), 'MODIFIED', w('failed'), '22');
      nodeAt(b.at(7), 'MODIFIED', w(), '23');
      const v = check(b.end());
      expect(v.status).to.equal('fail');
      expect(v.summary).to.match(/at \+7\.0 s/);
    });
  });

  it('starts over for a new Node object of the same name', () => {
    const b = base().at(1).node('MODIFIED', w('running')).at(2).node('MODIFIED', w('complete'));
    b.at(3)
      .node('DELETED', w('complete'))
      .at(4)
      .node('ADDED', w(undefined, { uid: 'again' }))
      .at(5)
      .node('MODIFIED', w('running', { uid: 'again' }));
    expect(check(b.end()).status).to.equal('pass');
  });
});
