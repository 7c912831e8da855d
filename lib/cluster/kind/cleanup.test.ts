// The kind cleanup handler through the reaper: deletes the cpchaos- clusters of dead runs and orphans, leaves live
// runs' and other people's clusters.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Journal, processStartTicks } from '../../faults/journal.ts';
import { reapRuns, outcomesOf, type ReapReport } from '../core/reaper.ts';
import { kindCleanup } from './cleanup.ts';
import { startKindFakes, type KindFakes } from './testing/kind-fakes.ts';

describe('kind cleanup', function () {
  let fakes: KindFakes;
  let owner: ChildProcess;

  beforeEach(async () => {
    fakes = await startKindFakes();
    owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = owner.pid as number;
    new Journal(join(fakes.runsRoot, 'live01')).record({
      type: 'run',
      runId: 'live01',
      provider: 'kind',
      ownerPid: pid,
      ownerStartTicks: processStartTicks(pid) ?? 0,
    });
    new Journal(join(fakes.runsRoot, 'dead01')).record({
      type: 'run',
      runId: 'dead01',
      provider: 'kind',
      ownerPid: 999_999_999,
      ownerStartTicks: 1,
    });
  });

  afterEach(async () => {
    owner.kill('SIGKILL');
    await fakes.close();
  });

  const clusters = { CPCHAOS_KIND_CLUSTERS: 'kind cpchaos-dead01 cpchaos-live01 cpchaos-nojournal team-cluster' };
  const done = (report: ReapReport): string[] => outcomesOf(report).flatMap((o) => o.done);
  const failed = (report: ReapReport): string[] => outcomesOf(report).flatMap((o) => o.failed);

  it('deletes the cpchaos- clusters of runs whose owner is gone, and only those', async () => {
    const report = await reapRuns([kindCleanup(fakes.providerOptions(clusters))], { runsRoot: fakes.runsRoot });
    expect(done(report)).to.deep.equal(['deleted kind cluster cpchaos-dead01', 'deleted kind cluster cpchaos-nojournal']);
    expect(report.skippedLiveRuns).to.deep.equal(['live01']);
    expect(failed(report)).to.deep.equal([]);
    expect(fakes.lines().filter((l) => l.startsWith('kind delete'))).to.deep.equal([
      'kind delete cluster --name cpchaos-dead01',
      'kind delete cluster --name cpchaos-nojournal',
    ]);
  });

  it("with all, deletes live runs' clusters too; a failed delete is reported and the others still go", async () => {
    fakes.failOn('delete cluster --name cpchaos-dead01', 'ERROR: failed to delete cluster "cpchaos-dead01"');
    const report = await reapRuns([kindCleanup(fakes.providerOptions(clusters))], { runsRoot: fakes.runsRoot, all: true });
    expect(done(report)).to.deep.equal(['deleted kind cluster cpchaos-live01', 'deleted kind cluster cpchaos-nojournal']);
    expect(failed(report)).to.have.length(1);
    expect(failed(report)[0]).to.include('cpchaos-dead01').and.include('failed to delete cluster');
    // The run whose cluster could not be deleted keeps its journal, for the next cleanup.
    expect(report.keptRuns).to.deep.equal(['dead01']);
  });

  it("keeps a dead kind run's journal when kind is missing or cannot list clusters, and says why", async () => {
    const missing = await reapRuns([kindCleanup({ ...fakes.providerOptions(), binaries: { kind: 'cpchaos-no-such-kind' } })], {
      runsRoot: fakes.runsRoot,
    });
    expect(failed(missing)).to.deep.equal(['cannot list kind clusters (kind is not installed): kept run dead01 for a later cleanup']);
    expect(missing.keptRuns).to.deep.equal(['dead01']);
    fakes.failOn('get clusters', 'ERROR: failed to list clusters: command "docker ps" failed');
    const broken = await reapRuns([kindCleanup(fakes.providerOptions())], { runsRoot: fakes.runsRoot });
    expect(failed(broken)[0]).to.include('listing kind clusters failed').and.include('failed to list clusters');
    expect(broken.keptRuns).to.deep.equal(['dead01']);
  });
});
