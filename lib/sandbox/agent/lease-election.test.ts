// client-go's Lease election (kube-vip's) against a sandbox API server on a real etcd: two candidates, one of them
// cut off from the API by pointing its endpoints file nowhere.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Lease } from '@kubernetes/client-node';
import { waitFor } from '../../util/wait.ts';
import { FailoverApiClient } from './api-client.ts';
import { LeaseElection } from './lease-election.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

const TIMING = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };
const LEASE = { namespace: 'harvester-system', name: 'plndr-svcs-lock' };

describe('lease election (client-go, as kube-vip runs it) against a sandbox API server', function () {
  this.timeout(60_000);
  let fixture: AgentApiFixture | undefined;
  let dir = '';
  const elections: LeaseElection[] = [];

  before(async () => {
    fixture = await startAgentApi();
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-lease-'));
  });
  after(async () => {
    await fixture?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const election of elections.splice(0)) await election.stop();
    await fixture?.api.call('delete the lease', (a) => a.coordination.deleteNamespacedLease(LEASE)).catch(() => undefined);
  });

  /** A candidate with an endpoints file of its own; `cut()` points it at an address nothing listens on. */
  function candidate(identity: string, events: string[]): { election: LeaseElection; cut: () => void } {
    const file = join(dir, `${identity}.json`);
    writeFileSync(file, JSON.stringify(fixture?.urls ?? []));
    const api = new FailoverApiClient(file, () => undefined, 1000);
    const election = new LeaseElection(api, {
      ...LEASE,
      identity,
      timing: TIMING,
      onStartedLeading: () => events.push(`${identity} leads`),
      onStoppedLeading: () => events.push(`${identity} stops`),
    });
    elections.push(election);
    return { election, cut: () => writeFileSync(file, JSON.stringify(['http://127.0.0.1:9'])) };
  }

  const readLease = (): Promise<V1Lease> =>
    (fixture as AgentApiFixture).api.call('read the lease', (a) => a.coordination.readNamespacedLease(LEASE));

  it('one holder at a time; a leader cut off stops after the renew deadline, and the other takes over only after seeing the lease unrenewed for its duration', async () => {
    const events: string[] = [];
    const a = candidate('cp-0', events);
    a.election.start();
    await waitFor('cp-0 to lead', () => a.election.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
    const b = candidate('cp-1', events);
    b.election.start();
    await new Promise((r) => setTimeout(r, TIMING.leaseDurationMs * 2));
    expect(b.election.isLeader, 'cp-1 while cp-0 renews').to.equal(false);
    const lastRenewMs = new Date((await readLease()).spec?.renewTime ?? 0).getTime();
    a.cut();
    await waitFor('cp-1 to take over', () => b.election.isLeader, { timeoutMs: 20_000, intervalMs: 20 });
    const taken = await readLease();
    expect(taken.spec?.holderIdentity).to.equal('cp-1');
    expect(taken.spec?.leaseTransitions).to.equal(1);
    // The lease cp-0 renewed last was seen unchanged for at least its duration before cp-1 took it.
    const acquiredMs = new Date(taken.spec?.acquireTime ?? 0).getTime();
    expect(acquiredMs - lastRenewMs).to.be.at.least(TIMING.leaseDurationMs);
    await waitFor('cp-0 to stop leading', () => !a.election.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
    expect(events.filter((e) => e.startsWith('cp-0'))).to.deep.equal(['cp-0 leads', 'cp-0 stops']);
  });

  it('a leader that stops releases the lease (its holder cleared), and another candidate takes it', async () => {
    const events: string[] = [];
    const a = candidate('cp-0', events);
    a.election.start();
    await waitFor('cp-0 to lead', () => a.election.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
    await a.election.stop();
    expect((await readLease()).spec?.holderIdentity).to.equal('');
    const b = candidate('cp-1', events);
    b.election.start();
    await waitFor('cp-1 to lead', () => b.election.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
    expect((await readLease()).spec?.holderIdentity).to.equal('cp-1');
  });
});
