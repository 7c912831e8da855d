// The etcd member reconciler, as k3s/RKE2's managed-etcd controller: an etcd node carries a finalizer; when the Node
// is deleted, the controller removes the node's etcd member, then releases the finalizer so the object goes away.
import type { V1Node } from '@kubernetes/client-node';
import type { FailoverApiClient } from './api-client.ts';
import { mergePatch } from '../../util/patch-options.ts';

export const ETCD_MEMBER_FINALIZER = 'wrangler.cattle.io/managed-etcd-controller';
const ETCD_ROLE_LABEL = 'node-role.kubernetes.io/etcd';

/** The part of an etcd client this controller needs. */
export interface EtcdMemberOps {
  memberList(): Promise<{ readonly members: readonly { readonly id: string; readonly name: string }[] }>;
  memberRemove(id: string): Promise<unknown>;
}

export interface EtcdMemberReconcileResult {
  readonly finalizersAdded: string[];
  readonly membersRemoved: string[];
  readonly released: string[];
}

export async function reconcileEtcdMembers(api: FailoverApiClient, etcd: EtcdMemberOps): Promise<EtcdMemberReconcileResult> {
  const result: EtcdMemberReconcileResult = { finalizersAdded: [], membersRemoved: [], released: [] };
  const nodes = await api.call('list nodes', (a) => a.core.listNode());
  for (const node of nodes.items) {
    const name = node.metadata?.name;
    if (!name) continue;
    const finalizers = node.metadata?.finalizers ?? [];
    const hasFinalizer = finalizers.includes(ETCD_MEMBER_FINALIZER);
    if (node.metadata?.deletionTimestamp) {
      if (!hasFinalizer) continue;
      const member = (await etcd.memberList()).members.find((m) => m.name === name);
      if (member) {
        await etcd.memberRemove(member.id);
        result.membersRemoved.push(name);
      }
      await setFinalizers(
        api,
        node,
        finalizers.filter((f) => f !== ETCD_MEMBER_FINALIZER),
      );
      result.released.push(name);
    } else if (!hasFinalizer && node.metadata?.labels?.[ETCD_ROLE_LABEL] === 'true') {
      await setFinalizers(api, node, [...finalizers, ETCD_MEMBER_FINALIZER]);
      result.finalizersAdded.push(name);
    }
  }
  return result;
}

async function setFinalizers(api: FailoverApiClient, node: V1Node, finalizers: string[]): Promise<void> {
  const name = node.metadata?.name as string;
  await api.call('set node finalizers', (a) =>
    a.core.patchNode(
      {
        name,
        body: { metadata: { finalizers: finalizers.length > 0 ? finalizers : null, resourceVersion: node.metadata?.resourceVersion } },
      },
      mergePatch(),
    ),
  );
}
