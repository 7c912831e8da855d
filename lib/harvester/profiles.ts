// Harvester as it really is, per release line: the timers its RKE2 runs with, how RKE2 names etcd members, what a
// witness node is, and where a client's availability is measured (kube-vip's VIP, Rancher's proxy, one node's API
// server) with how long that endpoint takes to fail over. Pure data plus detection from what the cluster shows:
// the Nodes' kubelet version (v1.32.3+rke2r1) and Harvester's own version (the `server-version` Setting).
//
// Sources (read, not copied):
// - k3s-io/k3s pkg/etcd/etcd.go: RKE2's embedded etcd runs --heartbeat-interval=500 and --election-timeout=5000;
//   setName names a member `<node name>-<first 8 characters of a random UUID>` (hex), kept in a name file and
//   renewed when the member is re-added; the Node carries it in the annotation etcd.rke2.cattle.io/node-name
//   (NodeNameAnnotation). pkg/etcd/member_controller.go removes a deleted Node's member by that annotation.
// - Kubernetes: kubelet --node-status-update-frequency 10 s; kube-controller-manager --node-monitor-grace-period
//   40 s up to 1.31, 50 s from 1.32 (docs/harvester-promotion-contract.md).
// - harvester/docs docs/host/host.md: one witness node at most ("Harvester currently allows only one witness node");
//   a witness is an etcd member only (taint node-role.kubernetes.io/etcd=true:NoExecute, lib/harvester/contract.ts).
// - kube-vip on Harvester (harvester/harvester master @3d63c2af deploy/charts/harvester/Chart.yaml: the kube-vip
//   chart 0.11.0; values.yaml `kube-vip:` image v1.2.3, env vip_arp "true", svc_enable "true", cp_enable "false",
//   vip_leaderelection "false", and no vip_leaseduration / vip_renewdeadline / vip_retryperiod; the chart's own
//   values.yaml adds svc_election "false"; harvester/harvester-installer pkg/config/templates/rancherd-10-harvester.yaml
//   enables it). kube-vip v1.2.3 then runs services mode over ARP with ONE global election
//   (pkg/manager/worker/arp.go StartServices -> GlobalLeader(ServicesLeaseName), cmd/kube-vip.go: "plndr-svcs-lock"
//   in kube-vip's own namespace, holder identity the node name, pkg/manager/manager.go): the leader announces every
//   LoadBalancer address, so ONE node holds the VIP and VIP:6443 reaches that node's API server only. The election
//   is client-go's Lease election (pkg/election/election.go) with kube-vip's defaults, since Harvester sets none
//   (cmd/kube-vip.go: leaseDuration 15 s, leaseRenewDuration 10 s, leaseRetry 2 s; also
//   pkg/kubevip/config_generator.go). A leader that cannot renew within 10 s stops leading and kube-vip restarts
//   (pkg/manager/worker/common.go OnStoppedLeading); another node takes the Lease once it has seen it unrenewed for
//   15 s, on its next try (every 2 s, jittered).
// - Which Kubernetes minor each Harvester line ships (1.4: RKE2 v1.30/v1.31, 1.5: v1.32, 1.6: v1.33) is taken from
//   Harvester's release notes as remembered, not from a file read here; detection by kubelet version relies on it.
import type { V1Node } from '@kubernetes/client-node';
import type { ClusterTimers } from '../model/cluster.ts';
import { isWitness, nodeName, WITNESS_TAINT } from './contract.ts';

export const HARVESTER_PROFILE_NAMES = ['harvester-1.4', 'harvester-1.5', 'harvester-1.6'] as const;
export type HarvesterProfileName = (typeof HARVESTER_PROFILE_NAMES)[number];
/** What --profile accepts: a profile, or auto (read it from the cluster). */
export const PROFILE_CHOICES = [...HARVESTER_PROFILE_NAMES, 'auto'] as const;
export type ProfileChoice = (typeof PROFILE_CHOICES)[number];
/** The profile used when nothing the cluster shows names one. */
export const FALLBACK_PROFILE: HarvesterProfileName = 'harvester-1.4';

export function isProfileChoice(value: string): value is ProfileChoice {
  return (PROFILE_CHOICES as readonly string[]).includes(value);
}

/** kube-vip's leader election (seconds in its flags, milliseconds here). */
export interface KubeVipLease {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export const KUBE_VIP_DEFAULT_LEASE: KubeVipLease = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 };

/** The Lease kube-vip's services leader holds on Harvester: the chart installs kube-vip in harvester-system. */
export const KUBE_VIP_SERVICES_LEASE = { namespace: 'harvester-system', name: 'plndr-svcs-lock' } as const;

/**
 * The LoadBalancer Service Harvester exposes its VIP with (harvester/harvester pkg/controller/master/rancher/
 * register.go createIngressExposeService: kube-system/ingress-expose, ports 443 "https-internal" and 80 "http", the
 * VIP in the kube-vip.io/loadbalancerIPs annotation). A cluster whose RKE2 runs traefik carries the same annotations
 * on kube-system/rke2-traefik instead (patchTraefikServiceAnnotations).
 */
export const HARVESTER_VIP_SERVICE = {
  namespace: 'kube-system',
  name: 'ingress-expose',
  ports: [
    { name: 'https-internal', port: 443 },
    { name: 'http', port: 80 },
  ],
  loadBalancerIpsAnnotation: 'kube-vip.io/loadbalancerIPs',
} as const;

/** How long the VIP can be without a holder after its holder dies: the lease runs out, then the next try wins it. */
export function kubeVipFailoverMs(lease: KubeVipLease): number {
  return lease.leaseDurationMs + lease.retryPeriodMs;
}

export interface HarvesterProfile {
  readonly name: HarvesterProfileName;
  /** Harvester's minor version, "1.5". */
  readonly harvester: string;
  /** The Kubernetes minor the release line ships (RKE2 vX.<minor>): 30 for v1.30. */
  readonly kubernetesMinor: number;
  readonly timers: ClusterTimers;
  /** RKE2's etcd member names: `<node>-<8 hex>`; a Node maps to its member by that form, not by equal names. */
  readonly etcdMemberNames: 'rke2';
  readonly witness: {
    /** At most this many witness nodes (docs host/host.md). */
    readonly max: number;
    /** A witness is an etcd member only: it serves no Kubernetes API, so it is never an API endpoint. */
    readonly etcdOnly: true;
    readonly taint: string;
  };
  readonly vip: {
    /** kube-vip announces Harvester's VIP for a LoadBalancer Service on these ports. */
    readonly servicePorts: readonly number[];
    readonly lease: KubeVipLease;
  };
}

/** kubelet status every 10 s; node-monitor grace 40 s up to Kubernetes 1.31, 50 s from 1.32; RKE2's etcd 500 ms / 5 s. */
export function rke2Timers(kubernetesMinor: number): ClusterTimers {
  return {
    kubeletHeartbeatMs: 10_000,
    nodeMonitorGraceMs: kubernetesMinor >= 32 ? 50_000 : 40_000,
    etcdHeartbeatMs: 500,
    etcdElectionTimeoutMs: 5000,
  };
}

function profile(name: HarvesterProfileName, harvester: string, kubernetesMinor: number): HarvesterProfile {
  return {
    name,
    harvester,
    kubernetesMinor,
    timers: rke2Timers(kubernetesMinor),
    etcdMemberNames: 'rke2',
    witness: { max: 1, etcdOnly: true, taint: `${WITNESS_TAINT.key}=${WITNESS_TAINT.value}:${WITNESS_TAINT.effect}` },
    vip: { servicePorts: [443, 80], lease: KUBE_VIP_DEFAULT_LEASE },
  };
}

export const HARVESTER_PROFILES: Readonly<Record<HarvesterProfileName, HarvesterProfile>> = {
  'harvester-1.4': profile('harvester-1.4', '1.4', 30),
  'harvester-1.5': profile('harvester-1.5', '1.5', 32),
  'harvester-1.6': profile('harvester-1.6', '1.6', 33),
};

// ---- versions ---------------------------------------------------------------------------------------------------

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** "v1.32.3+rke2r1", "1.30.5", "v1.5.1-rc2" -> {1, 32, 3}; undefined when it is not a version. */
export function parseVersion(text: string | undefined): Version | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec((text ?? '').trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** The profile of a Harvester version ("v1.5.1"): its minor line; newer lines than known use the newest profile. */
export function profileForHarvesterVersion(version: string): HarvesterProfileName | undefined {
  const v = parseVersion(version);
  if (!v || v.major !== 1 || v.minor < 4) return undefined;
  if (v.minor === 4) return 'harvester-1.4';
  if (v.minor === 5) return 'harvester-1.5';
  return 'harvester-1.6';
}

/** The profile whose Kubernetes a kubelet version belongs to: up to 1.31 -> 1.4, 1.32 -> 1.5, 1.33 on -> 1.6. */
export function profileForKubernetesMinor(minor: number): HarvesterProfileName {
  if (minor <= 31) return 'harvester-1.4';
  if (minor === 32) return 'harvester-1.5';
  return 'harvester-1.6';
}

/** The kubelet versions the Nodes report (status.nodeInfo.kubeletVersion), lowest Kubernetes minor first. */
export function kubeletVersionsOf(nodes: readonly V1Node[]): { readonly node: string; readonly version: string; readonly minor: number }[] {
  const out: { node: string; version: string; minor: number }[] = [];
  for (const node of nodes) {
    const version = node.status?.nodeInfo?.kubeletVersion;
    const parsed = parseVersion(version);
    if (version && parsed && parsed.major === 1) out.push({ node: nodeName(node), version, minor: parsed.minor });
  }
  return out.sort((a, b) => a.minor - b.minor);
}

// ---- detection --------------------------------------------------------------------------------------------------

export interface DetectedProfile {
  readonly profile: HarvesterProfile;
  /** How it was chosen: "--profile harvester-1.5", "Harvester v1.5.1 (setting server-version)", "kubelet v1.32.3+rke2r1 on n1", or the fallback. */
  readonly source: string;
  /** True when nothing the cluster shows named a profile and harvester-1.4's is used. */
  readonly fallback: boolean;
  /** The Kubernetes minor the timers were derived from (the oldest kubelet's, else the profile's). */
  readonly kubernetesMinor: number;
  readonly timers: ClusterTimers;
  /** Things worth saying about the choice (mixed kubelet versions, a version that does not match the setting). */
  readonly remarks: readonly string[];
}

export interface ProfileEvidence {
  readonly nodes: readonly V1Node[];
  /** Harvester's version where readable (the harvesterhci.io/v1beta1 Setting server-version's value). */
  readonly harvesterVersion?: string | undefined;
}

/**
 * The profile for a cluster. An explicit choice wins; auto reads Harvester's version first, then the kubelets'
 * Kubernetes minor, else falls back to harvester-1.4's and says so. The node-monitor grace follows the oldest
 * kubelet's Kubernetes when one is known (a cluster mid-upgrade keeps the controller-manager of its servers).
 */
export function detectProfile(choice: ProfileChoice, evidence: ProfileEvidence): DetectedProfile {
  const kubelets = kubeletVersionsOf(evidence.nodes);
  const oldest = kubelets[0];
  const remarks: string[] = [];
  const minors = [...new Set(kubelets.map((k) => k.minor))];
  if (minors.length > 1)
    remarks.push(`nodes run different Kubernetes minors (${minors.map((m) => `1.${m}`).join(', ')}): timers follow the oldest`);
  let name: HarvesterProfileName;
  let source: string;
  let fallback = false;
  const fromHarvester = evidence.harvesterVersion ? profileForHarvesterVersion(evidence.harvesterVersion) : undefined;
  if (choice !== 'auto') {
    name = choice;
    source = `--profile ${choice}`;
  } else if (fromHarvester) {
    name = fromHarvester;
    source = `Harvester ${evidence.harvesterVersion} (setting server-version)`;
  } else if (oldest) {
    name = profileForKubernetesMinor(oldest.minor);
    source = `kubelet ${oldest.version} on ${oldest.node}`;
    if (evidence.harvesterVersion) remarks.push(`Harvester's version "${evidence.harvesterVersion}" names no known profile`);
  } else {
    name = FALLBACK_PROFILE;
    source = `no kubelet version and no Harvester version readable: falling back to ${FALLBACK_PROFILE}'s`;
    fallback = true;
  }
  const chosen = HARVESTER_PROFILES[name];
  const kubernetesMinor = oldest?.minor ?? chosen.kubernetesMinor;
  if (oldest && choice === 'auto' && fromHarvester && profileForKubernetesMinor(oldest.minor) !== name)
    remarks.push(`kubelet ${oldest.version} is not the Kubernetes ${name} ships (1.${chosen.kubernetesMinor}); timers follow the kubelet`);
  if (oldest && choice !== 'auto' && profileForKubernetesMinor(oldest.minor) !== name)
    remarks.push(`kubelet ${oldest.version} on ${oldest.node} suggests ${profileForKubernetesMinor(oldest.minor)}, not ${name}`);
  const witnesses = evidence.nodes.filter(isWitness).map(nodeName);
  if (witnesses.length > chosen.witness.max)
    remarks.push(`${witnesses.length} witness nodes (${witnesses.join(', ')}): Harvester allows ${chosen.witness.max}`);
  return { profile: chosen, source, fallback, kubernetesMinor, timers: rke2Timers(kubernetesMinor), remarks };
}

// ---- the endpoint availability is measured on -------------------------------------------------------------------

export type EndpointKind = 'rancher-proxy' | 'vip' | 'node' | 'unknown';

export interface MeasuredEndpoint {
  readonly server: string;
  readonly kind: EndpointKind;
  /** How long the endpoint itself may take to come back when the node serving it goes away (0: not at all). */
  readonly failoverMs: number;
  /** One line for the run's notes: what is measured and what the budget assumes. */
  readonly describe: string;
}

export interface EndpointEvidence {
  /** The Nodes' addresses (InternalIP, ExternalIP, Hostname) by node name. */
  readonly nodeAddresses: ReadonlyMap<string, readonly string[]>;
  /** Addresses kube-vip announces: LoadBalancer ingress IPs (and the Harvester VIP where known). */
  readonly vipAddresses: readonly string[];
}

/** Rancher's proxy to the local cluster: https://<vip or host>/k8s/clusters/local. */
const RANCHER_PROXY_PATH = /\/k8s\/clusters\/[^/]+\/?$/;

/**
 * What the kubeconfig's server reaches: Rancher's /k8s/clusters/<id> proxy (through the VIP's 443, then the Rancher
 * pod, then any API server), the VIP itself (kube-vip; on 6443 it reaches only the VIP holder's API server), or one
 * node's API server. Failover of the VIP is kube-vip's: the lease runs out, the next retry takes it.
 */
export function classifyEndpoint(
  server: string,
  evidence: EndpointEvidence,
  lease: KubeVipLease = KUBE_VIP_DEFAULT_LEASE,
): MeasuredEndpoint {
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  const host = (url?.hostname ?? '').replace(/^\[|\]$/g, '');
  const port = url?.port ? Number(url.port) : url?.protocol === 'http:' ? 80 : 443;
  const vipMs = kubeVipFailoverMs(lease);
  const leaseText = `kube-vip lease ${lease.leaseDurationMs / 1000} s + retry ${lease.retryPeriodMs / 1000} s`;
  if (url && RANCHER_PROXY_PATH.test(url.pathname)) {
    return {
      server,
      kind: 'rancher-proxy',
      failoverMs: vipMs,
      describe: `availability is measured through Rancher's proxy ${server} (VIP:${port} -> ingress -> Rancher -> an API server); the outage budget allows the VIP's failover (${leaseText}) and assumes Rancher's pod is not on a faulted node`,
    };
  }
  if (evidence.vipAddresses.includes(host)) {
    return {
      server,
      kind: 'vip',
      failoverMs: vipMs,
      describe:
        port === 6443
          ? `availability is measured on the VIP's port 6443 (${server}): it reaches only the VIP holder's API server; the outage budget allows the VIP's failover (${leaseText})`
          : `availability is measured on the VIP ${server}; the outage budget allows the VIP's failover (${leaseText})`,
    };
  }
  for (const [node, addresses] of evidence.nodeAddresses) {
    if (addresses.includes(host)) {
      return {
        server,
        kind: 'node',
        failoverMs: 0,
        describe: `availability is measured on node ${node}'s API server (${server}): no failover — while ${node} is down the endpoint is down`,
      };
    }
  }
  return {
    server,
    kind: 'unknown',
    failoverMs: vipMs,
    describe: `availability is measured on ${server}, which is neither a node's address nor a known VIP nor Rancher's proxy; the outage budget assumes a VIP behind it (${leaseText})`,
  };
}
