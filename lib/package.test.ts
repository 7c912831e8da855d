// cpchaos as another project uses it (a Harvester CI repository): `npm pack`, install the tarball into a fresh
// project, import the library from plain Node, type-check against its declarations, and run the installed CLI on the
// project's own scenario. The pack runs in a copy of the working tree (node_modules linked), so a build never lands
// in this checkout's dist/ while other tests run bin/cpchaos.js.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const isRoot = process.getuid?.() === 0;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  /** stdout and stderr. */
  readonly output: string;
}

/** Runs a command to its end (never throws on a non-zero exit); NODE_OPTIONS dropped, so Node is plain Node. */
function run(file: string, args: readonly string[], cwd: string, timeoutMs = 240_000): Promise<Outcome> {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, output: `${stdout}${stderr}${error && typeof error.code !== 'number' ? `\n${error.message}` : ''}` });
    });
  });
}

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const CONSUMER_SCENARIO = `# A consumer project's own scenario (the shape of suites/promotion/kill-cp-no-promotion.yaml).
name: consumer-kill-cp
description: Kill a control-plane node and hold it down; it keeps its role and nothing is promoted.
tags: [consumer]
cluster: { controlPlanes: 3, workers: 1 }
steps:
  - kill: control-plane[1]
    as: victim
  - wait: { node: $victim, ready: Unknown, timeout: 20s }
  - hold: 3s
  - check: { managementCount: 3 }
  - restart: $victim
  - wait: { node: $victim, ready: "True", timeout: 30s }
expect: { managementCount: 3, promoted: none }
invariants: [promotion-only-after-deletion, management-count, quorum-survives, promote-status-lifecycle]
`;

const CONSUMER_SCRIPT = `import { loadScenarioFile, ORACLE_NAMES, runOracles, selectPromoteNode, loadPromotionPolicy } from 'cpchaos';
const scenario = await loadScenarioFile('./scenarios/kill-cp.yaml');
const policy = await loadPromotionPolicy('./policy.ts');
console.log(JSON.stringify({
  name: scenario.name,
  steps: scenario.steps.length,
  oracles: ORACLE_NAMES,
  runOracles: typeof runOracles,
  reference: typeof selectPromoteNode,
  policy: policy.selectPromoteNode([], new Date()) ?? null,
}));
`;

// A TypeScript promotion policy of the consumer's: loaded by the compiled package without tsx registered.
const CONSUMER_POLICY = `import type { PromotionPolicy } from 'cpchaos';
export const selectPromoteNode: PromotionPolicy['selectPromoteNode'] = () => undefined;
`;

const CONSUMER_TS = `import { loadScenarioFile, ORACLE_NAMES, overallStatus, type Scenario, type ScenarioResult, type VerdictStatus } from 'cpchaos';
const scenario: Scenario = await loadScenarioFile('./scenarios/kill-cp.yaml');
const name: string = scenario.name;
const oracle: string | undefined = ORACLE_NAMES[0];
const status = (result: ScenarioResult): VerdictStatus => overallStatus(result.verdicts);
console.log(name, oracle, status);
`;

describe('the npm package, installed into another project', function () {
  this.timeout(600_000);
  let work: string;
  let consumer: string;
  let files: string[];
  let tarball: string;

  before(async function () {
    this.timeout(600_000);
    work = mkdtempSync(join(tmpdir(), 'cpchaos-package-'));
    // The working tree as it is (uncommitted files included), without dependencies, build, reports or history.
    const tree = join(work, 'tree');
    const skipped = new Set(['node_modules', '.git', 'dist', 'reports', '.cpchaos']);
    cpSync(ROOT, tree, { recursive: true, filter: (src) => !skipped.has(relative(ROOT, src).split('/')[0] ?? '') });
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
    const packStarted = Date.now();
    const pack = await run('npm', ['pack', '--json', '--pack-destination', work], tree);
    expect(pack.code, `npm pack failed:\n${pack.output}`).to.equal(0);
    const packed = (JSON.parse(pack.stdout) as { filename: string; size: number; files: { path: string }[] }[])[0];
    if (!packed) throw new Error(`npm pack printed no result:\n${pack.output}`);
    tarball = join(work, packed.filename);
    files = packed.files.map((f) => f.path).sort();
    const packSeconds = (Date.now() - packStarted) / 1000;

    consumer = join(work, 'consumer');
    mkdirSync(join(consumer, 'scenarios'), { recursive: true });
    writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'harvester-ci', private: true, type: 'module' }, null, 2)}\n`);
    writeFileSync(join(consumer, 'scenarios/kill-cp.yaml'), CONSUMER_SCENARIO);
    writeFileSync(join(consumer, 'use.mjs'), CONSUMER_SCRIPT);
    writeFileSync(join(consumer, 'policy.ts'), CONSUMER_POLICY);
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER_TS);
    const installStarted = Date.now();
    const install = await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], consumer);
    expect(install.code, `npm install of the tarball failed:\n${install.output}`).to.equal(0);
    process.stderr.write(
      `      package: npm pack ${packSeconds.toFixed(1)} s (${(packed.size / 1024).toFixed(0)} KiB, ${files.length} files), ` +
        `npm install ${((Date.now() - installStarted) / 1000).toFixed(1)} s\n`,
    );
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the compiled library, the CLI and its run-time files, and no tests, test helpers or sources', () => {
    for (const needed of [
      'bin/cpchaos.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/sandbox/agent/main.js',
      'schema/scenario.schema.json',
    ]) {
      expect(files, needed).to.include(needed);
    }
    const kindConfigs = readdirSync(join(ROOT, 'fixtures/kind'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `fixtures/kind/${f}`);
    expect(kindConfigs).to.not.be.empty;
    expect(files.filter((f) => f.startsWith('fixtures/'))).to.deep.equal(kindConfigs.sort());
    expect(files.filter((f) => /\.test\.|\.testing\.|(^|\/)testing(\/|\.)/.test(f))).to.deep.equal([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).to.deep.equal([]);
    expect(files.filter((f) => /^(lib|reports|bench|scripts|\.ci|\.github)\//.test(f) || f.startsWith('tsconfig'))).to.deep.equal([]);
  });

  it('imports from plain Node (no tsx), including a TypeScript promotion policy of the project', async () => {
    expect(existsSync(join(consumer, 'node_modules/cpchaos/lib')), 'sources shipped').to.equal(false);
    const result = await run(process.execPath, ['use.mjs'], consumer);
    expect(result.code, result.output).to.equal(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).to.deep.include({ name: 'consumer-kill-cp', steps: 6, runOracles: 'function', reference: 'function', policy: null });
    expect(printed['oracles']).to.include('management-count');
  });

  it('has declarations TypeScript checks a consumer against', async () => {
    // One compile of a correct file and one with a wrong property, which must fail naming it: the types are really
    // checked. Without --skipLibCheck, so cpchaos's own declarations are checked too. (@kubernetes/client-node's
    // declarations need @types/ws, which it does not bring: an error in node_modules/isomorphic-ws, not ours.)
    writeFileSync(join(consumer, 'wrong.ts'), CONSUMER_TS.replace('scenario.name', 'scenario.nmae'));
    const args = ['--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict', 'consumer.ts', 'wrong.ts'];
    const result = await run(process.execPath, [TSC, ...args], consumer);
    const errors = result.output.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(result.code, result.output).to.not.equal(0);
    expect(
      errors.filter((line) => line.startsWith('wrong.ts')),
      result.output,
    ).to.have.length(1);
    expect(errors.find((line) => line.startsWith('wrong.ts'))).to.match(
      /^wrong\.ts\(3,\d+\): error TS2339: Property 'nmae' does not exist on type 'Scenario'/,
    );
    expect(
      errors.filter((line) => !line.startsWith('wrong.ts') && !line.startsWith('node_modules/isomorphic-ws/')),
      result.output,
    ).to.deep.equal([]);
  });

  it("the installed CLI reads the project's own scenario (run --dry-run)", async () => {
    const result = await run(join(consumer, 'node_modules/.bin/cpchaos'), ['run', './scenarios', '--dry-run'], consumer);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.include('consumer-kill-cp (scenarios/kill-cp.yaml)');
    expect(result.output).to.match(/step 1 \(line 7\): kill control-plane\[1\] as \$victim/);
  });

  it("the installed CLI runs the project's own scenario on the sandbox and writes its reports there", async function () {
    const skipReason = !isRoot
      ? 'not root (the sandbox run here needs root)'
      : !onPath('etcd')
        ? 'etcd is missing (bash scripts/setup.sh installs it)'
        : undefined;
    if (skipReason) {
      process.stderr.write(`      skipped: the installed CLI on the sandbox: ${skipReason}\n`);
      return this.skip();
    }
    const cli = join(consumer, 'node_modules/.bin/cpchaos');
    const result = await run(cli, ['run', './scenarios', '--reports', './reports'], consumer, 300_000);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.match(/result: PASS/);
    const runs = readdirSync(join(consumer, 'reports'));
    expect(runs).to.have.length(1);
    const runDir = join(consumer, 'reports', runs[0] ?? '');
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).to.include('consumer-kill-cp');
    // The agent bundle is cached in the project's node_modules, not inside the installed package.
    expect(readdirSync(join(consumer, 'node_modules/.cache/cpchaos')).some((f) => /^agent-.*\.mjs$/.test(f))).to.equal(true);
    // And the saved history is re-checkable offline with the installed CLI.
    const check = await run(cli, ['check', join(runDir, 'history.json')], consumer);
    expect(check.code, check.output).to.equal(0);
    expect(check.output).to.match(/pass\s+management-count/);
  });
});
