import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadHistory } from '../observe/history.ts';
import { historyFileNames, newReportDir, writeRunReports } from './json.ts';
import type { RunSummary } from './summary.ts';
import { PLANTED_SECRETS, sampleResult } from './testing/sample-run.ts';
import type { ScenarioResult } from './result.ts';
import { parseXml } from './xml-parse.ts';

describe('writeRunReports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cpchaos-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes junit.xml, summary.json, a history per scenario and index.html', async () => {
    const results = [sampleResult('kill-cp'), sampleResult('kill cp/2')];
    const paths = await writeRunReports(dir, results);
    expect((await readdir(dir)).sort()).to.deep.equal([
      'index.html',
      'junit.xml',
      'kill-cp.history.json',
      'kill_cp_2.history.json',
      'summary.json',
    ]);
    expect(paths.histories.map((p) => basename(p))).to.deep.equal(['kill-cp.history.json', 'kill_cp_2.history.json']);
    expect(parseXml(await readFile(paths.junit, 'utf8')).name).to.equal('testsuites');
    expect(await readFile(paths.html, 'utf8')).to.match(/^<!doctype html>/);

    const summary = JSON.parse(await readFile(paths.summary, 'utf8')) as RunSummary;
    expect(summary).to.deep.include({
      version: 1,
      status: 'fail',
      counts: { scenarios: 2, pass: 0, fail: 2, inconclusive: 0, error: 0, xfail: 0, xpass: 0 },
    });
    const first = summary.scenarios[0];
    expect(first).to.deep.include({
      name: 'kill-cp',
      status: 'fail',
      seed: '1a2b3c',
      runId: 'run-7f3a',
      durationMs: 54_000,
      history: 'kill-cp.history.json',
    });
    expect(first?.verdicts[0]).to.deep.include({ invariant: 'quorum-survives', status: 'fail', evidenceSeqs: [19, 22, 28, 34] });
    expect(first?.verdicts[0]).not.to.have.property('evidence');
    // The figures of each run, measured from its history (metrics.test.ts checks the measuring).
    expect(first?.metrics.values).to.deep.include({ writeOutageCount: 2, longestWriteOutageMs: 4220, promotionLatencyMs: 19_000 });
    expect(first?.metrics.writeOutages).to.deep.equal([
      { fromMs: 4140, toMs: 8360 },
      { fromMs: 15_640, toMs: 16_960 },
    ]);
    expect(first?.metrics.promotions).to.deep.equal([
      { deleted: 'cp-0', promoted: 'worker-0', deletedAtMs: 15_640, completedAtMs: 34_640 },
    ]);
    expect(first?.metrics.elections).to.deep.equal([{ fromMs: 6800, toMs: 6800, leader: 'cp-1' }]);
    expect(first?.metrics.recorderGaps).to.deep.equal([{ fromMs: 25_000, toMs: 26_200, what: 'nodes: watch reconnect' }]);
    // Every scenario ran once: no pass rates.
    expect(summary).not.to.have.property('passRates');
  });

  it('adds pass rates when a scenario ran more than once', async () => {
    const failed = sampleResult('kill-cp');
    const passed: ScenarioResult = {
      ...failed,
      status: 'pass',
      verdicts: failed.verdicts.map((v) => (v.status === 'fail' ? { ...v, status: 'pass' as const } : v)),
    };
    const paths = await writeRunReports(dir, [failed, passed, sampleResult('other')]);
    const summary = JSON.parse(await readFile(paths.summary, 'utf8')) as RunSummary;
    const rates = summary.passRates ?? [];
    const scenarioRow = rates.find((r) => r.scenario === 'kill-cp' && r.invariant === undefined);
    expect(scenarioRow).to.deep.include({ runs: 2, pass: 1, fail: 1, inconclusive: 0, error: 0, passRate: 0.5, flaky: true });
    expect(rates.find((r) => r.scenario === 'kill-cp' && r.invariant === 'quorum-lost')).to.deep.include({
      runs: 2,
      inconclusive: 2,
      flaky: false,
    });
    expect(rates.find((r) => r.scenario === 'other' && r.invariant === undefined)).to.deep.include({ runs: 1, fail: 1, passRate: 0 });
  });

  it('writes history.json for a single scenario, readable by loadHistory with the same events', async () => {
    const result = sampleResult();
    const paths = await writeRunReports(dir, [result]);
    expect(paths.histories.map((p) => basename(p))).to.deep.equal(['history.json']);
    const history = loadHistory(await readFile(join(dir, 'history.json'), 'utf8'), 'history.json');
    expect(history).to.have.length(result.history.length);
    expect(history.map((e) => [e.seq, e.t, e.kind])).to.deep.equal(result.history.map((e) => [e.seq, e.t, e.kind]));
    const node = history.find((e) => e.kind === 'node' && e.type === 'MODIFIED');
    expect(node).to.deep.equal(result.history.find((e) => e.kind === 'node' && e.type === 'MODIFIED'));
  });

  it('never writes a credential', async () => {
    await writeRunReports(dir, [sampleResult('a'), sampleResult('b')]);
    for (const file of await readdir(dir)) {
      const text = await readFile(join(dir, file), 'utf8');
      for (const secret of Object.values(PLANTED_SECRETS)) expect(text, `${file} holds ${secret}`).not.to.contain(secret);
    }
    const history = await readFile(join(dir, 'a.history.json'), 'utf8');
    expect(history).to.contain('--token=[REDACTED]');
    expect(() => loadHistory(history, 'a.history.json')).not.to.throw();
  });

  it('names histories uniquely', () => {
    const names = historyFileNames([sampleResult('x'), sampleResult('x'), sampleResult('..')]);
    expect(names).to.deep.equal(['x.history.json', 'x-2.history.json', 'scenario.history.json']);
  });
});

describe('newReportDir', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cpchaos-reports-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates <root>/<timestamp>-<runid>/ and refuses to reuse one', async () => {
    const now = new Date('2025-06-01T12:34:56.789Z');
    const dir = await newReportDir(join(root, 'reports'), { runId: 'run/7f3a', now });
    expect(dir).to.equal(join(root, 'reports', '20250601T123456Z-run_7f3a'));
    expect(await readdir(dir)).to.deep.equal([]);
    let error: unknown;
    try {
      await newReportDir(join(root, 'reports'), { runId: 'run/7f3a', now });
    } catch (e) {
      error = e;
    }
    expect(error).to.have.property('code', 'EEXIST');
  });

  it('makes up a run id', async () => {
    expect(basename(await newReportDir(root))).to.match(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  });
});
