// Replays node events into the current node set, keeping per node whether it is management and its promote
// status (recomputed only when labels or annotations change, so heartbeat updates stay cheap).
import type { V1Node } from '@kubernetes/client-node';
import { PROMOTE_STATUS_ANNOTATION, isManagementNode } from '../harvester/contract.ts';
import type { NodeEvent, TrimmedNode } from '../observe/history.ts';
import { sameLabels, sameNodeState, toV1Node } from './node-view.ts';

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
}

export class NodeTracker {
  private readonly nodes = new Map<string, NodeEntry>();
  private managementCountValue = 0;

  get managementCount(): number {
    return this.managementCountValue;
  }

  get size(): number {
    return this.nodes.size;
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
    return [...this.nodes.values()].sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0)).map((e) => toV1Node(e.node));
  }

  apply(event: NodeEvent): NodeChange {
    const name = event.node.name;
    const before = this.nodes.get(name);
    if (event.type === 'DELETED') {
      if (before !== undefined) {
        this.nodes.delete(name);
        if (before.management) this.managementCountValue -= 1;
      }
      return { name, event, ...(before ? { before } : {}), relevant: true };
    }
    const node = event.node;
    const management = before !== undefined && sameLabels(before.node, node) ? before.management : isManagementNode(toV1Node(node));
    const after: NodeEntry = { node, event, management, status: node.annotations[PROMOTE_STATUS_ANNOTATION] };
    this.nodes.set(name, after);
    if (management !== (before?.management ?? false)) this.managementCountValue += management ? 1 : -1;
    const relevant = before === undefined || !sameNodeState(before.node, node);
    return { name, event, ...(before ? { before } : {}), after, relevant };
  }
}
