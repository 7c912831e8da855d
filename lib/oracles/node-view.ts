// Trimmed history nodes seen as the V1Node objects Harvester's contract functions take.
import type { V1Node } from '@kubernetes/client-node';
import type { TrimmedNode } from '../observe/history.ts';

const cache = new WeakMap<TrimmedNode, V1Node>();

/** The V1Node for a trimmed node (memoised per object: history events are immutable). */
export function toV1Node(node: TrimmedNode): V1Node {
  const cached = cache.get(node);
  if (cached !== undefined) return cached;
  const v1: V1Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      uid: node.uid,
      creationTimestamp: new Date(node.creationTimestamp),
      ...(node.deletionTimestamp === undefined ? {} : { deletionTimestamp: new Date(node.deletionTimestamp) }),
      labels: { ...node.labels },
      annotations: { ...node.annotations },
    },
    spec: {
      unschedulable: node.unschedulable,
      taints: node.taints.map((taint) => ({ ...taint })),
    },
    status: {
      conditions: node.conditions.map((c) => ({
        type: c.type,
        status: c.status,
        ...(c.lastTransitionTime === undefined ? {} : { lastTransitionTime: new Date(c.lastTransitionTime) }),
      })),
    },
  };
  cache.set(node, v1);
  return v1;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    if (a[key] !== b[key]) return false;
    count += 1;
  }
  for (const key in b) if (Object.hasOwn(b, key)) count -= 1;
  return count === 0;
}

export function sameLabels(a: TrimmedNode, b: TrimmedNode): boolean {
  return sameRecord(a.labels, b.labels);
}

/** Equal in every field the oracles read (heartbeat-only updates compare equal). */
export function sameNodeState(a: TrimmedNode, b: TrimmedNode): boolean {
  return sameLabels(a, b) && sameNodeStateExceptLabels(a, b);
}

export function sameNodeStateExceptLabels(a: TrimmedNode, b: TrimmedNode): boolean {
  if (a === b) return true;
  if (a.uid !== b.uid || a.creationTimestamp !== b.creationTimestamp || a.deletionTimestamp !== b.deletionTimestamp) return false;
  if (a.unschedulable !== b.unschedulable) return false;
  if (!sameRecord(a.annotations, b.annotations)) return false;
  if (a.conditions.length !== b.conditions.length || a.taints.length !== b.taints.length) return false;
  for (let i = 0; i < a.conditions.length; i += 1) {
    const x = a.conditions[i];
    const y = b.conditions[i];
    if (x?.type !== y?.type || x?.status !== y?.status || x?.lastTransitionTime !== y?.lastTransitionTime) return false;
  }
  for (let i = 0; i < a.taints.length; i += 1) {
    const x = a.taints[i];
    const y = b.taints[i];
    if (x?.key !== y?.key || x?.value !== y?.value || x?.effect !== y?.effect) return false;
  }
  return true;
}
