// Server-side printing for `kubectl get` (Accept: application/json;as=Table;v=v1;g=meta.k8s.io): the columns
// kubectl shows for these kinds against a real API server. Other clients get plain objects.
import { fieldAt, isPlainObject, labelsOf, type KubeObject } from './object-meta.ts';
import { podColumns, podDisruptionBudgetColumns } from './pod-table.ts';
import type { ResourceInfo } from './resources.ts';

export interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer';
  readonly format?: string;
  readonly priority?: number;
  readonly cell: (obj: KubeObject, now: number) => string | number;
}

/** Whether the Accept header asks for a meta.k8s.io/v1 Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && params.includes('v=v1');
  });
}

/** Kubernetes' short human duration: 45s, 5m3s, 3h20m, 2d5h, 400d. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

function since(value: unknown, now: number): string {
  if (typeof value !== 'string') return '<unknown>';
  const t = Date.parse(value);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

const str = (v: unknown, fallback = '<none>'): string => (typeof v === 'string' && v !== '' ? v : fallback);

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => str(fieldAt(o, ['metadata', 'name']), '') };
const AGE: Column = { name: 'Age', type: 'string', cell: (o, now) => since(fieldAt(o, ['metadata', 'creationTimestamp']), now) };

function conditionStatus(obj: KubeObject, type: string): string | undefined {
  const conditions = fieldAt(obj, ['status', 'conditions']);
  if (!Array.isArray(conditions)) return undefined;
  const found = conditions.find((c) => isPlainObject(c) && c.type === type);
  return isPlainObject(found) && typeof found.status === 'string' ? found.status : undefined;
}

function nodeStatus(obj: KubeObject): string {
  const ready = conditionStatus(obj, 'Ready');
  const states = [ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown'];
  if (fieldAt(obj, ['spec', 'unschedulable']) === true) states.push('SchedulingDisabled');
  return states.join(',');
}

function nodeRoles(obj: KubeObject): string {
  const roles = Object.keys(labelsOf(obj))
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter((r) => r.length > 0)
    .sort();
  return roles.length > 0 ? roles.join(',') : '<none>';
}

/** The first address of that type (getNodeInternalIP / getNodeExternalIP), or <none>. */
function nodeAddress(obj: KubeObject, type: string): string {
  const addresses = fieldAt(obj, ['status', 'addresses']);
  const found = Array.isArray(addresses) ? addresses.find((a) => isPlainObject(a) && a.type === type) : undefined;
  return isPlainObject(found) ? str(found.address) : '<none>';
}

function jobStatus(obj: KubeObject): string {
  if (conditionStatus(obj, 'Complete') === 'True') return 'Complete';
  if (conditionStatus(obj, 'Failed') === 'True') return 'Failed';
  return 'Running';
}

const COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  nodes: [
    NAME,
    { name: 'Status', type: 'string', cell: nodeStatus },
    { name: 'Roles', type: 'string', cell: nodeRoles },
    AGE,
    { name: 'Version', type: 'string', cell: (o) => str(fieldAt(o, ['status', 'nodeInfo', 'kubeletVersion']), '') },
    // -o wide (priority 1), as kubernetes pkg/printers/internalversion/printers.go printNode.
    { name: 'Internal-IP', type: 'string', priority: 1, cell: (o) => nodeAddress(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, cell: (o) => nodeAddress(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, cell: (o) => str(fieldAt(o, ['status', 'nodeInfo', 'osImage']), '<unknown>') },
    {
      name: 'Kernel-Version',
      type: 'string',
      priority: 1,
      cell: (o) => str(fieldAt(o, ['status', 'nodeInfo', 'kernelVersion']), '<unknown>'),
    },
    {
      name: 'Container-Runtime',
      type: 'string',
      priority: 1,
      cell: (o) => str(fieldAt(o, ['status', 'nodeInfo', 'containerRuntimeVersion']), '<unknown>'),
    },
  ],
  pods: podColumns(NAME, AGE),
  poddisruptionbudgets: podDisruptionBudgetColumns(NAME, AGE),
  namespaces: [NAME, { name: 'Status', type: 'string', cell: (o) => str(fieldAt(o, ['status', 'phase']), '') }, AGE],
  configmaps: [
    NAME,
    {
      name: 'Data',
      type: 'integer',
      cell: (o) => {
        const data = fieldAt(o, ['data']);
        const binary = fieldAt(o, ['binaryData']);
        return (isPlainObject(data) ? Object.keys(data).length : 0) + (isPlainObject(binary) ? Object.keys(binary).length : 0);
      },
    },
    AGE,
  ],
  leases: [NAME, { name: 'Holder', type: 'string', cell: (o) => str(fieldAt(o, ['spec', 'holderIdentity']), '') }, AGE],
  jobs: [
    NAME,
    { name: 'Status', type: 'string', cell: jobStatus },
    {
      name: 'Completions',
      type: 'string',
      cell: (o) => `${Number(fieldAt(o, ['status', 'succeeded']) ?? 0)}/${Number(fieldAt(o, ['spec', 'completions']) ?? 1)}`,
    },
    AGE,
  ],
  events: [
    {
      name: 'Last Seen',
      type: 'string',
      cell: (o, now) =>
        since(fieldAt(o, ['lastTimestamp']) ?? fieldAt(o, ['eventTime']) ?? fieldAt(o, ['metadata', 'creationTimestamp']), now),
    },
    { name: 'Type', type: 'string', cell: (o) => str(fieldAt(o, ['type']), '') },
    { name: 'Reason', type: 'string', cell: (o) => str(fieldAt(o, ['reason']), '') },
    {
      name: 'Object',
      type: 'string',
      cell: (o) => `${str(fieldAt(o, ['involvedObject', 'kind']), '').toLowerCase()}/${str(fieldAt(o, ['involvedObject', 'name']), '')}`,
    },
    { name: 'Message', type: 'string', cell: (o) => str(fieldAt(o, ['message']), '') },
  ],
};

function rowObject(obj: KubeObject, include: string): unknown {
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: isPlainObject(obj.metadata) ? obj.metadata : {} };
}

/** A meta.k8s.io/v1 Table of `items`; `includeObject` is the request's parameter (None, Metadata, Object). */
export function toTable(
  info: ResourceInfo,
  items: readonly KubeObject[],
  resourceVersion: string,
  includeObject: string | null,
  continueToken?: string,
): Record<string, unknown> {
  const columns = COLUMNS[info.resource] ?? [NAME, AGE];
  const include = includeObject ?? 'Metadata';
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    // kubectl get --chunk-size reads the next chunk from here.
    metadata: { resourceVersion, ...(continueToken ? { continue: continueToken } : {}) },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: items.map((obj) => ({
      cells: columns.map((c) => c.cell(obj, now)),
      ...(include === 'None' ? {} : { object: rowObject(obj, include) }),
    })),
  };
}
