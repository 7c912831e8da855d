// `cpchaos compare` and `cpchaos trend` through the command line, on the hand-built summaries of fixtures/summaries.
import { runCli } from './testing/run-cli.ts';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cpchaos = runCli;
const F = 'fixtures/summaries';

describe('cpchaos compare and trend (command line)', function () {
  this.timeout(60_000);
  let out: string;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'cpchaos-compare-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('identical runs: exit 0, no regressions', async () => {
    const ran = await cpchaos(['compare', `${F}/base`, `${F}/base/summary.json`, '--threshold', '*=+0']);
    expect(ran.code, ran.stderr).to.equal(0);
    expect(ran.stdout).to.contain('No regressions (3 scenarios compared).');
    expect(ran.stdout).not.to.contain('REGRESSION');
  });

  it('a verdict failing where the base passed: exit 1, naming the scenario and the invariant; markdown and HTML written', async () => {
    const md = join(out, 'pr', 'compare.md');
    const html = join(out, 'compare.html');
    const ran = await cpchaos(['compare', `${F}/base`, `${F}/verdict-fails`, '--markdown', md, '--html', html]);
    expect(ran.code, ran.stderr).to.equal(1);
    expect(ran.stdout).to.contain('  kill-cp-no-promotion: invariant quorum-survives pass -> fail\n');
    expect(ran.stdout).to.contain('2 regressions in 1 scenario (3 scenarios compared).');
    expect(readFileSync(md, 'utf8')).to.contain('- kill-cp-no-promotion: invariant quorum-survives pass -> fail');
    expect(readFileSync(html, 'utf8')).to.contain(
      'data-scenario="kill-cp-no-promotion" data-kind="invariant" data-subject="quorum-survives"',
    );
  });

  it('a metric over its threshold: exit 1, naming it; within or without a threshold: exit 0', async () => {
    const over = await cpchaos(['compare', `${F}/base`, `${F}/slower`, '--threshold', 'promotionLatencyMs=+20%']);
    expect(over.code, over.stderr).to.equal(1);
    expect(over.stdout).to.contain(
      'delete-cp-promotes-worker: metric promotionLatencyMs 41000 ms -> 52000 ms, +11000 ms (+26.8%): over its threshold +20%',
    );
    const within = await cpchaos(['compare', `${F}/base`, `${F}/slower`, '--threshold', 'promotionLatencyMs=+30%']);
    expect(within.code, within.stdout).to.equal(0);
    const none = await cpchaos(['compare', `${F}/base`, `${F}/slower`]);
    expect(none.code, none.stdout).to.equal(0);
  });

  it('thresholds from a file; a flag wins over the file', async () => {
    const file = join(out, 'thresholds.yaml');
    writeFileSync(file, 'longestWriteOutageMs: +500\npromotionLatencyMs: +20%\n');
    const ran = await cpchaos(['compare', `${F}/base`, `${F}/slower`, '--thresholds', file, '--threshold', 'promotionLatencyMs=+30%']);
    expect(ran.code).to.equal(1);
    expect(ran.stdout).to.contain(
      [
        'Regressions:',
        '  kill-cp-no-promotion: metric longestWriteOutageMs 1200 ms -> 1800 ms, +600 ms (+50%): over its threshold +500',
        '1 regression in 1 scenario (3 scenarios compared).',
      ].join('\n'),
    );
  });

  it('bad input: exit 2 with the file, line, field path and what was expected', async () => {
    const bad = await cpchaos(['compare', `${F}/base`, `${F}/bad-status`]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal(
      `cpchaos: ${F}/bad-status/summary.json:73:21: scenarios[1].verdicts[0].status: found a string ("passed"); expected one of "pass", "fail", "inconclusive", "error"\n`,
    );
    const flag = await cpchaos(['compare', `${F}/base`, `${F}/base`, '--threshold', 'promotionLatencyMs=20ms']);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.contain('--threshold "promotionLatencyMs=20ms": expected METRIC=+N');
    const file = join(out, 'bad-thresholds.yaml');
    writeFileSync(file, 'promotionLatencyMs: lots\n');
    const thresholds = await cpchaos(['compare', `${F}/base`, `${F}/base`, '--thresholds', file]);
    expect(thresholds.code).to.equal(2);
    expect(thresholds.stderr).to.equal(`cpchaos: ${file}:1:21: promotionLatencyMs: expected a rise such as +500 or "+20%"\n`);
    const one = await cpchaos(['compare', `${F}/base`]);
    expect(one.code).to.equal(2);
    expect(one.stderr).to.contain('cpchaos compare: name two runs, BASE and CANDIDATE (got 1)');
  });

  it('trend: one page of the runs in time order; a bad summary is exit 2', async () => {
    const page = join(out, 'trend', 'index.html');
    const ran = await cpchaos(['trend', `${F}/slower`, `${F}/base`, `${F}/verdict-fails/summary.json`, `${F}/same-as-base`, '--out', page]);
    expect(ran.code, ran.stderr).to.equal(0);
    expect(ran.stdout).to.equal(`4 runs, 3 scenarios: ${page}\n`);
    const html = readFileSync(page, 'utf8');
    expect([...html.matchAll(/<td><code>fixtures\/summaries\/([\w-]+)\/summary\.json<\/code><\/td>/g)].map((m) => m[1])).to.deep.equal([
      'base',
      'same-as-base',
      'verdict-fails',
      'slower',
    ]);
    const bad = await cpchaos(['trend', F, '--out', page]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain(`${F}/bad-status/summary.json:73:21: scenarios[1].verdicts[0].status`);
  });
});
