// Checker self-validation in the test suite: each deliberately faulty policy is caught by the invariant that
// should catch it (on the sandbox, with real promotions). Known-bad histories are checked in lib/oracles.
// The test suite runs the cases marked inTestSuite (lib/run/self-validation.ts says which and why);
// CPCHAOS_SELF_VALIDATION=all runs every case, as `cpchaos validate` does (CI runs it after the tests).
import { expect } from 'chai';
import { SELF_VALIDATION_CASES } from '../lib/run/self-validation.ts';
import { runSelfValidationCase } from '../lib/run/self-validation-run.ts';

const isRoot = process.getuid?.() === 0;
const everyCase = process.env['CPCHAOS_SELF_VALIDATION'] === 'all';

describe(`checker self-validation: faulty policies are caught (${everyCase ? 'every case' : 'the test-suite cases'})`, function () {
  this.timeout(300_000);
  for (const entry of SELF_VALIDATION_CASES.filter((c) => everyCase || c.inTestSuite)) {
    const also = entry.alsoCaughtBy?.length ? ` (and ${entry.alsoCaughtBy.join(', ')})` : '';
    const end = entry.endManagementCount === undefined ? '' : `, ending with ${entry.endManagementCount} management nodes`;
    it(`${entry.fault} -> caught by ${entry.caughtBy}${also}${end}`, async function () {
      if (!isRoot) this.skip();
      const outcome = await runSelfValidationCase(entry);
      const run = outcome.result.verdicts.find((v) => v.invariant === 'run');
      expect(run, run?.summary).to.equal(undefined);
      const verdicts = outcome.result.verdicts.map((v) => `${v.invariant}: ${v.status}: ${v.summary}`).join('\n');
      expect(outcome.failedInvariants, verdicts).to.include.members([entry.caughtBy, ...(entry.alsoCaughtBy ?? [])]);
      if (entry.endManagementCount !== undefined)
        expect(outcome.endManagementCount, `management nodes at the end\n${verdicts}`).to.equal(entry.endManagementCount);
      expect(outcome.missed, verdicts).to.deep.equal([]);
      expect(outcome.judgement, verdicts).to.equal('caught');
    });
  }
});
