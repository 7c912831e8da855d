// Builds V1Node objects as Harvester would see them, for unit tests and policy checks. Defaults: a healthy,
// schedulable, Harvester-managed, non-management node with no zone, created at FAKE_NODE_EPOCH.
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import {
  HARVESTER_MANAGED_LABEL,
  MANAGEMENT_PREFERRED_LABEL,
  PROMOTE_STATUS_ANNOTATION,
  WITNESS_LABEL,
  WORKER_ONLY_LABEL,
  ZONE_LABEL,
  roleLabelsForPromotion,
} from './contract.ts';

export const FAKE_NODE_EPOCH = new Date('2025-01-01T00:00:00Z');

export interface FakeNodeSpec {
  /** Carries the role labels a finished promotion leaves (etcd only when also `witness`). */
  readonly management?: boolean;
  readonly witness?: boolean;
  readonly prefersManagement?: boolean;
  readonly workerOnly?: boolean;
  /** Has harvesterhci.io/managed=true; default true. */
  readonly managed?: boolean;
  readonly cordoned?: boolean;
  readonly zone?: string;
  readonly promoteStatus?: string;
  /** Ready condition status, or 'missing' for none; default 'True'. */
  readonly ready?: 'True' | 'False' | 'Unknown' | 'missing';
  readonly readySince?: Date;
  /** Extra conditions, e.g. { type: 'DiskPressure', status: 'True' }. */
  readonly conditions?: readonly Pick<V1NodeCondition, 'type' | 'status'>[];
  /** Minutes after FAKE_NODE_EPOCH; ignored when `createdAt` is given. */
  readonly ageRankMinutes?: number;
  readonly createdAt?: Date;
  /** Labels set last, overriding the ones above. */
  readonly labels?: Readonly<Record<string, string>>;
}

const MINUTE_MS = 60_000;

function labelsFor(spec: FakeNodeSpec): Record<string, string> {
  const labels: Record<string, string> = {};
  if (spec.managed ?? true) labels[HARVESTER_MANAGED_LABEL] = 'true';
  if (spec.management) Object.assign(labels, roleLabelsForPromotion(spec.witness ?? false));
  if (spec.witness) labels[WITNESS_LABEL] = 'true';
  if (spec.prefersManagement) labels[MANAGEMENT_PREFERRED_LABEL] = 'true';
  if (spec.workerOnly) labels[WORKER_ONLY_LABEL] = 'true';
  if (spec.zone !== undefined) labels[ZONE_LABEL] = spec.zone;
  return { ...labels, ...spec.labels };
}

function conditionsFor(spec: FakeNodeSpec): V1NodeCondition[] {
  const ready = spec.ready ?? 'True';
  const conditions: V1NodeCondition[] = (spec.conditions ?? []).map((c) => ({ type: c.type, status: c.status }));
  if (ready !== 'missing') {
    conditions.unshift({ type: 'Ready', status: ready, lastTransitionTime: spec.readySince ?? FAKE_NODE_EPOCH });
  }
  return conditions;
}

export function fakeNode(name: string, spec: FakeNodeSpec = {}): V1Node {
  const createdAt = spec.createdAt ?? new Date(FAKE_NODE_EPOCH.getTime() + (spec.ageRankMinutes ?? 0) * MINUTE_MS);
  const annotations: Record<string, string> = spec.promoteStatus === undefined ? {} : { [PROMOTE_STATUS_ANNOTATION]: spec.promoteStatus };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, creationTimestamp: createdAt, labels: labelsFor(spec), annotations },
    spec: { unschedulable: spec.cordoned ?? false },
    status: { conditions: conditionsFor(spec) },
  };
}
