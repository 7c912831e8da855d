// What the reports show of a node: readiness, management role, promote status, cordon, deletion.
import { MANAGEMENT_ROLE_LABELS, PROMOTE_STATUS_ANNOTATION } from '../harvester/contract.ts';
import type { TrimmedNode } from '../observe/history.ts';

export type ReadyStatus = 'True' | 'False' | 'Unknown';

export interface NodeState {
  /** The Ready condition; a node without one counts as Unknown. */
  readonly ready: ReadyStatus;
  readonly management: boolean;
  /** The raw promote-status annotation; undefined when absent. */
  readonly promoteStatus?: string;
  readonly cordoned: boolean;
  readonly deleting: boolean;
}

export function readyOf(node: TrimmedNode): ReadyStatus {
  const status = node.conditions.find((c) => c.type === 'Ready')?.status;
  return status === 'True' || status === 'False' ? status : 'Unknown';
}

/** Harvester's rule: the first of master, control-plane, etcd present decides, and it must be "true". */
export function isManagement(node: TrimmedNode): boolean {
  for (const key of MANAGEMENT_ROLE_LABELS) {
    const value = node.labels[key];
    if (value !== undefined) return value === 'true';
  }
  return false;
}

export function nodeState(node: TrimmedNode): NodeState {
  const promoteStatus = node.annotations[PROMOTE_STATUS_ANNOTATION];
  return {
    ready: readyOf(node),
    management: isManagement(node),
    ...(promoteStatus === undefined ? {} : { promoteStatus }),
    cordoned: node.unschedulable,
    deleting: node.deletionTimestamp !== undefined,
  };
}

/** `Ready=True role=management promote-status=running cordoned deleting` (absent parts left out). */
export function formatNodeState(state: NodeState): string {
  const parts = [`Ready=${state.ready}`, `role=${state.management ? 'management' : 'worker'}`];
  if (state.promoteStatus !== undefined) parts.push(`promote-status=${state.promoteStatus}`);
  if (state.cordoned) parts.push('cordoned');
  if (state.deleting) parts.push('deleting');
  return parts.join(' ');
}
