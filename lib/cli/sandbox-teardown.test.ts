// A sandbox run leaves nothing behind: after Ctrl-C, and after the harness is SIGKILLed followed by `cpchaos cleanup`.
import { expect } from 'chai';
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { namespacesOfRun, processesOfRun } from '../sandbox/testing/leftovers.ts';
import { waitFor } from '../util/wait.ts';

const CLI = fileURLToPath(new URL('../../bin/cpchaos.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

interface StartedCli {
  readonly child: ChildProcess;
  readonly runId: string;
  readonly exited: Promise<number | null>;
}

async function sandboxUp(): Promise<StartedCli> {
  const child = spawn(process.execPath, [CLI, 'sandbox', 'up', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const runId = await waitFor(
    '`cpchaos sandbox up` to print its kubeconfig',
    () => {
      if (child.exitCode !== null) throw new Error(`sandbox up exited early:\n${output}`);
      const match = /sandbox ([0-9a-f]{6}) ready/.exec(output);
      return match && output.includes('kubeconfig:') ? match[1] : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 100 },
  );
  expect((await namespacesOfRun(runId)).length).to.be.greaterThan(0);
  expect(processesOfRun(runId).length).to.be.greaterThan(0);
  return { child, runId, exited };
}

describe('cpchaos sandbox teardown leaves nothing behind', function () {
  this.timeout(180_000);
  before(function () {
    if (!isRoot) this.skip();
  });

  it('Ctrl-C (SIGINT) tears the sandbox down', async () => {
    const { child, runId, exited } = await sandboxUp();
    child.kill('SIGINT');
    expect(await exited).to.equal(0);
    expect(await namespacesOfRun(runId)).to.deep.equal([]);
    await waitFor('no process of the run', () => processesOfRun(runId).length === 0, { timeoutMs: 5000 });
  });

  it('after the harness is SIGKILLed, `cpchaos cleanup` removes processes and namespaces', async () => {
    const { child, runId, exited } = await sandboxUp();
    child.kill('SIGKILL');
    await exited;
    // etcd members are not children that die with the harness: cleanup must find them.
    expect((await namespacesOfRun(runId)).length).to.be.greaterThan(0);
    const out = execFileSync(process.execPath, [CLI, 'cleanup'], { encoding: 'utf8' });
    expect(out).to.match(/removed [1-9][0-9]* run/);
    expect(await namespacesOfRun(runId)).to.deep.equal([]);
    await waitFor('no process of the run', () => processesOfRun(runId).length === 0, { timeoutMs: 5000 });
  });
});
