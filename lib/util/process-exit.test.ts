import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { isRunning, ProcessesSurvivedError, stopProcesses, type StoppableProcess } from './process-exit.ts';
import { waitFor } from './wait.ts';

/** A shell that ignores SIGTERM, with a grandchild `sleep` (not a child of this process: watched through /proc). */
async function stubborn(): Promise<{ child: ChildProcess; grandchild: number }> {
  const child = spawn('sh', ['-c', 'trap "" TERM; sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const grandchild = await waitFor('the shell to print its sleep pid', () => (out.includes('\n') ? Number(out.trim()) : undefined), {
    timeoutMs: 10_000,
  });
  return { child, grandchild };
}

/** The child's exit event: stopProcesses may return before it (a zombie is gone already), so tests read the signal after it. */
async function exitSignal(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode === null && child.signalCode === null)
    await waitFor("the child process's exit event", () => (child.exitCode !== null || child.signalCode !== null ? true : undefined), {
      timeoutMs: 10_000,
    });
  return child.signalCode;
}

function asStoppable(child: ChildProcess, what: string): StoppableProcess {
  return { pid: child.pid as number, what, exited: () => child.exitCode !== null || child.signalCode !== null };
}

describe('stopProcesses', () => {
  it('escalates SIGTERM to SIGKILL and returns once a child and a non-child have exited', async () => {
    const { child, grandchild } = await stubborn();
    await stopProcesses(
      [asStoppable(child, 'shell'), { pid: grandchild, what: 'sleep' }],
      [
        { signal: 'SIGTERM', graceMs: 200 },
        { signal: 'SIGKILL', graceMs: 10_000 },
      ],
    );
    expect(await exitSignal(child), 'the shell ignored SIGTERM: SIGKILL ended it').to.equal('SIGKILL');
    expect(isRunning(grandchild)).to.equal(false);
  });

  it('names a process still running after the last step, and does not wait for it past its deadline', async () => {
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      let caught: unknown;
      try {
        await stopProcesses([asStoppable(child, 'a sleep')], [{ graceMs: 50 }]);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(ProcessesSurvivedError);
      expect((caught as Error).message).to.contain(`a sleep (pid ${child.pid})`);
      expect(isRunning(child.pid as number)).to.equal(true);
    } finally {
      await stopProcesses([asStoppable(child, 'a sleep')], [{ signal: 'SIGKILL', graceMs: 10_000 }]);
    }
  });

  it('a paused process still exits on SIGTERM (it gets SIGCONT too)', async () => {
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    process.kill(child.pid as number, 'SIGSTOP');
    await stopProcesses([asStoppable(child, 'a paused sleep')], [{ signal: 'SIGTERM', graceMs: 10_000 }]);
    expect(await exitSignal(child)).to.equal('SIGTERM');
  });

  it('leaves alone a pid that is gone already', async () => {
    const child = spawn('true', { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    await stopProcesses([asStoppable(child, 'true')], [{ signal: 'SIGKILL', graceMs: 10 }]);
  });
});
