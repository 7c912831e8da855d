import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { loadPromotionPolicy } from '../harvester/promotion.ts';
import type { ScenarioResult } from '../report/result.ts';
import { sampleScenario } from '../report/testing/sample-run.ts';
import { loadScenarioFile } from '../scenario/loader.ts';
import type { Verdict, VerdictStatus } from '../oracles/verdict.ts';
import { projectPath, SELF_VALIDATION_CASES, type SelfValidationCase } from './self-validation.ts';
import { judgeSelfValidation, trackRecordTable } from './self-validation-run.ts';

const entry: SelfValidationCase = {
  fault: 'promotes the youngest candidate',
  rule: 'age',
  policy: 'fixtures/policies/faulty-picks-youngest.ts',
  scenario: 'suites/promotion/oldest-worker-promoted.yaml',
  caughtBy: 'promotion-after-deletion',
  alsoCaughtBy: ['expect'],
  inTestSuite: false,
};

function verdict(invariant: string, status: VerdictStatus, summary = `${invariant} ${status}`): Verdict {
  return { invariant, status, summary, evidence: [] };
}

function result(verdicts: readonly Verdict[]): ScenarioResult {
  return { scenario: sampleScenario(), runId: 'r1', seed: 's1', status: 'fail', verdicts, history: [], startedAt: 0, durationMs: 1 };
}

describe('checker self-validation table', () => {
  describe('judging a run', () => {
    it('is caught when the named invariant and every other named verdict failed', () => {
      const outcome = judgeSelfValidation(
        entry,
        result([verdict('promotion-only-after-deletion', 'pass'), verdict('promotion-after-deletion', 'fail'), verdict('expect', 'fail')]),
      );
      expect(outcome.caught).to.equal(true);
      expect(outcome.missed).to.deep.equal([]);
      expect(outcome.failedInvariants).to.deep.equal(['promotion-after-deletion', 'expect']);
    });

    it('is missed, naming each required verdict that did not fail', () => {
      const outcome = judgeSelfValidation(entry, result([verdict('promotion-after-deletion', 'inconclusive'), verdict('expect', 'pass')]));
      expect(outcome.caught).to.equal(false);
      expect(outcome.missed).to.deep.equal(['promotion-after-deletion did not fail', 'expect did not fail']);
    });

    it('says first that the run could not complete', () => {
      const outcome = judgeSelfValidation(entry, result([verdict('run', 'fail', 'the run could not complete: no etcd')]));
      expect(outcome.caught).to.equal(false);
      expect(outcome.missed).to.deep.equal([
        'the run could not complete: no etcd',
        'promotion-after-deletion did not fail',
        'expect did not fail',
      ]);
    });

    it('is missed when the run ends with another management count than the case names', () => {
      const outcome = judgeSelfValidation(
        { ...entry, alsoCaughtBy: [], endManagementCount: 4 },
        result([verdict('promotion-after-deletion', 'fail')]),
      );
      expect(outcome.missed).to.deep.equal(['the run ended with unknown management nodes, not 4']);
    });

    it('prints one table row per case, rule first', () => {
      const outcome = judgeSelfValidation(entry, result([verdict('promotion-after-deletion', 'fail'), verdict('expect', 'fail')]));
      const lines = trackRecordTable([outcome]).split('\n');
      expect(lines).to.have.length(3);
      expect(lines[2]).to.match(/^\| age \| promotes the youngest candidate \| `fixtures\/policies\/faulty-picks-youngest.ts` \|/);
      expect(lines[2]).to.include('| caught (failed: promotion-after-deletion, expect) |');
    });
  });

  describe('every case can be caught', () => {
    for (const c of SELF_VALIDATION_CASES) {
      it(`${c.policy} on ${c.scenario}`, async () => {
        expect(existsSync(projectPath(c.policy)), c.policy).to.equal(true);
        await loadPromotionPolicy(projectPath(c.policy));
        const scenario = await loadScenarioFile(projectPath(c.scenario));
        // An invariant the scenario does not judge can never fail.
        const judged = [...scenario.invariants.map((i) => i.name), 'steps', 'expect'];
        expect(judged, c.scenario).to.include.members([c.caughtBy, ...(c.alsoCaughtBy ?? [])]);
      });
    }
  });

  it('names each rule once and each policy once', () => {
    const rules = SELF_VALIDATION_CASES.map((c) => c.rule);
    const policies = SELF_VALIDATION_CASES.map((c) => c.policy);
    expect(new Set(rules).size).to.equal(rules.length);
    expect(new Set(policies).size).to.equal(policies.length);
  });
});
