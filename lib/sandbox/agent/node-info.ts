// What the sandbox kubelet reports about its node: status.addresses and status.nodeInfo, as kubelet's status setters
// fill them (kubernetes pkg/kubelet/nodestatus/setters.go):
// - NodeAddress: without a cloud provider, InternalIP is the node IP (--node-ip; here the node's address in its
//   network namespace) and Hostname the node's hostname (here its name);
// - MachineInfo: machineID, systemUUID and bootID from cAdvisor (/etc/machine-id, the DMI product UUID,
//   /proc/sys/kernel/random/boot_id). Sandbox nodes share one host, so these are the node's own: machineID and
//   systemUUID derived from the node name (stable across restarts, distinct per node), bootID new per start (an
//   agent restart is the node's reboot; kubelet records a "Rebooted" event when bootID changes);
// - VersionInfo: kernelVersion and osImage from cAdvisor (uname -r, /etc/os-release PRETTY_NAME),
//   containerRuntimeVersion "<runtime type>://<runtime version>", kubeletVersion and kubeProxyVersion the kubelet's
//   own version (1.30's kubelet still sets kubeProxyVersion; 1.31 clears it under DisableNodeKubeProxyVersion);
// - GoRuntime: operatingSystem and architecture, runtime.GOOS and runtime.GOARCH.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { V1NodeAddress, V1NodeSystemInfo } from '@kubernetes/client-node';
import { SERVER_GIT_VERSION } from '../apiserver/discovery.ts';

/** The kubelet version the sandbox reports: the Kubernetes version its API server claims (/version). */
export const KUBELET_VERSION = SERVER_GIT_VERSION;

/** The sandbox runs no container runtime; its own name and version stand in for one ("<type>://<version>"). */
export const CONTAINER_RUNTIME_VERSION = `cpchaos://${SERVER_GIT_VERSION.replace(/^v/, '')}`;

/** Go's GOARCH for Node's process.arch (the names Kubernetes' kubernetes.io/arch label uses). */
export function goArch(arch: string = process.arch): string {
  const names: Readonly<Record<string, string>> = {
    x64: 'amd64',
    ia32: '386',
    arm: 'arm',
    arm64: 'arm64',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return names[arch] ?? arch;
}

/** PRETTY_NAME of an os-release file's text, as cAdvisor reads it; "Linux" when there is none. */
export function osImageOf(osRelease: string | undefined): string {
  const line = osRelease?.split('\n').find((l) => l.startsWith('PRETTY_NAME='));
  const value = line
    ?.slice('PRETTY_NAME='.length)
    .trim()
    .replace(/^"(.*)"$/, '$1');
  return value || 'Linux';
}

function readOsRelease(): string | undefined {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      // try the next
    }
  }
  return undefined;
}

function nodeHash(nodeName: string): string {
  return createHash('sha256').update(`cpchaos-node:${nodeName}`).digest('hex');
}

/** A machine-id (32 lower-case hex digits) of the node, stable for its name. */
export function machineIdOf(nodeName: string): string {
  return nodeHash(nodeName).slice(0, 32);
}

/** A DMI-style system UUID of the node, stable for its name. */
export function systemUuidOf(nodeName: string): string {
  const h = nodeHash(nodeName).slice(32, 64);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** status.addresses of a node (NodeAddress without a cloud provider: the node IP, then the hostname). */
export function nodeAddresses(nodeName: string, address: string): V1NodeAddress[] {
  return [
    { type: 'InternalIP', address },
    { type: 'Hostname', address: nodeName },
  ];
}

/** status.nodeInfo of a node; `bootId` is the one of this start of the node. */
export function nodeSystemInfo(nodeName: string, bootId: string = randomUUID()): V1NodeSystemInfo {
  return {
    machineID: machineIdOf(nodeName),
    systemUUID: systemUuidOf(nodeName),
    bootID: bootId,
    kernelVersion: os.release(),
    osImage: osImageOf(readOsRelease()),
    containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: KUBELET_VERSION,
    operatingSystem: os.platform(),
    architecture: goArch(),
  };
}
