// The one place the kind version and its node images are pinned, and the timers a node image's Kubernetes runs
// with. The cluster configs under fixtures/kind/ carry no image: the provider passes one with
// `kind create cluster --image`. The nightly workflow installs KIND_VERSION and runs KIND_NODE_IMAGES as its matrix
// (a test checks that .github/workflows/nightly-kind.yml says the same).
import type { ClusterTimers } from '../../model/cluster.ts';
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
 * Timers of a kind cluster on this node image: kubeadm's defaults (the configs do not compress them). The kubelet
 * renews its Lease every 10 s; the node lifecycle controller marks a node NotReady after the node-monitor grace
 * period without one (docs/harvester-promotion-contract.md: 40 s up to 1.31, 50 s from 1.32); etcd runs its own
 * defaults (heartbeat 100 ms, election 1 s: kubeadm sets neither).
 */
export function kindTimersFor(image: string): ClusterTimers {
  return {
    kubeletHeartbeatMs: 10_000,
    nodeMonitorGraceMs: nodeMonitorGraceMsFor(kubernetesVersionOf(image)),
    etcdHeartbeatMs: 100,
    etcdElectionTimeoutMs: 1_000,
  };
}

/** Timers of a cluster on the default image (KIND_NODE_IMAGE, Kubernetes 1.31). */
export const KIND_TIMERS: ClusterTimers = kindTimersFor(KIND_NODE_IMAGE);
