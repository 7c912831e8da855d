import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exploreCommand } from './explore-command.ts';
import { UsageError } from './options.ts';
import { runCli } from './testing/run-cli.ts';

const isRoot = process.getuid?.() === 0;

describe('cpchaos explore (the command)', function () {
  this.timeout(5 * 60_000);
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cpchaos-explore-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a bad flag with exit 2 before it starts anything', async () => {
    const out = join(dir, 'out');
    const ran = await runCli(['explore', '--seed', 'xyz', '--out', out]);
    expect(ran.code, ran.output).to.equal(2);
    expect(ran.stderr).to.contain('--seed: expected up to 8 hex digits (as explore prints it), got "xyz"');
    expect(existsSync(out)).to.equal(false);
  });

  for (const [args, message] of [
    [['--count', '0'], '--count: expected a whole number >= 1, got "0"'],
    [['--max-steps', 'two'], '--max-steps: expected a whole number >= 1, got "two"'],
    [['--confirm', '0'], '--confirm: expected a whole number >= 1, got "0"'],
    [['--budget', '10 minutes'], '--budget:'],
    [['suites'], 'cpchaos explore: unexpected argument "suites"'],
    [['--provider', 'docker'], '--provider: expected sandbox or kind, got "docker"'],
    [['--provider', 'existing'], '--provider existing: explore starts a cluster of its own shape for every schedule'],
    [['--kind-config-dir', 'fixtures/kind'], '--kind-config-dir: only for --provider kind'],
    [['--provider', 'kind', '--kind-config-dir', 'no/such/folder'], '--kind-config-dir: no such folder: no/such/folder'],
  ] as const)
    it(`refuses ${args.join(' ')} with a usage error naming the flag`, async () => {
      const out = join(dir, 'out');
      const refused = await exploreCommand([...args, '--out', out], new AbortController().signal).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).to.be.instanceOf(UsageError);
      expect((refused as Error).message).to.contain(message);
      expect(existsSync(out)).to.equal(false);
    });

  it('stops with a setup error (exit 2) before the first schedule when the kind CLI is missing', async () => {
    const out = join(dir, 'out');
    // A PATH with the system's tools and no kind (node itself is run by its full path).
    const ran = await runCli(['explore', '--provider', 'kind', '--count', '1', '--out', out], {
      ...process.env,
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    });
    expect(ran.code, ran.output).to.equal(2);
    expect(ran.stderr).to.contain('the kind provider needs `kind`, and "kind" was not found on PATH');
    expect(existsSync(out)).to.equal(false);
  });

  // Seed 9af's first schedule deletes a worker, cuts a control plane off and pauses a worker (about 20 s here).
  (isRoot ? it : it.skip)('explores one schedule on the sandbox with the reference policy: no violation, exit 0, its summary', async () => {
    const out = join(dir, 'out');
    const ran = await runCli(['explore', '--count', '1', '--seed', '9af', '--out', out]);
    expect(ran.code, ran.output).to.equal(0);
    expect(ran.stdout).to.contain('cpchaos explore --seed 9af').and.contain('1 schedules').and.contain('no violation found');
    const markdown = await readFile(join(out, 'explore.md'), 'utf8');
    expect(markdown).to.contain('No violation found').and.contain('delete-node+heal+partition+pause');
    expect(markdown).to.match(/^\| partition \| .*1/m);
  });
});
