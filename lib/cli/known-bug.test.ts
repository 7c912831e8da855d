// Known bugs end to end on the sandbox, through the CLI: a known-bug scenario that reproduces its bug is an expected
// failure (exit 0, JUnit skipped with the bug's link); the same reproduction where the bug does not happen is
// reported loudly and fails the run (exit 1).
import { runCli } from './testing/run-cli.ts';
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cpchaos = runCli;
const isRoot = process.getuid?.() === 0;

function junitOf(reports: string): string {
  const [dir] = readdirSync(reports);
  return readFileSync(join(reports, dir ?? '', 'junit.xml'), 'utf8');
}

describe('cpchaos run: known bugs', function () {
  this.timeout(300_000);
  let reports: string;
  before(function () {
    if (!isRoot) this.skip();
  });
  beforeEach(() => {
    reports = mkdtempSync(join(tmpdir(), 'cpchaos-known-bug-'));
  });
  afterEach(() => rmSync(reports, { recursive: true, force: true }));

  it('a known bug reproduced as described is an expected failure: exit 0, JUnit skipped with the link', async () => {
    const ran = await cpchaos(['run', 'suites/regression/harvester-8968-force-removed-finalizers.yaml', '--reports', reports]);
    expect(ran.code, ran.output).to.equal(0);
    expect(ran.output).to.match(/result: KNOWN-BUG/);
    expect(ran.output).to.contain('1 known bug(s) reproduced');
    const junit = junitOf(reports);
    expect(junit).to.match(/<skipped message="known bug \(https:\/\/github.com\/harvester\/harvester\/issues\/8968\), expected failure/);
    expect(junit).to.not.contain('<failure');
  });

  it('the same reproduction where the bug does not happen fails the run, saying the bug may be fixed', async () => {
    const ran = await cpchaos(['run', 'fixtures/scenarios/known-bug-not-reproduced.yaml', '--reports', reports]);
    expect(ran.code, ran.output).to.equal(1);
    expect(ran.output).to.match(/result: BUG-FIXED\?/);
    expect(ran.output).to.contain('known-bug-not-reproduced: known bug did not reproduce: promotion-after-deletion passed. Bug fixed?');
    expect(junitOf(reports)).to.match(/<testcase [^>]*name="known-bug"[^>]*>\s*<failure/);
  });
});
