// Whether a run could show a faulty promotion policy at all: replayed node by node, did the nodes ever make the faulty
// policy name another node than Harvester's would (outside its tie set)? A run where they never disagreed (the one
// candidate there was, a worker briefly NotReady when the choice was made) cannot tell the two apart, whatever the
// checker does, so checker self-validation runs it again instead of counting it as a miss.
import type { SelectPromoteNode } from '../harvester/promotion.ts';
import type { History } from '../observe/history.ts';
import { HARVESTER_REFERENCE, referenceChoices } from '../oracles/context.ts';
import { NodeSet, replayNodes } from '../oracles/node-tracker.ts';

export interface PolicyDisagreement {
  /** When (ms since the epoch): the node event after which the two disagreed. */
  readonly t: number;
  /** The faulty policy's choice. */
  readonly faulty: string;
  /** Harvester's choice (its tie set), empty when it named none. */
  readonly harvester: readonly string[];
}

/**
 * The first moment, from the harness's first action on, the nodes made `faulty` name a node Harvester's selection
 * would not; undefined if never. (Before it the cluster is as it started, and the run-start's node list arrives one
 * node at a time: halfway through it, either policy may name a node neither controller ever saw alone.)
 */
export function firstDisagreement(history: History, faulty: SelectPromoteNode): PolicyDisagreement | undefined {
  const nodes = new NodeSet();
  const changes = replayNodes(history);
  let acted = false;
  for (let i = 0; i < history.length; i += 1) {
    const event = history[i];
    const change = changes[i];
    if (change !== undefined) nodes.follow(change);
    // Compared at the first action (the nodes as the fault found them), then after every relevant node change.
    const compare = event?.kind === 'action' ? !acted : acted && change?.relevant === true;
    if (event?.kind === 'action') acted = true;
    if (!compare || event === undefined) continue;
    const disagreement = disagreementAt(nodes, event.t, faulty);
    if (disagreement !== undefined) return disagreement;
  }
  return undefined;
}

function disagreementAt(nodes: NodeSet, t: number, faulty: SelectPromoteNode): PolicyDisagreement | undefined {
  const list = nodes.v1Nodes();
  const now = new Date(t);
  const choice = faulty(list, now);
  if (choice === undefined) return undefined;
  const harvester = referenceChoices(HARVESTER_REFERENCE, list, now);
  return harvester.includes(choice) ? undefined : { t, faulty: choice, harvester };
}
