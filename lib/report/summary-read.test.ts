import { expect } from 'chai';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from '../util/errors.ts';
import { summaryDocument } from './compare.testing.ts';
import { findRunSummaries, parseRunSummary, readRunSummary } from './summary-read.ts';
import { ReportInputError } from './summary-read-problems.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/summaries/', import.meta.url));

function problemOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(ReportInputError);
    expect(error).to.be.instanceOf(SetupError);
    return (error as Error).message;
  }
  throw new Error('expected a ReportInputError');
}

async function problemOfAsync(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    expect(error).to.be.instanceOf(ReportInputError);
    return (error as Error).message;
  }
  throw new Error('expected a ReportInputError');
}

describe('readRunSummary', () => {
  it('reads a report folder (its summary.json) and a summary.json file alike', async () => {
    const fromDir = await readRunSummary(join(FIXTURES, 'base'));
    const fromFile = await readRunSummary(join(FIXTURES, 'base', 'summary.json'));
    expect(fromDir.file).to.equal(join(FIXTURES, 'base', 'summary.json'));
    expect(fromDir).to.deep.equal(fromFile);
    expect(fromDir.scenarios.map((s) => [s.name, s.status])).to.deep.equal([
      ['kill-cp-no-promotion', 'pass'],
      ['delete-cp-promotes-worker', 'pass'],
      ['harvester-8968-force-removed-finalizers', 'xfail'],
    ]);
    const [first] = fromDir.scenarios;
    expect(first?.startedAtMs).to.equal(Date.UTC(2026, 11, 1, 2, 0));
    expect(first?.metrics['longestWriteOutageMs']).to.equal(1200);
    expect(first?.verdicts[0]).to.deep.equal({
      invariant: 'quorum-survives',
      status: 'pass',
      summary: '1 interval(s) with a minority of the control plane down; longest write outage through the VIP 1.20s (budget 3s)',
    });
  });

  it('keeps only measured metrics: null and absent ones are left out; a scenario without metrics has none', () => {
    const doc = summaryDocument([{ name: 'a', metrics: { promotionLatencyMs: 10, longestElectionMs: null } }, { name: 'b' }]);
    const read = parseRunSummary(JSON.stringify({ ...doc, passRates: { a: 1 } }), 's.json');
    expect(read.scenarios.map((s) => s.metrics)).to.deep.equal([{ promotionLatencyMs: 10 }, {}]);
  });

  it('names the file, line, column, field path and what was expected', () => {
    expect(
      problemOf(() => parseRunSummary(JSON.stringify(summaryDocument([{ name: 'a', status: 'passed' as 'pass' }]), null, 2), 'x.json')),
    ).to.equal(
      'x.json:11:17: scenarios[0].status: found a string ("passed"); expected one of "fail", "xpass", "error", "inconclusive", "xfail", "pass"',
    );
  });

  it('reports each broken field of a file, a missing one at the object that lacks it', () => {
    const doc = summaryDocument([{ name: 'a', verdicts: { q: 'pass' }, metrics: { m: 1 } }]) as { scenarios: Record<string, unknown>[] };
    const scenario = doc.scenarios[0] as Record<string, unknown>;
    delete scenario['runId'];
    scenario['startedAt'] = 'yesterday';
    scenario['metrics'] = { values: { m: '12' } };
    const message = problemOf(() => parseRunSummary(JSON.stringify(doc, null, 2), 'y.json'));
    expect(message.split('\n')).to.deep.equal([
      'y.json:8:5: scenarios[0].runId: missing; expected a string',
      'y.json:13:20: scenarios[0].startedAt: expected an ISO 8601 time (2025-06-01T00:00:00.000Z)',
      'y.json:25:16: scenarios[0].metrics.values.m: expected a number, found a string ("12")',
    ]);
  });

  it('rejects another summary version, saying which one it reads', () => {
    expect(problemOf(() => parseRunSummary('{"version": 2, "scenarios": []}', 'v.json'))).to.equal(
      'v.json:1:13: version: found 2; expected 1 (this cpchaos reads summary.json version 1)',
    );
  });

  it('says where a file is not JSON', () => {
    expect(problemOf(() => parseRunSummary('{\n  "version": 1,\n  "scenarios": [,]\n}', 'j.json'))).to.match(
      /^j\.json:3:17: \(root\): not valid JSON: /,
    );
  });

  it('rejects the bad fixture with the path to its broken verdict', async () => {
    const message = await problemOfAsync(() => readRunSummary(join(FIXTURES, 'bad-status')));
    expect(message).to.equal(
      `${join(FIXTURES, 'bad-status', 'summary.json')}:73:21: scenarios[1].verdicts[0].status: found a string ("passed"); expected one of "pass", "fail", "inconclusive", "error"`,
    );
  });

  describe('paths that are not a run', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cpchaos-summary-read-'));
    });
    after(async () => rm(dir, { recursive: true, force: true }));

    it('a missing path, a folder without summary.json', async () => {
      expect(await problemOfAsync(() => readRunSummary(join(dir, 'nope')))).to.equal(
        `${join(dir, 'nope')}: no such file or folder; expected a cpchaos report folder or a summary.json file`,
      );
      await mkdir(join(dir, 'empty'));
      expect(await problemOfAsync(() => readRunSummary(join(dir, 'empty')))).to.contain(
        `${join(dir, 'empty')}: no summary.json in this folder; expected a cpchaos report folder`,
      );
    });

    it('findRunSummaries takes a folder of report folders as its runs, in name order', async () => {
      const parent = join(dir, 'reports');
      for (const name of ['20261202T020000Z-b', '20261201T020000Z-a', 'not-a-run']) await mkdir(join(parent, name), { recursive: true });
      await writeFile(join(parent, '20261202T020000Z-b', 'summary.json'), '{}');
      await writeFile(join(parent, '20261201T020000Z-a', 'summary.json'), '{}');
      expect(await findRunSummaries([parent, join(FIXTURES, 'base')])).to.deep.equal([
        join(parent, '20261201T020000Z-a'),
        join(parent, '20261202T020000Z-b'),
        join(FIXTURES, 'base'),
      ]);
      expect(await problemOfAsync(() => findRunSummaries([join(parent, 'not-a-run')]))).to.contain(
        'no summary.json in this folder nor in its subfolders',
      );
    });
  });
});
