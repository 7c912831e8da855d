// The Harvester profile of an attached cluster, and what the run says about it: which profile (and from what), the
// timers it runs with (the profile's, then the executors file's, then the caller's), and the endpoint availability
// is measured on with its failover. Reads are best effort: what cannot be read is named, never fatal.
import type { ClusterTimers } from '../../model/cluster.ts';
import { CustomObjectsApi, type CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { classifyEndpoint, detectProfile, type MeasuredEndpoint, type ProfileChoice } from '../../harvester/profiles.ts';
import { nodeName } from '../../harvester/contract.ts';
import { requestWithDeadline } from '../../util/api-deadline.ts';

/** Harvester's Setting that holds its version (harvester/harvester pkg/settings: server-version). */
const SERVER_VERSION = { group: 'harvesterhci.io', version: 'v1beta1', plural: 'settings', name: 'server-version' } as const;

/** Harvester's version from the server-version Setting (its value, else its default), or undefined when unreadable. */
export async function readHarvesterVersion(kubeConfig: KubeConfig, deadlineMs: number): Promise<string | undefined> {
  try {
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const setting = (await requestWithDeadline('the server-version Setting', deadlineMs, (options) =>
      api.getClusterCustomObject(SERVER_VERSION, options),
    )) as {
      value?: unknown;
      default?: unknown;
    };
    const value = typeof setting.value === 'string' && setting.value !== '' ? setting.value : setting.default;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Addresses of LoadBalancer Services (kube-vip announces Harvester's VIP for one), or none when unreadable. */
export async function readLoadBalancerAddresses(core: CoreV1Api, deadlineMs: number): Promise<string[]> {
  try {
    const list = await requestWithDeadline('the LoadBalancer Services', deadlineMs, (options) =>
      core.listServiceForAllNamespaces({}, options),
    );
    const out = new Set<string>();
    for (const service of list.items) {
      if (service.spec?.type !== 'LoadBalancer') continue;
      if (service.spec.loadBalancerIP) out.add(service.spec.loadBalancerIP);
      for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
        if (ingress.ip) out.add(ingress.ip);
        if (ingress.hostname) out.add(ingress.hostname);
      }
    }
    return [...out];
  } catch {
    return [];
  }
}

export interface AttachmentInput {
  readonly choice: ProfileChoice;
  readonly v1Nodes: readonly V1Node[];
  readonly harvesterVersion?: string | undefined;
  readonly vipAddresses: readonly string[];
  /** The kubeconfig's server: where the write sampler measures availability. */
  readonly server: string;
  readonly fileTimers?: Partial<ClusterTimers> | undefined;
  readonly fileName?: string | undefined;
  readonly optionTimers?: Partial<ClusterTimers> | undefined;
}

export interface Attachment {
  readonly timers: ClusterTimers;
  readonly endpoint: MeasuredEndpoint;
  readonly notes: readonly string[];
}

const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

function describeTimers(t: ClusterTimers): string {
  return `kubelet ${seconds(t.kubeletHeartbeatMs)}, node-monitor grace ${seconds(t.nodeMonitorGraceMs)}, etcd heartbeat ${seconds(t.etcdHeartbeatMs)} / election ${seconds(t.etcdElectionTimeoutMs)}`;
}

/** The profile, timers and measured endpoint of an attached cluster, with the notes that say where each came from. */
export function describeAttachment(input: AttachmentInput): Attachment {
  const detected = detectProfile(input.choice, { nodes: input.v1Nodes, harvesterVersion: input.harvesterVersion });
  const timers: ClusterTimers = { ...detected.timers, ...input.fileTimers, ...input.optionTimers };
  const nodeAddresses = new Map<string, string[]>(
    input.v1Nodes.map((n) => [nodeName(n), (n.status?.addresses ?? []).map((a) => a.address)]),
  );
  const endpoint = classifyEndpoint(input.server, { nodeAddresses, vipAddresses: input.vipAddresses }, detected.profile.vip.lease);
  const notes = [
    `profile ${detected.profile.name} (${detected.source}): ${describeTimers(detected.timers)}; etcd members named <node>-<8 hex> (RKE2); at most ${detected.profile.witness.max} witness (etcd only)`,
    ...detected.remarks.map((r) => `profile: ${r}`),
  ];
  const overridden = [
    ...(input.fileTimers && Object.keys(input.fileTimers).length > 0 ? [`the executors file ${input.fileName ?? ''}`.trimEnd()] : []),
    ...(input.optionTimers && Object.keys(input.optionTimers).length > 0 ? ['the options'] : []),
  ];
  if (overridden.length > 0) notes.push(`timers given by ${overridden.join(' and ')} win over the profile's: ${describeTimers(timers)}`);
  notes.push(`endpoint ${endpoint.kind}: ${endpoint.describe}`);
  return { timers, endpoint, notes };
}
