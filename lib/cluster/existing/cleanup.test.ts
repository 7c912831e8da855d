import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, processStartTicks } from '../../faults/journal.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { startApiFixture, writeKubeconfig } from '../../sandbox/apiserver/testing/api-fixture.ts';
import { reapRuns } from '../core/reaper.ts';
import { existingCleanup, leftObjects, pendingFaults, type UndoRunner } from './cleanup.ts';

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

  it('names what a removed host left that nothing can undo (which steps ran), and keeps the journal', async () => {
    const journal = killedRun('rmh111');
    journal.record({
      type: 'fault-intent',
      id: 'f1',
      description: 'remove-host n1',
      steps: ['drain n1', 'ssh n1 rke2-uninstall.sh', 'ipmitool power off n1', 'DELETE /api/v1/nodes/n1'],
      notUndoable: ['n1: drain n1', 'n1: ssh n1 rke2-uninstall.sh', 'n1: ipmitool power off n1', 'n1: DELETE /api/v1/nodes/n1'],
    });
    journal.record({ type: 'fault-step', id: 'f1', index: 0, description: 'drain n1' });
    journal.record({ type: 'fault-step', id: 'f1', index: 1, description: 'ssh n1 rke2-uninstall.sh' });
    const calls: string[] = [];
    const report = await reap(async (file, args) => void calls.push([file, ...args].join(' ')));
    expect(calls).to.deep.equal([]);
    expect(report.runs.map((r) => r.outcome.leftForPerson)).to.deep.equal([
      [
        'remove-host n1: cannot be undone (it ran): n1: drain n1',
        'remove-host n1: cannot be undone (it ran): n1: ssh n1 rke2-uninstall.sh',
        'remove-host n1: cannot be undone: n1: ipmitool power off n1',
        'remove-host n1: cannot be undone: n1: DELETE /api/v1/nodes/n1',
      ],
    ]);
    expect(existsSync(journal.runDir)).to.equal(true);
  });

  it('runs the undo commands of the faults never undone, newest fault first, and marks them undone', async () => {
    const journal = killedRun('aaa111');
    journal.record({ type: 'fault-intent', id: 'f1', description: 'kill n1', undo: [['ssh', 'n1', 'systemctl', 'start', 'rke2-server']] });
    journal.record({ type: 'fault-intent', id: 'f2', description: 'isolate n2', undo: [['ssh', 'n2', 'isolate', 'off']] });
    journal.record({ type: 'fault-undone', id: 'f2' });
    journal.record({
      type: 'fault-intent',
      id: 'f3',
      description: 'partition [n1] | [n3]',
      undo: [
        ['ssh', 'n3', 'unblock', 'n1'],
        ['ssh', 'n1', 'unblock', 'n3'],
      ],
    });
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
    journal.record({
      type: 'fault-intent',
      id: 'f1',
      description: 'kill n1',
      undo: [['ipmitool', '-H', '10.0.1.1', 'chassis', 'power', 'on']],
    });
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

  it("leaves live runs and other providers' runs alone", async () => {
    const live = new Journal(join(state, 'runs', 'ccc333'));
    live.record({
      type: 'run',
      runId: 'ccc333',
      provider: 'existing',
      ownerPid: process.ppid,
      ownerStartTicks: processStartTicks(process.ppid) ?? 0,
    });
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

  it('deletes the objects a killed run created in the cluster and never deleted; one it cannot reach keeps the run', async function () {
    this.timeout(60_000);
    const api = await startApiFixture();
    try {
      const core = api.kubeConfig().makeApiClient(CoreV1Api);
      for (const name of ['cpchaos-register-eee555', 'cpchaos-probe-eee555', 'someone-elses']) {
        await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
      }
      const kubeconfig = await writeKubeconfig(state, api.url);
      const journal = killedRun('eee555');
      journal.record({ type: 'object', kind: 'ConfigMap', namespace: 'default', name: 'cpchaos-register-eee555', kubeconfig });
      journal.record({ type: 'object', kind: 'ConfigMap', namespace: 'default', name: 'cpchaos-probe-eee555', kubeconfig });
      journal.record({ type: 'object', kind: 'ConfigMap', namespace: 'default', name: 'cpchaos-gone-eee555', kubeconfig });
      journal.record({ type: 'object-deleted', kind: 'ConfigMap', namespace: 'default', name: 'cpchaos-gone-eee555' });
      const unreachable = killedRun('fff666');
      unreachable.record({
        type: 'object',
        kind: 'ConfigMap',
        namespace: 'default',
        name: 'cpchaos-register-fff666',
        kubeconfig: join(state, 'no-such-kubeconfig.yaml'),
      });

      const report = await reap(async () => undefined);
      const names = (await core.listNamespacedConfigMap({ namespace: 'default' })).items.map((cm) => cm.metadata?.name);
      expect(names).to.include('someone-elses').and.not.include('cpchaos-register-eee555').and.not.include('cpchaos-probe-eee555');
      expect(report.runs.find((r) => r.runId === 'eee555')?.outcome.done).to.deep.equal([
        'deleted ConfigMap default/cpchaos-register-eee555',
        'deleted ConfigMap default/cpchaos-probe-eee555',
      ]);
      expect(existsSync(journal.runDir)).to.equal(false);
      expect(report.keptRuns).to.deep.equal(['fff666']);
      expect(report.runs.find((r) => r.runId === 'fff666')?.outcome.failed[0]).to.match(
        /^ConfigMap default\/cpchaos-register-fff666: could not delete it: /,
      );
      expect(leftObjects(Journal.read(unreachable.runDir)).map((o) => o.name)).to.deep.equal(['cpchaos-register-fff666']);
    } finally {
      await api.stop();
    }
  });
});
