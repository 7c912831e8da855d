// What the harness tells a node agent: who the node is, where the API servers are, which timers to use.
import type { NodeRole } from '../../model/cluster.ts';
import { readFileSync } from 'node:fs';
import type { SandboxTimers } from '../topology.ts';
import type { HarvesterNodeConfig } from './harvester-profile-parts.ts';

export interface AgentConfig {
  readonly runId: string;
  readonly nodeName: string;
  readonly role: NodeRole;
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly timers: SandboxTimers;
  /** File listing the API server URLs on the cluster network (the harness rewrites it when servers change). */
  readonly apiEndpointsFile: string;
  /** Folder of the node's etcd member (data, unix socket, and the plan of a member added by a promotion). */
  readonly etcdDir: string;
  /** Present on nodes that start with an etcd member: the cluster it is created in. */
  readonly etcdMember?: EtcdMemberPlan;
  /**
   * Where a control-plane node serves the Kubernetes API, backed by its local etcd member: with `tls`, HTTPS on the
   * port (PEM files); `namespaces`, the ones it creates at start (default: Kubernetes' four and harvester-system).
   */
  readonly apiServer: {
    readonly port: number;
    readonly socketPath: string;
    readonly tls?: { readonly keyFile: string; readonly certFile: string };
    readonly namespaces?: readonly string[];
    /** Append the API server's audit log here (lib/sandbox/apiserver/audit-log.ts). */
    readonly auditLogPath?: string;
  };
  /**
   * The distribution the node runs (default 'harvester'): RKE2 with Harvester's controllers (etcd member removal on
   * Node deletion, the promote controller and its Job runner, k3s's learner promotion). 'kubeadm' is a kind node:
   * kube-controller-manager's controllers only, the kubelet talking to the cluster's control-plane endpoint (the
   * endpoints file), and control-plane joins done from outside (kubeadm join, which promotes its own learner).
   */
  readonly distribution?: 'harvester' | 'kubeadm';
  /** Module exporting selectPromoteNode, for the promote controller. */
  readonly promotionPolicy?: string;
  /** How promotions behave in the sandbox (see SandboxPromotionOptions). */
  readonly promotion?: SandboxPromotionOptions;
  /** How a deleted Node's finalizers are released in the sandbox (see SandboxNodeRemovalOptions). */
  readonly nodeRemoval?: SandboxNodeRemovalOptions;
  /** At the cluster's first start: the node whose Node must exist before this one registers (topology order). */
  readonly registerAfter?: string;
  /**
   * At the cluster's first start: a file the agent waits for, once loaded, before it starts anything (the harness
   * writes it when every control-plane Node is registered). A worker's process loads while the control planes start,
   * yet the worker registers only after them, as a Harvester cluster forms (sandbox-provider.ts startControlPlanes).
   */
  readonly startGateFile?: string;
  /**
   * The kubelet's configuration file (a KubeletConfiguration; only evictionHard is read, memory-pressure.ts), read at
   * start and on SIGHUP (a kubelet restart). Absent file: the kubelet's defaults.
   */
  readonly kubeletConfigFile?: string;
  /** The sandbox's Harvester profile: RKE2's etcd node metadata and kube-vip (harvester-profile-parts.ts). */
  readonly harvester?: HarvesterNodeConfig;
}

/**
 * How the sandbox's promotions behave. Node lists name the promoted node (true: every node).
 * - jobDelayMs: waited by the promote Job before its work (default 0);
 * - fail: the promote Job is marked failed (BackoffLimitExceeded) instead of promoting;
 * - failJobCreate: the promote controller's request creating the Job fails (after `running` was written), as an API
 *   error would: Harvester never creates it later, the promotion stays running;
 * - jobResyncMs: the promote controller's informer resync period (default Harvester's 10 h).
 */
export interface SandboxPromotionOptions {
  readonly jobDelayMs?: number;
  readonly fail?: boolean | readonly string[];
  readonly failJobCreate?: boolean | readonly string[];
  readonly jobResyncMs?: number;
}

/**
 * How the sandbox's Node finalizer controllers (harvester-node-finalizers.ts) handle a deleted Node:
 * - finalizerHoldMs: how long after its deletionTimestamp their removal handlers run and release the finalizers
 *   (default 0: at their next pass). Until then the Node stays Terminating (etcd member still there) and its
 *   agent keeps running, as a real cluster's controllers take seconds to a minute.
 */
export interface SandboxNodeRemovalOptions {
  readonly finalizerHoldMs?: number;
}

export interface EtcdMemberPlan {
  /** Every member the cluster has at this member's first start, itself included. */
  readonly initialCluster: readonly { readonly name: string; readonly peerUrl: string }[];
  readonly state: 'new' | 'existing';
  /** An etcd-only member (a promoted witness): the node runs no API server and no controllers. */
  readonly etcdOnly?: boolean;
}

export function readAgentConfig(path: string): AgentConfig {
  return JSON.parse(readFileSync(path, 'utf8')) as AgentConfig;
}

export function readApiEndpoints(path: string): string[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
