// Ctrl-C in the middle of a fault: the run undoes its faults, tears the cluster down and leaves nothing behind.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { namespacesOfRun, processesOfRun } from '../sandbox/testing/leftovers.ts';
import { waitFor } from '../util/wait.ts';

const CLI = fileURLToPath(new URL('../../bin/cpchaos.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../../fixtures/scenarios/interrupt-during-fault.yaml', import.meta.url));
const isRoot = process.getuid?.() === 0;

describe('cpchaos run interrupted during a fault', function () {
  this.timeout(180_000);
  before(function () {
    if (!isRoot) this.skip();
  });

  it('Ctrl-C undoes the faults and leaves no process, namespace or rule behind', async () => {
    const child = spawn(process.execPath, [CLI, 'run', SCENARIO, '--reports', 'reports/test-output'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const runId = await waitFor(
      'the kill fault to be applied',
      () => {
        if (child.exitCode !== null) throw new Error(`run exited early:\n${output}`);
        const run = /run ([0-9a-f]{6}) started/.exec(output)?.[1];
        return run && /action a2 applied kill/.test(output) ? run : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    expect((await namespacesOfRun(runId)).length).to.be.greaterThan(0);
    child.kill('SIGINT');
    const code = await waitFor(
      'the interrupted run to exit',
      async () => {
        const result = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 200))]);
        return result === 'running' ? undefined : { code: result };
      },
      { timeoutMs: 60_000 },
    );
    expect(code.code, output).to.not.equal(null);
    expect(output).to.match(/undone isolate/);
    expect(output).to.match(/undone kill/);
    expect(await namespacesOfRun(runId)).to.deep.equal([]);
    await waitFor('no process of the run', () => processesOfRun(runId).length === 0, { timeoutMs: 5000 });
  });
});
