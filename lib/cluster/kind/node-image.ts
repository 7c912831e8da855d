// The one place the kind version and its node image are pinned. The cluster configs under fixtures/kind/ carry no
// image: the provider passes this one with `kind create cluster --image`. The nightly workflow installs KIND_VERSION
// (a test checks that .github/workflows/nightly-kind.yml says the same).
import type { ClusterTimers } from '../../model/cluster.ts';

/** The kind release the node image below was built for. */
export const KIND_VERSION = 'v0.28.0';

/**
 * Kubernetes 1.31 node image from the kind v0.28.0 release notes. kind requires the digest: a tag alone may name an
 * image built for another kind release.
 */
export const KIND_NODE_IMAGE = 'kindest/node:v1.31.9@sha256:156da58ab617d0cb4f56bbdb4b493f4dc89725505347a4babde9e9544888bb92';

/**
 * Timers of a kind cluster: kubeadm's defaults for Kubernetes 1.31 (the configs do not compress them). The kubelet
 * renews its Lease every 10 s; the node lifecycle controller marks a node NotReady after 40 s without one.
 */
export const KIND_TIMERS: ClusterTimers = {
  kubeletHeartbeatMs: 10_000,
  nodeMonitorGraceMs: 40_000,
  etcdHeartbeatMs: 100,
  etcdElectionTimeoutMs: 1_000,
};
