import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, processStartTicks } from '../../faults/journal.ts';
import { reapRuns } from '../core/reaper.ts';
import { existingCleanup, pendingFaults, type UndoRunner } from './cleanup.ts';

const reap = (runner: UndoRunner) => reapRuns([existingCleanup(runner)]);

/** A pid that is certainly gone: a child that already exited. */
function deadPid(): number {
  return spawnSync('true').pid ?? 999_999;
}

describe('cleanup of existing-cluster runs (faults a killed run left on a real cluster) through the reaper', () => {
  let state = '';
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env['CPCHAOS_STATE_DIR'];
    state = mkdtempSync(join(tmpdir(), 'cpchaos-existing-cleanup-'));
    process.env['CPCHAOS_STATE_DIR'] = state;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['CPCHAOS_STATE_DIR'];
    else process.env['CPCHAOS_STATE_DIR'] = saved;
    rmSync(state, { recursive: true, force: true });
  });

  function killedRun(id: string, provider = 'existing'): Journal {
    const journal = new Journal(join(state, 'runs', id));
    journal.record({ type: 'run', runId: id, provider, ownerPid: deadPid(), ownerStartTicks: 1 });
    return journal;
  }

  it('runs the undo commands of the faults never undone, newest fault first, and marks them undone', async () => {
    const journal = killedRun('aaa111');
    journal.record({ type: 'fault-intent', id: 'f1', description: 'kill n1', undo: [['ssh', 'n1', 'systemctl', 'start', 'rke2-server']] });
    journal.record({ type: 'fault-intent', id: 'f2', description: 'isolate n2', undo: [['ssh', 'n2', 'isolate', 'off']] });
    journal.record({ type: 'fault-undone', id: 'f2' });
    journal.record({ type: 'fault-intent', id: 'f3', description: 'partition [n1] | [n3]', undo: [['ssh', 'n3', 'unblock', 'n1'], ['ssh', 'n1', 'unblock', 'n3']] });
    const calls: string[] = [];
    const report = await reap(async (file, args) => void calls.push([file, ...args].join(' ')));
    expect(calls).to.deep.equal(['ssh n3 unblock n1', 'ssh n1 unblock n3', 'ssh n1 systemctl start rke2-server']);
    expect(report.keptRuns).to.deep.equal([]);
    expect(report.runs.map((r) => [r.runId, r.outcome.failed, r.outcome.leftForPerson])).to.deep.equal([['aaa111', [], []]]);
    // Everything undone: the run's folder (and journal) is gone.
    expect(existsSync(journal.runDir)).to.equal(false);
  });

  it('keeps the run and names what is left: a failed undo command, an undo that is not a command', async () => {
    const journal = killedRun('bbb222');
    journal.record({ type: 'fault-intent', id: 'f1', description: 'kill n1', undo: [['ipmitool', '-H', '10.0.1.1', 'chassis', 'power', 'on']] });
    journal.record({ type: 'fault-intent', id: 'f2', description: 'pause n2', manualUndo: ['unpause VMI harvester/n2 (KubeVirt)'] });
    const report = await reap(async () => {
      throw new Error('exit code 1: Unable to establish IPMI v2 session');
    });
    expect(report.keptRuns).to.deep.equal(['bbb222']);
    expect(report.runs[0]?.outcome.leftForPerson).to.deep.equal(['pause n2: undo by hand: unpause VMI harvester/n2 (KubeVirt)']);
    expect(report.runs[0]?.outcome.failed).to.deep.equal([
      'kill n1: `ipmitool -H 10.0.1.1 chassis power on` failed: exit code 1: Unable to establish IPMI v2 session',
    ]);
    expect(pendingFaults(Journal.read(journal.runDir)).map((f) => f.id)).to.deep.equal(['f2', 'f1']);
  });

  it('leaves live runs and other providers\' runs alone', async () => {
    const live = new Journal(join(state, 'runs', 'ccc333'));
    live.record({ type: 'run', runId: 'ccc333', provider: 'existing', ownerPid: process.ppid, ownerStartTicks: processStartTicks(process.ppid) ?? 0 });
    live.record({ type: 'fault-intent', id: 'f1', description: 'kill n1', undo: [['ssh', 'n1', 'start']] });
    const sandbox = killedRun('ddd444', 'sandbox');
    sandbox.record({ type: 'fault-intent', id: 'f1', description: 'kill cp-0', undo: [['never']] });
    const calls: string[] = [];
    const report = await reap(async (file) => void calls.push(file));
    expect(calls).to.deep.equal([]);
    expect(report.skippedLiveRuns).to.deep.equal(['ccc333']);
    // No handler here knows the sandbox: its run is kept and named for a person, never handed to this one.
    expect(report.keptRuns).to.deep.equal(['ddd444']);
    expect(existsSync(sandbox.runDir)).to.equal(true);
    expect(existsSync(live.runDir)).to.equal(true);
  });
});
