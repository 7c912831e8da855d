// Promotions for the figures: each deleted management node, the node promoted in its place, and when that
// promotion completed. Deletions and promotion starts are what the promotion oracles see (harnessDeletions,
// analysePromotions over one node replay); this only pairs them and follows each promoted node to promote-status
// complete. It judges nothing: whether the right node was promoted is promotion-after-deletion's verdict.
import { isManagementNode } from '../harvester/contract.ts';
import { harnessDeletions, runStartOf } from '../observe/history.ts';
import type { HarnessDeletion, History } from '../observe/history.ts';
import { replayNodes } from '../oracles/node-tracker.ts';
import type { NodeChange } from '../oracles/node-tracker.ts';
import { toV1Node } from '../oracles/node-view.ts';
import { analysePromotions } from '../oracles/promotion-signals.ts';
import type { PromotionAnalysis, PromotionStart } from '../oracles/promotion-signals.ts';

/** A deleted management node and its replacement; times in ms from the run's start. */
export interface PromotionFigure {
  /** The management node that was deleted. */
  readonly deleted: string;
  /** The node that started promoting after it disappeared; absent when none did. */
  readonly promoted?: string;
  readonly deletedAtMs: number;
  /** When the promoted node's promote-status became complete; absent when it never did. */
  readonly completedAtMs?: number;
}

interface Deletion {
  readonly node: string;
  /** Epoch ms: the delete applied, or the Node gone, whichever was recorded first. */
  readonly deletedAt: number;
  /** Seq of the DELETED event; undefined while the Node object never disappeared. */
  readonly goneSeq?: number;
  start?: PromotionStart;
}

/**
 * Every management node deleted during the run: the harness's deletions of management nodes (gone or stuck
 * Terminating), and management nodes whose Node object disappeared without a harness deletion (someone else
 * deleted them, or a relist found them gone).
 */
function managementDeletions(
  deletions: readonly HarnessDeletion[],
  analysis: PromotionAnalysis,
  changes: readonly (NodeChange | undefined)[],
): Deletion[] {
  const out: Deletion[] = analysis.disappearances.map(({ deletion, gone }) => ({
    node: deletion.node,
    deletedAt: Math.min(deletion.applied.t, gone.t),
    goneSeq: gone.seq,
  }));
  for (const deletion of deletions) {
    if (deletion.gone !== undefined || deletion.before === undefined || !isManagementNode(toV1Node(deletion.before))) continue;
    out.push({ node: deletion.node, deletedAt: deletion.applied.t });
  }
  const harnessGone = new Set(deletions.flatMap((d) => (d.gone === undefined ? [] : [d.gone.seq])));
  for (const change of changes) {
    if (change === undefined || change.after !== undefined || harnessGone.has(change.event.seq)) continue;
    if (change.before?.management !== true) continue;
    out.push({ node: change.name, deletedAt: change.event.t, goneSeq: change.event.seq });
  }
  return out.sort((a, b) => a.deletedAt - b.deletedAt);
}

/**
 * Harvester promotes one node at a time and only once a deleted Node object is gone (docs/harvester-promotion-
 * contract.md, from promote_controller.go OnNodeChanged): each promotion start is paired with the earliest
 * disappearance before it that has no promotion yet. Starts with none (a third node joining) are not counted.
 */
function pairStarts(deletions: readonly Deletion[], starts: readonly PromotionStart[]): void {
  const byGone = deletions.filter((d) => d.goneSeq !== undefined).sort((a, b) => (a.goneSeq as number) - (b.goneSeq as number));
  for (const start of [...starts].sort((a, b) => a.event.seq - b.event.seq)) {
    const deletion = byGone.find((d) => d.start === undefined && (d.goneSeq as number) < start.event.seq);
    if (deletion !== undefined) deletion.start = start;
  }
}

/** When `node`'s promote-status became complete at or after `fromSeq`; undefined if its Node went first or never. */
function completedAt(changes: readonly (NodeChange | undefined)[], node: string, fromSeq: number): number | undefined {
  for (const change of changes) {
    if (change === undefined || change.name !== node || change.event.seq < fromSeq) continue;
    if (change.after === undefined) return undefined;
    if (change.after.status === 'complete') return change.event.t;
  }
  return undefined;
}

/** Times in ms from zeroMs, in the order the nodes were deleted. */
export function promotionIntervals(history: History, zeroMs: number): PromotionFigure[] {
  const changes = replayNodes(history);
  const harness = harnessDeletions(history);
  const analysis = analysePromotions(history, runStartOf(history), harness, changes);
  const deletions = managementDeletions(harness, analysis, changes);
  pairStarts(deletions, analysis.starts);
  return deletions.map((d) => {
    const completed = d.start === undefined ? undefined : completedAt(changes, d.start.node, d.start.event.seq);
    return {
      deleted: d.node,
      ...(d.start === undefined ? {} : { promoted: d.start.node }),
      deletedAtMs: d.deletedAt - zeroMs,
      ...(completed === undefined ? {} : { completedAtMs: completed - zeroMs }),
    };
  });
}
