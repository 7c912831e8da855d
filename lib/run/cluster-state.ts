// Reading the cluster's current state for targets, waits and checks.
import type { V1Node } from '@kubernetes/client-node';
import { isManagementNode, promoteStatus } from '../harvester/contract.ts';
import type { NodeReadiness, PromoteStatus } from '../scenario/types.ts';

export function readinessOf(node: V1Node | undefined): NodeReadiness | undefined {
  const status = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return status === 'True' || status === 'False' || status === 'Unknown' ? status : undefined;
}

export function managementCount(nodes: readonly V1Node[]): number {
  return nodes.filter((n) => isManagementNode(n)).length;
}

export function promoteStatusOf(node: V1Node | undefined): PromoteStatus | undefined {
  return node ? (promoteStatus(node) as PromoteStatus | undefined) : undefined;
}

export function nodeNamed(nodes: readonly V1Node[], name: string): V1Node | undefined {
  return nodes.find((n) => n.metadata?.name === name);
}
