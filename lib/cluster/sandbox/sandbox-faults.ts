// Sandbox faults: signals to a node's processes, iptables rules in node namespaces, and deletion through the API.
import type { AppliedFault, FaultRequest } from '../../faults/catalogue.ts';
import { addRules, deleteRules, flushChains, isolateRules, oneWayRules, partitionRules, type FilterNode, type FilterRule } from '../../sandbox/packet-filter.ts';

/** What the faults need from a running sandbox. */
export interface SandboxFaultTarget {
  filterNode(name: string): FilterNode;
  allFilterNodes(): FilterNode[];
  killNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  pauseNode(name: string): Promise<void>;
  resumeNode(name: string): Promise<void>;
  deleteNode(name: string, force: boolean): Promise<void>;
}

const NOTHING_TO_UNDO = async (): Promise<void> => {};

function once(undo: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= undo());
}

async function withRules(target: SandboxFaultTarget, rules: FilterRule[]): Promise<() => Promise<void>> {
  try {
    await addRules(rules);
  } catch (error) {
    await deleteRules(rules).catch(() => undefined);
    throw error;
  }
  return () => deleteRules(rules.filter((rule) => target.allFilterNodes().some((n) => n.namespace === rule.namespace)));
}

export async function applySandboxFault(target: SandboxFaultTarget, request: FaultRequest): Promise<AppliedFault> {
  let undo: () => Promise<void> = NOTHING_TO_UNDO;
  switch (request.kind) {
    case 'kill':
      for (const name of request.nodes) await target.killNode(name);
      undo = async () => {
        for (const name of request.nodes) await target.startNode(name);
      };
      break;
    case 'restart':
      for (const name of request.nodes) {
        await target.killNode(name);
        await target.startNode(name);
      }
      break;
    case 'pause':
      for (const name of request.nodes) await target.pauseNode(name);
      undo = async () => {
        for (const name of request.nodes) await target.resumeNode(name);
      };
      break;
    case 'resume':
      for (const name of request.nodes) await target.resumeNode(name);
      break;
    case 'isolate':
      undo = await withRules(target, request.nodes.flatMap((name) => isolateRules(target.filterNode(name))));
      break;
    case 'partition':
      undo = await withRules(target, partitionRules(request.groups.map((group) => group.map((name) => target.filterNode(name)))));
      break;
    case 'drop':
      undo = await withRules(
        target,
        oneWayRules(request.from.map((name) => target.filterNode(name)), request.to.map((name) => target.filterNode(name))),
      );
      break;
    case 'heal':
      for (const node of target.allFilterNodes()) await flushChains(node.namespace);
      break;
    case 'delete-node':
    case 'force-delete-node':
      for (const name of request.nodes) await target.deleteNode(name, request.kind === 'force-delete-node');
      break;
  }
  return { request, undo: once(undo) };
}
