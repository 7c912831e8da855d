// `cpchaos run --shard`, `--parallel` ordering and `cpchaos merge` through the CLI: the shards of a selection, the
// order several at once start in, the workflow that runs the shards, and merged reports (exit codes as the run's; a
// missing shard is bad input).
import { PROJECT_ROOT, runCli } from './testing/run-cli.ts';
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { writeRunReports } from '../report/json.ts';
import type { ScenarioResult } from '../report/result.ts';
import type { RunSummary } from '../report/summary.ts';
import { sampleResult } from '../report/testing/sample-run.ts';

const ROOT = PROJECT_ROOT;
const cpchaos = runCli;

/** Scenario names a dry-run lists (`<name> (<file>) [tags]`). */
function listed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => /^[a-z0-9-]+ \(/.test(line))
    .map((line) => line.split(' ')[0] ?? '');
}

const passed = (name: string, startOffsetMs: number): ScenarioResult => {
  const base = sampleResult(name);
  return {
    ...base,
    startedAt: base.startedAt + startOffsetMs,
    status: 'pass',
    verdicts: base.verdicts.map((v) => ({ ...v, status: 'pass' as const, evidence: [] })),
  };
};

describe('cpchaos run --shard and cpchaos merge', function () {
  this.timeout(120_000);
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cpchaos-merge-cli-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('--shard i/3 lists each selected scenario in exactly one shard', async () => {
    const all = listed((await cpchaos(['run', 'suites', '--tag', 'promotion', '--dry-run'])).stdout);
    expect(all.length).to.be.greaterThan(6);
    const shards = [];
    for (const i of [1, 2, 3]) {
      const ran = await cpchaos(['run', 'suites', '--tag', 'promotion', '--dry-run', '--shard', `${i}/3`]);
      expect(ran.code, ran.stderr).to.equal(0);
      expect(ran.stdout).to.match(new RegExp(`^shard ${i}/3: \\d+ of ${all.length} scenarios`, 'm'));
      shards.push(listed(ran.stdout));
    }
    expect(shards.flat().sort()).to.deep.equal([...all].sort());
    const bad = await cpchaos(['run', 'suites', '--shard', '4/3']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('--shard: expected i/n with 1 <= i <= n');
  });

  it('--parallel starts the longest first: by hold time, or by the durations of --timings', async () => {
    const inNameOrder = listed((await cpchaos(['run', 'suites/regression', '--dry-run'])).stdout);
    expect(inNameOrder).to.deep.equal([...inNameOrder].sort());
    const byHolds = listed((await cpchaos(['run', 'suites/regression', '--dry-run', '--parallel', '2'])).stdout);
    expect(byHolds[0]).to.equal('harvester-2191-stuck-promotion-stays-running'); // its 75 s hold
    expect([...byHolds].sort()).to.deep.equal(inNameOrder);
    const { summary: earlier } = await writeRunReports(join(root, 'earlier'), [
      { ...passed('harvester-8014-cp-down-no-promotion', 0), durationMs: 500_000 },
      { ...passed('harvester-2191-stuck-promotion-stays-running', 0), durationMs: 1_000 },
      { ...passed('harvester-8968-force-removed-finalizers', 0), durationMs: 2_000 },
    ]);
    // the scenarios the report lacks count as its median, 2 s: after 8014, before 2191
    const timed = await cpchaos(['run', 'suites/regression', '--dry-run', '--parallel', '2', '--timings', earlier]);
    expect(timed.code, timed.stderr).to.equal(0);
    const byTimings = listed(timed.stdout);
    expect(byTimings[0]).to.equal('harvester-8014-cp-down-no-promotion');
    expect(byTimings.at(-1)).to.equal('harvester-2191-stuck-promotion-stays-running');
    const both = await cpchaos(['run', 'suites', '--dry-run', '--shard', '1/2', '--shard-timings', earlier, '--timings', earlier]);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.contain('--shard-timings is the older name of --timings');
  });

  it('merges the shards of a run into one report, and exits as the run would', async () => {
    const results = [passed('a', 0), sampleResult('b'), passed('c', 2000)];
    for (const [i, result] of results.entries())
      await writeRunReports(join(root, 'shards', `shard-${i + 1}`, 'report'), [result], { shards: [{ index: i + 1, count: 3 }] });
    const ran = await cpchaos([
      'merge',
      join(root, 'shards', 'shard-1'),
      join(root, 'shards', 'shard-2'),
      join(root, 'shards', 'shard-3'),
      '--reports',
      join(root, 'merged'),
    ]);
    expect(ran.code, ran.stderr).to.equal(1);
    expect(ran.stdout).to.contain('merged 3 scenario run(s) from shards 1-3 of 3');
    expect(ran.stdout).to.contain('2 passed, 1 failed, 0 inconclusive');
    const [dir] = readdirSync(join(root, 'merged'));
    const summary = JSON.parse(readFileSync(join(root, 'merged', dir ?? '', 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.scenarios.map((s) => s.name)).to.deep.equal(['a', 'b', 'c']);
    expect(summary.shards).to.deep.equal([1, 2, 3].map((index) => ({ index, count: 3 })));
    expect(readFileSync(join(root, 'merged', dir ?? '', 'junit.xml'), 'utf8')).to.contain('<failure');
  });

  it('refuses to merge a sharded run with a shard missing (exit 2, naming it)', async () => {
    for (const i of [1, 3]) await writeRunReports(join(root, `shard-${i}`), [passed(`s${i}`, i)], { shards: [{ index: i, count: 3 }] });
    const ran = await cpchaos(['merge', join(root, 'shard-1'), join(root, 'shard-3'), '--reports', join(root, 'merged')]);
    expect(ran.code).to.equal(2);
    expect(ran.stderr).to.contain('shard 2/3 is missing');
  });

  it('the nightly catalogue workflow runs every shard of its matrix and merges them', () => {
    const workflow = parse(readFileSync(join(ROOT, '.github/workflows/catalogue-sandbox.yml'), 'utf8')) as {
      jobs: Record<string, { strategy?: { matrix?: { shard?: number[] } }; steps: { run?: string }[]; needs?: string }>;
    };
    const shards = workflow.jobs['shard']?.strategy?.matrix?.shard ?? [];
    expect(shards).to.deep.equal(Array.from({ length: shards.length }, (_, i) => i + 1));
    const run = workflow.jobs['shard']?.steps.map((s) => s.run ?? '').find((r) => r.includes('cpchaos.js run'));
    expect(run).to.contain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(workflow.jobs['merge']?.needs).to.equal('shard');
    expect(workflow.jobs['merge']?.steps.some((s) => s.run?.includes('cpchaos.js merge'))).to.equal(true);
  });
});
