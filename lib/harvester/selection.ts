// Harvester's choice of the next node to promote, with switches that turn single rules off so the checkers can be
// shown deliberately broken policies. REFERENCE_SELECTION is Harvester's behaviour; every switch on.
import type { V1Node } from '@kubernetes/client-node';
import {
  MANAGEMENT_NODE_TARGET,
  createdAtMs,
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

export interface SelectionOptions {
  /** Promote nothing once management nodes reach min(total, 3). */
  readonly stopAtEnoughManagement: boolean;
  /** Promote nothing while any node has promote-status running, failed or unknown. */
  readonly blockWhileInFlight: boolean;
  /** A candidate must be Ready with no other condition True. */
  readonly requireHealthy: boolean;
  /** A candidate must not be cordoned (spec.unschedulable). */
  readonly requireSchedulable: boolean;
  /** Which end of the age order wins inside a tier. */
  readonly agePreference: 'oldest' | 'youngest';
}

export const REFERENCE_SELECTION: SelectionOptions = Object.freeze({
  stopAtEnoughManagement: true,
  blockWhileInFlight: true,
  requireHealthy: true,
  requireSchedulable: true,
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
  readonly candidate?: string;
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

function declined(outcome: SelectionOutcome, reason: string): Selection {
  return { outcome, reason };
}

function isEligible(node: V1Node, options: SelectionOptions): boolean {
  if (options.requireHealthy && !isNodeHealthy(node)) return false;
  if (!isHarvesterManaged(node)) return false;
  if (options.requireSchedulable && isCordoned(node)) return false;
  return !isWorkerOnly(node);
}

/**
 * One pass in list order, as Harvester does it. Only one witness may be promoted: a witness is "extra" (not
 * eligible) when an earlier node in the list is an eligible witness or a witness already promoted. A promoted
 * witness later in the list still empties the witness tier at the end, but the witnesses before it stay counted.
 */
function collectCandidates(nodes: readonly V1Node[], options: SelectionOptions): CandidatePool {
  const pool: CandidatePool = {
    tiers: { 'management-labelled': [], witness: [], ordinary: [] },
    eligibleCount: 0,
    eligibleZones: new Set(),
  };
  let witnessPromoted = false;
  for (const node of nodes) {
    const management = isManagementNode(node);
    if (isWitness(node) && (management || promoteStatus(node) !== undefined)) witnessPromoted = true;
    if (management || !isEligible(node, options)) continue;
    if (isWitness(node) && (witnessPromoted || pool.tiers.witness.length > 0)) continue;
    pool.eligibleCount += 1;
    const zone = zoneOf(node);
    if (zone !== undefined) pool.eligibleZones.add(zone);
    if (prefersManagement(node)) pool.tiers['management-labelled'].push(node);
    else if (isWitness(node)) pool.tiers.witness.push(node);
    else pool.tiers.ordinary.push(node);
  }
  if (witnessPromoted) pool.tiers.witness = [];
  return pool;
}

function firstNonEmptyTier(pool: CandidatePool): [TierName, V1Node[]] | undefined {
  const order: TierName[] = ['management-labelled', 'witness', 'ordinary'];
  const name = order.find((tier) => pool.tiers[tier].length > 0);
  return name === undefined ? undefined : [name, pool.tiers[name]];
}

/** The oldest (or youngest) node; on equal timestamps the earlier one in the list wins. */
function pickByAge(nodes: readonly V1Node[], agePreference: SelectionOptions['agePreference']): V1Node | undefined {
  const beats = (node: V1Node, picked: V1Node): boolean =>
    agePreference === 'oldest' ? createdAtMs(node) < createdAtMs(picked) : createdAtMs(node) > createdAtMs(picked);
  let picked: V1Node | undefined;
  for (const node of nodes) {
    if (picked === undefined || beats(node, picked)) picked = node;
  }
  return picked;
}

/** Once zones are in force a candidate needs a zone, and no management node may be in it. */
function inZoneWithoutManagement(node: V1Node, managementZones: ReadonlySet<string>): boolean {
  const zone = zoneOf(node);
  return zone !== undefined && !managementZones.has(zone);
}

function blockingStatus(nodes: readonly V1Node[], options: SelectionOptions): Selection | undefined {
  if (options.blockWhileInFlight) {
    const busy = nodes.find((node) => isBlockingPromoteStatus(promoteStatus(node)));
    if (busy !== undefined) {
      return declined('promotion-in-flight', `node ${nodeName(busy)} has promote-status ${promoteStatus(busy)}; one promotion at a time`);
    }
  }
  const unlabelled = nodes.find((node) => !isManagementNode(node) && promoteStatus(node) === 'complete');
  if (unlabelled !== undefined) {
    return declined('promotion-not-labelled-yet', `node ${nodeName(unlabelled)} finished promotion but has no management role label yet`);
  }
  return undefined;
}

export function selectWith(nodes: readonly V1Node[], options: SelectionOptions): Selection {
  const total = nodes.length;
  if (total < MANAGEMENT_NODE_TARGET) {
    return declined('too-few-nodes', `${total} node(s); nothing is promoted below ${MANAGEMENT_NODE_TARGET} nodes`);
  }
  const management = nodes.filter(isManagementNode);
  if (options.stopAtEnoughManagement && management.length >= Math.min(total, MANAGEMENT_NODE_TARGET)) {
    return declined('enough-management', `${management.length} management node(s) already; the target is ${MANAGEMENT_NODE_TARGET}`);
  }
  const blocked = blockingStatus(nodes, options);
  if (blocked !== undefined) return blocked;

  const pool = collectCandidates(nodes, options);
  if (management.length + pool.eligibleCount < MANAGEMENT_NODE_TARGET) {
    return declined('too-few-candidates', `${management.length} management + ${pool.eligibleCount} eligible node(s) < ${MANAGEMENT_NODE_TARGET}`);
  }
  const managementZones = new Set(management.map(zoneOf).filter((zone) => zone !== undefined));
  const zonesInForce = managementZones.size > 0;
  const allZones = new Set([...managementZones, ...pool.eligibleZones]);
  if (zonesInForce && allZones.size < MANAGEMENT_NODE_TARGET) {
    return declined('too-few-zones', `management and eligible nodes span ${allZones.size} zone(s) < ${MANAGEMENT_NODE_TARGET}`);
  }

  const tier = firstNonEmptyTier(pool);
  if (tier === undefined) return declined('no-candidate', 'no eligible node is left to promote');
  const [tierName, tierNodes] = tier;
  const selectable = zonesInForce ? tierNodes.filter((node) => inZoneWithoutManagement(node, managementZones)) : tierNodes;
  const picked = pickByAge(selectable, options.agePreference);
  if (picked === undefined) {
    return declined('no-candidate-in-new-zone', `no ${tierName} candidate is in a zone without a management node`);
  }
  return { candidate: nodeName(picked), outcome: 'promote', reason: `promote ${nodeName(picked)}: ${options.agePreference} ${tierName} candidate` };
}
