// Which kind config file a topology maps to, how kind names the nodes it creates, and the labels the provider puts
// on them. The configs live in fixtures/kind/ (one per shape); kind names nodes `<cluster>-control-plane`,
// `<cluster>-control-plane2`, ..., `<cluster>-worker`, `<cluster>-worker2`, ..., plus `<cluster>-external-load-balancer`
// when there are several control planes.
import type { NodeRole } from '../../model/cluster.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  CONTROL_PLANE_ROLE_LABEL,
  ETCD_ROLE_LABEL,
  HARVESTER_MANAGED_LABEL,
  MASTER_ROLE_LABEL,
  ZONE_LABEL,
} from '../../harvester/contract.ts';
import { SetupError } from '../../util/errors.ts';

/** Clusters the harness creates are named with this prefix, so cleanup can tell them from anyone else's. */
export const CLUSTER_PREFIX = 'cpchaos-';
export const LOAD_BALANCER_SUFFIX = 'external-load-balancer';

export const DEFAULT_KIND_CONFIG_DIR = fileURLToPath(new URL('../../../fixtures/kind/', import.meta.url));

/** The shapes there is a config for: file name by control planes and workers. */
export const KIND_CONFIGS: readonly { readonly file: string; readonly controlPlanes: number; readonly workers: number }[] = [
  { file: 'cp3-w0.yaml', controlPlanes: 3, workers: 0 },
  { file: 'cp3-w1.yaml', controlPlanes: 3, workers: 1 },
  { file: 'cp3-w2.yaml', controlPlanes: 3, workers: 2 },
  { file: 'cp5-w0.yaml', controlPlanes: 5, workers: 0 },
];

/** A node as a topology asks for it; kind picks the name, so a name given here is ignored. */
export interface KindTopologyNode {
  readonly role: NodeRole;
  readonly zone?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The sandbox's topology options fit this shape: counts, or nodes in order (timers and names are ignored). */
export interface KindTopologyOptions {
  readonly controlPlanes?: number;
  readonly workers?: number;
  readonly nodes?: readonly KindTopologyNode[];
}

export interface PlannedNode {
  readonly name: string;
  readonly role: NodeRole;
  readonly labels: Readonly<Record<string, string>>;
  readonly zone?: string;
}

export interface KindPlan {
  readonly clusterName: string;
  readonly configFile: string;
  /** The config file's text, as read for this plan (its kubeadmConfigPatches set the cluster's timers). */
  readonly configText: string;
  readonly nodes: readonly PlannedNode[];
}

export function clusterNameFor(runId: string): string {
  return `${CLUSTER_PREFIX}${runId}`;
}

/** kind's name for the index-th node (from 0) of a role. */
export function kindNodeName(cluster: string, role: NodeRole, index: number): string {
  return `${cluster}-${role}${index === 0 ? '' : String(index + 1)}`;
}

export function isLoadBalancer(cluster: string, container: string): boolean {
  return container === `${cluster}-${LOAD_BALANCER_SUFFIX}`;
}

/** Labels a Harvester node registers with: managed on all, the three management roles on control planes. */
export function harvesterLabels(role: NodeRole): Record<string, string> {
  return role === 'control-plane'
    ? { [HARVESTER_MANAGED_LABEL]: 'true', [CONTROL_PLANE_ROLE_LABEL]: 'true', [ETCD_ROLE_LABEL]: 'true', [MASTER_ROLE_LABEL]: 'true' }
    : { [HARVESTER_MANAGED_LABEL]: 'true' };
}

/** Counts of each role in a kind config (kind.x-k8s.io/v1alpha4 Cluster). */
export function parseKindConfig(text: string, file: string): { controlPlanes: number; workers: number } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new SetupError(`kind config ${file}: not YAML (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
  const config = doc as { kind?: unknown; apiVersion?: unknown; nodes?: unknown } | null;
  if (config?.kind !== 'Cluster' || config.apiVersion !== 'kind.x-k8s.io/v1alpha4') {
    throw new SetupError(`kind config ${file}: expected kind: Cluster and apiVersion: kind.x-k8s.io/v1alpha4`);
  }
  if (!Array.isArray(config.nodes) || config.nodes.length === 0)
    throw new SetupError(`kind config ${file}: nodes: expected a list of nodes`);
  let controlPlanes = 0;
  let workers = 0;
  config.nodes.forEach((node: unknown, i) => {
    const role = (node as { role?: unknown } | null)?.role;
    if (role === 'control-plane') controlPlanes++;
    else if (role === 'worker') workers++;
    else throw new SetupError(`kind config ${file}: nodes[${i}].role: expected control-plane or worker, got ${JSON.stringify(role)}`);
  });
  if (controlPlanes === 0) throw new SetupError(`kind config ${file}: at least one control-plane node is needed`);
  return { controlPlanes, workers };
}

function countsOf(topology: KindTopologyOptions): { controlPlanes: number; workers: number } {
  if (topology.nodes) {
    return {
      controlPlanes: topology.nodes.filter((n) => n.role === 'control-plane').length,
      workers: topology.nodes.filter((n) => n.role === 'worker').length,
    };
  }
  return { controlPlanes: topology.controlPlanes ?? 3, workers: topology.workers ?? 1 };
}

/** A kind config file's text; a SetupError naming the file when it cannot be read. */
export function readKindConfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new SetupError(`kind config ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
}

/**
 * The config file and the nodes it will give. Without `configFile`, the topology's counts pick one of KIND_CONFIGS;
 * with it, the file must have the counts the topology asks for. Zones and extra labels go to the topology's nodes
 * in order within each role: its first control plane is kind's `-control-plane`, its second `-control-plane2`.
 */
export function planKindCluster(
  clusterName: string,
  topology: KindTopologyOptions = {},
  options: { configDir?: string; configFile?: string } = {},
): KindPlan {
  const wanted = countsOf(topology);
  let configFile = options.configFile;
  if (!configFile) {
    const match = KIND_CONFIGS.find((c) => c.controlPlanes === wanted.controlPlanes && c.workers === wanted.workers);
    if (!match) {
      const shapes = KIND_CONFIGS.map((c) => `${c.controlPlanes}+${c.workers}`).join(', ');
      throw new SetupError(
        `kind topology: no kind config for ${wanted.controlPlanes} control plane(s) and ${wanted.workers} worker(s) (there are configs for ${shapes}; add one to fixtures/kind/ and KIND_CONFIGS)`,
      );
    }
    configFile = join(options.configDir ?? DEFAULT_KIND_CONFIG_DIR, match.file);
  }
  const configText = readKindConfig(configFile);
  const counts = parseKindConfig(configText, configFile);
  if (topology.nodes || topology.controlPlanes !== undefined || topology.workers !== undefined || options.configFile === undefined) {
    if (counts.controlPlanes !== wanted.controlPlanes || counts.workers !== wanted.workers) {
      throw new SetupError(
        `kind config ${configFile} has ${counts.controlPlanes} control plane(s) and ${counts.workers} worker(s), the topology asks for ${wanted.controlPlanes} and ${wanted.workers}`,
      );
    }
  }
  const specs = topology.nodes ?? [];
  const plannedOf = (role: NodeRole, count: number): PlannedNode[] => {
    const ofRole = specs.filter((n) => n.role === role);
    return Array.from({ length: count }, (_, i) => {
      const spec = ofRole[i];
      const zone = spec?.zone;
      return {
        name: kindNodeName(clusterName, role, i),
        role,
        labels: { ...harvesterLabels(role), ...(spec?.labels ?? {}), ...(zone ? { [ZONE_LABEL]: zone } : {}) },
        ...(zone ? { zone } : {}),
      };
    });
  };
  return {
    clusterName,
    configFile,
    configText,
    nodes: [...plannedOf('control-plane', counts.controlPlanes), ...plannedOf('worker', counts.workers)],
  };
}
