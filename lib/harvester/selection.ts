// Harvester's choice of the next node to promote, with switches that turn single rules off (or, for a policy stricter
// than Harvester, on) so the checkers can be shown other policies. REFERENCE_SELECTION is Harvester's behaviour:
// selectPromoteNode in harvester/harvester pkg/controller/master/node/promote_controller.go (read at 3d63c2af), with
// its predicates from pkg/util/node.go. Every case of its Test_selectPromoteNode is ported in
// testing/upstream-select-cases.ts and judged in harvester-cases.test.ts.
//
// List order. Harvester lists the nodes from an informer cache (a Go map), so their order differs from one reconcile to
// the next, and two of its rules read that order:
//   - equal creation timestamps (the API keeps seconds): the first in the list wins;
//   - the one-witness rule: a witness is "extra" (not counted, not a candidate) when an eligible witness or an already
//     promoted witness came before it in the list.
// `candidate` is Harvester's choice for the list in the order given; `tied` is every node it could choose over some
// order of the same nodes, the candidate first. Any of them is Harvester's choice.
import type { V1Node } from '@kubernetes/client-node';
import {
  MANAGEMENT_NODE_TARGET,
  createdAtMs,
  hasReadyTrue,
  isBlockingPromoteStatus,
  isCordoned,
  isHarvesterManaged,
  isManagementNode,
  isNodeHealthy,
  isWitness,
  isWorkerOnly,
  nodeName,
  prefersManagement,
  promoteStatus,
  zoneOf,
} from './contract.ts';

// Each switch below turns one rule of Harvester's selectPromoteNode off (promote_controller.go at 3d63c2af; the line
// numbers are that file's); REFERENCE_SELECTION has them all on.
export interface SelectionOptions {
  /** Promote nothing once management nodes reach min(total, 3) (:326-333). */
  readonly stopAtEnoughManagement: boolean;
  /** Promote nothing while any node has promote-status running, failed or unknown (:340-343). */
  readonly blockWhileInFlight: boolean;
  /**
   * Promote nothing while a non-management node has promote-status complete: its promotion finished but its role
   * labels are not there yet (:335-338).
   */
  readonly waitForRoleLabels: boolean;
  /** A candidate must be healthy: no Ready condition other than True, no other condition True (isNodeHealthy, :351). */
  readonly requireHealthy: boolean;
  /**
   * A candidate must report a Ready condition, True. Stricter than Harvester, whose health loop lets a node without
   * any Ready condition pass; off in REFERENCE_SELECTION (fixtures/policies/strict-ready.ts turns it on).
   */
  readonly readyConditionRequired: boolean;
  /** A candidate must carry the harvesterhci.io/managed label (isHarvesterNode, :351 and :430-433). */
  readonly requireManaged: boolean;
  /** A candidate must not be cordoned (spec.unschedulable, :352). */
  readonly requireSchedulable: boolean;
  /** A candidate must not carry node-role.harvesterhci.io/worker (isWorkerPreferredNode, :353 and :424-427). */
  readonly excludeWorkerRole: boolean;
  /**
   * One witness only: a witness listed after an eligible witness or a promoted one is "extra", neither counted nor a
   * candidate (isExtraWitnessNode, :353 and :412-422).
   */
  readonly excludeExtraWitnesses: boolean;
  /** Candidates labelled node-role.harvesterhci.io/management come first (:357-358, :389-390); off: ranked as unlabelled. */
  readonly preferManagementLabelled: boolean;
  /** Witness candidates come before ordinary ones (:391-392); off: the two are ranked together, by age. */
  readonly preferWitnesses: boolean;
  /**
   * Once a management node has a zone, management and eligible nodes must span 3 zones and the candidate must be in a
   * zone without a management node (:345-350, :378-383, :398-401).
   */
  readonly spreadZones: boolean;
  /** Which end of the age order wins inside a tier (:402: the oldest). */
  readonly agePreference: 'oldest' | 'youngest';
}

export const REFERENCE_SELECTION: SelectionOptions = Object.freeze({
  stopAtEnoughManagement: true,
  blockWhileInFlight: true,
  waitForRoleLabels: true,
  requireHealthy: true,
  readyConditionRequired: false,
  requireManaged: true,
  requireSchedulable: true,
  excludeWorkerRole: true,
  excludeExtraWitnesses: true,
  preferManagementLabelled: true,
  preferWitnesses: true,
  spreadZones: true,
  agePreference: 'oldest',
});

export type SelectionOutcome =
  | 'promote'
  | 'too-few-nodes'
  | 'enough-management'
  | 'promotion-in-flight'
  | 'promotion-not-labelled-yet'
  | 'too-few-candidates'
  | 'too-few-zones'
  | 'no-candidate-in-new-zone'
  | 'no-candidate';

export interface Selection {
  /** The node promoted with the nodes listed in the order given; undefined when none is. */
  readonly candidate?: string;
  /**
   * Every node that would be promoted with the same nodes listed in some order (equal creation seconds, which witness
   * is extra), the candidate first, the rest in list order. Empty when no order promotes anything. It can hold nodes
   * when `candidate` is undefined: the witness rule can make one order promote and another not.
   */
  readonly tied: readonly string[];
  /** The outcome for the order given. */
  readonly outcome: SelectionOutcome;
  readonly reason: string;
}

type TierName = 'management-labelled' | 'witness' | 'ordinary';

interface CandidatePool {
  readonly tiers: Record<TierName, V1Node[]>;
  /** Non-management nodes that may become management (Harvester counts these with the management nodes). */
  eligibleCount: number;
  readonly eligibleZones: Set<string>;
}

type Decision =
  | { readonly kind: 'declined'; readonly outcome: SelectionOutcome; readonly reason: string }
  | { readonly kind: 'promote'; readonly tier: TierName; readonly selectable: readonly V1Node[] };

function declined(outcome: SelectionOutcome, reason: string): Decision & { kind: 'declined' } {
  return { kind: 'declined', outcome, reason };
}

/** Every candidate rule except the one-witness rule (which depends on list order). */
function isEligible(node: V1Node, options: SelectionOptions): boolean {
  if (options.requireHealthy && !isNodeHealthy(node)) return false;
  if (options.readyConditionRequired && !hasReadyTrue(node)) return false;
  if (options.requireManaged && !isHarvesterManaged(node)) return false;
  if (options.requireSchedulable && isCordoned(node)) return false;
  return !(options.excludeWorkerRole && isWorkerOnly(node));
}

/** Ranked in the management-labelled tier (a node with that label, unless the tier is switched off). */
function inManagementLabelledTier(node: V1Node, options: SelectionOptions): boolean {
  return options.preferManagementLabelled && prefersManagement(node);
}

/** A witness whose promotion already ran (util.IsWitnessNode): management, or with any promote status. */
function isPromotedWitness(node: V1Node): boolean {
  return isWitness(node) && (isManagementNode(node) || promoteStatus(node) !== undefined);
}

/** Non-management witnesses that pass every other candidate rule: the ones the one-witness rule decides about. */
function eligibleWitnesses(nodes: readonly V1Node[], options: SelectionOptions): V1Node[] {
  return nodes.filter((node) => !isManagementNode(node) && isWitness(node) && isEligible(node, options));
}

/**
 * The eligible witnesses that are extra with the nodes in this order: a witness is extra when an eligible witness
 * (one that went to the witness tier) or a promoted witness came before it, or when it is itself a promoted witness.
 */
function extraWitnessesInOrder(nodes: readonly V1Node[], options: SelectionOptions): Set<V1Node> {
  const extra = new Set<V1Node>();
  if (!options.excludeExtraWitnesses) return extra;
  let promotedSeen = false;
  let inWitnessTier = 0;
  for (const node of nodes) {
    promotedSeen ||= isPromotedWitness(node);
    if (isManagementNode(node) || !isWitness(node) || !isEligible(node, options)) continue;
    if (promotedSeen || inWitnessTier > 0) extra.add(node);
    else if (!inManagementLabelledTier(node, options)) inWitnessTier += 1;
  }
  return extra;
}

/** Every subset; beyond MAX_SUBSET_ITEMS items only all and none (a cluster with that many witnesses also labelled
 * management-preferred is not one Harvester supports: it expects one witness). */
const MAX_SUBSET_ITEMS = 8;
function subsets<T>(items: readonly T[]): T[][] {
  if (items.length > MAX_SUBSET_ITEMS) return [[], [...items]];
  return items.reduce<T[][]>((acc, item) => [...acc, ...acc.map((subset) => [...subset, item])], [[]]);
}

/**
 * Every set of extra witnesses some list order gives. The witnesses counted are those listed before both the first
 * promoted witness and the first witness-tier witness, plus that witness-tier witness if it comes before any promoted
 * one: any subset of the management-labelled witnesses, plus one plain witness (or, when a witness was promoted
 * already, one or none). A promoted witness that is eligible is always extra.
 */
function possibleExtraSets(nodes: readonly V1Node[], options: SelectionOptions): Set<V1Node>[] {
  if (!options.excludeExtraWitnesses) return [new Set()];
  const witnesses = eligibleWitnesses(nodes, options);
  const alwaysExtra = witnesses.filter(isPromotedWitness);
  const open = witnesses.filter((node) => !isPromotedWitness(node));
  const dual = open.filter((node) => inManagementLabelledTier(node, options));
  const plain = open.filter((node) => !inManagementLabelledTier(node, options));
  const anyPromoted = nodes.some(isPromotedWitness);
  const leaders: (V1Node | undefined)[] = anyPromoted || plain.length === 0 ? [undefined, ...plain] : plain;
  // Without a promoted witness nor a plain one nothing makes a management-labelled witness extra.
  const counted: V1Node[][] = !anyPromoted && plain.length === 0 ? [dual] : subsets(dual);
  const sets: Set<V1Node>[] = [];
  for (const duals of counted) {
    for (const leader of leaders) {
      const kept = new Set<V1Node>(leader === undefined ? duals : [...duals, leader]);
      sets.push(new Set([...alwaysExtra, ...open.filter((node) => !kept.has(node))]));
    }
  }
  return sets;
}

/** The pool with the given witnesses extra; a promoted witness anywhere empties the witness tier at the end. */
function collectCandidates(nodes: readonly V1Node[], options: SelectionOptions, extra: ReadonlySet<V1Node>): CandidatePool {
  const pool: CandidatePool = {
    tiers: { 'management-labelled': [], witness: [], ordinary: [] },
    eligibleCount: 0,
    eligibleZones: new Set(),
  };
  for (const node of nodes) {
    if (isManagementNode(node) || !isEligible(node, options) || extra.has(node)) continue;
    pool.eligibleCount += 1;
    const zone = zoneOf(node);
    if (zone !== undefined) pool.eligibleZones.add(zone);
    if (inManagementLabelledTier(node, options)) pool.tiers['management-labelled'].push(node);
    else if (isWitness(node)) pool.tiers.witness.push(node);
    else pool.tiers.ordinary.push(node);
  }
  if (nodes.some(isPromotedWitness)) pool.tiers.witness = [];
  return pool;
}

/** The tiers in priority order; with preferWitnesses off, witnesses are ranked with the ordinary nodes (list order kept). */
function rankedTiers(nodes: readonly V1Node[], pool: CandidatePool, options: SelectionOptions): [TierName, V1Node[]][] {
  const { tiers } = pool;
  if (options.preferWitnesses)
    return [
      ['management-labelled', tiers['management-labelled']],
      ['witness', tiers.witness],
      ['ordinary', tiers.ordinary],
    ];
  const together = new Set([...tiers.witness, ...tiers.ordinary]);
  return [
    ['management-labelled', tiers['management-labelled']],
    ['ordinary', nodes.filter((node) => together.has(node))],
  ];
}

function firstNonEmptyTier(nodes: readonly V1Node[], pool: CandidatePool, options: SelectionOptions): [TierName, V1Node[]] | undefined {
  return rankedTiers(nodes, pool, options).find(([, tierNodes]) => tierNodes.length > 0);
}

/** Creation time as Harvester compares it: whole seconds, as the API server stores it; -Infinity when missing. */
function createdSecond(node: V1Node): number {
  return Math.floor(createdAtMs(node) / 1000);
}

/** The oldest (or youngest) node; on equal creation seconds the earlier one in the list wins (Go's strict Before). */
function pickByAge(nodes: readonly V1Node[], agePreference: SelectionOptions['agePreference']): V1Node | undefined {
  const beats = (node: V1Node, picked: V1Node): boolean =>
    agePreference === 'oldest' ? createdSecond(node) < createdSecond(picked) : createdSecond(node) > createdSecond(picked);
  let picked: V1Node | undefined;
  for (const node of nodes) {
    if (picked === undefined || beats(node, picked)) picked = node;
  }
  return picked;
}

/** Every node created in the same second as the one pickByAge picks: another list order picks any of them. */
function agePeers(nodes: readonly V1Node[], agePreference: SelectionOptions['agePreference']): V1Node[] {
  const picked = pickByAge(nodes, agePreference);
  return picked === undefined ? [] : nodes.filter((node) => createdSecond(node) === createdSecond(picked));
}

/** Once zones are in force a candidate needs a zone, and no management node may be in it. */
function inZoneWithoutManagement(node: V1Node, managementZones: ReadonlySet<string>): boolean {
  const zone = zoneOf(node);
  return zone !== undefined && !managementZones.has(zone);
}

function blockingStatus(nodes: readonly V1Node[], options: SelectionOptions): Decision | undefined {
  if (options.blockWhileInFlight) {
    const busy = nodes.find((node) => isBlockingPromoteStatus(promoteStatus(node)));
    if (busy !== undefined) {
      return declined('promotion-in-flight', `node ${nodeName(busy)} has promote-status ${promoteStatus(busy)}; one promotion at a time`);
    }
  }
  const unlabelled = options.waitForRoleLabels
    ? nodes.find((node) => !isManagementNode(node) && promoteStatus(node) === 'complete')
    : undefined;
  if (unlabelled !== undefined) {
    return declined('promotion-not-labelled-yet', `node ${nodeName(unlabelled)} finished promotion but has no management role label yet`);
  }
  return undefined;
}

/** The rules that do not depend on list order. */
function precheck(nodes: readonly V1Node[], options: SelectionOptions): Decision | undefined {
  const total = nodes.length;
  if (total < MANAGEMENT_NODE_TARGET) {
    return declined('too-few-nodes', `${total} node(s); nothing is promoted below ${MANAGEMENT_NODE_TARGET} nodes`);
  }
  const management = nodes.filter(isManagementNode).length;
  if (options.stopAtEnoughManagement && management >= Math.min(total, MANAGEMENT_NODE_TARGET)) {
    return declined('enough-management', `${management} management node(s) already; the target is ${MANAGEMENT_NODE_TARGET}`);
  }
  return blockingStatus(nodes, options);
}

/** The decision with the given witnesses extra. */
function decide(nodes: readonly V1Node[], options: SelectionOptions, extra: ReadonlySet<V1Node>): Decision {
  const management = nodes.filter(isManagementNode);
  const pool = collectCandidates(nodes, options, extra);
  if (management.length + pool.eligibleCount < MANAGEMENT_NODE_TARGET) {
    return declined(
      'too-few-candidates',
      `${management.length} management + ${pool.eligibleCount} eligible node(s) < ${MANAGEMENT_NODE_TARGET}`,
    );
  }
  const managementZones = new Set(management.map(zoneOf).filter((zone) => zone !== undefined));
  const zonesInForce = options.spreadZones && managementZones.size > 0;
  const allZones = new Set([...managementZones, ...pool.eligibleZones]);
  if (zonesInForce && allZones.size < MANAGEMENT_NODE_TARGET) {
    return declined('too-few-zones', `management and eligible nodes span ${allZones.size} zone(s) < ${MANAGEMENT_NODE_TARGET}`);
  }
  const tier = firstNonEmptyTier(nodes, pool, options);
  if (tier === undefined) return declined('no-candidate', 'no eligible node is left to promote');
  const [tierName, tierNodes] = tier;
  const selectable = zonesInForce ? tierNodes.filter((node) => inZoneWithoutManagement(node, managementZones)) : tierNodes;
  if (selectable.length === 0)
    return declined('no-candidate-in-new-zone', `no ${tierName} candidate is in a zone without a management node`);
  return { kind: 'promote', tier: tierName, selectable };
}

/** Every node some list order promotes, in list order. */
function tiedNodes(nodes: readonly V1Node[], options: SelectionOptions): V1Node[] {
  const tied = new Set<V1Node>();
  for (const extra of possibleExtraSets(nodes, options)) {
    const decision = decide(nodes, options, extra);
    if (decision.kind === 'promote') for (const node of agePeers(decision.selectable, options.agePreference)) tied.add(node);
  }
  return nodes.filter((node) => tied.has(node));
}

export function selectWith(nodes: readonly V1Node[], options: SelectionOptions): Selection {
  const pre = precheck(nodes, options);
  if (pre?.kind === 'declined') return { tied: [], outcome: pre.outcome, reason: pre.reason };
  const decision = decide(nodes, options, extraWitnessesInOrder(nodes, options));
  const tied = tiedNodes(nodes, options).map(nodeName);
  if (decision.kind === 'declined') {
    const elsewhere = tied.length === 0 ? '' : `; listed in another order (which witness is extra), ${tied.join(' or ')} would be promoted`;
    return { tied, outcome: decision.outcome, reason: `${decision.reason}${elsewhere}` };
  }
  const picked = pickByAge(decision.selectable, options.agePreference) as V1Node;
  const candidate = nodeName(picked);
  const others = tied.filter((name) => name !== candidate);
  const ties = others.length === 0 ? '' : `; tied with ${others.join(', ')} (Harvester's list order is random: any of them is its choice)`;
  return {
    candidate,
    tied: [candidate, ...others],
    outcome: 'promote',
    reason: `promote ${candidate}: ${options.agePreference} ${decision.tier} candidate${ties}`,
  };
}
