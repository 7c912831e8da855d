import { expect } from 'chai';
import type { Verdict, VerdictStatus } from '../oracles/verdict.ts';
import { overallStatus, scenarioOutcome, suiteExitCode, type ReportedScenario } from './result.ts';
import { sampleResult } from './testing/sample-run.ts';

const BUG = 'https://github.com/harvester/harvester/issues/8968';

function verdicts(statuses: Readonly<Record<string, VerdictStatus>>): Verdict[] {
  return Object.entries(statuses).map(([invariant, status]) => ({ invariant, status, summary: `${invariant} ${status}`, evidence: [] }));
}

function knownBugScenario(fails: readonly string[] = ['promotion-after-deletion']): ReportedScenario {
  const { scenario } = sampleResult();
  return { ...scenario, tags: [...scenario.tags, 'known-bug'], knownBug: { url: BUG, fails } };
}

describe('report/result', () => {
  describe('overallStatus', () => {
    it('is the worst verdict: fail, then error, then inconclusive, then pass', () => {
      expect(overallStatus(verdicts({ a: 'pass', b: 'inconclusive', c: 'error' }))).to.equal('error');
      expect(overallStatus(verdicts({ a: 'error', b: 'fail' }))).to.equal('fail');
      expect(overallStatus(verdicts({ a: 'pass', b: 'inconclusive' }))).to.equal('inconclusive');
      expect(overallStatus([])).to.equal('pass');
    });
  });

  describe('scenarioOutcome of a known-bug scenario', () => {
    it('is xfail when exactly the described verdicts fail', () => {
      const outcome = scenarioOutcome(knownBugScenario(), verdicts({ 'promotion-after-deletion': 'fail', steps: 'pass', expect: 'pass' }));
      expect(outcome.status).to.equal('xfail');
      expect(outcome.knownBug).to.contain('reproduced as described').and.to.contain(BUG);
    });

    it('is xpass when the described verdicts pass, even if the reproduction steps no longer hold', () => {
      const outcome = scenarioOutcome(knownBugScenario(), verdicts({ 'promotion-after-deletion': 'pass', steps: 'fail', expect: 'pass' }));
      expect(outcome.status).to.equal('xpass');
      expect(outcome.knownBug).to.contain('Bug fixed? Remove the known-bug tag');
    });

    it('fails when a verdict the bug does not explain fails too', () => {
      const outcome = scenarioOutcome(
        knownBugScenario(),
        verdicts({ 'promotion-after-deletion': 'fail', 'management-count': 'fail', steps: 'pass' }),
      );
      expect(outcome).to.deep.include({ status: 'fail' });
      expect(outcome.knownBug).to.contain('management-count failed too');
    });

    it('fails when the bug reproduces only in part', () => {
      const outcome = scenarioOutcome(
        knownBugScenario(['promotion-after-deletion', 'expect']),
        verdicts({ 'promotion-after-deletion': 'fail', expect: 'pass' }),
      );
      expect(outcome.status).to.equal('fail');
      expect(outcome.knownBug).to.contain('only in part: expect passed');
    });

    it('keeps an error or an inconclusive run as it is: it says nothing about the bug', () => {
      const errored = [
        { invariant: 'run', status: 'error' as const, summary: 'the run could not complete: kind create failed', evidence: [] },
      ];
      expect(scenarioOutcome(knownBugScenario(), errored).status).to.equal('error');
      expect(scenarioOutcome(knownBugScenario(), verdicts({ 'promotion-after-deletion': 'inconclusive', steps: 'pass' })).status).to.equal(
        'inconclusive',
      );
    });

    it('leaves scenarios without a known bug at their worst verdict', () => {
      const { scenario } = sampleResult();
      expect(scenarioOutcome(scenario, verdicts({ a: 'fail' }))).to.deep.equal({ status: 'fail' });
    });
  });

  describe('suiteExitCode', () => {
    it('is 0 for passes, expected failures and inconclusive runs', () => {
      expect(suiteExitCode(['pass', 'xfail', 'inconclusive'])).to.equal(0);
    });
    it('is 1 on a failure or an unexpected pass, unless unexpected passes are allowed', () => {
      expect(suiteExitCode(['pass', 'fail'])).to.equal(1);
      expect(suiteExitCode(['pass', 'xpass'])).to.equal(1);
      expect(suiteExitCode(['pass', 'xpass'], { allowXpass: true })).to.equal(0);
    });
    it('is 2 on an error when nothing failed, and 1 when something did', () => {
      expect(suiteExitCode(['pass', 'error'])).to.equal(2);
      expect(suiteExitCode(['error', 'fail'])).to.equal(1);
    });
  });
});
