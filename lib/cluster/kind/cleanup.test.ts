// cleanupKindClusters: deletes the cpchaos- clusters of dead runs, leaves live runs' and other people's clusters.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Journal, processStartTicks } from '../../faults/journal.ts';
import { cleanupKindClusters } from './cleanup.ts';
import { startKindFakes, type KindFakes } from './testing/kind-fakes.ts';

describe('kind cleanup', function () {
  let fakes: KindFakes;
  let owner: ChildProcess;

  beforeEach(async () => {
    fakes = await startKindFakes();
    owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = owner.pid as number;
    new Journal(join(fakes.runsRoot, 'live01')).record({ type: 'run', runId: 'live01', provider: 'kind', ownerPid: pid, ownerStartTicks: processStartTicks(pid) ?? 0 });
    new Journal(join(fakes.runsRoot, 'dead01')).record({ type: 'run', runId: 'dead01', provider: 'kind', ownerPid: 999_999_999, ownerStartTicks: 1 });
  });

  afterEach(async () => {
    owner.kill('SIGKILL');
    await fakes.close();
  });

  const clusters = { CPCHAOS_KIND_CLUSTERS: 'kind cpchaos-dead01 cpchaos-live01 cpchaos-nojournal team-cluster' };

  it('deletes the cpchaos- clusters of runs whose owner is gone, and only those', async () => {
    const report = await cleanupKindClusters({ ...fakes.providerOptions(clusters), runsRoot: fakes.runsRoot });
    expect(report).to.deep.equal({ deleted: ['cpchaos-dead01', 'cpchaos-nojournal'], skippedLiveRuns: ['cpchaos-live01'], failed: [] });
    expect(fakes.lines()).to.deep.equal(['kind get clusters', 'kind delete cluster --name cpchaos-dead01', 'kind delete cluster --name cpchaos-nojournal']);
  });

  it('with all, deletes live runs\' clusters too; a failed delete is reported and the others still go', async () => {
    fakes.failOn('delete cluster --name cpchaos-dead01', 'ERROR: failed to delete cluster "cpchaos-dead01"');
    const report = await cleanupKindClusters({ ...fakes.providerOptions(clusters), runsRoot: fakes.runsRoot, all: true });
    expect(report.deleted).to.deep.equal(['cpchaos-live01', 'cpchaos-nojournal']);
    expect(report.failed.map((f) => f.cluster)).to.deep.equal(['cpchaos-dead01']);
    expect(report.failed[0]?.error).to.include('failed to delete cluster');
  });

  it('reports kind clusters as unavailable when kind is missing or cannot list them', async () => {
    const missing = await cleanupKindClusters({ ...fakes.providerOptions(), binaries: { kind: 'cpchaos-no-such-kind' } });
    expect(missing).to.deep.equal({ deleted: [], skippedLiveRuns: [], failed: [], unavailable: 'kind is not installed' });
    fakes.failOn('get clusters', 'ERROR: failed to list clusters: command "docker ps" failed');
    const broken = await cleanupKindClusters(fakes.providerOptions());
    expect(broken.unavailable).to.include('listing kind clusters failed').and.include('failed to list clusters');
  });
});
