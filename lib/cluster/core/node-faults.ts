// One dispatcher from a fault request to a provider's node operations, shared by every provider that owns its
// nodes (sandbox, kind). A fault that fails halfway undoes the part it did (newest first) before rethrowing the
// original error, so what is not in the ledger is not left applied either. Each applied fault's undo runs once.
import type { AppliedFault, FaultRequest } from '../../faults/catalogue.ts';
import type { StepJournal, UndoRecipe } from '../../faults/ledger.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig, statusCodeOf } from '../../util/kubeconfig.ts';
import { errorMessage } from '../../util/errors.ts';
import { sleepMs } from '../../util/wait.ts';
import { drainNode } from './drain.ts';
import { BaseStartedCluster, type PreparedFault } from './started-cluster.ts';
import { InconclusiveFaultError, UnsupportedFaultError } from './provider.ts';

/** The faults that cut traffic: isolate, partition, drop. */
export type CutRequest = Extract<FaultRequest, { kind: 'isolate' | 'partition' | 'drop' }>;

/** What a provider's cluster does to one node (or its network) for the dispatcher. */
export interface NodeFaultTarget {
  /** Stops the node's processes at once (SIGKILL, `docker kill`). */
  killNode(name: string): Promise<void>;
  /** Brings a killed or paused node back; a running node stays as it is. */
  startNode(name: string): Promise<void>;
  /**
   * Brings several killed or paused nodes back, in the order the provider needs (kind: ascending old address, so
   * Docker hands each its old one back). Without it, startNode runs for each, newest first.
   */
  startNodes?(names: readonly string[]): Promise<void>;
  /**
   * Restarts these nodes: the ones already down are started together, in the order startNodes uses; running ones are
   * killed and started one at a time. Without it, each node is killed and started in turn.
   */
  restartNodes?(names: readonly string[]): Promise<void>;
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
  /** Maintenance before a host removal: cordon and drain through the API; returns what it did. */
  drainNode(name: string): Promise<string>;
  /**
   * A new host joins under the name of a node that was removed (its Node object gone): a fresh machine registering a
   * new Node with the default role. Providers that cannot do it leave it out (the fault is then not supported).
   */
  rejoinNode?(name: string): Promise<void>;
  /**
   * Puts the node's kubelet under memory pressure (a hard eviction threshold on memory.available that no node meets,
   * then a kubelet restart); relieveNode undoes it. Providers that cannot leave both out.
   */
  pressureNode?(name: string): Promise<void>;
  /** Gives the node's kubelet its own eviction thresholds back (and restarts it); a node not under pressure stays as it is. */
  relieveNode?(name: string): Promise<void>;
}

/**
 * The steps of a host removal on a node the harness owns, in order (harvester/docs docs/host/host.md "Deleting a
 * Node": maintenance mode, rke2-uninstall.sh and shut down, delete the host). Uninstall and shutdown are one step
 * here: the node's processes are killed and never started again.
 */
export function removeHostSteps(name: string): { readonly maintenance: string; readonly takedown: string; readonly deletion: string } {
  return {
    maintenance: `maintenance ${name}: cordon + drain through the API`,
    takedown: `uninstall + shut down ${name}: kill its processes for good`,
    deletion: `delete-node ${name}: DELETE /api/v1/nodes/${name}`,
  };
}

/** What a remove-host on owned nodes will do, for the journal: its steps, and that none of it can be undone. */
export function removeHostRecipe(nodes: readonly string[]): UndoRecipe {
  const steps = nodes.flatMap((name) => Object.values(removeHostSteps(name)));
  return {
    commands: [],
    manual: [],
    steps,
    notUndoable: nodes.map((name) => `host ${name} was removed (processes killed, Node deleted): start a new node to replace it`),
  };
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

/** How long a remove-host's Node DELETE is retried while the API fails over (the removed node may have served it). */
export const REMOVE_HOST_DELETE_RETRY_MS = 60_000;

/** How long a delete-node's Node DELETE is re-sent after a connection that broke before the answer. */
const DELETE_RESEND_MS = 10_000;

export interface UntilAcceptedOptions {
  readonly timeoutMs?: number;
  /** Also try again after a 5xx (remove-host: no leader yet, or the VIP still on the removed host). Default true. */
  readonly retryServerErrors?: boolean;
  /** A 404 at the first try is the answer (the Node is gone), not an error. Default true. */
  readonly notFoundAtFirstTryIsDone?: boolean;
}

/**
 * Runs an API request again while it fails without an answer (the connection went to the API server just taken
 * down, or broke on the way) or, unless told otherwise, with a 5xx (no leader yet), as an operator would; a 404
 * after a try that got no answer means that try went through.
 */
export async function untilAccepted(what: string, request: () => Promise<void>, options: UntilAcceptedOptions = {}): Promise<void> {
  const { timeoutMs = REMOVE_HOST_DELETE_RETRY_MS, retryServerErrors = true, notFoundAtFirstTryIsDone = true } = options;
  const deadline = Date.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    try {
      await request();
      return;
    } catch (error) {
      // A fault that happened but cannot be judged (or cannot happen here) is the answer, not a broken connection.
      if (error instanceof InconclusiveFaultError || error instanceof UnsupportedFaultError) throw error;
      const code = statusCodeOf(error);
      if (code === 404 && (tries > 1 || notFoundAtFirstTryIsDone)) return;
      const transient = code === undefined || (retryServerErrors && code >= 500);
      if (!transient || Date.now() >= deadline) throw new Error(`${what}: ${errorMessage(error)}`, { cause: error });
      await sleepMs(250);
    }
  }
}

/**
 * A delete-node's Node DELETE (plain or forced): sent again only after a connection that broke before the answer, for
 * DELETE_RESEND_MS; any answer is final, and a 404 after such a try means it went through.
 */
export function untilDeleteAccepted(what: string, request: () => Promise<void>): Promise<void> {
  return untilAccepted(what, request, { timeoutMs: DELETE_RESEND_MS, retryServerErrors: false, notFoundAtFirstTryIsDone: false });
}

/** Applies the request through the target's node operations; returns the fault with its (idempotent) undo. */
export async function applyNodeFault(target: NodeFaultTarget, request: FaultRequest, journalStep?: StepJournal): Promise<AppliedFault> {
  const start = (name: string): Promise<void> => target.startNode(name);
  const resume = (name: string): Promise<void> => target.resumeNode(name);
  let undo: () => Promise<void> = NOTHING_TO_UNDO;
  switch (request.kind) {
    case 'kill':
      await eachNode(request.nodes, (name) => target.killNode(name), start);
      {
        const startAll = target.startNodes?.bind(target);
        undo = startAll ? () => startAll(request.nodes) : undoEach(request.nodes, start);
      }
      break;
    case 'restart':
      if (target.restartNodes) await target.restartNodes(request.nodes);
      else {
        await eachNode(request.nodes, async (name) => {
          await target.killNode(name);
          await target.startNode(name);
        });
      }
      break;
    case 'pause':
      await eachNode(request.nodes, (name) => target.pauseNode(name), resume);
      undo = undoEach(request.nodes, resume);
      break;
    case 'resume':
      await eachNode(request.nodes, resume);
      break;
    case 'isolate':
      undo = await target.cutOff(request);
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
      // A DELETE whose connection broke before the answer (a VIP that moved, a reset under load) may or may not have
      // been applied: it is sent again, as kubectl's user would; an answer (even a 5xx) is final.
      await eachNode(request.nodes, (name) =>
        untilDeleteAccepted(`DELETE Node ${name}`, () => target.deleteNode(name, request.kind === 'force-delete-node')),
      );
      break;
    case 'remove-host':
      // Each step journaled before it is applied; nothing is undone when a later step fails (a drained, killed host
      // stays so: the journal names it).
      for (const name of request.nodes) {
        const steps = removeHostSteps(name);
        journalStep?.(steps.maintenance);
        await target.drainNode(name);
        journalStep?.(steps.takedown);
        await target.killNode(name);
        journalStep?.(steps.deletion);
        await untilAccepted(`DELETE Node ${name}`, () => target.deleteNode(name, false));
      }
      break;
    case 'memory-pressure': {
      const pressure = target.pressureNode?.bind(target);
      const relieve = target.relieveNode?.bind(target);
      if (!pressure || !relieve)
        throw new Error(`memory-pressure ${request.nodes.join(', ')}: this provider cannot set a kubelet's eviction thresholds`);
      await eachNode(request.nodes, pressure, relieve);
      undo = undoEach(request.nodes, relieve);
      break;
    }
    case 'relieve': {
      const relieve = target.relieveNode?.bind(target);
      if (!relieve) throw new Error(`relieve ${request.nodes.join(', ')}: this provider cannot set a kubelet's eviction thresholds`);
      await eachNode(request.nodes, relieve);
      break;
    }
    case 'rejoin': {
      // Not undoable in any useful sense: the new host is there (a later remove-host or delete-node removes it).
      const rejoin = target.rejoinNode?.bind(target);
      if (!rejoin) throw new Error(`rejoin ${request.nodes.join(', ')}: this provider cannot bring a new host up`);
      await eachNode(request.nodes, rejoin);
      break;
    }
  }
  return { request, undo: once(undo) };
}

/** A started cluster whose nodes the harness owns (sandbox, kind): every fault goes through applyNodeFault. */
export abstract class NodeOwningCluster extends BaseStartedCluster implements NodeFaultTarget {
  /** The harness owns the nodes: processes or containers on its own machine. */
  readonly onHarnessMachine = true;
  abstract killNode(name: string): Promise<void>;
  abstract startNode(name: string): Promise<void>;
  abstract pauseNode(name: string): Promise<void>;
  abstract resumeNode(name: string): Promise<void>;
  abstract cutOff(request: CutRequest): Promise<() => Promise<void>>;
  abstract healNetwork(): Promise<void>;
  abstract deleteNode(name: string, force: boolean): Promise<void>;
  private drainApi: CoreV1Api | undefined;

  /** Cordon + drain through the cluster's API (the endpoints' kubeconfig); a provider may do more. */
  drainNode(name: string): Promise<string> {
    this.drainApi ??= loadKubeConfig(this.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
    return drainNode(this.drainApi, name);
  }

  protected prepareFault(request: FaultRequest): Promise<PreparedFault> {
    return Promise.resolve({
      apply: (journalStep?: StepJournal) => applyNodeFault(this, request, journalStep),
      ...(request.kind === 'remove-host' ? { undo: removeHostRecipe(request.nodes) } : {}),
    });
  }
}
