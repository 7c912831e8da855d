import { expect } from 'chai';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summaryOf, type ScenarioSpec } from './compare.testing.ts';
import { compareRuns, type RunComparison } from './compare.ts';
import { readRunSummary } from './summary-read.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/summaries/', import.meta.url));

function compare(base: readonly ScenarioSpec[], candidate: readonly ScenarioSpec[], thresholds = {}): RunComparison {
  return compareRuns(summaryOf('base.json', base), summaryOf('candidate.json', candidate), thresholds);
}

function changes(c: RunComparison): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of c.scenarios) {
    out[`${s.name} status`] = s.status.change;
    for (const v of s.verdicts) out[`${s.name} ${v.invariant}`] = v.change;
    for (const m of s.metrics) out[`${s.name} ${m.metric}`] = m.change;
  }
  return out;
}

const messages = (c: RunComparison): string[] => c.regressions.map((r) => r.message);

describe('compareRuns', () => {
  it('finds nothing between a run and itself', async () => {
    const base = await readRunSummary(join(FIXTURES, 'base'));
    const c = compareRuns(base, base, { '*': { maxIncrease: 0 } });
    expect(c.regressions).to.deep.equal([]);
    expect(new Set(Object.values(changes(c)))).to.deep.equal(new Set(['same']));
    expect(c.scenarios.map((s) => s.presence)).to.deep.equal(['both', 'both', 'both']);
  });

  it('a verdict from pass to fail or error is a regression, and so is the scenario status from pass to fail', () => {
    const c = compare(
      [{ name: 'kill', verdicts: { 'quorum-survives': 'pass', 'no-lost-writes': 'pass', steps: 'pass' } }],
      [{ name: 'kill', status: 'fail', verdicts: { 'quorum-survives': 'fail', 'no-lost-writes': 'error', steps: 'pass' } }],
    );
    expect(messages(c)).to.deep.equal([
      'kill: scenario pass -> fail',
      'kill: invariant quorum-survives pass -> fail',
      'kill: invariant no-lost-writes pass -> error',
    ]);
    expect(c.regressions.map((r) => [r.kind, r.subject])).to.deep.equal([
      ['status', 'status'],
      ['invariant', 'quorum-survives'],
      ['invariant', 'no-lost-writes'],
    ]);
    expect(changes(c)['kill steps']).to.equal('same');
  });

  it('other verdict changes are worse or better, not regressions: the base did not pass', () => {
    const c = compare(
      [{ name: 's', status: 'inconclusive', verdicts: { a: 'inconclusive', b: 'pass', c: 'fail', d: 'error' } }],
      [{ name: 's', status: 'fail', verdicts: { a: 'fail', b: 'inconclusive', c: 'pass', d: 'fail' } }],
    );
    expect(c.regressions).to.deep.equal([]);
    expect(changes(c)).to.deep.equal({ 's status': 'worse', 's a': 'worse', 's b': 'worse', 's c': 'better', 's d': 'worse' });
  });

  it('a known bug that stops reproducing (xfail -> xpass) is a regression; one still reproducing is not', () => {
    const c = compare(
      [
        { name: 'bug-a', status: 'xfail', verdicts: { p: 'fail' } },
        { name: 'bug-b', status: 'xfail', verdicts: { p: 'fail' } },
      ],
      [
        { name: 'bug-a', status: 'xpass', verdicts: { p: 'pass' } },
        { name: 'bug-b', status: 'xfail', verdicts: { p: 'fail' } },
      ],
    );
    expect(messages(c)).to.deep.equal(['bug-a: scenario xfail -> xpass']);
    expect(changes(c)['bug-a p']).to.equal('better');
  });

  it('a metric is a regression only over its threshold; without one it is only worse', () => {
    const base = [
      { name: 's', metrics: { longestWriteOutageMs: 1000, promotionLatencyMs: 40_000, etcdLeaderChanges: 1, recorderGapCount: 0 } },
    ];
    const candidate = [
      { name: 's', metrics: { longestWriteOutageMs: 1600, promotionLatencyMs: 47_000, etcdLeaderChanges: 3, recorderGapCount: 0 } },
    ];
    const c = compare(base, candidate, { longestWriteOutageMs: { maxIncrease: 500 }, promotionLatencyMs: { maxIncreasePct: 20 } });
    expect(changes(c)).to.deep.equal({
      's status': 'same',
      's longestWriteOutageMs': 'regression',
      's promotionLatencyMs': 'worse',
      's etcdLeaderChanges': 'worse',
      's recorderGapCount': 'same',
    });
    expect(messages(c)).to.deep.equal(['s: metric longestWriteOutageMs 1000 ms -> 1600 ms, +600 ms (+60%): over its threshold +500']);
    const outage = c.scenarios[0]?.metrics[0];
    expect(outage).to.include({ delta: 600, deltaPct: 60 });
  });

  it('a threshold with both limits allows the larger; from 0 any rise breaks a percentage; * covers the rest', () => {
    const c = compare(
      [{ name: 's', metrics: { a: 100, b: 100, c: 0, d: 10 } }],
      [{ name: 's', metrics: { a: 150, b: 250, c: 1, d: 30 } }],
      {
        a: { maxIncrease: 100, maxIncreasePct: 20 },
        b: { maxIncrease: 100, maxIncreasePct: 20 },
        c: { maxIncreasePct: 50 },
        '*': { maxIncreasePct: 100 },
      },
    );
    expect(changes(c)).to.deep.include({ 's a': 'worse', 's b': 'regression', 's c': 'regression', 's d': 'regression' });
    expect(messages(c)).to.deep.equal([
      's: metric b 100 -> 250, +150 (+150%): over its threshold +100 and +20%',
      's: metric c 0 -> 1, +1 (from 0): over its threshold +50%',
      's: metric d 10 -> 30, +20 (+200%): over its threshold +100%',
    ]);
    expect(c.scenarios[0]?.metrics.find((m) => m.metric === 'c')?.deltaPct).to.equal(undefined);
  });

  it('lists scenarios, invariants and metrics on one side only as added or removed, never as regressions', () => {
    const c = compare(
      [
        { name: 'old', verdicts: { q: 'pass' } },
        { name: 'both', verdicts: { gone: 'pass' }, metrics: { m1: 5 } },
      ],
      [
        { name: 'both', verdicts: { fresh: 'fail' }, metrics: { m2: 9 } },
        { name: 'new', status: 'fail', verdicts: { q: 'fail' } },
      ],
      { m2: { maxIncrease: 0 } },
    );
    expect(c.scenarios.map((s) => [s.name, s.presence])).to.deep.equal([
      ['old', 'removed'],
      ['both', 'both'],
      ['new', 'added'],
    ]);
    expect(changes(c)).to.deep.include({
      'both gone': 'removed',
      'both fresh': 'added',
      'both m1': 'removed',
      'both m2': 'added',
      'new q': 'added',
    });
    expect(c.regressions).to.deep.equal([]);
  });

  it('several runs of a scenario: pass rates per verdict, metrics on their median (max shown)', () => {
    const runs = (statuses: string[], outages: number[]): ScenarioSpec[] =>
      statuses.map((q, i) => ({
        name: 'rep',
        status: q === 'pass' ? 'pass' : 'fail',
        verdicts: { q },
        metrics: { longestWriteOutageMs: outages[i] ?? 0 },
      }));
    const c = compareRuns(
      summaryOf('b', runs(['pass', 'pass', 'fail'], [1000, 1200, 5000])),
      summaryOf('c', runs(['pass', 'fail', 'fail'], [1100, 1300, 1400])),
      { longestWriteOutageMs: { maxIncrease: 50 } },
    );
    const [rep] = c.scenarios;
    expect(rep?.verdicts[0]?.base).to.deep.equal({ runs: 3, counts: { pass: 2, fail: 1 } });
    expect(rep?.metrics[0]).to.deep.include({
      base: { runs: 3, median: 1200, max: 5000 },
      candidate: { runs: 3, median: 1300, max: 1400 },
      delta: 100,
    });
    expect(messages(c)).to.deep.equal([
      'rep: scenario pass 2/3 · fail 1/3 -> pass 1/3 · fail 2/3',
      'rep: invariant q pass 2/3 · fail 1/3 -> pass 1/3 · fail 2/3',
      'rep: metric longestWriteOutageMs 1200 ms (max 5000 ms) -> 1300 ms (max 1400 ms), +100 ms (+8.3%): over its threshold +50',
    ]);
    const steady = compareRuns(summaryOf('b', runs(['pass', 'fail'], [1, 1])), summaryOf('c', runs(['fail', 'pass'], [1, 1])));
    expect(steady.regressions).to.deep.equal([]);
  });

  it('names thresholds that match no metric of either run', () => {
    const c = compare([{ name: 's', metrics: { longestWriteOutageMs: 1 } }], [{ name: 's', metrics: { longestWriteOutageMs: 1 } }], {
      longestWriteOutageMs: { maxIncrease: 1 },
      longestWriteOutgeMs: { maxIncrease: 1 },
      '*': { maxIncrease: 1 },
    });
    expect(c.unusedThresholds).to.deep.equal(['longestWriteOutgeMs']);
  });
});
