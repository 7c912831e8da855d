// Kubernetes objects trimmed to what the history keeps.
import type { CoreV1Event, V1Job, V1Lease, V1Node } from '@kubernetes/client-node';
import type { TrimmedNode } from './history.ts';

function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : String(value);
}

export function trimNode(node: V1Node): TrimmedNode {
  const meta = node.metadata ?? {};
  const deletion = iso(meta.deletionTimestamp);
  return {
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    creationTimestamp: iso(meta.creationTimestamp) ?? '',
    ...(deletion ? { deletionTimestamp: deletion } : {}),
    labels: { ...(meta.labels ?? {}) },
    annotations: { ...(meta.annotations ?? {}) },
    unschedulable: node.spec?.unschedulable === true,
    conditions: (node.status?.conditions ?? []).map((c) => {
      const since = iso(c.lastTransitionTime);
      return { type: c.type, status: c.status, ...(since ? { lastTransitionTime: since } : {}) };
    }),
    taints: (node.spec?.taints ?? []).map((t) => ({ key: t.key, effect: t.effect, ...(t.value !== undefined ? { value: t.value } : {}) })),
  };
}

export function trimJob(job: V1Job): {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ownerNode?: string;
  active: number;
  succeeded: number;
  failed: number;
  conditions: { type: string; status: string }[];
} {
  const meta = job.metadata ?? {};
  const owner = meta.ownerReferences?.find((o) => o.kind === 'Node')?.name;
  return {
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    labels: { ...(meta.labels ?? {}) },
    ...(owner ? { ownerNode: owner } : {}),
    active: job.status?.active ?? 0,
    succeeded: job.status?.succeeded ?? 0,
    failed: job.status?.failed ?? 0,
    conditions: (job.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status })),
  };
}

export function trimEvent(event: CoreV1Event): {
  namespace: string;
  name: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
  source?: string;
} {
  const component = event.source?.component ?? event.reportingComponent;
  return {
    namespace: event.metadata?.namespace ?? '',
    name: event.metadata?.name ?? '',
    reason: event.reason ?? '',
    message: event.message ?? '',
    involvedObject: { kind: event.involvedObject?.kind ?? '', name: event.involvedObject?.name ?? '' },
    ...(component ? { source: component } : {}),
  };
}

export function trimLease(lease: V1Lease): { namespace: string; name: string; holder?: string; renewTime?: string } {
  const renew = iso(lease.spec?.renewTime as Date | string | undefined);
  return {
    namespace: lease.metadata?.namespace ?? '',
    name: lease.metadata?.name ?? '',
    ...(lease.spec?.holderIdentity ? { holder: lease.spec.holderIdentity } : {}),
    ...(renew ? { renewTime: renew } : {}),
  };
}
