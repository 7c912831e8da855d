// From etcd member names to Node names. The sandbox names a member after its node; RKE2 (k3s pkg/etcd/etcd.go,
// setName) names it `<node name>-<8 hex>` (the first 8 characters of a random UUID), and renames it when the
// member is re-added, so a Node never matches its member by equal names. Every place that reads etcd membership
// as nodes (etcd-leader and etcd-follower selectors, the report's leader lane) goes through nodeOfEtcdMember.
import type { EtcdMembership } from '../model/cluster.ts';

const RKE2_SUFFIX = /^(.+)-[0-9a-f]{8}$/;

/**
 * The Node annotations through which RKE2 finds a node's etcd member (k3s pkg/etcd/etcd.go NodeNameAnnotation and
 * NodeAddressAnnotation, "etcd." + version.Program + ".cattle.io/...", Program "rke2"): each server writes its own
 * (pkg/etcd/metadata_controller.go handleSelf), and the member removal on Node deletion reads them
 * (pkg/etcd/member_controller.go onRemove -> RemovePeer(name, address)).
 */
export const RKE2_ETCD_NODE_NAME_ANNOTATION = 'etcd.rke2.cattle.io/node-name';
export const RKE2_ETCD_NODE_ADDRESS_ANNOTATION = 'etcd.rke2.cattle.io/node-address';

/**
 * An RKE2 member name (k3s pkg/etcd/etcd.go setName): the server's node name, "-", and the first 8 characters of a
 * random UUID (lower-case hex); `uuid` is crypto.randomUUID()'s form.
 */
export function rke2MemberName(node: string, uuid: string): string {
  const suffix = uuid.slice(0, 8);
  if (!/^[0-9a-f]{8}$/.test(suffix)) throw new RangeError(`rke2MemberName: "${uuid}" does not start with 8 hex digits`);
  return `${node}-${suffix}`;
}

/**
 * The node an etcd member runs on: the node of that exact name, else the node the RKE2 form `<node>-<8 hex>` names;
 * undefined when neither is a known node (the member's node was deleted, or its name has another form).
 */
export function nodeOfEtcdMember(member: string, nodes: Iterable<string>): string | undefined {
  const known = nodes instanceof Set ? (nodes as ReadonlySet<string>) : new Set(nodes);
  if (known.has(member)) return member;
  const match = RKE2_SUFFIX.exec(member);
  const base = match?.[1];
  return base !== undefined && known.has(base) ? base : undefined;
}

/** A member's node where known, else the member name as it is (so nothing is silently dropped). */
export function nodeOrMemberName(member: string, nodes: Iterable<string>): string {
  return nodeOfEtcdMember(member, nodes) ?? member;
}

/** Membership with member and leader names mapped to node names (names without a node stay as they are). */
export function membershipAsNodes(
  membership: EtcdMembership,
  nodes: Iterable<string>,
): { readonly members: string[]; readonly leader?: string } {
  const known = new Set(nodes);
  const members = membership.members.map((m) => nodeOrMemberName(m.name, known));
  return { members, ...(membership.leader === undefined ? {} : { leader: nodeOrMemberName(membership.leader, known) }) };
}
