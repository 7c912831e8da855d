import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { loadPromotionPolicy } from '../harvester/promotion.ts';
import type { ScenarioResult } from '../report/result.ts';
import { sampleScenario } from '../report/testing/sample-run.ts';
import { loadScenarioFile } from '../scenario/loader.ts';
import type { Verdict, VerdictStatus } from '../oracles/verdict.ts';
import { runOracles } from '../oracles/index.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import { projectPath, SELF_VALIDATION_CASES, type SelfValidationCase } from './self-validation.ts';
import { judgeSelfValidation, judgementText, trackRecordTable } from './self-validation-run.ts';

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
      expect(outcome.judgement).to.equal('caught');
      expect(outcome.missed).to.deep.equal([]);
      expect(outcome.failedInvariants).to.deep.equal(['promotion-after-deletion', 'expect']);
    });

    it('is missed, naming each required verdict that held', () => {
      const outcome = judgeSelfValidation(entry, result([verdict('promotion-after-deletion', 'fail'), verdict('expect', 'pass')]));
      expect(outcome.judgement).to.equal('missed');
      expect(outcome.missed).to.deep.equal(['expect did not fail']);
    });

    it('is undecided when a required verdict was inconclusive (the run could not show the fault)', () => {
      const outcome = judgeSelfValidation(
        entry,
        result([
          verdict('promotion-after-deletion', 'inconclusive', 'the budget expired while the CPUs were contended'),
          verdict('expect', 'pass'),
        ]),
      );
      expect(outcome.judgement).to.equal('undecided');
      expect(outcome.undecided).to.deep.equal([
        'promotion-after-deletion was inconclusive: the budget expired while the CPUs were contended',
      ]);
      expect(judgementText(outcome)).to.match(/^UNDECIDED after 1 run\(s\): promotion-after-deletion was inconclusive/);
    });

    describe('with the faulty policy, when promotion-after-deletion held', () => {
      const cp = (i: number) => tnode(`cp-${i}`, { management: true, ageMinutes: i });
      // w-0 is the older worker: Harvester's choice; the youngest-first policy's is w-1 whenever w-1 is a candidate.
      const w0 = (extra = {}) => tnode('w-0', { ageMinutes: 10, ...extra });
      const w1 = (extra = {}) => tnode('w-1', { ageMinutes: 20, ...extra });
      /** cp-2 deleted and gone; w-0 promoted; `w1Ready` is w-1's Ready status meanwhile. */
      function w0Promoted(w1Ready: 'True' | 'Unknown'): ScenarioResult {
        const history = new HistoryBuilder()
          .cluster([cp(0), cp(1), cp(2), w0(), w1()], { promotionMs: 100_000 })
          .at(4)
          .node('MODIFIED', w1({ ready: w1Ready }))
          .at(5)
          .fault('d', 'delete-node', ['cp-2'])
          .at(8)
          .node('DELETED', cp(2))
          .at(9)
          .node('MODIFIED', w0({ status: 'running', cordoned: true }))
          .at(20)
          .node('MODIFIED', w0({ status: 'complete', management: true }))
          .at(30)
          .end()
          .build();
        const verdicts = runOracles(history, ['promotion-after-deletion']);
        return { ...result([...verdicts, verdict('expect', 'pass')]), history };
      }

      it('is undecided when the nodes never made the faulty policy choose otherwise (w-1 NotReady throughout)', async () => {
        const { selectPromoteNode } = await loadPromotionPolicy(projectPath(entry.policy));
        const run = w0Promoted('Unknown');
        expect(run.verdicts[0]?.status, run.verdicts[0]?.summary).to.equal('pass');
        const outcome = judgeSelfValidation(entry, run, selectPromoteNode);
        expect(outcome.judgement).to.equal('undecided');
        expect(outcome.undecided[0]).to.match(/^the nodes never made the faulty policy choose otherwise than Harvester's/);
      });

      it('is missed, saying where the two policies disagreed, when the nodes gave the faulty policy another choice', async () => {
        const { selectPromoteNode } = await loadPromotionPolicy(projectPath(entry.policy));
        const outcome = judgeSelfValidation(entry, w0Promoted('True'), selectPromoteNode);
        expect(outcome.judgement).to.equal('missed');
        expect(outcome.missed.at(-1)).to.equal(
          "the faulty policy would have named w-1 where Harvester's named w-0 at +8.0 s, and promotion-after-deletion held",
        );
      });
    });

    it('says first that the run could not complete', () => {
      const outcome = judgeSelfValidation(entry, result([verdict('run', 'fail', 'the run could not complete: no etcd')]));
      expect(outcome.judgement).to.equal('missed');
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

    it('says why the earlier runs of a case were undecided', () => {
      const caught = judgeSelfValidation(
        entry,
        result([verdict('promotion-after-deletion', 'fail'), verdict('expect', 'fail')]),
        undefined,
        2,
      );
      expect(judgementText({ ...caught, earlier: ['expect was inconclusive: the steps did not complete'] })).to.equal(
        'caught in 2 runs (run 1 undecided: expect was inconclusive: the steps did not complete)',
      );
      const still = judgeSelfValidation(
        entry,
        result([verdict('promotion-after-deletion', 'inconclusive', 'why'), verdict('expect', 'pass')]),
        undefined,
        2,
      );
      expect(judgementText({ ...still, earlier: ['first'] })).to.equal(
        'UNDECIDED after 2 run(s): run 1 undecided: first; run 2: promotion-after-deletion was inconclusive: why',
      );
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
