// One dispatcher from a fault request to a provider's node operations, shared by every provider that owns its
// nodes (sandbox, kind). A fault that fails halfway undoes the part it did (newest first) before rethrowing the
// original error, so what is not in the ledger is not left applied either. Each applied fault's undo runs once.
import type { AppliedFault, FaultRequest } from '../../faults/catalogue.ts';
import { BaseStartedCluster, type PreparedFault } from './started-cluster.ts';

/** The faults that cut traffic: isolate, partition, drop. */
export type CutRequest =
  { readonly kind: 'isolate'; readonly nodes: readonly string[] } | Extract<FaultRequest, { kind: 'partition' | 'drop' }>;

/** What a provider's cluster does to one node (or its network) for the dispatcher. */
export interface NodeFaultTarget {
  /** Stops the node's processes at once (SIGKILL, `docker kill`). */
  killNode(name: string): Promise<void>;
  /** Brings a killed or paused node back; a running node stays as it is. */
  startNode(name: string): Promise<void>;
  /** Freezes the node's processes (SIGSTOP, `docker pause`). */
  pauseNode(name: string): Promise<void>;
  /** Thaws a paused node; any other node stays as it is. */
  resumeNode(name: string): Promise<void>;
  /** Drops the traffic the request cuts and returns how to let it through again. */
  cutOff(request: CutRequest): Promise<() => Promise<void>>;
  /** Lets all traffic through again, whichever fault cut it. */
  healNetwork(): Promise<void>;
  /** Deletes the Node (force: its finalizers too), as `kubectl delete node` would; not undoable. */
  deleteNode(name: string, force: boolean): Promise<void>;
}

const NOTHING_TO_UNDO = async (): Promise<void> => {};

function once(undo: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= undo());
}

/** Applies `apply` to each node in turn; when one fails, undoes the ones done (newest first) and rethrows. */
async function eachNode(
  names: readonly string[],
  apply: (name: string) => Promise<void>,
  undo?: (name: string) => Promise<void>,
): Promise<void> {
  const done: string[] = [];
  try {
    for (const name of names) {
      await apply(name);
      done.push(name);
    }
  } catch (error) {
    if (undo) {
      for (const name of done.reverse()) await undo(name).catch(() => undefined);
    }
    throw error;
  }
}

/** Undoes every node (newest first), going on past failures; rethrows the first. */
function undoEach(names: readonly string[], undo: (name: string) => Promise<void>): () => Promise<void> {
  return async () => {
    let first: unknown;
    for (const name of [...names].reverse()) {
      try {
        await undo(name);
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  };
}

/** Applies the request through the target's node operations; returns the fault with its (idempotent) undo. */
export async function applyNodeFault(target: NodeFaultTarget, request: FaultRequest): Promise<AppliedFault> {
  const start = (name: string): Promise<void> => target.startNode(name);
  const resume = (name: string): Promise<void> => target.resumeNode(name);
  let undo: () => Promise<void> = NOTHING_TO_UNDO;
  switch (request.kind) {
    case 'kill':
      await eachNode(request.nodes, (name) => target.killNode(name), start);
      undo = undoEach(request.nodes, start);
      break;
    case 'restart':
      await eachNode(request.nodes, async (name) => {
        await target.killNode(name);
        await target.startNode(name);
      });
      break;
    case 'pause':
      await eachNode(request.nodes, (name) => target.pauseNode(name), resume);
      undo = undoEach(request.nodes, resume);
      break;
    case 'resume':
      await eachNode(request.nodes, resume);
      break;
    case 'isolate':
      undo = await target.cutOff({ kind: 'isolate', nodes: request.nodes });
      break;
    case 'partition':
    case 'drop':
      undo = await target.cutOff(request);
      break;
    case 'heal':
      await target.healNetwork();
      break;
    case 'delete-node':
    case 'force-delete-node':
      await eachNode(request.nodes, (name) => target.deleteNode(name, request.kind === 'force-delete-node'));
      break;
  }
  return { request, undo: once(undo) };
}

/** A started cluster whose nodes the harness owns (sandbox, kind): every fault goes through applyNodeFault. */
export abstract class NodeOwningCluster extends BaseStartedCluster implements NodeFaultTarget {
  abstract killNode(name: string): Promise<void>;
  abstract startNode(name: string): Promise<void>;
  abstract pauseNode(name: string): Promise<void>;
  abstract resumeNode(name: string): Promise<void>;
  abstract cutOff(request: CutRequest): Promise<() => Promise<void>>;
  abstract healNetwork(): Promise<void>;
  abstract deleteNode(name: string, force: boolean): Promise<void>;

  protected prepareFault(request: FaultRequest): Promise<PreparedFault> {
    return Promise.resolve({ apply: () => applyNodeFault(this, request) });
  }
}
