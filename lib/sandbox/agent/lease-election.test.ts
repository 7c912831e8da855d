// client-go's Lease election (kube-vip's) against a sandbox API server on a real etcd: two candidates, one of them
// cut off from the API by pointing its endpoints file nowhere.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Lease } from '@kubernetes/client-node';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import { waitFor } from '../../util/wait.ts';
import { FailoverApiClient } from './api-client.ts';
import { LeaseElection } from './lease-election.ts';
import { LeaderElector } from './leader-election.ts';
import type { ApiCall } from './api-client.ts';
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
  function candidate(identity: string, events: string[], api = clientOf(identity)): { election: LeaseElection; cut: () => void } {
    const file = join(dir, `${identity}.json`);
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

  /** An API client of its own (an endpoints file named after the candidate) that counts its calls by what they do. */
  function clientOf(identity: string): CountingClient {
    const file = join(dir, `${identity}.json`);
    writeFileSync(file, JSON.stringify(fixture?.urls ?? []));
    return new CountingClient(file, () => undefined, 1000);
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

  it("a leader renews without reading the Lease first, and reads it when someone else's update made its copy stale", async () => {
    const api = clientOf('cp-0');
    const a = candidate('cp-0', [], api);
    a.election.start();
    await waitFor('cp-0 to lead', () => a.election.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
    api.calls.length = 0;
    await waitFor('five renewals', () => api.calls.filter((c) => c === 'update the lease').length >= 5, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    expect(
      api.calls.filter((c) => c === 'read the lease'),
      'reads while renewing',
    ).to.deep.equal([]);
    // Another writer bumps the Lease's resourceVersion (its record unchanged): the leader's next update conflicts,
    // it reads the Lease, finds itself the holder and renews. That writer's own update can conflict with a renewal
    // between its read and its write (a loaded machine): it reads again and retries, as any writer would.
    api.calls.length = 0;
    for (let attempt = 1; ; attempt++) {
      const lease = await readLease();
      try {
        await (fixture as AgentApiFixture).api.call('touch the lease', (c) =>
          c.coordination.replaceNamespacedLease({
            ...LEASE,
            body: { ...lease, metadata: { ...lease.metadata, labels: { touched: 'yes' } } },
          }),
        );
        break;
      } catch (error) {
        if (statusCodeOf(error) !== 409 || attempt === 10) throw error;
      }
    }
    // The leader reads only after a conflict (none before the touch, asserted above): the touch's is the first.
    await waitFor('a read after the conflict', () => api.calls.includes('read the lease'), { timeoutMs: 20_000, intervalMs: 20 });
    await waitFor('a renewal after the read', () => api.calls.lastIndexOf('update the lease') > api.calls.indexOf('read the lease'), {
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    expect(a.election.isLeader).to.equal(true);
  });
});

describe("leader election (kube-controller-manager's) against a sandbox API server", function () {
  this.timeout(60_000);
  let fixture: AgentApiFixture | undefined;
  let dir = '';
  before(async () => {
    fixture = await startAgentApi();
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-leader-'));
  });
  after(async () => {
    await fixture?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the leader renews without reading the Lease first; another candidate only reads it', async () => {
    const lease = { leaseName: 'kube-controller-manager', namespace: 'kube-system', leaseMs: 1500, retryMs: 100 };
    const client = (identity: string): CountingClient => {
      const file = join(dir, `${identity}.json`);
      writeFileSync(file, JSON.stringify(fixture?.urls ?? []));
      return new CountingClient(file, () => undefined, 1000);
    };
    const [apiA, apiB] = [client('cp-0'), client('cp-1')];
    const a = new LeaderElector(apiA, { ...lease, identity: 'cp-0', onStartedLeading: () => undefined, onStoppedLeading: () => undefined });
    const b = new LeaderElector(apiB, { ...lease, identity: 'cp-1', onStartedLeading: () => undefined, onStoppedLeading: () => undefined });
    a.start();
    try {
      await waitFor('cp-0 to lead', () => a.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
      b.start();
      apiA.calls.length = 0;
      apiB.calls.length = 0;
      await waitFor('five renewals by cp-0', () => apiA.calls.filter((c) => c === 'renew leader lease').length >= 5, {
        timeoutMs: 20_000,
        intervalMs: 20,
      });
      expect(
        apiA.calls.filter((c) => c === 'read leader lease'),
        "the leader's reads",
      ).to.deep.equal([]);
      expect(b.isLeader).to.equal(false);
      expect(new Set(apiB.calls)).to.deep.equal(new Set(['read leader lease']));
    } finally {
      a.stop();
      b.stop();
    }
  });
});

/** A FailoverApiClient that records what each call does (its `what`). */
class CountingClient extends FailoverApiClient {
  readonly calls: string[] = [];
  override call<T>(what: string, call: ApiCall<T>): Promise<T> {
    this.calls.push(what);
    return super.call(what, call);
  }
}
