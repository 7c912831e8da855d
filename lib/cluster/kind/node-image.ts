// The one place the kind version and its node images are pinned, and the timers a node image's Kubernetes runs
// with. The cluster configs under fixtures/kind/ carry no image: the provider passes one with
// `kind create cluster --image`. The nightly workflow installs KIND_VERSION and runs KIND_NODE_IMAGES as its matrix
// (a test checks that .github/workflows/nightly-kind.yml says the same).
import type { ClusterTimers } from '../../model/cluster.ts';
import type { KindConfigTimers } from './kind-timers.ts';
import { SetupError } from '../../util/errors.ts';

/** The kind release the node images below were built for. */
export const KIND_VERSION = 'v0.28.0';

/**
 * Kubernetes 1.31 node image from the kind v0.28.0 release notes: the default. kind requires the digest: a tag
 * alone may name an image built for another kind release.
 */
export const KIND_NODE_IMAGE = 'kindest/node:v1.31.9@sha256:156da58ab617d0cb4f56bbdb4b493f4dc89725505347a4babde9e9544888bb92';

/**
 * Kubernetes 1.33 node image: kind v0.28.0's own default (kubernetes-sigs/kind v0.28.0,
 * pkg/apis/config/defaults/image.go). The nightly runs both, on either side of the node-monitor grace change.
 */
export const KIND_NODE_IMAGE_1_33 = 'kindest/node:v1.33.1@sha256:8d866994839cd096b3590681c55a6fa4a071fdaf33be7b9660e5697d2ed13002';

/** The node images the nightly workflow runs (its matrix). */
export const KIND_NODE_IMAGES: readonly string[] = [KIND_NODE_IMAGE, KIND_NODE_IMAGE_1_33];

export interface KubernetesVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * The Kubernetes version of a kind node image, from its tag (`kindest/node:v1.31.9[@sha256:...]`, any registry or
 * repository: kind's `kind build node-image` tags images with the Kubernetes version). A SetupError when the tag
 * names no version: the harness derives its timers from it and will not guess.
 */
export function kubernetesVersionOf(image: string): KubernetesVersion {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? withoutDigest.slice(colon + 1) : '';
  const match = /^v(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?$/.exec(tag);
  if (!match) {
    throw new SetupError(
      `kind node image ${JSON.stringify(image)}: its tag names no Kubernetes version (expected <repository>:v<major>.<minor>.<patch>, ` +
        `e.g. ${KIND_NODE_IMAGE}); the harness derives the cluster's timers from that version`,
    );
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** kube-controller-manager's default --node-monitor-grace-period: 40 s up to Kubernetes 1.31, 50 s from 1.32. */
export function nodeMonitorGraceMsFor(version: KubernetesVersion): number {
  return version.major > 1 || (version.major === 1 && version.minor >= 32) ? 50_000 : 40_000;
}

/**
 * The apiVersion of the kubeadm config kind v0.28.0 generates for a Kubernetes version (kubernetes-sigs/kind v0.28.0,
 * pkg/cluster/internal/kubeadm/config.go Config: v1beta3 from 1.23, v1beta2 before). kind applies a
 * kubeadmConfigPatches document that names an apiVersion only to a document of that apiVersion.
 */
export function kindKubeadmApiVersion(version: KubernetesVersion): string {
  return version.major === 1 && version.minor < 23 ? 'kubeadm.k8s.io/v1beta2' : 'kubeadm.k8s.io/v1beta3';
}

/** The kubelet renews its Lease every this fraction of nodeLeaseDurationSeconds (kubernetes pkg/kubelet/kubelet.go nodeLeaseRenewIntervalFraction). */
export const NODE_LEASE_RENEW_INTERVAL_FRACTION = 0.25;

/** KubeletConfiguration defaults (kubernetes pkg/kubelet/apis/config/v1beta1/defaults.go SetDefaults_KubeletConfiguration). */
const KUBELET_NODE_LEASE_DURATION_SECONDS = 40;
const KUBELET_NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
const KUBELET_NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;

/**
 * How often the node lifecycle controller hears from a healthy kubelet: the Lease renewal (a quarter of
 * nodeLeaseDurationSeconds), or the node status when the kubelet posts it more often. The kubelet computes its status
 * every nodeStatusUpdateFrequency and posts it unchanged once nodeStatusReportFrequency has passed (pkg/kubelet/
 * kubelet_node_status.go tryUpdateNodeStatus); the report frequency defaults to 5 min, or to the update frequency
 * when only that is set (defaults.go). Either one counts as a heartbeat (pkg/controller/nodelifecycle/
 * node_lifecycle_controller.go tryUpdateNodeHealth: a newer Ready heartbeat time or Lease renew time).
 */
function kubeletHeartbeatMsOf(config: KindConfigTimers): number {
  const leaseRenewMs = (config.nodeLeaseDurationSeconds ?? KUBELET_NODE_LEASE_DURATION_SECONDS) * 1000 * NODE_LEASE_RENEW_INTERVAL_FRACTION;
  const updateMs = config.nodeStatusUpdateFrequencyMs ?? KUBELET_NODE_STATUS_UPDATE_FREQUENCY_MS;
  const reportMs = config.nodeStatusReportFrequencyMs ?? config.nodeStatusUpdateFrequencyMs ?? KUBELET_NODE_STATUS_REPORT_FREQUENCY_MS;
  return Math.min(leaseRenewMs, Math.max(updateMs, reportMs));
}

/**
 * Timers of a kind cluster on this node image: kubeadm's defaults, overridden by what the kind config's
 * kubeadmConfigPatches set (kind-timers.ts parseKindConfigTimers). By default the kubelet renews its Lease every
 * 10 s; the node lifecycle controller marks a node NotReady after the node-monitor grace period without one
 * (docs/harvester-promotion-contract.md: 40 s up to 1.31, 50 s from 1.32); etcd runs its own defaults (heartbeat
 * 100 ms, election 1 s: kubeadm sets neither).
 */
export function kindTimersFor(image: string, config: KindConfigTimers = {}): ClusterTimers {
  const version = kubernetesVersionOf(image);
  return {
    kubeletHeartbeatMs: kubeletHeartbeatMsOf(config),
    nodeMonitorGraceMs: config.nodeMonitorGraceMs ?? nodeMonitorGraceMsFor(version),
    etcdHeartbeatMs: config.etcdHeartbeatMs ?? 100,
    etcdElectionTimeoutMs: config.etcdElectionTimeoutMs ?? 1_000,
  };
}

/** Timers of a cluster on the default image (KIND_NODE_IMAGE, Kubernetes 1.31). */
export const KIND_TIMERS: ClusterTimers = kindTimersFor(KIND_NODE_IMAGE);
