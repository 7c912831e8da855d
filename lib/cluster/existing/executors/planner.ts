// Maps a provider-neutral FaultRequest to a plan of executor steps: per target node for node faults, per node pair
// for partition and drop, per node for heal's command. A node whose fault kind has no executor makes the request
// unsupported (the scenario is inconclusive), not failed.
import type { FaultKind, FaultRequest } from '../../../faults/catalogue.ts';
import { UnsupportedFaultError } from '../../core/provider.ts';
import type { FaultPlan, FaultStep } from './action.ts';
import type { ApiExecutor } from './api-executor.ts';
import { commandStep, type CommandRunner } from './command-executor.ts';
import { configuredFaults, executorFor, vmOf, type ExecutorChoice, type ExecutorsConfig } from './config-types.ts';
import type { IpmiExecutor } from './ipmi-executor.ts';
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

export class FaultPlanner {
  readonly supported: ReadonlySet<FaultKind>;

  constructor(private readonly parts: PlannerParts) {
    this.supported = configuredFaults(parts.config);
  }

  private choice(kind: FaultKind, node: string): ExecutorChoice {
    const choice = executorFor(this.parts.config, kind, node);
    if (!choice) throw new NoExecutorError(this.parts.provider, kind, node, this.parts.config.file);
    return choice;
  }

  /** The steps of one node fault on one node. */
  nodeSteps(kind: FaultKind, node: NodeFacts, peer?: NodeFacts): FaultStep[] {
    const choice = this.choice(kind, node.name);
    switch (choice.type) {
      case 'command':
        return [commandStep(choice, node, peer, this.parts.commandRunner)];
      case 'ipmi':
        return [this.need('ipmi', this.parts.ipmi).step(kind, node)];
      case 'kubevirt':
        return [this.need('kubevirt', this.parts.kubevirt).step(kind, node.name, vmOf(this.parts.config, node.name))];
      case 'api':
        return this.need('api', this.parts.api).steps(kind, node.name);
    }
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
          for (const node of group) for (const peer of others) steps.push(...this.nodeSteps('partition', facts(node), facts(peer)));
        });
        break;
      case 'drop':
        for (const node of request.from) for (const peer of request.to) steps.push(...this.nodeSteps('drop', facts(node), facts(peer)));
        break;
      case 'heal':
        // Undoing the network faults is the cluster's part; a heal command, if any, runs on every node after.
        for (const node of allNodes) if (executorFor(this.parts.config, 'heal', node)) steps.push(...this.nodeSteps('heal', facts(node)));
        break;
      default:
        for (const node of request.nodes) steps.push(...this.nodeSteps(request.kind, facts(node)));
    }
    return { request, steps };
  }
}
