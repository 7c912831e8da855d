// The kind cleanup handler through the reaper: deletes the cpchaos- clusters of dead runs, and of runs no journal
// here names whose owner marker says their owner on this host is gone; keeps those whose owner is alive; leaves
// those it cannot judge (no marker, another host) for a person.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Journal, processStartTicks } from '../../faults/journal.ts';
import { reapRuns, outcomesOf, type ReapReport } from '../core/reaper.ts';
import { kindCleanup } from './cleanup.ts';
import { OWNER_MARKER_PATH, type OwnerMarker } from './owner-marker.ts';
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
  const leftForPerson = (report: ReapReport): string[] => outcomesOf(report).flatMap((o) => o.leftForPerson);
  const skipped = (report: ReapReport): string[] => outcomesOf(report).flatMap((o) => o.skipped ?? []);
  const deletes = (): string[] => fakes.lines().filter((l) => l.startsWith('kind delete'));
  const OTHER_STATE = '/tmp/cpchaos-other-workspace';

  /** The owner marker a run of another workspace (OTHER_STATE) wrote into the node `suffix` of its cluster. */
  function putMarker(runId: string, owner: Partial<OwnerMarker>, suffix = 'control-plane'): void {
    const pid = owner.ownerPid ?? 999_999_999;
    const marker: OwnerMarker = {
      runId,
      stateRoot: OTHER_STATE,
      hostname: hostname(),
      ownerPid: pid,
      ownerStartTicks: processStartTicks(pid) ?? 1,
      ...owner,
    };
    fakes.putContainerFile(`cpchaos-${runId}-${suffix}`, OWNER_MARKER_PATH, `${JSON.stringify(marker)}\n`);
  }
  const why = (cluster: string, reason: string): string =>
    `kind cluster ${cluster}: cannot tell whether a run still uses it (${reason}); if none does: kind delete cluster --name ${cluster}`;

  it('deletes the cpchaos- clusters of runs whose owner is gone; one no journal here names and that has no owner marker is left for a person', async () => {
    const report = await reapRuns([kindCleanup(fakes.providerOptions(clusters))], { runsRoot: fakes.runsRoot });
    expect(done(report)).to.deep.equal(['deleted kind cluster cpchaos-dead01']);
    expect(report.skippedLiveRuns).to.deep.equal(['live01']);
    expect(failed(report)).to.deep.equal([]);
    expect(deletes()).to.deep.equal(['kind delete cluster --name cpchaos-dead01']);
    expect(leftForPerson(report)).to.deep.equal([
      why('cpchaos-nojournal', 'no owner marker on its nodes: made by a cpchaos before markers, or its creation was cut short'),
    ]);
    // Every node was asked (the load balancer, which has no /kind/, was not).
    expect(fakes.lines().filter((l) => l.includes(`cat ${OWNER_MARKER_PATH}`))).to.deep.equal(
      ['control-plane', 'control-plane2', 'control-plane3', 'worker'].map(
        (s) => `docker exec cpchaos-nojournal-${s} cat ${OWNER_MARKER_PATH}`,
      ),
    );
  });

  it("keeps another workspace's cluster whose owner on this host is alive, and says whose it is", async () => {
    putMarker('other1', { ownerPid: owner.pid as number });
    const report = await reapRuns([kindCleanup(fakes.providerOptions({ CPCHAOS_KIND_CLUSTERS: 'cpchaos-other1' }))], {
      runsRoot: fakes.runsRoot,
    });
    expect(deletes()).to.deep.equal([]);
    expect(skipped(report)).to.deep.equal([`kind cluster cpchaos-other1 left: run other1 of ${OTHER_STATE} is live (pid ${owner.pid})`]);
    expect(done(report)).to.deep.equal([]);
    expect(leftForPerson(report)).to.deep.equal([]);
  });

  it("deletes another workspace's cluster whose owner on this host is gone (a reused pid is not its owner), saying why", async () => {
    putMarker('gone01', {});
    // The live sleep's pid with another start time: the pid was reused, the owner is gone.
    putMarker('reused', { ownerPid: owner.pid as number, ownerStartTicks: (processStartTicks(owner.pid as number) ?? 0) + 1 });
    const report = await reapRuns([kindCleanup(fakes.providerOptions({ CPCHAOS_KIND_CLUSTERS: 'cpchaos-gone01 cpchaos-reused' }))], {
      runsRoot: fakes.runsRoot,
    });
    expect(deletes()).to.deep.equal(['kind delete cluster --name cpchaos-gone01', 'kind delete cluster --name cpchaos-reused']);
    expect(done(report)).to.deep.equal([
      `deleted kind cluster cpchaos-gone01 (abandoned: run gone01 of ${OTHER_STATE}, whose owner (pid 999999999) is gone)`,
      `deleted kind cluster cpchaos-reused (abandoned: run reused of ${OTHER_STATE}, whose owner (pid ${owner.pid}) is gone)`,
    ]);
    expect(skipped(report)).to.deep.equal([]);
  });

  it('leaves a cluster whose marker names another host, has no start time, or is not a marker, for a person, and deletes none', async () => {
    putMarker('far001', { hostname: 'ci-runner-7' });
    putMarker('zero01', { ownerStartTicks: 0 });
    fakes.putContainerFile('cpchaos-junk01-control-plane', OWNER_MARKER_PATH, 'not json');
    const report = await reapRuns(
      [kindCleanup(fakes.providerOptions({ CPCHAOS_KIND_CLUSTERS: 'cpchaos-far001 cpchaos-junk01 cpchaos-zero01' }))],
      {
        runsRoot: fakes.runsRoot,
      },
    );
    expect(deletes()).to.deep.equal([]);
    const left = leftForPerson(report);
    expect(left).to.have.length(3);
    expect(left[2]).to.equal(
      why('cpchaos-zero01', `the start time of run zero01 of ${OTHER_STATE}'s owner (pid 999999999) cannot be compared here`),
    );
    expect(left[0]).to.equal(
      why(
        'cpchaos-far001',
        `its owner marker names run far001 of ${OTHER_STATE} on host ci-runner-7, whose processes cannot be checked from here`,
      ),
    );
    expect(left[1])
      .to.include('kind cluster cpchaos-junk01: cannot tell whether a run still uses it (no node gave its owner marker: ')
      .and.include(`cpchaos-junk01-control-plane: ${OWNER_MARKER_PATH} is not an owner marker (not JSON`)
      .and.include('no marker on cpchaos-junk01-control-plane2, cpchaos-junk01-control-plane3, cpchaos-junk01-worker')
      .and.include('if none does: kind delete cluster --name cpchaos-junk01');
  });

  it("reads the marker from the first node that answers: a paused node's refusal does not decide", async () => {
    putMarker('paus01', { ownerPid: owner.pid as number }, 'control-plane2');
    fakes.failOn(
      'docker exec cpchaos-paus01-control-plane cat',
      'Error response from daemon: container 4f1c is paused, unpause the container before exec',
    );
    const report = await reapRuns([kindCleanup(fakes.providerOptions({ CPCHAOS_KIND_CLUSTERS: 'cpchaos-paus01' }))], {
      runsRoot: fakes.runsRoot,
    });
    expect(deletes()).to.deep.equal([]);
    expect(skipped(report)).to.deep.equal([`kind cluster cpchaos-paus01 left: run paus01 of ${OTHER_STATE} is live (pid ${owner.pid})`]);
  });

  it('a look-up that fails or hangs leaves that cluster for a person, within its deadline, and the others are still judged', async () => {
    putMarker('gone01', {});
    putMarker('hung01', {});
    fakes.control({
      CPCHAOS_FAIL_ON: 'kind get nodes --name cpchaos-broken',
      CPCHAOS_FAIL_STDERR: 'ERROR: failed to list nodes: command "docker ps" failed',
      CPCHAOS_HANG_ON: 'docker exec cpchaos-hung01-',
    });
    const started = Date.now();
    const report = await reapRuns(
      [
        kindCleanup({
          ...fakes.providerOptions({ CPCHAOS_KIND_CLUSTERS: 'cpchaos-broken cpchaos-hung01 cpchaos-gone01' }),
          ownerLookupTimeoutMs: 1500,
        }),
      ],
      { runsRoot: fakes.runsRoot },
    );
    expect(Date.now() - started).to.be.below(8000);
    expect(deletes()).to.deep.equal(['kind delete cluster --name cpchaos-gone01']);
    expect(done(report)).to.have.length(1);
    const left = leftForPerson(report);
    expect(left).to.have.length(2);
    expect(left[0]).to.equal(why('cpchaos-broken', 'listing its nodes failed: ERROR: failed to list nodes: command "docker ps" failed'));
    expect(left[1])
      .to.include(
        'kind cluster cpchaos-hung01: cannot tell whether a run still uses it (no node gave its owner marker: cpchaos-hung01-control-plane: timed out after',
      )
      .and.include("cpchaos-hung01-worker: not asked, the look-up's 1500 ms were spent");
  });

  it("with all, deletes live runs' clusters too; a failed delete is reported and the others still go", async () => {
    fakes.failOn('delete cluster --name cpchaos-dead01', 'ERROR: failed to delete cluster "cpchaos-dead01"');
    const report = await reapRuns([kindCleanup(fakes.providerOptions(clusters))], { runsRoot: fakes.runsRoot, all: true });
    expect(done(report)).to.deep.equal(['deleted kind cluster cpchaos-live01']);
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
