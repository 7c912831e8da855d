// Maps a provider-neutral FaultRequest to a plan of executor steps: per target node for node faults, per node pair
// for partition and drop, per node for heal's command. A node whose fault kind has no executor makes the request
// unsupported (the scenario is inconclusive), not failed.
import type { FaultKind, FaultRequest } from '../../../faults/catalogue.ts';
import { UnsupportedFaultError } from '../../core/provider.ts';
import { untilAccepted } from '../../core/node-faults.ts';
import type { FaultPlan, FaultStep } from './action.ts';
import type { ApiExecutor } from './api-executor.ts';
import { commandStep, type CommandRunner } from './command-executor.ts';
import {
  configuredFaults,
  executorFor,
  removeHostGap,
  vmOf,
  type ExecutorChoice,
  type ExecutorKey,
  type ExecutorsConfig,
  HOST_STEPS,
  type HostStep,
} from './config-types.ts';
import type { IpmiExecutor } from './ipmi-executor.ts';
import { takesPorts } from './template.ts';
import { formatPorts, type PortMatch } from '../../../faults/ports.ts';
import type { KubevirtExecutor } from './kubevirt-executor.ts';

/** What placeholders and executors know about a node: its name, where to reach it, its BMC. */
export interface NodeFacts {
  readonly name: string;
  readonly address?: string | undefined;
  readonly bmc?: string | undefined;
}

/** A fault kind the file configures, but not for this node. */
export class NoExecutorError extends UnsupportedFaultError {
  constructor(provider: string, fault: FaultKind, node: string, file: string) {
    super(provider, fault);
    this.message = `provider ${provider}: no executor for fault "${fault}" on node ${node} in ${file}`;
  }
}

export interface PlannerParts {
  readonly provider: string;
  readonly config: ExecutorsConfig;
  readonly ipmi?: IpmiExecutor | undefined;
  readonly kubevirt?: KubevirtExecutor | undefined;
  readonly api?: ApiExecutor | undefined;
  /** Runs command-executor commands (default: lib/util/exec.ts run). */
  readonly commandRunner?: CommandRunner | undefined;
}

/** Facts for a node: the file's address and bmc win over what the cluster says. */
export function mergeFacts(config: ExecutorsConfig | undefined, name: string, discoveredAddress?: string): NodeFacts {
  const settings = config?.nodes.get(name);
  return { name, address: settings?.address ?? discoveredAddress, bmc: settings?.bmc };
}

function isHostStep(kind: ExecutorKey): kind is HostStep {
  return (HOST_STEPS as readonly string[]).includes(kind);
}

export class FaultPlanner {
  readonly supported: ReadonlySet<FaultKind>;

  constructor(private readonly parts: PlannerParts) {
    this.supported = configuredFaults(parts.config);
  }

  private choice(kind: ExecutorKey, node: string): ExecutorChoice {
    const choice = executorFor(this.parts.config, kind, node);
    if (!choice) throw new NoExecutorError(this.parts.provider, isHostStep(kind) ? 'remove-host' : kind, node, this.parts.config.file);
    return choice;
  }

  /** The steps of one node fault (or one host step of a remove-host) on one node; `ports` limit a cut. */
  nodeSteps(kind: ExecutorKey, node: NodeFacts, peer?: NodeFacts, ports?: readonly PortMatch[]): FaultStep[] {
    const choice = this.choice(kind, node.name);
    // A cut limited to ports needs a command that takes them: any other would cut everything, a different fault.
    if (ports !== undefined && !(choice.type === 'command' && takesPorts(choice.run))) {
      const error = new NoExecutorError(this.parts.provider, kind as FaultKind, node.name, this.parts.config.file);
      error.message = `provider ${this.parts.provider}: the ${kind} executor for node ${node.name} in ${this.parts.config.file} does not take {fault.ports}, so it cannot cut only ports ${formatPorts(ports)}`;
      throw error;
    }
    // A host's power-off is a kill without its undo: the host stays off (it is being removed).
    const power = kind === 'poweroff' ? 'kill' : kind;
    switch (choice.type) {
      case 'command': {
        const step = commandStep(choice, node, peer, this.parts.commandRunner, ports && formatPorts(ports));
        return [isHostStep(kind) ? { node: node.name, apply: step.apply } : step];
      }
      case 'ipmi': {
        const step = this.need('ipmi', this.parts.ipmi).step(power as FaultKind, node);
        return [kind === 'poweroff' ? { node: node.name, apply: step.apply } : step];
      }
      case 'kubevirt': {
        const step = this.need('kubevirt', this.parts.kubevirt).step(power as FaultKind, node.name, vmOf(this.parts.config, node.name));
        return [kind === 'poweroff' ? { node: node.name, apply: step.apply } : step];
      }
      case 'api':
        return this.need('api', this.parts.api).steps(kind, node.name);
    }
  }

  /**
   * A host removal, as Harvester documents it (harvester/docs docs/host/host.md, "Deleting a Node"): maintenance
   * (the file's entry, else cordon + drain through the API), uninstall (rke2-uninstall.sh), power-off, then the
   * Node DELETE (the delete-node entry). No step has an undo.
   */
  removeHostSteps(node: NodeFacts): FaultStep[] {
    const gap = removeHostGap(this.parts.config, node.name);
    if (gap !== undefined) {
      const error = new NoExecutorError(this.parts.provider, 'remove-host', node.name, this.parts.config.file);
      error.message = `provider ${this.parts.provider}: ${gap} for node ${node.name} in ${this.parts.config.file}`;
      throw error;
    }
    const has = (kind: ExecutorKey): boolean => executorFor(this.parts.config, kind, node.name) !== undefined;
    return [
      ...(has('maintenance') ? this.nodeSteps('maintenance', node) : this.need('api', this.parts.api).steps('maintenance', node.name)),
      ...(has('uninstall') ? this.nodeSteps('uninstall', node) : []),
      ...(has('poweroff') ? this.nodeSteps('poweroff', node) : []),
      // The Node DELETE goes through the VIP, which the powered-off host may have held: retried while the API
      // fails over (kube-vip's lease), a 404 meaning an earlier try went through.
      ...this.nodeSteps('delete-node', node).map((step) => ({
        ...step,
        apply: { ...step.apply, run: () => untilAccepted(step.apply.describe, () => step.apply.run()) },
      })),
    ];
  }

  private need<T>(what: string, executor: T | undefined): T {
    if (executor === undefined) throw new Error(`the ${what} executor is not set up`);
    return executor;
  }

  /** The plan for a request; `facts` gives every node's facts, `allNodes` the nodes heal's command runs on. */
  plan(request: FaultRequest, facts: (name: string) => NodeFacts, allNodes: readonly string[]): FaultPlan {
    const steps: FaultStep[] = [];
    switch (request.kind) {
      case 'partition':
        request.groups.forEach((group, i) => {
          const others = request.groups.filter((_, j) => j !== i).flat();
          for (const node of group)
            for (const peer of others) steps.push(...this.nodeSteps('partition', facts(node), facts(peer), request.ports));
        });
        break;
      case 'drop':
        for (const node of request.from)
          for (const peer of request.to) steps.push(...this.nodeSteps('drop', facts(node), facts(peer), request.ports));
        break;
      case 'isolate':
        for (const node of request.nodes) steps.push(...this.nodeSteps('isolate', facts(node), undefined, request.ports));
        break;
      case 'heal':
        // Undoing the network faults is the cluster's part; a heal command, if any, runs on every node after.
        for (const node of allNodes) if (executorFor(this.parts.config, 'heal', node)) steps.push(...this.nodeSteps('heal', facts(node)));
        break;
      case 'remove-host':
        for (const node of request.nodes) steps.push(...this.removeHostSteps(facts(node)));
        break;
      case 'rejoin':
        // No executor reinstalls a host (config-types.ts ExecutorKey): a rejoin is never a supported fault here.
        throw new Error(`rejoin ${request.nodes.join(', ')}: an existing cluster's hosts are not reinstalled by the harness`);
      default:
        for (const node of request.nodes) steps.push(...this.nodeSteps(request.kind, facts(node)));
    }
    return { request, steps };
  }
}
