// Nodes of an existing cluster as the harness knows them: roles from labels (management per Harvester's contract),
// the InternalIP as address, the zone label. Ordered by name (numbers in names compare as numbers), so
// control-plane[0] is stable from run to run.
import type { ClusterNode } from '../../model/cluster.ts';
import type { V1Node } from '@kubernetes/client-node';
import { isManagementNode, nodeName, readyCondition, zoneOf } from '../../harvester/contract.ts';

export function internalAddress(node: V1Node): string | undefined {
  const addresses = node.status?.addresses ?? [];
  return (addresses.find((a) => a.type === 'InternalIP') ?? addresses.find((a) => a.type === 'ExternalIP'))?.address;
}

export function clusterNodeOf(node: V1Node): ClusterNode {
  const address = internalAddress(node);
  const zone = zoneOf(node);
  return {
    name: nodeName(node),
    role: isManagementNode(node) ? 'control-plane' : 'worker',
    ...(address ? { address } : {}),
    ...(zone ? { zone } : {}),
  };
}

const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** Nodes in provider order: by name, numbers compared as numbers (node-2 before node-10). */
export function clusterNodesOf(nodes: readonly V1Node[]): ClusterNode[] {
  return nodes
    .map(clusterNodeOf)
    .filter((n) => n.name !== '')
    .sort((a, b) => byName(a.name, b.name));
}

/** Names of the management (control-plane/etcd) nodes now. */
export function managementNames(nodes: readonly V1Node[]): string[] {
  return nodes.filter(isManagementNode).map(nodeName).sort(byName);
}

/** Nodes whose Ready condition is not True (down as far as the API can tell). */
export function notReadyNames(nodes: readonly V1Node[]): string[] {
  return nodes
    .filter((n) => readyCondition(n)?.status !== 'True')
    .map(nodeName)
    .sort(byName);
}
