// The timers a kind config sets through kind's `kubeadmConfigPatches` (kind.x-k8s.io/v1alpha4 Cluster, top level and
// per node), read the way kind and kubeadm apply them, so the harness budgets and waits by the timers the cluster
// really runs with (a config may compress them to make runs faster).
//
// How kind v0.28.0 applies the patches (kubernetes-sigs/kind v0.28.0):
//   - pkg/cluster/internal/kubeadm/config.go Config: the kubeadm config it generates is kubeadm.k8s.io/v1beta3 for
//     Kubernetes 1.23 and later (v1beta2 before; v1beta4 only from kind v0.32.0, for Kubernetes 1.36+), with a
//     kubelet.config.k8s.io/v1beta1 KubeletConfiguration. It sets none of the timers read here.
//   - pkg/internal/patch/mergepatch.go, resource.go: each patch string may hold several YAML documents; each is an
//     RFC 7386 JSON merge patch applied to the generated document of the same `kind`, and only when the patch's
//     `apiVersion`, if it has one, is that document's (resource.matches). A patch naming another apiVersion is
//     skipped silently: so it is here (configs written for several kind versions carry one patch per version).
//   - pkg/cluster/internal/create/actions/config/config.go getKubeadmConfig: cluster-level patches first, then the
//     node's own, for each node's config file.
// Which node's config counts: kind runs `kubeadm init` on the first control plane (nodeutils.BootstrapControlPlaneNode:
// `<cluster>-control-plane`, the first control-plane node of the config), and `kubeadm join` on every other node.
// kubeadm join takes the ClusterConfiguration and the KubeletConfiguration from the cluster (the kubeadm-config and
// kubelet-config ConfigMaps the init node uploaded: kubernetes cmd/kubeadm/app/cmd/join.go
// fetchInitConfigurationFromJoinConfiguration; kind's configuration.md notes the same for KubeletConfiguration).
// So the timers are the cluster-level patches plus the first control plane's own: other nodes' per-node patches of
// these two kinds do not take effect, even if they disagree (they are still checked for bad input).
//
// Both kubeadm shapes of `extraArgs` are read: v1beta3 (and v1beta2) a map of flag to value, v1beta4 a list of
// {name, value}. kind v0.28.0 generates v1beta3, so that is the shape its kubeadm accepts; the list shape is for
// configs written for v1beta4 (the kind twin reads the same configs).
//
// Patches through `kubeadmConfigPatchesJSON6902` are not evaluated: one that touches a timer read here is refused
// (bad input), so the harness never budgets by timers the cluster does not run with.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { SetupError } from '../../util/errors.ts';
import { formatDuration } from '../../util/duration.ts';
import type { ClusterTimers } from '../../model/cluster.ts';
import { parseGoDuration } from './go-duration.ts';
import { kindKubeadmApiVersion, kindTimersFor, kubernetesVersionOf } from './node-image.ts';

/** Timers a kind config's patches set; a field is absent when the patches leave it at its default. */
export interface KindConfigTimers {
  /** kube-controller-manager --node-monitor-grace-period. */
  readonly nodeMonitorGraceMs?: number;
  /** kube-controller-manager --node-monitor-period: how often the node lifecycle controller checks (default 5 s). */
  readonly nodeMonitorPeriodMs?: number;
  /** kube-controller-manager --leader-elect-lease-duration (default 15 s). */
  readonly controllerManagerLeaseMs?: number;
  /** kube-controller-manager --leader-elect-renew-deadline (default 10 s). */
  readonly controllerManagerRenewDeadlineMs?: number;
  /** kube-controller-manager --leader-elect-retry-period (default 2 s). */
  readonly controllerManagerRetryPeriodMs?: number;
  /** KubeletConfiguration nodeLeaseDurationSeconds (default 40): the kubelet renews its Lease every quarter of it. */
  readonly nodeLeaseDurationSeconds?: number;
  /** KubeletConfiguration nodeStatusUpdateFrequency (default 10 s). */
  readonly nodeStatusUpdateFrequencyMs?: number;
  /** KubeletConfiguration nodeStatusReportFrequency (default 5 min, or nodeStatusUpdateFrequency when that is set). */
  readonly nodeStatusReportFrequencyMs?: number;
  /** etcd --heartbeat-interval (etcd.local.extraArgs, milliseconds). */
  readonly etcdHeartbeatMs?: number;
  /** etcd --election-timeout (etcd.local.extraArgs, milliseconds). */
  readonly etcdElectionTimeoutMs?: number;
}

export interface KindConfigTimerOptions {
  /** The apiVersion of the ClusterConfiguration kind generates for the node image (kindKubeadmApiVersion). */
  readonly kubeadmApiVersion: string;
}

const CLUSTER_CONFIGURATION = 'ClusterConfiguration';
const KUBELET_CONFIGURATION = 'KubeletConfiguration';
/** The KubeletConfiguration apiVersion kind generates (config.go, every template). */
const KUBELET_API_VERSION = 'kubelet.config.k8s.io/v1beta1';
/** etcd refuses a longer election timeout (server/embed/config.go maxElectionMs). */
const ETCD_MAX_ELECTION_MS = 50_000;
/** client-go tools/leaderelection/leaderelection.go JitterFactor. */
const LEADER_ELECTION_JITTER_FACTOR = 1.2;

type Path = readonly (string | number)[];

/** A bad field inside one patch document: where (a path in the document) and what was expected. */
class FieldError extends Error {
  constructor(
    readonly path: Path,
    message: string,
  ) {
    super(message);
  }
}

/** One patch string of the config, where it sits, and how its lines map to the config file's. */
interface PatchSource {
  /** Its path in the kind config: kubeadmConfigPatches[0], nodes[1].kubeadmConfigPatches[0]. */
  readonly where: string;
  readonly text: string;
  /** Line of the config file the patch's line n is on: lineOffset + n (block literals), else the item's line. */
  readonly lineOf: (innerLine: number | undefined) => number;
  /** Whether it takes effect: cluster-level patches and the first control plane's own. */
  readonly effective: boolean;
}

interface PatchDocument {
  readonly kind: string;
  readonly apiVersion: string | undefined;
  readonly body: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function displayPath(path: Path): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key), '');
}

/** RFC 7386 JSON merge patch, as kind applies it (evanphx/json-patch MergePatch). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** A Go duration field: positive, in whole milliseconds at least 1. */
function goDurationMs(value: unknown, path: Path): number {
  const example = 'a Go duration such as 40s';
  if (typeof value !== 'string') throw new FieldError(path, `expected ${example} (a string), got ${JSON.stringify(value)}`);
  const parsed = parseGoDuration(value);
  if (!parsed.ok) throw new FieldError(path, `expected ${example}, got ${JSON.stringify(value)}`);
  if (parsed.ms < 1) throw new FieldError(path, `expected ${example} of 1ms or more, got ${JSON.stringify(value)}`);
  return Math.round(parsed.ms);
}

/** An etcd millisecond flag: a whole number of milliseconds, as a string (kubeadm's extraArgs values are strings). */
function etcdMs(value: unknown, path: Path): number {
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value) || Number(value) < 1) {
    throw new FieldError(
      path,
      `expected a whole number of milliseconds as a string such as "100" (etcd's flag has no unit), got ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

/** A flag's value from extraArgs: kubeadm passes them to the component as strings (extraArgs is map[string]string). */
function flagValue(value: unknown, path: Path): unknown {
  if (typeof value === 'string') return value;
  throw new FieldError(path, `expected a string (kubeadm's extraArgs values are strings: quote it), got ${JSON.stringify(value)}`);
}

/**
 * The flags of an `extraArgs`, by name with the path of each value: v1beta3's map of flag to value, or v1beta4's
 * list of {name, value} (a name given twice: the last wins, as the component's flag parser keeps the last).
 */
function extraArgs(value: unknown, path: Path): Map<string, { value: unknown; path: Path }> {
  const flags = new Map<string, { value: unknown; path: Path }>();
  if (value === undefined || value === null) return flags;
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      if (!isRecord(item) || typeof item['name'] !== 'string') {
        throw new FieldError([...path, i], `expected {name, value} (a kubeadm v1beta4 extraArgs item), got ${JSON.stringify(item)}`);
      }
      flags.set(item['name'], { value: item['value'], path: [...path, i, 'value'] });
    });
    return flags;
  }
  if (isRecord(value)) {
    // A null removes the flag (RFC 7386): nothing to read in this patch.
    for (const [name, flag] of Object.entries(value)) if (flag !== null) flags.set(name, { value: flag, path: [...path, name] });
    return flags;
  }
  throw new FieldError(
    path,
    `expected a map of flag: value (kubeadm v1beta3) or a list of {name, value} (kubeadm v1beta4), got ${JSON.stringify(value)}`,
  );
}

/** A section (controllerManager, etcd.local) that must be a map when present. */
function section(body: Record<string, unknown>, path: Path): Record<string, unknown> | undefined {
  let value: unknown = body;
  for (const key of path) {
    if (!isRecord(value)) return undefined;
    value = value[key as string];
  }
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new FieldError(path, `expected a map, got ${JSON.stringify(value)}`);
  return value;
}

/** The timers a ClusterConfiguration (or a patch of one) sets. */
function clusterConfigurationTimers(body: Record<string, unknown>): KindConfigTimers {
  const timers: { -readonly [K in keyof KindConfigTimers]: KindConfigTimers[K] } = {};
  const controllerManager = section(body, ['controllerManager']);
  if (controllerManager) {
    const flags = extraArgs(controllerManager['extraArgs'], ['controllerManager', 'extraArgs']);
    const duration = (name: string): number | undefined => {
      const flag = flags.get(name);
      return flag ? goDurationMs(flagValue(flag.value, flag.path), flag.path) : undefined;
    };
    const grace = duration('node-monitor-grace-period');
    const period = duration('node-monitor-period');
    const lease = duration('leader-elect-lease-duration');
    const renew = duration('leader-elect-renew-deadline');
    const retry = duration('leader-elect-retry-period');
    if (grace !== undefined) timers.nodeMonitorGraceMs = grace;
    if (period !== undefined) timers.nodeMonitorPeriodMs = period;
    if (lease !== undefined) timers.controllerManagerLeaseMs = lease;
    if (renew !== undefined) timers.controllerManagerRenewDeadlineMs = renew;
    if (retry !== undefined) timers.controllerManagerRetryPeriodMs = retry;
  }
  section(body, ['etcd']);
  const local = section(body, ['etcd', 'local']);
  if (local) {
    const flags = extraArgs(local['extraArgs'], ['etcd', 'local', 'extraArgs']);
    const heartbeat = flags.get('heartbeat-interval');
    const election = flags.get('election-timeout');
    if (heartbeat) timers.etcdHeartbeatMs = etcdMs(flagValue(heartbeat.value, heartbeat.path), heartbeat.path);
    if (election) {
      const ms = etcdMs(flagValue(election.value, election.path), election.path);
      if (ms > ETCD_MAX_ELECTION_MS)
        throw new FieldError(election.path, `etcd refuses an election timeout over ${ETCD_MAX_ELECTION_MS} ms, got ${ms}`);
      timers.etcdElectionTimeoutMs = ms;
    }
  }
  return timers;
}

/** The timers a KubeletConfiguration (or a patch of one) sets. */
function kubeletConfigurationTimers(body: Record<string, unknown>): KindConfigTimers {
  const timers: { -readonly [K in keyof KindConfigTimers]: KindConfigTimers[K] } = {};
  const lease = body['nodeLeaseDurationSeconds'];
  if (lease !== undefined && lease !== null) {
    // int32 in kubelet.config.k8s.io/v1beta1; the kubelet's validation wants it above 0.
    if (typeof lease !== 'number' || !Number.isInteger(lease) || lease < 1) {
      throw new FieldError(
        ['nodeLeaseDurationSeconds'],
        `expected a whole number of seconds of 1 or more such as 40, got ${JSON.stringify(lease)}`,
      );
    }
    timers.nodeLeaseDurationSeconds = lease;
  }
  const update = body['nodeStatusUpdateFrequency'];
  if (update !== undefined && update !== null) timers.nodeStatusUpdateFrequencyMs = goDurationMs(update, ['nodeStatusUpdateFrequency']);
  const report = body['nodeStatusReportFrequency'];
  if (report !== undefined && report !== null) timers.nodeStatusReportFrequencyMs = goDurationMs(report, ['nodeStatusReportFrequency']);
  return timers;
}

/** The fields read here, as JSON pointers, for refusing JSON 6902 patches that change them. */
const READ_POINTERS: Readonly<Record<string, readonly string[]>> = {
  [CLUSTER_CONFIGURATION]: [
    '/controllerManager/extraArgs/node-monitor-grace-period',
    '/controllerManager/extraArgs/node-monitor-period',
    '/controllerManager/extraArgs/leader-elect-lease-duration',
    '/controllerManager/extraArgs/leader-elect-renew-deadline',
    '/controllerManager/extraArgs/leader-elect-retry-period',
    '/etcd/local/extraArgs/heartbeat-interval',
    '/etcd/local/extraArgs/election-timeout',
  ],
  [KUBELET_CONFIGURATION]: ['/nodeLeaseDurationSeconds', '/nodeStatusUpdateFrequency', '/nodeStatusReportFrequency'],
};
const READ_FLAGS = new Set(
  Object.values(READ_POINTERS)
    .flat()
    .map((p) => p.split('/').at(-1)),
);

/** Whether a JSON 6902 operation changes a field read here (or the section holding it, or a v1beta4 list item). */
function touchesTimers(kind: string, operation: Record<string, unknown>): boolean {
  if (operation['op'] === 'test') return false;
  const pointers = READ_POINTERS[kind] ?? [];
  return [operation['path'], operation['from']].some((path) => {
    if (typeof path !== 'string') return false;
    if (pointers.some((p) => p === path || p.startsWith(`${path}/`) || path.startsWith(`${p}/`))) return true;
    // A v1beta4 extraArgs item by index (or "-"): which flag it is depends on the list; its value may name one.
    const item = /^\/(?:controllerManager|etcd\/local)\/extraArgs\/(?:[0-9]+|-)(?:\/|$)/.test(path);
    if (!item) return false;
    const value = operation['value'];
    return !(operation['op'] === 'add' && isRecord(value) && !READ_FLAGS.has(value['name'] as string));
  });
}

/**
 * The timers a kind config sets through its kubeadmConfigPatches, or `{}` when it sets none. Every patch is checked
 * (a SetupError names the file, its line, the patch and the field); the values come from the cluster-level patches
 * and the first control plane's own, merged in kind's order.
 */
export function parseKindConfigTimers(text: string, file: string, options: KindConfigTimerOptions): KindConfigTimers {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const fail = (line: number | undefined, where: string, message: string): never => {
    throw new SetupError(`kind config ${file}${line === undefined ? '' : `:${line}`}: ${where}: ${message}`);
  };
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    fail(error?.linePos?.[0].line, 'not YAML', error?.message.split('\n')[0] ?? '');
  }
  const lineOfNode = (node: YamlNode | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;

  const sources: PatchSource[] = [];
  const collect = (owner: Document | YamlNode, prefix: string, effective: boolean): void => {
    const patches = (owner as { get(key: string, keepScalar: true): unknown }).get('kubeadmConfigPatches', true) as YamlNode | undefined;
    if (patches === undefined || (isScalar(patches) && patches.value === null)) return;
    if (!isSeq(patches)) fail(lineOfNode(patches), `${prefix}kubeadmConfigPatches`, 'expected a list of YAML strings (each a patch)');
    (isSeq(patches) ? patches.items : []).forEach((item, i) => {
      const where = `${prefix}kubeadmConfigPatches[${i}]`;
      const node = item as YamlNode;
      if (!isScalar(node) || typeof node.value !== 'string') {
        return fail(lineOfNode(node), where, 'expected a YAML string holding the patch (write "- |" and the patch below it)');
      }
      const itemLine = lineOfNode(node) ?? 1;
      // A block literal keeps the patch's lines as they are, starting on the line after its `|`.
      const literal = node.type === 'BLOCK_LITERAL';
      sources.push({
        where,
        text: node.value,
        lineOf: (innerLine) => (literal && innerLine !== undefined ? itemLine + innerLine : itemLine),
        effective,
      });
    });
  };
  collect(doc, '', true);
  const nodes = doc.get('nodes', true);
  const nodeItems = isSeq(nodes) ? nodes.items : [];
  const firstControlPlane = nodeItems.findIndex((n) => isMap(n) && n.get('role') === 'control-plane');
  nodeItems.forEach((node, i) => {
    if (isMap(node)) collect(node as YamlNode, `nodes[${i}].`, i === firstControlPlane);
  });
  checkJson6902(doc, fail, lineOfNode);

  const effective: PatchDocument[] = [];
  for (const source of sources) {
    for (const document of patchDocuments(source, fail)) {
      if (source.effective) effective.push(document);
    }
  }
  const merged = (kind: string, apiVersion: string): Record<string, unknown> =>
    effective
      .filter((d) => d.kind === kind && (d.apiVersion === undefined || d.apiVersion === apiVersion))
      .reduce<Record<string, unknown>>((target, d) => mergePatch(target, d.body) as Record<string, unknown>, {});
  // Every document was checked above, so reading the merged ones cannot fail.
  return {
    ...clusterConfigurationTimers(merged(CLUSTER_CONFIGURATION, options.kubeadmApiVersion)),
    ...kubeletConfigurationTimers(merged(KUBELET_CONFIGURATION, KUBELET_API_VERSION)),
  };
}

/** The documents of one patch string, each checked; those of other kinds (InitConfiguration, ...) are passed over. */
function patchDocuments(source: PatchSource, fail: (line: number | undefined, where: string, message: string) => never): PatchDocument[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(source.text, { lineCounter: lines });
  const many = Array.isArray(documents) && documents.length > 1;
  const result: PatchDocument[] = [];
  (Array.isArray(documents) ? documents : [documents]).forEach((doc, d) => {
    const where = many ? `${source.where} (document ${d + 1})` : source.where;
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      fail(source.lineOf(error?.linePos?.[0].line), where, `the patch is not YAML (${error?.message.split('\n')[0] ?? ''})`);
    }
    const body = doc.toJS() as unknown;
    // An empty document (a trailing ---) matches nothing in kind.
    if (body === null || body === undefined) return;
    const lineAt = (path: Path): number | undefined => {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
        if (node?.range) return source.lineOf(lines.linePos(node.range[0]).line);
      }
      return source.lineOf(undefined);
    };
    if (!isRecord(body))
      return fail(source.lineOf(1), where, `expected a kubeadm document to merge (a map with kind:), got ${JSON.stringify(body)}`);
    const kind = body['kind'];
    const apiVersion = body['apiVersion'];
    if (typeof kind !== 'string' || kind === '') {
      return fail(
        lineAt(['kind']),
        where,
        'kind: expected the kind of document this patch applies to (e.g. ClusterConfiguration); kind applies a patch without one to nothing',
      );
    }
    if (apiVersion !== undefined && typeof apiVersion !== 'string') {
      return fail(lineAt(['apiVersion']), where, `apiVersion: expected a string, got ${JSON.stringify(apiVersion)}`);
    }
    try {
      if (kind === CLUSTER_CONFIGURATION) clusterConfigurationTimers(body);
      else if (kind === KUBELET_CONFIGURATION) kubeletConfigurationTimers(body);
      else return;
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      return fail(lineAt(error.path), where, `${displayPath(error.path)}: ${error.message}`);
    }
    result.push({ kind, apiVersion, body });
  });
  return result;
}

/** Refuses JSON 6902 patches (top level and per node) that change a timer read here. */
function checkJson6902(
  doc: Document,
  fail: (line: number | undefined, where: string, message: string) => never,
  lineOfNode: (node: YamlNode | null | undefined) => number | undefined,
): void {
  const check = (owner: Document | YamlNode, prefix: string): void => {
    const patches = (owner as { get(key: string, keepScalar: true): unknown }).get('kubeadmConfigPatchesJSON6902', true) as
      YamlNode | undefined;
    if (!isSeq(patches)) return;
    patches.items.forEach((item, i) => {
      const where = `${prefix}kubeadmConfigPatchesJSON6902[${i}]`;
      const patch = (item as YamlNode).toJSON() as unknown;
      if (!isRecord(patch) || typeof patch['kind'] !== 'string' || !(patch['kind'] in READ_POINTERS)) return;
      let operations: unknown;
      try {
        operations = typeof patch['patch'] === 'string' ? (parseDocument(patch['patch']).toJS() as unknown) : undefined;
      } catch {
        operations = undefined;
      }
      if (!Array.isArray(operations)) return;
      const touching = operations.find((op: unknown) => isRecord(op) && touchesTimers(patch['kind'] as string, op)) as
        Record<string, unknown> | undefined;
      if (touching) {
        fail(
          lineOfNode(item as YamlNode),
          where,
          `${String(touching['op'])} ${String(touching['path'])}: changes a timer of the ${patch['kind'] as string}, which the harness reads from kubeadmConfigPatches only; set it there (a merge patch)`,
        );
      }
    });
  };
  check(doc, '');
  const nodes = doc.get('nodes', true);
  if (isSeq(nodes)) nodes.items.forEach((node, i) => isMap(node) && check(node as YamlNode, `nodes[${i}].`));
}

/** What the node lifecycle controller sees of a node at least this often (kindTimersFor). */
function heartbeatAndGrace(timers: ClusterTimers): string {
  return `kubelet heartbeat ${formatDuration(timers.kubeletHeartbeatMs)}, node-monitor grace ${formatDuration(timers.nodeMonitorGraceMs)}`;
}

/**
 * The timers of a kind cluster created from this config on this node image: the image's Kubernetes defaults,
 * overridden by the config's patches. A SetupError for bad input, and for timers that cannot work together:
 * etcd refuses an election timeout under 5 heartbeats (server/embed/config.go Config.Validate), and a node-monitor
 * grace under two kubelet heartbeats marks healthy nodes NotReady between heartbeats (kube-controller-manager's
 * --node-monitor-grace-period: "must be N times more than kubelet's nodeStatusUpdateFrequency"; the sandbox keeps
 * the same rule, lib/sandbox/topology.ts), and kube-controller-manager will not start with a leader-election lease
 * not longer than its renew deadline, or a renew deadline not longer than 1.2 retry periods (client-go
 * tools/leaderelection/leaderelection.go NewLeaderElector, JitterFactor 1.2).
 */
export function kindClusterTimers(image: string, configText: string, configFile: string): ClusterTimers {
  const kubeadmApiVersion = kindKubeadmApiVersion(kubernetesVersionOf(image));
  const config = parseKindConfigTimers(configText, configFile, { kubeadmApiVersion });
  const timers = kindTimersFor(image, config);
  if (timers.etcdElectionTimeoutMs < 5 * timers.etcdHeartbeatMs) {
    throw new SetupError(
      `kind config ${configFile}: etcd election-timeout ${timers.etcdElectionTimeoutMs} ms is under 5 times heartbeat-interval ${timers.etcdHeartbeatMs} ms: etcd refuses to start`,
    );
  }
  // kube-controller-manager's leader-election defaults (component-base config/v1alpha1/defaults.go
  // RecommendedDefaultLeaderElectionConfiguration).
  const leaseMs = config.controllerManagerLeaseMs ?? 15_000;
  const renewMs = config.controllerManagerRenewDeadlineMs ?? 10_000;
  const retryMs = config.controllerManagerRetryPeriodMs ?? 2000;
  if (leaseMs <= renewMs || renewMs <= LEADER_ELECTION_JITTER_FACTOR * retryMs) {
    throw new SetupError(
      `kind config ${configFile}: kube-controller-manager leader election: lease ${formatDuration(leaseMs)}, renew deadline ${formatDuration(renewMs)}, ` +
        `retry period ${formatDuration(retryMs)}: it starts only with lease > renew deadline > 1.2 x retry period ` +
        '(set leader-elect-renew-deadline and leader-elect-retry-period with a shorter leader-elect-lease-duration)',
    );
  }
  if (timers.nodeMonitorGraceMs < 2 * timers.kubeletHeartbeatMs) {
    throw new SetupError(
      `kind config ${configFile}: ${heartbeatAndGrace(timers)}: the grace must be at least two heartbeats, or healthy nodes go NotReady between them ` +
        '(shorten KubeletConfiguration nodeLeaseDurationSeconds: the kubelet renews its Lease every quarter of it)',
    );
  }
  return timers;
}
