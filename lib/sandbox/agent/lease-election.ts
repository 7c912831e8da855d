// client-go's Lease leader election (k8s.io/client-go/tools/leaderelection/leaderelection.go), as kube-vip runs it
// (kube-vip pkg/election/election.go: resourcelock.LeaseLock, ReleaseOnCancel). Unlike the controllers' simpler
// elector (leader-election.ts) it keeps client-go's timing:
// - a candidate tries every retry period, jittered by a factor of 1.2 (acquire: wait.JitterUntil, JitterFactor 1.2);
// - a Lease held by another is taken only once this candidate has seen its record unchanged for the lease duration
//   (observedTime + LeaseDuration, by the candidate's clock; renewTime is not compared to it), or at once when no one
//   holds it (a released Lease has an empty holderIdentity);
// - the leader renews every retry period; a renewal that has not succeeded within the renew deadline ends its
//   leadership (renew: wait.PollImmediateUntil(RetryPeriod, ..., RenewDeadline));
// - the leader renews without reading first while its lease is valid: it updates the Lease it observed last (with
//   that resourceVersion), and reads it only when that update fails (tryAcquireOrRenew's "fast path for the leader to
//   update optimistically assuming that the record observed last time is the current version");
// - an update carries the Lease's resourceVersion, so two candidates cannot both win (409 for the loser);
// - stop() releases the Lease (holderIdentity "", leaseDurationSeconds 1) when leading, as ReleaseOnCancel does.
import type { V1Lease } from '@kubernetes/client-node';
import type { KubeVipLease } from '../../harvester/profiles.ts';
import type { FailoverApiClient } from './api-client.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';

/** client-go leaderelection.JitterFactor. */
export const JITTER_FACTOR = 1.2;

export interface LeaseElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly timing: KubeVipLease;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (what: string, error: unknown) => void;
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed one). */
  readonly random?: () => number;
}

/** The parts of a Lease record client-go compares (LeaderElectionRecord). */
function recordOf(lease: V1Lease): string {
  const spec = lease.spec ?? {};
  const time = (t: Date | string | undefined): string => (t === undefined ? '' : new Date(t).toISOString());
  return JSON.stringify([
    spec.holderIdentity ?? '',
    spec.leaseDurationSeconds ?? 0,
    time(spec.acquireTime),
    time(spec.renewTime),
    spec.leaseTransitions ?? 0,
  ]);
}

export class LeaseElection {
  private observedRecord = '';
  private observedHolder = '';
  private observedTimeMs = 0;
  private lease: V1Lease | undefined;
  private leading = false;
  /** When the current renewal began failing (0: the last one succeeded). */
  private renewFailingSinceMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly api: FailoverApiClient,
    private readonly options: LeaseElectionOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops campaigning; a leader releases the Lease first (best effort). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.setLeading(false);
    const lease = this.lease;
    if (!lease) return;
    const { name, namespace } = this.options;
    const body: V1Lease = { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } };
    await this.api
      .call('release the lease', (a, requestOptions) => a.coordination.replaceNamespacedLease({ name, namespace, body }, requestOptions))
      .catch((error: unknown) => this.options.onError?.('release the lease', error));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.options.timing;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.onError?.(this.leading ? 'renew the lease' : 'acquire the lease', error);
    }
    if (this.stopped) return;
    if (this.leading) {
      if (ok) this.renewFailingSinceMs = 0;
      else {
        const now = Date.now();
        this.renewFailingSinceMs ||= now;
        if (now - this.renewFailingSinceMs >= renewDeadlineMs) this.setLeading(false);
      }
      this.schedule(retryPeriodMs);
      return;
    }
    if (ok) {
      this.renewFailingSinceMs = 0;
      this.setLeading(true);
      this.schedule(retryPeriodMs);
      return;
    }
    const random = this.options.random ?? Math.random;
    this.schedule(retryPeriodMs + random() * JITTER_FACTOR * retryPeriodMs);
  }

  private setLeading(value: boolean): void {
    if (value === this.leading) return;
    this.leading = value;
    if (value) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private leaseValid(nowMs: number): boolean {
    return this.observedTimeMs + this.options.timing.leaseDurationMs > nowMs;
  }

  private observe(lease: V1Lease, nowMs: number): void {
    this.lease = lease;
    this.observedRecord = recordOf(lease);
    this.observedHolder = lease.spec?.holderIdentity ?? '';
    this.observedTimeMs = nowMs;
  }

  /** client-go tryAcquireOrRenew: true when this candidate holds the Lease after the call. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity, timing } = this.options;
    const now = new Date();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.round(timing.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
    };
    // 1. The fast path: the leader updates the Lease it observed last; any error falls back to reading it.
    const observed = this.lease;
    if (observed !== undefined && this.observedHolder === identity && this.leaseValid(now.getTime())) {
      const body: V1Lease = {
        ...observed,
        spec: { ...spec, acquireTime: observed.spec?.acquireTime ?? now, leaseTransitions: observed.spec?.leaseTransitions ?? 0 },
      };
      try {
        this.observe(
          await this.api.call('update the lease', (a, requestOptions) =>
            a.coordination.replaceNamespacedLease({ name, namespace, body }, requestOptions),
          ),
          Date.now(),
        );
        return true;
      } catch (error) {
        this.options.onError?.('update the lease optimistically (reading it next)', error);
      }
    }
    // 2. Read it (create it when there is none), 3. judge the record, 4. update it.
    let current: V1Lease;
    try {
      current = await this.api.call('read the lease', (a, requestOptions) =>
        a.coordination.readNamespacedLease({ name, namespace }, requestOptions),
      );
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: { ...spec, leaseTransitions: 0 },
      };
      this.observe(
        await this.api.call('create the lease', (a, requestOptions) =>
          a.coordination.createNamespacedLease({ namespace, body }, requestOptions),
        ),
        Date.now(),
      );
      return true;
    }
    if (recordOf(current) !== this.observedRecord) {
      this.observedRecord = recordOf(current);
      this.observedHolder = current.spec?.holderIdentity ?? '';
      this.observedTimeMs = now.getTime();
      this.lease = current;
    }
    const holder = current.spec?.holderIdentity ?? '';
    const iLead = this.observedHolder === identity;
    if (holder !== '' && this.leaseValid(now.getTime()) && !iLead) return false;
    const transitions = current.spec?.leaseTransitions ?? 0;
    const body: V1Lease = {
      ...current,
      spec: iLead
        ? { ...spec, acquireTime: current.spec?.acquireTime ?? now, leaseTransitions: transitions }
        : { ...spec, leaseTransitions: transitions + 1 },
    };
    try {
      this.observe(
        await this.api.call('update the lease', (a, requestOptions) =>
          a.coordination.replaceNamespacedLease({ name, namespace, body }, requestOptions),
        ),
        Date.now(),
      );
    } catch (error) {
      // Someone else updated it first: not ours (client-go returns false on any update error).
      if (statusCodeOf(error) === 409) return false;
      throw error;
    }
    return true;
  }
}
