// What kind of cluster the sandbox imitates. 'plain' (the default) is the compressed-timer sandbox: etcd members
// named after their nodes, and a VIP that spreads connections over every ready API server. 'harvester' looks like a
// Harvester (RKE2) to a client attached to it as an existing cluster, where that matters to the harness:
// - RKE2's etcd timers, unscaled: heartbeat 500 ms, election timeout 5000 ms (k3s pkg/etcd/etcd.go ETCD.cluster:
//   HeartbeatInterval 500, ElectionTimeout 5000);
// - RKE2's etcd member names `<node>-<8 hex>` (k3s pkg/etcd/etcd.go setName: ServerNodeName + "-" + the first 8
//   characters of a random UUID, kept in the name file beside the data), and each etcd Node annotated with its member
//   (pkg/etcd/metadata_controller.go handleSelf), which the member removal on deletion reads;
// - kube-vip's VIP: ONE holder, elected through the Lease harvester-system/plndr-svcs-lock with kube-vip's defaults
//   (lease 15 s, renew deadline 10 s, retry 2 s: lib/harvester/profiles.ts cites Harvester's chart), announces the
//   address; VIP:6443 reaches only the holder's API server, and nothing health-checks it;
// - the VIP exposed as Harvester's LoadBalancer Service kube-system/ingress-expose (status.loadBalancer.ingress),
//   where an attached harness looks for it to classify its endpoint.
// What stays the sandbox's own (a real Harvester differs; each would only slow runs down or claim what is not there):
// the kubelet and node-monitor timers (250 ms / 2.5 s, not 10 s / 40-50 s), the controllers' leader lease, the
// API server's request deadline; no kubelet version and no Harvester version (server-version Setting) are reported,
// so `--profile auto` on an attached harness falls back to harvester-1.4's profile and says so; no Rancher, ingress,
// rancher-webhook or CAPI machines.
import { KUBE_VIP_DEFAULT_LEASE, type KubeVipLease } from '../harvester/profiles.ts';
import { rke2Timers } from '../harvester/profiles.ts';
import type { SandboxTimers } from './topology.ts';

export const SANDBOX_PROFILE_NAMES = ['plain', 'harvester'] as const;
export type SandboxProfileName = (typeof SANDBOX_PROFILE_NAMES)[number];

export function isSandboxProfileName(value: string): value is SandboxProfileName {
  return (SANDBOX_PROFILE_NAMES as readonly string[]).includes(value);
}

export interface SandboxProfile {
  readonly name: SandboxProfileName;
  /** Timers over the sandbox's defaults (a topology's own timers still win). */
  readonly timers: Partial<SandboxTimers>;
  /** 'node': a member is named after its node; 'rke2': `<node>-<8 hex>`, and etcd Nodes carry RKE2's annotations. */
  readonly etcdMemberNames: 'node' | 'rke2';
  /** 'forwarder': spread over the ready API servers (lib/sandbox/vip.ts); 'kube-vip': one elected holder. */
  readonly vip: { readonly kind: 'forwarder' } | { readonly kind: 'kube-vip'; readonly lease: KubeVipLease };
}

const RKE2_ETCD = rke2Timers(30);

export const SANDBOX_PROFILES: Readonly<Record<SandboxProfileName, SandboxProfile>> = {
  plain: { name: 'plain', timers: {}, etcdMemberNames: 'node', vip: { kind: 'forwarder' } },
  harvester: {
    name: 'harvester',
    timers: { etcdHeartbeatMs: RKE2_ETCD.etcdHeartbeatMs, etcdElectionTimeoutMs: RKE2_ETCD.etcdElectionTimeoutMs },
    etcdMemberNames: 'rke2',
    vip: { kind: 'kube-vip', lease: KUBE_VIP_DEFAULT_LEASE },
  },
};

export function sandboxProfile(name: SandboxProfileName = 'plain'): SandboxProfile {
  return SANDBOX_PROFILES[name];
}
