import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../scenario/loader.ts';
import type { Scenario } from '../scenario/types.ts';
import { formatSelector } from '../scenario/targets.ts';
import { sampleResult } from '../report/testing/sample-run.ts';
import { explore, type ExploreOutcome, type ScheduleRunner } from './explore.ts';

const pass: ExploreOutcome = { status: 'pass', verdicts: [{ invariant: 'management-count', status: 'pass', summary: 'ok', evidence: [] }] };
const fail: ExploreOutcome = {
  status: 'fail',
  verdicts: [{ invariant: 'management-count', status: 'fail', summary: '4 management nodes', evidence: [] }],
};

/** The fake system: management-count fails when a control plane is deleted while a worker is cordoned. */
const deletesCpWhileCordoned = (scenario: Scenario): boolean => {
  let cordoned = 0;
  for (const step of scenario.steps) {
    if (step.kind === 'cordon') cordoned++;
    if (step.kind === 'uncordon') cordoned--;
    if (step.kind === 'delete-node' && cordoned > 0) return true;
  }
  return false;
};

/**
 * The fake system for a fault needing two events at once (fixtures/policies/faulty-cordoned-and-worker-labelled.ts):
 * promotion-after-deletion fails when a control plane is deleted while one worker is both cordoned and labelled.
 */
const deletesCpWhileAWorkerIsCordonedAndLabelled = (scenario: Scenario): boolean => {
  const cordoned = new Set<string>();
  const labelled = new Set<string>();
  for (const step of scenario.steps) {
    const names = 'targets' in step && Array.isArray(step.targets) ? step.targets.map((t) => formatSelector(t)) : [];
    if (step.kind === 'cordon') names.forEach((n) => cordoned.add(n));
    if (step.kind === 'uncordon') names.forEach((n) => cordoned.delete(n));
    if (step.kind === 'label') names.forEach((n) => labelled.add(n));
    if (step.kind === 'delete-node' && names.some((n) => n.startsWith('control-plane')) && [...cordoned].some((n) => labelled.has(n)))
      return true;
  }
  return false;
};

describe('explore: the loop with a fake runner', () => {
  let out = '';
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'cpchaos-explore-'));
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('finds a violation, confirms it k of k, shrinks it and writes a minimal.yaml that loads', async () => {
    let runs = 0;
    const runner: ScheduleRunner = async (scenario) => {
      runs++;
      return deletesCpWhileCordoned(scenario) ? fail : pass;
    };
    const summary = await explore({ seed: 'c0ffee', outDir: out, maxSchedules: 200, confirmRuns: 3, runner });
    expect(summary.finding, 'a finding').to.not.equal(undefined);
    const finding = summary.finding!;
    expect(finding.invariant).to.equal('management-count');
    const minimal = parseScenario(await readFile(finding.minimalFile, 'utf8'), finding.minimalFile);
    expect(minimal.description).to.contain('--seed c0ffee').and.contain('management-count');
    expect(deletesCpWhileCordoned(minimal)).to.equal(true);
    expect(minimal.steps.filter((s) => !['hold', 'wait', 'check'].includes(s.kind)).map((s) => s.kind)).to.deep.equal([
      'cordon',
      'delete-node',
      'uncordon',
    ]);
    const files = await readdir(out);
    expect(files).to.include('minimal.yaml').and.include(`schedule-${finding.scheduleSeed}.yaml`);
    expect(summary.runs).to.equal(runs);
    expect(summary.schedulesTried).to.be.greaterThan(0);
  });

  it('finds a fault that needs two events at once and shrinks it to at most 4 fault steps that still fail', async () => {
    const runner: ScheduleRunner = async (scenario) => (deletesCpWhileAWorkerIsCordonedAndLabelled(scenario) ? fail : pass);
    const summary = await explore({ seed: 'e1', outDir: out, maxSchedules: 400, confirmRuns: 2, runner });
    const finding = summary.finding;
    expect(finding, `no finding in ${summary.schedulesTried} schedules`).to.not.equal(undefined);
    const minimal = parseScenario(await readFile(finding!.minimalFile, 'utf8'), finding!.minimalFile);
    expect(deletesCpWhileAWorkerIsCordonedAndLabelled(minimal)).to.equal(true);
    // Fault steps: not waits, holds or checks, nor the clean-up every schedule ends with (uncordon, unlabel, restart,
    // resume, heal), which undoes what the faults left.
    const cleanUp = (step: Scenario['steps'][number]): boolean =>
      ['uncordon', 'restart', 'resume', 'heal'].includes(step.kind) ||
      (step.kind === 'label' && Object.values(step.labels).every((v) => v === null));
    const faults = minimal.steps.filter((s) => !['hold', 'wait', 'check'].includes(s.kind) && !cleanUp(s)).map((s) => s.kind);
    expect(faults.length, faults.join(', ')).to.be.at.most(4);
    expect(faults).to.have.members(['label', 'cordon', 'delete-node']);
  });

  it('is deterministic for a seed: the same schedules, the same finding', async () => {
    const runner: ScheduleRunner = async (scenario) => (deletesCpWhileCordoned(scenario) ? fail : pass);
    const first = await explore({ seed: 'beef', outDir: out, maxSchedules: 100, runner });
    const second = await explore({ seed: 'beef', outDir: out, maxSchedules: 100, runner });
    expect(second.finding?.minimal).to.deep.equal(first.finding?.minimal);
    expect(second.schedulesTried).to.equal(first.schedulesTried);
  });

  it('does not count a violation the re-runs do not confirm (an error or another verdict is no confirmation)', async () => {
    const seen = new Map<string, number>();
    const runner: ScheduleRunner = async (scenario) => {
      const n = (seen.get(scenario.name) ?? 0) + 1;
      seen.set(scenario.name, n);
      if (n === 1) return fail;
      return { status: 'error', verdicts: [{ invariant: 'run', status: 'error', summary: 'broke', evidence: [] }] };
    };
    const summary = await explore({ seed: '1', outDir: out, maxSchedules: 5, runner });
    expect(summary.finding).to.equal(undefined);
    expect(summary.unconfirmed).to.have.length(5);
    expect(summary.schedulesTried).to.equal(5);
  });

  it('reports coverage (step kinds x target roles, fault combinations) and stops on the time budget', async () => {
    let clock = 0;
    const runner: ScheduleRunner = async () => {
      clock += 60_000;
      return pass;
    };
    const summary = await explore({ seed: '2', outDir: out, budgetMs: 10 * 60_000, runner, now: () => clock });
    expect(summary.schedulesTried).to.equal(10);
    expect(summary.finding).to.equal(undefined);
    expect(Object.keys(summary.coverage)).to.include('hold');
    expect(summary.faultCombinations.length).to.be.greaterThan(1);
  });

  it('leaves explore.md (its coverage table) and explore.json in the out folder, with or without a finding', async () => {
    const summary = await explore({ seed: '3', outDir: out, maxSchedules: 4, runner: async () => pass });
    const markdown = await readFile(join(out, 'explore.md'), 'utf8');
    expect(markdown).to.contain('No violation found').and.contain('## Coverage: steps by target role');
    // A table row per step kind the schedules used, with the count under its target role.
    const rows = markdown.split('\n').filter((line) => line.startsWith('| '));
    expect(rows[0]).to.match(/^\| step \| /);
    expect(rows[1]).to.match(/^\| --- \|/);
    expect(rows.slice(2).map((row) => row.split(' | ')[0]!.slice(2))).to.have.members(Object.keys(summary.coverage));
    const json = JSON.parse(await readFile(join(out, 'explore.json'), 'utf8')) as { schedulesTried: number; coverage: unknown };
    expect(json.schedulesTried).to.equal(4);
    expect(json.coverage).to.deep.equal(summary.coverage);
  });

  it("writes the reports of the first failing run and of the minimal scenario's failing run", async () => {
    const runner: ScheduleRunner = async (scenario) =>
      deletesCpWhileCordoned(scenario) ? { ...sampleResult(scenario.name), status: 'fail', verdicts: fail.verdicts } : pass;
    const summary = await explore({ seed: 'c0ffee', outDir: out, maxSchedules: 200, runner });
    const finding = summary.finding!;
    expect(finding.minimalReport).to.equal(join(out, 'report'));
    expect(await readdir(join(out, 'report')))
      .to.include('index.html')
      .and.include('summary.json');
    expect(await readdir(join(out, `schedule-${finding.scheduleSeed}.report`))).to.include('index.html');
    expect(await readFile(join(out, 'explore.md'), 'utf8'))
      .to.contain('**Violation: management-count**')
      .and.contain('report/index.html');
  });
});
