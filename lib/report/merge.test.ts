import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunReports } from './json.ts';
import { renderJUnit } from './junit.ts';
import { mergeResults, resultsOfReport } from './merge.ts';
import type { ScenarioResult } from './result.ts';
import type { RunSummary } from './summary.ts';
import { sampleResult } from './testing/sample-run.ts';
import { childrenNamed, parseXml } from './xml-parse.ts';

const KNOWN_BUG = { url: 'https://github.com/harvester/harvester/issues/8968', fails: ['quorum-survives'] };

/** Six results of different scenarios and outcomes, started one after another. */
function catalogue(): ScenarioResult[] {
  return ['kill-etcd-leader', 'majority-down', 'zones', 'witness', 'harvester-8968', 'steady-state'].map((name, i) => {
    const base = sampleResult(name);
    const startedAt = base.startedAt + i * 60_000;
    if (name === 'harvester-8968')
      return {
        ...base,
        startedAt,
        status: 'xfail',
        knownBug: 'known bug reproduced as described',
        scenario: { ...base.scenario, knownBug: KNOWN_BUG, tags: ['known-bug'] },
      };
    if (name === 'steady-state')
      return { ...base, startedAt, status: 'pass', verdicts: base.verdicts.map((v) => ({ ...v, status: 'pass' as const, evidence: [] })) };
    return { ...base, startedAt };
  });
}

function summaryOf(dir: string): RunSummary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
}

/** Per testsuite: name, counts and each testcase's name and outcome element. */
function junitShape(xml: string): unknown[] {
  return childrenNamed(parseXml(xml), 'testsuite').map((suite) => ({
    attributes: { ...suite.attributes, hostname: undefined },
    cases: childrenNamed(suite, 'testcase').map((c) => [
      c.attributes['name'],
      c.children.map((child) => (typeof child === 'string' ? '' : child.name)).join(''),
    ]),
  }));
}

describe('report/merge', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cpchaos-merge-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('three shards merged equal the unsharded report: scenarios, testcases, verdict counts, evidence', async () => {
    const all = catalogue();
    const whole = await writeRunReports(join(root, 'whole'), all);
    const shards = [0, 1, 2].map((k) => all.filter((_, i) => i % 3 === k));
    const groups: ScenarioResult[][] = [];
    for (const [k, shard] of shards.entries()) {
      const written = await writeRunReports(join(root, `shard-${k + 1}`), shard);
      groups.push(await resultsOfReport(written.dir, summaryOf(written.dir)));
    }
    const merged = await writeRunReports(join(root, 'merged'), mergeResults(groups));

    const wholeSummary = summaryOf(whole.dir);
    const mergedSummary = summaryOf(merged.dir);
    expect(mergedSummary.counts).to.deep.equal(wholeSummary.counts);
    expect(mergedSummary.status).to.equal(wholeSummary.status);
    expect(mergedSummary.scenarios).to.deep.equal(wholeSummary.scenarios);
    expect(junitShape(readFileSync(merged.junit, 'utf8'))).to.deep.equal(junitShape(readFileSync(whole.junit, 'utf8')));
    // The known bug's declaration and outcome survive the round trip (JUnit shows its expected failure as skipped).
    const bug = mergeResults(groups).find((r) => r.scenario.name === 'harvester-8968');
    expect(bug?.scenario.knownBug).to.deep.equal(KNOWN_BUG);
    expect(renderJUnit(bug ? [bug] : [])).to.contain('known bug (https://github.com/harvester/harvester/issues/8968), expected failure');
  });

  it('looks evidence up by seq in the history, and leaves out what the history does not hold', async () => {
    const [result] = catalogue();
    const written = await writeRunReports(join(root, 'one'), result ? [result] : []);
    const summary = summaryOf(written.dir);
    const [rebuilt] = await resultsOfReport(written.dir, summary);
    const failed = rebuilt?.verdicts.find((v) => v.status === 'fail');
    expect(failed?.evidence.map((e) => e.seq)).to.deep.equal(result?.verdicts.find((v) => v.status === 'fail')?.evidence.map((e) => e.seq));
    const withoutHistory: RunSummary = { ...summary, scenarios: summary.scenarios.map(({ history: _history, ...rest }) => rest) };
    const [bare] = await resultsOfReport(written.dir, withoutHistory);
    expect(bare?.history).to.deep.equal([]);
    expect(bare?.verdicts.every((v) => v.evidence.length === 0)).to.equal(true);
  });
});
