// Replays node events into the current node set, keeping per node whether it is management and its promote
// status (recomputed only when labels or annotations change, so heartbeat updates stay cheap). The context
// replays a history once (replayNodes); oracles follow the recorded changes with a NodeSet.
import type { V1Node } from '@kubernetes/client-node';
import { PROMOTE_STATUS_ANNOTATION, isManagementNode } from '../harvester/contract.ts';
import type { History, NodeEvent, TrimmedNode } from '../observe/history.ts';
import { sameLabels, sameNodeStateExceptLabels, toV1Node } from './node-view.ts';

export interface NodeEntry {
  readonly node: TrimmedNode;
  readonly event: NodeEvent;
  readonly management: boolean;
  /** The raw promote-status annotation (undefined when absent). */
  readonly status: string | undefined;
}

export interface NodeChange {
  readonly name: string;
  readonly event: NodeEvent;
  readonly before?: NodeEntry;
  /** Undefined when the node was deleted. */
  readonly after?: NodeEntry;
  /** Anything the oracles read changed (false for a heartbeat-only update). */
  readonly relevant: boolean;
  /** Management nodes and all nodes after the change. */
  readonly managementCount: number;
  readonly nodeCount: number;
}

/** The current nodes, following changes (from a NodeTracker or a replay). */
export class NodeSet {
  private readonly nodes = new Map<string, NodeEntry>();

  get size(): number {
    return this.nodes.size;
  }

  follow(change: NodeChange): void {
    if (change.after === undefined) this.nodes.delete(change.name);
    else this.nodes.set(change.name, change.after);
  }

  get(name: string): NodeEntry | undefined {
    return this.nodes.get(name);
  }

  entries(): IterableIterator<NodeEntry> {
    return this.nodes.values();
  }

  managementNames(): string[] {
    const out: string[] = [];
    for (const entry of this.nodes.values()) if (entry.management) out.push(entry.node.name);
    return out.sort();
  }

  /** All nodes as V1Node, sorted by name (the order an API list returns them in). */
  v1Nodes(): V1Node[] {
    return [...this.nodes.values()]
      .sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0))
      .map((e) => toV1Node(e.node));
  }
}

export class NodeTracker extends NodeSet {
  private managementCountValue = 0;

  get managementCount(): number {
    return this.managementCountValue;
  }

  apply(event: NodeEvent): NodeChange {
    const name = event.node.name;
    const before = this.get(name);
    if (event.type === 'DELETED') {
      if (before?.management) this.managementCountValue -= 1;
      const change: NodeChange = {
        name,
        event,
        before,
        after: undefined,
        relevant: true,
        managementCount: this.managementCountValue,
        nodeCount: this.size - (before ? 1 : 0),
      };
      this.follow(change);
      return change;
    }
    const node = event.node;
    const labelsSame = before !== undefined && sameLabels(before.node, node);
    const management = labelsSame ? before.management : isManagementNode(toV1Node(node));
    const relevant = !labelsSame || !sameNodeStateExceptLabels(before.node, node);
    const after: NodeEntry = { node, event, management, status: relevant ? node.annotations[PROMOTE_STATUS_ANNOTATION] : before?.status };
    if (management !== (before?.management ?? false)) this.managementCountValue += management ? 1 : -1;
    const change: NodeChange = {
      name,
      event,
      before,
      after,
      relevant,
      managementCount: this.managementCountValue,
      nodeCount: this.size + (before ? 0 : 1),
    };
    this.follow(change);
    return change;
  }
}

/** Node changes by history index (undefined for events that are not node events): one replay for all oracles. */
export function replayNodes(history: History): (NodeChange | undefined)[] {
  const tracker = new NodeTracker();
  const changes = new Array<NodeChange | undefined>(history.length);
  for (let i = 0; i < history.length; i += 1) {
    const event = history[i] as History[number];
    if (event.kind === 'node') changes[i] = tracker.apply(event);
  }
  return changes;
}
