// The executors file, parsed: which executor carries out each fault kind, per cluster and per node, and the
// settings of each executor. Durations are milliseconds here; in the file they carry units ("30s").
import type { ClusterTimers } from '../../../model/cluster.ts';
import { isFaultKind, type FaultKind } from '../../../faults/catalogue.ts';
import type { CommandTemplate } from './template.ts';

export const EXECUTOR_TYPES = ['command', 'ipmi', 'kubevirt', 'api'] as const;
export type ExecutorType = (typeof EXECUTOR_TYPES)[number];

/** A command per node (per node pair for partition and drop), with the command that undoes it. */
export interface CommandChoice {
  readonly type: 'command';
  readonly run: CommandTemplate;
  readonly undo?: CommandTemplate;
  readonly timeoutMs: number;
}

export type ExecutorChoice = CommandChoice | { readonly type: 'ipmi' | 'kubevirt' | 'api' };

/**
 * The steps of a remove-host, each its own executor entry beside delete-node (harvester/docs docs/host/host.md,
 * "Deleting a Node": 5. maintenance mode, 6. run /opt/rke2/bin/rke2-uninstall.sh and shut the node down, 7. delete
 * the host, which is a plain Node DELETE: the delete-node entry). maintenance is optional (default: cordon + drain
 * through the API); at least one of uninstall and poweroff is needed.
 */
export const HOST_STEPS = ['maintenance', 'uninstall', 'poweroff'] as const;
export type HostStep = (typeof HOST_STEPS)[number];
/**
 * What an executors file names: fault kinds (remove-host is its steps, never an entry of its own; a rejoin, which
 * reinstalls a host, is none: an existing cluster's hosts are not the harness's to reinstall) and host steps.
 */
export type ExecutorKey = Exclude<FaultKind, 'remove-host' | 'rejoin'> | HostStep;

/** Which executors can carry out which fault kind or host step (and what they do for it). */
export const EXECUTORS_FOR: Readonly<Record<ExecutorKey, readonly ExecutorType[]>> = {
  kill: ['command', 'ipmi', 'kubevirt'],
  restart: ['command', 'ipmi', 'kubevirt'],
  pause: ['command', 'kubevirt'],
  resume: ['command', 'kubevirt'],
  isolate: ['command'],
  partition: ['command'],
  drop: ['command'],
  heal: ['command'],
  // The node's kubelet given a hard eviction threshold it cannot meet, then restarted; relieve puts it back.
  'memory-pressure': ['command'],
  relieve: ['command'],
  'delete-node': ['api'],
  'force-delete-node': ['api'],
  maintenance: ['api', 'command'],
  uninstall: ['command'],
  poweroff: ['ipmi', 'kubevirt', 'command'],
};

export const EXECUTOR_KEYS = Object.keys(EXECUTORS_FOR) as ExecutorKey[];

/** Fault kinds whose command templates may name the node at the other end ({peer.*}). */
export const PAIR_FAULTS: readonly ExecutorKey[] = ['partition', 'drop'];
/** The cuts: their commands may take {fault.ports} (a cut limited to ports). */
export const CUT_FAULTS: readonly ExecutorKey[] = ['isolate', 'partition', 'drop'];

export interface IpmiSettings {
  /** Environment variable holding the BMC user name (passed as -U). */
  readonly userEnv: string;
  /** Environment variable holding the password; handed to ipmitool as IPMI_PASSWORD, read by -E. */
  readonly passwordEnv: string;
  /** ipmitool interface (-I). */
  readonly interface: string;
  /** The ipmitool program (absolute, or looked up on PATH). */
  readonly command: string;
  readonly timeoutMs: number;
}

export interface KubevirtSettings {
  /** Kubeconfig of the OUTER cluster, the one running the nodes as VirtualMachines (absolute path). */
  readonly kubeconfig: string;
  readonly context?: string;
  /** Namespace of VMs named without one. */
  readonly namespace: string;
  /** Grace period of a `stop` used to kill a node (0: power off at once). */
  readonly stopGracePeriodMs: number;
  readonly timeoutMs: number;
}

export interface VmRef {
  readonly namespace: string;
  readonly name: string;
}

/** What the file says about one node. Executors given here override the cluster-wide ones for this node. */
export interface NodeSettings {
  readonly address?: string;
  readonly bmc?: string;
  /** The node's VirtualMachine in the outer cluster (default: the node's name in kubevirt.namespace). */
  readonly vm?: { readonly namespace?: string; readonly name: string };
  readonly faults: ReadonlyMap<ExecutorKey, ExecutorChoice>;
}

/** The command that shows etcd members and leader as JSON; run once, no placeholders. */
export interface EtcdCommandSettings {
  readonly run: CommandTemplate;
  readonly timeoutMs: number;
}

export interface ExecutorsConfig {
  /** The file it was read from (absolute), for messages. */
  readonly file: string;
  readonly faults: ReadonlyMap<ExecutorKey, ExecutorChoice>;
  readonly nodes: ReadonlyMap<string, NodeSettings>;
  readonly ipmi?: IpmiSettings;
  readonly kubevirt?: KubevirtSettings;
  readonly etcd?: EtcdCommandSettings;
  /** The cluster's timers, when they differ from a stock Harvester's. */
  readonly timers?: Partial<ClusterTimers>;
  /** The cluster runs on the harness's machine (a sandbox, VMs on this host): it shares the harness's CPUs. */
  readonly onHarnessMachine?: boolean;
}

/** The executor for a fault on a node: the node's own, else the cluster-wide one, else none. */
export function executorFor(config: ExecutorsConfig, kind: ExecutorKey, node?: string): ExecutorChoice | undefined {
  return (node === undefined ? undefined : config.nodes.get(node)?.faults.get(kind)) ?? config.faults.get(kind);
}

/** Why a node cannot be removed as a host with this file (the entries it lacks), or undefined when it can. */
export function removeHostGap(config: ExecutorsConfig, node?: string): string | undefined {
  const missing: string[] = [];
  if (!executorFor(config, 'uninstall', node) && !executorFor(config, 'poweroff', node)) missing.push('uninstall or poweroff');
  if (!executorFor(config, 'delete-node', node)) missing.push('delete-node');
  return missing.length === 0 ? undefined : `remove-host needs ${missing.join(' and ')}`;
}

/**
 * Fault kinds with an executor for at least one node; heal comes with any network fault (undoing it), remove-host
 * with uninstall or poweroff plus delete-node (maintenance defaults to the API).
 */
export function configuredFaults(config: ExecutorsConfig | undefined): Set<FaultKind> {
  const kinds = new Set<FaultKind>();
  if (!config) return kinds;
  const keys = [...config.faults.keys(), ...[...config.nodes.values()].flatMap((node) => [...node.faults.keys()])];
  for (const key of keys) if (isFaultKind(key)) kinds.add(key);
  if (kinds.has('isolate') || kinds.has('partition') || kinds.has('drop')) kinds.add('heal');
  const nodes = [undefined, ...config.nodes.keys()];
  if (nodes.some((node) => removeHostGap(config, node) === undefined)) kinds.add('remove-host');
  return kinds;
}

export function vmOf(config: ExecutorsConfig, node: string): VmRef {
  const vm = config.nodes.get(node)?.vm;
  return { namespace: vm?.namespace ?? config.kubevirt?.namespace ?? 'default', name: vm?.name ?? node };
}
