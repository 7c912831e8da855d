import { expect } from 'chai';
import type { VerdictStatus } from '../oracles/verdict.ts';
import { anyRepeated, passRateLines, passRates, wilsonInterval } from './pass-rates.ts';
import type { ScenarioResult, ScenarioStatus } from './result.ts';
import { sampleScenario } from './testing/sample-run.ts';

function run(name: string, status: ScenarioStatus, verdicts: Readonly<Record<string, VerdictStatus>> = {}): ScenarioResult {
  return {
    scenario: sampleScenario(name),
    runId: 'r',
    seed: '1',
    status,
    verdicts: Object.entries(verdicts).map(([invariant, s]) => ({ invariant, status: s, summary: '', evidence: [] })),
    history: [],
    startedAt: 0,
    durationMs: 0,
  };
}

const round = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.round(value * 10_000) / 10_000);

describe('wilsonInterval', () => {
  it('gives the 95% Wilson score interval, inside [0, 1] at 0 and n successes', () => {
    const at = (s: number, n: number): [number | undefined, number | undefined] => {
      const { low, high } = wilsonInterval(s, n);
      return [round(low), round(high)];
    };
    expect(at(8, 10)).to.deep.equal([0.4902, 0.9433]);
    expect(at(0, 10)).to.deep.equal([0, 0.2775]);
    expect(at(10, 10)).to.deep.equal([0.7225, 1]);
    expect(at(1, 1)).to.deep.equal([0.2065, 1]);
  });
});

describe('passRates', () => {
  it('counts per scenario and per invariant, leaving inconclusive and error out of the rate', () => {
    const rates = passRates([
      run('a', 'pass', { 'quorum-survives': 'pass', steps: 'pass' }),
      run('b', 'pass', { steps: 'pass' }),
      run('a', 'fail', { 'quorum-survives': 'fail', steps: 'pass' }),
      run('a', 'inconclusive', { 'quorum-survives': 'inconclusive', steps: 'pass' }),
      run('a', 'error', { run: 'error' }),
      run('a', 'pass', { 'quorum-survives': 'pass', steps: 'pass' }),
    ]);
    expect(rates.map((r) => [r.scenario, r.invariant, r.runs, r.pass, r.fail, r.inconclusive, r.error, r.flaky])).to.deep.equal([
      ['a', undefined, 5, 2, 1, 1, 1, true],
      ['a', 'quorum-survives', 4, 2, 1, 1, 0, true],
      ['a', 'steps', 4, 4, 0, 0, 0, false],
      ['a', 'run', 1, 0, 0, 0, 1, false],
      ['b', undefined, 1, 1, 0, 0, 0, false],
      ['b', 'steps', 1, 1, 0, 0, 0, false],
    ]);
    const [a] = rates;
    expect(round(a?.passRate)).to.equal(0.6667);
    expect([round(a?.wilson95?.low), round(a?.wilson95?.high)]).to.deep.equal([0.2077, 0.9385]);
    const runOnly = rates.find((r) => r.invariant === 'run');
    expect(runOnly).not.to.have.property('passRate');
    expect(runOnly).not.to.have.property('wilson95');
  });

  it('counts a known bug reproducing (xfail) as a failure of the system and xpass as a pass', () => {
    const [rate] = passRates([run('bug', 'xfail'), run('bug', 'xfail'), run('bug', 'xpass')]);
    expect(rate).to.deep.include({ runs: 3, pass: 1, fail: 2, xfail: 2, xpass: 1, flaky: true });
    expect(round(rate?.passRate)).to.equal(0.3333);
  });

  it('keeps scenarios of the same name from different files apart', () => {
    const other: ScenarioResult = { ...run('a', 'fail'), scenario: { ...sampleScenario('a'), source: { file: 'x.yaml' } } };
    const rates = passRates([run('a', 'pass'), other]);
    expect(rates.map((r) => [r.file, r.pass, r.fail])).to.deep.equal([
      ['suites/scenarios/a.yaml', 1, 0],
      ['x.yaml', 0, 1],
    ]);
    expect(anyRepeated([run('a', 'pass'), other])).to.equal(false);
    expect(anyRepeated([run('a', 'pass'), run('a', 'pass')])).to.equal(true);
  });
});

describe('passRateLines', () => {
  it('prints a compact table with invariants indented and flaky rows marked', () => {
    const lines = passRateLines(
      passRates([
        run('kill-cp', 'pass', { 'quorum-survives': 'pass' }),
        run('kill-cp', 'fail', { 'quorum-survives': 'fail' }),
        run('kill-cp', 'pass', { 'quorum-survives': 'pass' }),
        run('kill-cp', 'error', {}),
      ]),
    );
    expect(lines).to.deep.equal([
      'pass rates (rate = pass / (pass + fail); inconclusive and error runs are not counted)',
      'scenario / invariant  runs  pass  fail  inconcl  error  rate  95% interval',
      'kill-cp                  4     2     1        0      1   67%       21%-94%  FLAKY',
      '  quorum-survives        3     2     1        0      0   67%       21%-94%  FLAKY',
    ]);
  });

  it('shows a dash for a rate nothing decided', () => {
    const [, row] = passRateLines(passRates([run('x', 'inconclusive'), run('x', 'inconclusive')])).slice(1);
    expect(row).to.equal('x                        2     0     0        2      0     -             -');
  });
});
