// What a watch concludes from a Node that goes away: someone deleted it. A watch injects nothing, so every Node
// deletion is an operator's (a person, a UI's host removal, a controller): recorded as a delete-node action (intent,
// then applied) ahead of the node event that shows it, the first time the Node shows a deletionTimestamp or is
// gone, so the promotion oracles judge promotions against it as against the harness's own deletions.
import type { TrimmedNode } from './history.ts';
import type { Recorder } from './recorder.ts';

/** Ends the note recorded for each deletion the watch attributes to an operator. */
export const OPERATOR_DELETION_NOTE = 'deleted by an operator (the watch deletes nothing)';

export class OperatorDeletions {
  private readonly attributed = new Set<string>();
  private count = 0;

  constructor(private readonly recorder: Recorder) {}

  /** To be called before each node event is recorded (ClusterObserver's beforeNodeEvent). */
  readonly beforeNodeEvent = (type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'SYNC', node: TrimmedNode): void => {
    if (type !== 'DELETED' && node.deletionTimestamp === undefined) return;
    const key = `${node.name}/${node.uid}`;
    if (this.attributed.has(key)) return;
    this.attributed.add(key);
    this.count += 1;
    const id = `operator-${this.count}`;
    const how = type === 'DELETED' ? 'is gone' : `is Terminating (deletionTimestamp ${node.deletionTimestamp ?? ''})`;
    this.recorder.record({ kind: 'note', message: `Node ${node.name} ${how}: ${OPERATOR_DELETION_NOTE}` });
    this.recorder.record({ kind: 'action', id, phase: 'intent', fault: 'delete-node', nodes: [node.name] });
    this.recorder.record({ kind: 'action', id, phase: 'applied', fault: 'delete-node', nodes: [node.name] });
  };
}
