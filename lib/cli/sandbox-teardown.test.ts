// A sandbox run leaves nothing behind: after Ctrl-C, after `cpchaos sandbox down`, and after the harness is SIGKILLed
// followed by `cpchaos cleanup`. Ctrl-C and `sandbox down` return only once every process the run started has exited:
// each pid the run had is checked in /proc the moment the command is done, without waiting.
import { expect } from 'chai';
import { spawn, type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { isLive, namespacesOfRun, processesOfRun } from '../sandbox/testing/leftovers.ts';
import { namespacePids } from '../sandbox/network.ts';
import { waitFor } from '../util/wait.ts';

const CLI = fileURLToPath(new URL('../../bin/cpchaos.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

interface StartedCli {
  readonly child: ChildProcess;
  readonly runId: string;
  readonly exited: Promise<number | null>;
  /** Every process of the run once it was up: the node agents and etcd members (in its namespaces or naming its folder). */
  readonly pids: readonly number[];
}

/** `ownGroup`: in a process group of its own, as a terminal's foreground job is (Ctrl-C reaches the whole group). */
async function sandboxUp(ownGroup = false): Promise<StartedCli> {
  const child = spawn(process.execPath, [CLI, 'sandbox', 'up', '--workers', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownGroup,
  });
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
  const namespaces = await namespacesOfRun(runId);
  expect(namespaces.length).to.be.greaterThan(0);
  const inNamespaces = (await Promise.all(namespaces.map((ns) => namespacePids(ns)))).flat();
  const pids = [...new Set([...inNamespaces, ...processesOfRun(runId)])];
  // 3 control planes (agent and etcd member each) and a worker's agent.
  expect(pids.length).to.be.at.least(7);
  return { child, runId, exited, pids };
}

/** Right after the command returned: no process of the run is alive, and its namespaces are gone. */
async function expectNothingLeft(up: StartedCli): Promise<void> {
  expect(
    up.pids.filter((pid) => isLive(pid)),
    'processes of the run alive when the command returned',
  ).to.deep.equal([]);
  expect(processesOfRun(up.runId)).to.deep.equal([]);
  expect(await namespacesOfRun(up.runId)).to.deep.equal([]);
}

describe('cpchaos sandbox teardown leaves nothing behind', function () {
  this.timeout(180_000);
  before(function () {
    if (!isRoot) this.skip();
  });

  it('Ctrl-C (SIGINT) tears the sandbox down and exits only once every process of the run has exited', async () => {
    const up = await sandboxUp();
    up.child.kill('SIGINT');
    expect(await up.exited).to.equal(0);
    await expectNothingLeft(up);
  });

  it('Ctrl-C at a terminal (SIGINT to the whole process group: agents and etcd members too) leaves nothing running', async () => {
    const up = await sandboxUp(true);
    process.kill(-(up.child.pid as number), 'SIGINT');
    expect(await up.exited).to.equal(0);
    await expectNothingLeft(up);
  });

  it('`cpchaos sandbox down` returns once the `up` process and every process of its run have exited', async () => {
    const up = await sandboxUp();
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'sandbox', 'down', '--run', up.runId], { encoding: 'utf8' });
    expect(stdout).to.contain(`sandbox ${up.runId} stopped`);
    expect(isLive(up.child.pid as number), 'the `sandbox up` process').to.equal(false);
    await expectNothingLeft(up);
    expect(await up.exited).to.equal(0);
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
    // cleanup returns once the processes it killed have exited.
    expect(processesOfRun(runId)).to.deep.equal([]);
  });
});
