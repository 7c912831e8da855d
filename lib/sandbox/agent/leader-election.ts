// Leader election through a Lease, as kube-controller-manager does: acquire when free or expired, renew while
// leading, step down when a renewal fails for longer than the lease. A leader renews without reading first: it
// updates the Lease it observed last (client-go leaderelection.go tryAcquireOrRenew, "fast path for the leader to
// update optimistically assuming that the record observed last time is the current version"), and reads it only
// when that update fails.
import type { V1Lease } from '@kubernetes/client-node';
import type { FailoverApiClient } from './api-client.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';

export interface LeaderElectionOptions {
  readonly leaseName: string;
  readonly namespace: string;
  readonly identity: string;
  readonly leaseMs: number;
  readonly retryMs: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (what: string, error: unknown) => void;
}

export class LeaderElector {
  private leading = false;
  private lastRenewMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** The Lease as this candidate last read or wrote it. */
  private observed: V1Lease | undefined;

  constructor(
    private readonly api: FailoverApiClient,
    private readonly options: LeaderElectionOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const tick = (): void => {
      if (this.busy) return;
      this.busy = true;
      this.tryAcquireOrRenew()
        .catch((error: unknown) => this.options.onError?.('leader election', error))
        .finally(() => {
          this.busy = false;
          if (this.leading && Date.now() - this.lastRenewMs > this.options.leaseMs) this.setLeading(false);
        });
    };
    tick();
    this.timer = setInterval(tick, this.options.retryMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.setLeading(false);
  }

  private setLeading(value: boolean): void {
    if (value === this.leading) return;
    this.leading = value;
    if (value) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { leaseName: name, namespace, identity } = this.options;
    const now = new Date();
    const observed = this.observed;
    if (observed !== undefined && this.leading && Date.now() - this.lastRenewMs <= this.options.leaseMs) {
      const body: V1Lease = { ...observed, spec: { ...observed.spec, holderIdentity: identity, renewTime: now } };
      try {
        this.observed = await this.api.call('renew leader lease', (api, requestOptions) =>
          api.coordination.replaceNamespacedLease({ name, namespace, body }, requestOptions),
        );
        this.lastRenewMs = Date.now();
        return;
      } catch (error) {
        this.observed = undefined;
        this.options.onError?.('renew leader lease optimistically (reading it next)', error);
      }
    }
    let lease: V1Lease;
    try {
      lease = await this.api.call('read leader lease', (api, requestOptions) =>
        api.coordination.readNamespacedLease({ name, namespace }, requestOptions),
      );
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: Math.ceil(this.options.leaseMs / 1000),
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      this.observed = await this.api.call('create leader lease', (api, requestOptions) =>
        api.coordination.createNamespacedLease({ namespace, body }, requestOptions),
      );
      this.lastRenewMs = Date.now();
      this.setLeading(true);
      return;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewedMs = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = Date.now() - renewedMs > this.options.leaseMs;
    if (holder !== identity && !expired) {
      this.setLeading(false);
      return;
    }
    const body: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        renewTime: now,
        ...(holder !== identity ? { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
      },
    };
    // The update carries the lease's resourceVersion: two candidates cannot both win (409 for the loser).
    this.observed = await this.api.call('renew leader lease', (api, requestOptions) =>
      api.coordination.replaceNamespacedLease({ name, namespace, body }, requestOptions),
    );
    this.lastRenewMs = Date.now();
    this.setLeading(true);
  }
}
