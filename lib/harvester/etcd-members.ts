// From etcd member names to Node names. The sandbox names a member after its node; RKE2 (k3s pkg/etcd/etcd.go,
// setName) names it `<node name>-<8 hex>` (the first 8 characters of a random UUID), and renames it when the
// member is re-added, so a Node never matches its member by equal names. Every place that reads etcd membership
// as nodes (etcd-leader and etcd-follower selectors, the report's leader lane) goes through nodeOfEtcdMember.
import type { EtcdMembership } from '../model/cluster.ts';

const RKE2_SUFFIX = /^(.+)-[0-9a-f]{8}$/;

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
