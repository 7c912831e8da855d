// Faults on a kind cluster, each with its undo. A fault that fails halfway undoes the part it did before rethrowing
// the original error, so what is not in the ledger is not left applied either.
import type { AppliedFault, FaultRequest } from '../../faults/catalogue.ts';
import { isolateRules, oneWayRules, partitionRules, type NodeRule, type PacketNode } from './packet-rules.ts';

/** What the faults need from a started kind cluster. */
export interface KindFaultTarget {
  packetNode(name: string): PacketNode;
  /** A tag no other fault of this run has: it goes into the fault's iptables rule comments. */
  nextRuleTag(): string;
  killNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  pauseNode(name: string): Promise<void>;
  unpauseNode(name: string): Promise<void>;
  /** Installs the rules (each node's with its self-expiring undo) and returns their undo. */
  installRules(rules: readonly NodeRule[]): Promise<() => Promise<void>>;
  healNetwork(): Promise<void>;
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
  undo: ((name: string) => Promise<void>) | undefined,
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

export async function applyKindFault(target: KindFaultTarget, request: FaultRequest): Promise<AppliedFault> {
  let undo: () => Promise<void> = NOTHING_TO_UNDO;
  const start = (name: string): Promise<void> => target.startNode(name);
  const unpause = (name: string): Promise<void> => target.unpauseNode(name);
  switch (request.kind) {
    case 'kill':
      await eachNode(request.nodes, (name) => target.killNode(name), start);
      undo = undoEach(request.nodes, start);
      break;
    case 'restart':
      // `docker start` after `docker kill`. Known weakness: Docker may give the container another address, and
      // kubeadm wrote the old one into the control plane's etcd peer URLs, static pods and certificates, so a
      // restarted kind control plane often does not rejoin (kind issues #1689 and #2045; workers cope). The
      // cluster notes an address change (StartedKindCluster.notes) so a verdict can say why.
      await eachNode(request.nodes, async (name) => {
        await target.killNode(name);
        await target.startNode(name);
      }, undefined);
      break;
    case 'pause':
      await eachNode(request.nodes, (name) => target.pauseNode(name), unpause);
      undo = undoEach(request.nodes, unpause);
      break;
    case 'resume':
      await eachNode(request.nodes, unpause, undefined);
      break;
    case 'isolate': {
      const tag = target.nextRuleTag();
      undo = await target.installRules(request.nodes.flatMap((name) => isolateRules(target.packetNode(name), tag)));
      break;
    }
    case 'partition': {
      const tag = target.nextRuleTag();
      undo = await target.installRules(partitionRules(request.groups.map((group) => group.map((name) => target.packetNode(name))), tag));
      break;
    }
    case 'drop': {
      const tag = target.nextRuleTag();
      undo = await target.installRules(oneWayRules(request.from.map((n) => target.packetNode(n)), request.to.map((n) => target.packetNode(n)), tag));
      break;
    }
    case 'heal':
      await target.healNetwork();
      break;
    case 'delete-node':
    case 'force-delete-node':
      for (const name of request.nodes) await target.deleteNode(name, request.kind === 'force-delete-node');
      break;
  }
  return { request, undo: once(undo) };
}
