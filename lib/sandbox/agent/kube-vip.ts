// kube-vip as Harvester runs it (services mode over ARP, one global election: lib/harvester/profiles.ts cites the
// chart and kube-vip v1.2.3), on a node of the sandbox's Harvester profile. The node campaigns for the Lease
// harvester-system/plndr-svcs-lock under its node name (kube-vip pkg/manager/manager.go: the identity is the node
// name); the leader announces the VIP, and a leader that loses the Lease stops announcing and starts over
// (pkg/manager/worker/common.go OnStoppedLeading: svcProcessor.Stop, then kube-vip restarts).
// "Announcing" here is the holder file: the harness's VIP (lib/sandbox/kube-vip-vip.ts) forwards to the API server
// of the node whose holder file is newest, while that node is up, as gratuitous ARP points clients at the newest
// holder and a powered-off host answers nothing.
// Simplifications: the election starts once the node serves the Kubernetes API (kube-vip's DaemonSet selects nodes
// labelled control-plane, which a promoted node is once its API server is up, and it reaches the API through the
// node's own server first, then the others, where kube-proxy picks any); a restart after losing the Lease is
// immediate (the kubelet's back-off is not modelled).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { KubeVipLease } from '../../harvester/profiles.ts';
import { KUBE_VIP_SERVICES_LEASE } from '../../harvester/profiles.ts';
import type { FailoverApiClient } from './api-client.ts';
import { LeaseElection } from './lease-election.ts';

/** What the holder file says: who holds the VIP, since when (ms since the epoch). */
export interface VipHolderRecord {
  readonly holder: string;
  readonly sinceMs: number;
}

export interface KubeVipOptions {
  readonly identity: string;
  readonly lease: KubeVipLease;
  readonly holderFile: string;
  readonly log: (message: string) => void;
  readonly onError: (what: string, error: unknown) => void;
}

export function writeHolderFile(path: string, record: VipHolderRecord): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(record));
  renameSync(temporary, path);
}

export class KubeVip {
  private readonly election: LeaseElection;

  constructor(
    api: FailoverApiClient,
    private readonly options: KubeVipOptions,
  ) {
    this.election = new LeaseElection(api, {
      ...KUBE_VIP_SERVICES_LEASE,
      identity: options.identity,
      timing: options.lease,
      onStartedLeading: () => {
        writeHolderFile(options.holderFile, { holder: options.identity, sinceMs: Date.now() });
        options.log(`kube-vip: leading ${KUBE_VIP_SERVICES_LEASE.namespace}/${KUBE_VIP_SERVICES_LEASE.name}: announcing the VIP`);
      },
      onStoppedLeading: () => {
        rmSync(options.holderFile, { force: true });
        options.log('kube-vip: lost the services lease: no longer announcing the VIP (kube-vip restarts and campaigns again)');
      },
      onError: options.onError,
    });
  }

  start(): void {
    // A kube-vip that starts holds no address (the harness also removes a restarted node's holder file).
    rmSync(this.options.holderFile, { force: true });
    this.election.start();
  }

  stop(): Promise<void> {
    return this.election.stop();
  }
}
