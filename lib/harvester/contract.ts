// Harvester's control-plane promotion contract: the names it writes and reads, and small pure predicates over a Node.
// Source of truth: docs/harvester-promotion-contract.md (read from Harvester's promote controller and RKE2/k3s).
import { createHash } from 'node:crypto';
import type { V1Node, V1NodeCondition, V1Taint } from '@kubernetes/client-node';

// ---- label keys -------------------------------------------------------------------------------------------------
export const MASTER_ROLE_LABEL = 'node-role.kubernetes.io/master';
export const CONTROL_PLANE_ROLE_LABEL = 'node-role.kubernetes.io/control-plane';
export const ETCD_ROLE_LABEL = 'node-role.kubernetes.io/etcd';
/** Checked in this order; the first key present on a node decides whether it is management. */
export const MANAGEMENT_ROLE_LABELS = [MASTER_ROLE_LABEL, CONTROL_PLANE_ROLE_LABEL, ETCD_ROLE_LABEL] as const;

export const HARVESTER_MANAGED_LABEL = 'harvesterhci.io/managed';
export const MANAGEMENT_PREFERRED_LABEL = 'node-role.harvesterhci.io/management';
export const WITNESS_LABEL = 'node-role.harvesterhci.io/witness';
export const WORKER_ONLY_LABEL = 'node-role.harvesterhci.io/worker';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

// ---- promote status annotation ----------------------------------------------------------------------------------
export const PROMOTE_STATUS_ANNOTATION = 'harvesterhci.io/promote-status';
export const PROMOTE_STATUSES = ['running', 'complete', 'failed', 'unknown'] as const;
export type PromoteStatus = (typeof PROMOTE_STATUSES)[number];
/** Statuses that block every further promotion until they change (running) or an operator clears them. */
export const BLOCKING_PROMOTE_STATUSES: readonly PromoteStatus[] = ['running', 'failed', 'unknown'];

// ---- promote job ------------------------------------------------------------------------------------------------
export const PROMOTE_JOB_NAMESPACE = 'harvester-system';
export const PROMOTE_JOB_NODE_LABEL = 'harvesterhci.io/promote-node';
export const PROMOTE_JOB_BACKOFF_LIMIT = 2;
const MAX_OBJECT_NAME_LENGTH = 63;

// ---- events -----------------------------------------------------------------------------------------------------
export const PROMOTE_EVENT_SOURCE_COMPONENT = 'harvester-promote-node-controller';
export const PROMOTE_EVENT_REASONS = {
  running: 'NodePromoteRunning',
  complete: 'NodePromoteComplete',
  failed: 'NodePromoteFailed',
  unknown: 'NodePromoteUnknown',
} as const satisfies Record<PromoteStatus, string>;

// ---- promotion targets ------------------------------------------------------------------------------------------
/** Harvester wants this many management nodes, and promotes nothing in a cluster with fewer nodes than this. */
export const MANAGEMENT_NODE_TARGET = 3;
export const WITNESS_TAINT: Readonly<V1Taint> = { key: ETCD_ROLE_LABEL, value: 'true', effect: 'NoExecute' };

// ---- predicates -------------------------------------------------------------------------------------------------
function labelOf(node: V1Node, key: string): string | undefined {
  return node.metadata?.labels?.[key];
}

function hasLabel(node: V1Node, key: string): boolean {
  return labelOf(node, key) !== undefined;
}

/** Management = the first of master, control-plane, etcd that is PRESENT decides, and its value must be "true". */
export function isManagementNode(node: V1Node): boolean {
  for (const key of MANAGEMENT_ROLE_LABELS) {
    const value = labelOf(node, key);
    if (value !== undefined) return value === 'true';
  }
  return false;
}

export function isPromoteStatus(value: unknown): value is PromoteStatus {
  return typeof value === 'string' && (PROMOTE_STATUSES as readonly string[]).includes(value);
}

/** The node's promote status, or undefined when the annotation is absent or holds a value Harvester does not act on. */
export function promoteStatus(node: V1Node): PromoteStatus | undefined {
  const value = node.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION];
  return isPromoteStatus(value) ? value : undefined;
}

export function isBlockingPromoteStatus(status: PromoteStatus | undefined): boolean {
  return status !== undefined && BLOCKING_PROMOTE_STATUSES.includes(status);
}

export function readyCondition(node: V1Node): V1NodeCondition | undefined {
  return node.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/**
 * Healthy as Harvester's util.IsHealthyNode (harvester/harvester pkg/util/node.go) has it: every Ready condition is
 * True and no other condition (DiskPressure, MemoryPressure, PIDPressure, NetworkUnavailable, ...) is True. The loop
 * only rejects, so a node with NO Ready condition (no conditions at all, as a freshly registered Node object can be)
 * is healthy. hasReadyTrue is the stricter test some policies add on top.
 */
export function isNodeHealthy(node: V1Node): boolean {
  return (node.status?.conditions ?? []).every((c) => (c.type === 'Ready' ? c.status === 'True' : c.status !== 'True'));
}

/** The node reports a Ready condition and it is True (stricter than Harvester, which also accepts none). */
export function hasReadyTrue(node: V1Node): boolean {
  return readyCondition(node)?.status === 'True';
}

/** Harvester only promotes nodes it installed; presence of the label is what it checks, any value counts. */
export function isHarvesterManaged(node: V1Node): boolean {
  return hasLabel(node, HARVESTER_MANAGED_LABEL);
}

export function isCordoned(node: V1Node): boolean {
  return node.spec?.unschedulable === true;
}

export function isWitness(node: V1Node): boolean {
  return hasLabel(node, WITNESS_LABEL);
}

/** The promote job runs etcd-only (witness) promotion only when the witness label's value is exactly "true". */
export function promotesAsWitness(node: V1Node): boolean {
  return labelOf(node, WITNESS_LABEL) === 'true';
}

export function prefersManagement(node: V1Node): boolean {
  return hasLabel(node, MANAGEMENT_PREFERRED_LABEL);
}

export function isWorkerOnly(node: V1Node): boolean {
  return hasLabel(node, WORKER_ONLY_LABEL);
}

/** The node's zone; an empty label value counts as no zone. */
export function zoneOf(node: V1Node): string | undefined {
  const zone = labelOf(node, ZONE_LABEL);
  return zone === undefined || zone === '' ? undefined : zone;
}

/** Milliseconds since epoch of a Kubernetes timestamp (Date, or an RFC 3339 string from raw JSON); NaN if absent. */
export function timestampMs(value: Date | string | undefined): number {
  if (value === undefined) return Number.NaN;
  return (value instanceof Date ? value : new Date(value)).getTime();
}

/** Creation time in ms; a missing or unreadable timestamp sorts as the oldest possible (Go's zero time). */
export function createdAtMs(node: V1Node): number {
  const ms = timestampMs(node.metadata?.creationTimestamp);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

export function nodeName(node: V1Node): string {
  return node.metadata?.name ?? '';
}

// ---- what Harvester writes --------------------------------------------------------------------------------------
/**
 * The promote job's name. Names that would reach 64 characters are cut and suffixed with a sha256 digest, the way
 * Harvester's name helper keeps object names legal. Prefer finding the job by PROMOTE_JOB_NODE_LABEL.
 */
export function promoteJobName(node: string): string {
  const full = `harvester-promote-${node}`;
  if (full.length <= MAX_OBJECT_NAME_LENGTH) return full;
  const digest = createHash('sha256').update(full).digest('hex');
  const cutChar = full.charAt(56);
  return /[a-z0-9]/.test(cutChar) ? `${full.slice(0, 57)}-${digest.slice(0, 5)}` : `${full.slice(0, 56)}-${digest.slice(0, 6)}`;
}

/** Labels a node carries once its promotion completed: etcd only for a witness, all three roles otherwise. */
export function roleLabelsForPromotion(isWitnessPromotion: boolean): Readonly<Record<string, 'true'>> {
  if (isWitnessPromotion) return { [ETCD_ROLE_LABEL]: 'true' };
  return { [CONTROL_PLANE_ROLE_LABEL]: 'true', [ETCD_ROLE_LABEL]: 'true', [MASTER_ROLE_LABEL]: 'true' };
}

export function promoteEventReason(status: PromoteStatus): string {
  return PROMOTE_EVENT_REASONS[status];
}

export function promoteEventType(status: PromoteStatus): 'Normal' | 'Warning' {
  return status === 'failed' || status === 'unknown' ? 'Warning' : 'Normal';
}

/** The event message; a node with no status yet shows an empty previous status, as Harvester prints it. */
export function promoteEventMessage(node: string, prev: string | undefined, next: string): string {
  return `Node ${node} promote status change: ${prev ?? ''} => ${next}`;
}

/**
 * Transitions the promote controller makes: none -> running -> complete | failed | unknown. Staying on the same
 * status is not a transition; clearing a status (-> none) is an operator's act, not the controller's, so both are
 * reported as not legal here.
 */
export function isLegalPromoteTransition(prev: PromoteStatus | undefined, next: PromoteStatus | undefined): boolean {
  if (prev === undefined) return next === 'running';
  if (prev === 'running') return next === 'complete' || next === 'failed' || next === 'unknown';
  return false;
}
