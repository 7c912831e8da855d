import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from '../report/result.ts';
import { matrixCommand, policyLabel, type PolicyRunner } from './matrix-command.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIO = `${ROOT}proposals/candidate-cut-from-etcd.yaml`;

function result(name: string, status: ScenarioResult['status'], failed: readonly string[]): ScenarioResult {
  return {
    scenario: { name, tags: [], source: { file: `${name}.yaml` } },
    runId: 'r',
    seed: '1',
    status,
    verdicts: [
      ...failed.map((invariant) => ({ invariant, status: 'fail' as const, summary: 'x', evidence: [] })),
      { invariant: 'management-count', status: 'pass' as const, summary: 'ok', evidence: [] },
    ],
    history: [],
    startedAt: 0,
    durationMs: 1,
  };
}

describe('cpchaos matrix: scenarios under each promotion policy', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cpchaos-matrix-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every scenario under every policy (reference: no policy file) and writes the table and JSON', async () => {
    const calls: (string | undefined)[] = [];
    const runner: PolicyRunner = async (scenarios, policy) => {
      calls.push(policy);
      return scenarios.map((s) =>
        policy === undefined ? result(s.name, 'fail', ['promotion-after-deletion', 'expect']) : result(s.name, 'pass', []),
      );
    };
    const printed: string[] = [];
    const code = await matrixCommand(
      ['--policies', `reference,${ROOT}fixtures/policies/precheck.ts`, '--reports', dir, SCENARIO],
      new AbortController().signal,
      (t) => printed.push(t),
      runner,
    );
    expect(code).to.equal(0);
    expect(calls).to.deep.equal([undefined, `${ROOT}fixtures/policies/precheck.ts`]);
    const markdown = readFileSync(join(dir, 'matrix.md'), 'utf8');
    expect(markdown.split('\n').slice(0, 3)).to.deep.equal([
      '| scenario | reference | precheck |',
      '| --- | --- | --- |',
      '| candidate-cut-from-etcd | fail (promotion-after-deletion, expect); promoted none; longest write outage - | pass; promoted none; longest write outage - |',
    ]);
    const json = JSON.parse(readFileSync(join(dir, 'matrix.json'), 'utf8')) as {
      policies: string[];
      cells: { policy: string; status: string }[];
    };
    expect(json.policies).to.deep.equal(['reference', 'precheck']);
    expect(json.cells.map((c) => `${c.policy}:${c.status}`)).to.deep.equal(['reference:fail', 'precheck:pass']);
    expect(printed.join('')).to.match(/candidate-cut-from-etcd\n {2}reference {2}fail/);
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(page).to.match(/<td class="matrix-cell matrix-fail" data-policy="reference" data-status="fail">/);
    expect(page).to.include('<tr data-scenario="candidate-cut-from-etcd (precheck)">');
  });

  it('exits 2 when a run errored (the cell shows no verdict on the policy)', async () => {
    const runner: PolicyRunner = async (scenarios) => scenarios.map((s) => result(s.name, 'error', []));
    expect(
      await matrixCommand(['--policies', 'reference', '--reports', dir, SCENARIO], new AbortController().signal, () => undefined, runner),
    ).to.equal(2);
  });

  it('refuses a missing --policies, two policies of one name and a bad seed', async () => {
    const signal = new AbortController().signal;
    const none: PolicyRunner = async () => [];
    const refusal = async (args: string[]): Promise<string> =>
      matrixCommand(args, signal, () => undefined, none).then(
        () => 'no error',
        (error: unknown) => (error as Error).message,
      );
    expect(await refusal([SCENARIO])).to.match(/name the policies with --policies/);
    expect(await refusal(['--policies', 'a/x.ts,b/x.ts', SCENARIO])).to.match(/share a name/);
    expect(await refusal(['--policies', 'reference', '--seed', 'zz', SCENARIO])).to.match(/--seed/);
    expect(policyLabel('fixtures/policies/enhanced-health.ts')).to.equal('enhanced-health');
  });
});
