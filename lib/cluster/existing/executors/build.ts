// Sets up the executors an executors file asks for, and checks before a run that every node has what its
// executors need (address, BMC, VM, credentials), so a misconfigured rack fails at setup, not halfway through.
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeconfigSource } from '../kubeconfig-source.ts';
import { errorMessage, SetupError } from '../../../util/errors.ts';
import { ApiExecutor } from './api-executor.ts';
import type { CommandRunner } from './command-executor.ts';
import { EXECUTOR_KEYS, executorFor, vmOf, type ExecutorsConfig, type VmRef } from './config-types.ts';
import { IpmiExecutor, type IpmiRunner } from './ipmi-executor.ts';
import { KubevirtExecutor, type KubeRequester } from './kubevirt-executor.ts';
import { FaultPlanner, type NodeFacts } from './planner.ts';
import { placeholdersOf } from './template.ts';

export interface BuildOptions {
  readonly provider: string;
  /** The target cluster (node deletion goes through it). */
  readonly target: KubeConfig;
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly dryRun?: boolean | undefined;
  /** Test seams. */
  readonly commandRunner?: CommandRunner | undefined;
  readonly ipmiRunner?: IpmiRunner | undefined;
  readonly kubeRequester?: KubeRequester | undefined;
}

export interface BuiltExecutors {
  readonly planner: FaultPlanner;
  readonly ipmi?: IpmiExecutor;
  readonly kubevirt?: KubevirtExecutor;
}

export function buildExecutors(config: ExecutorsConfig, options: BuildOptions): BuiltExecutors {
  const ipmi = config.ipmi
    ? new IpmiExecutor(config.ipmi, { env: options.env, runner: options.ipmiRunner, dryRun: options.dryRun })
    : undefined;
  let kubevirt: KubevirtExecutor | undefined;
  if (config.kubevirt) {
    let outer;
    try {
      outer = loadKubeconfigSource({ kubeconfigPath: config.kubevirt.kubeconfig, context: config.kubevirt.context, env: options.env });
    } catch (error) {
      throw new SetupError(`kubevirt.kubeconfig in ${config.file}: ${errorMessage(error)}`, { cause: error });
    }
    kubevirt = new KubevirtExecutor(config.kubevirt, outer.kubeConfig, options.kubeRequester);
  }
  const planner = new FaultPlanner({
    provider: options.provider,
    config,
    ipmi,
    kubevirt,
    api: new ApiExecutor(options.target, options.provider),
    commandRunner: options.commandRunner,
  });
  return { planner, ...(ipmi ? { ipmi } : {}), ...(kubevirt ? { kubevirt } : {}) };
}

/**
 * Problems that would make a fault fail on some node: missing facts for placeholders or IPMI, missing credentials,
 * and (unless dry-run) VirtualMachines the outer cluster does not have. Empty when every node is ready.
 */
export async function preflightExecutors(
  config: ExecutorsConfig,
  built: BuiltExecutors,
  nodes: readonly NodeFacts[],
  options: { readonly dryRun?: boolean | undefined } = {},
): Promise<string[]> {
  const problems: string[] = [];
  const vms = new Map<string, VmRef>();
  let usesIpmi = false;
  for (const node of nodes) {
    for (const kind of EXECUTOR_KEYS) {
      const choice = executorFor(config, kind, node.name);
      if (!choice) continue;
      if (choice.type === 'ipmi') {
        usesIpmi = true;
        if (!node.bmc) problems.push(`node ${node.name}: ${kind} uses ipmi, but nodes.${node.name}.bmc is not set in ${config.file}`);
      } else if (choice.type === 'kubevirt') {
        vms.set(node.name, vmOf(config, node.name));
      } else if (choice.type === 'command') {
        for (const template of [choice.run, ...(choice.undo ? [choice.undo] : [])]) {
          for (const { subject, field } of placeholdersOf(template)) {
            if (field === 'name') continue;
            // A {peer.*} can be any node; every node is checked as a node in its own right below.
            if (subject === 'node' && !node[field]) {
              problems.push(
                `node ${node.name}: ${kind} command uses {node.${field}}, but the node has no ${field} (set nodes.${node.name}.${field} in ${config.file})`,
              );
            }
            if (subject === 'peer')
              for (const peer of nodes)
                if (!peer[field]) problems.push(`node ${peer.name}: ${kind} command uses {peer.${field}}, but the node has no ${field}`);
          }
        }
      }
    }
  }
  if (usesIpmi && built.ipmi && !options.dryRun) problems.push(...built.ipmi.checkEnvironment());
  if (vms.size > 0 && built.kubevirt && !options.dryRun) problems.push(...(await built.kubevirt.checkVms(vms)));
  return [...new Set(problems)];
}
