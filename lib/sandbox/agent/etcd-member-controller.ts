// k3s/RKE2's managed etcd member removal (k3s pkg/etcd/member_controller.go, registerMemberHandlers:
// `nodes.OnRemove(ctx, "managed-etcd-controller", e.onRemove)`): every Node carries its finalizer (wrangler adds it
// to all Nodes, node-finalizers.ts); when a Node labelled node-role.kubernetes.io/etcd is deleted, onRemove removes
// the node's etcd member (ETCD.RemovePeer: the member of that name; none is fine), and only then is the finalizer
// released. A removal etcd refuses (one that would leave too few members up for quorum, a cluster without quorum)
// is an error: the finalizer stays and the Node stays Terminating until a retry succeeds.
import type { V1Node } from '@kubernetes/client-node';
import { ETCD_ROLE_LABEL } from '../../harvester/contract.ts';
import { RKE2_ETCD_NODE_NAME_ANNOTATION } from '../../harvester/etcd-members.ts';
import { finalizerOf, type NodeRemoveHandler } from './node-finalizers.ts';

export const ETCD_MEMBER_CONTROLLER = 'managed-etcd-controller';
export const ETCD_MEMBER_FINALIZER = finalizerOf(ETCD_MEMBER_CONTROLLER);

/** The part of an etcd client this controller needs. */
export interface EtcdMemberOps {
  memberList(): Promise<{ readonly members: readonly { readonly id: string; readonly name: string }[] }>;
  memberRemove(id: string): Promise<unknown>;
}

/** The etcd member of a deleted etcd Node, removed (onRemove checks only that the label is present). */
export async function removeEtcdMemberOf(node: V1Node, etcd: EtcdMemberOps): Promise<string | undefined> {
  const name = node.metadata?.name;
  if (!name || node.metadata?.labels?.[ETCD_ROLE_LABEL] === undefined) return undefined;
  // k3s looks the member up through the node's etcd.<program>.cattle.io/node-name (and node-address) annotation,
  // and fails while it is missing; the sandbox's Harvester profile writes it (harvester-profile-parts.ts, RKE2's
  // `<node>-<8 hex>` names). Without it, by name: the plain sandbox names a node's member after the node.
  const memberName = node.metadata?.annotations?.[RKE2_ETCD_NODE_NAME_ANNOTATION] ?? name;
  const member = (await etcd.memberList()).members.find((m) => m.name === memberName);
  if (!member) return undefined;
  await etcd.memberRemove(member.id);
  return member.id;
}

export function etcdMemberRemoveHandler(etcd: EtcdMemberOps): NodeRemoveHandler {
  return {
    controller: ETCD_MEMBER_CONTROLLER,
    onRemove: async (node) => {
      await removeEtcdMemberOf(node, etcd);
    },
  };
}
