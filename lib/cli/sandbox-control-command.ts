// `cpchaos sandbox fault|undo <kind> ...` and `cpchaos sandbox etcd`: drive the faults of a sandbox started by
// `cpchaos sandbox up` from another process (for instance the command executors of `--provider existing`).
//   sandbox fault kill cp-1            sandbox undo kill cp-1
//   sandbox fault drop cp-0 --to cp-1  (cp-0's packets to cp-1 are dropped)
//   sandbox fault partition cp-0 cp-1,cp-2 worker-0   (groups; a comma joins nodes into one group)
//   sandbox fault isolate worker-0 --ports etcd-peer,2379/tcp   (a cut limited to ports; `--ports all`: not limited)
//   sandbox etcd                       prints {"members":[{"name","id"}],"leader":"..."} as JSON
import { FAULT_KINDS, type FaultKind, type FaultRequest } from '../faults/catalogue.ts';
import { controlEtcd, controlFault, findControlSocket } from '../cluster/sandbox/control/control-client.ts';
import { parseOptions, UsageError } from './options.ts';
import { parsePortList, type PortMatch } from '../faults/ports.ts';

const CONTROL_OPTIONS = {
  run: { type: 'string' },
  to: { type: 'string', multiple: true },
  ports: { type: 'string' },
} as const;

const CUTS: readonly FaultKind[] = ['isolate', 'partition', 'drop'];

/** `--ports` of a cut: a comma-separated list (lib/faults/ports.ts), or `all` (what {fault.ports} is for a full cut). */
function portsOption(kind: FaultKind, value: string | undefined): { readonly ports?: readonly PortMatch[] } {
  if (value === undefined || value === 'all') return {};
  if (!CUTS.includes(kind)) throw new UsageError(`cpchaos sandbox fault ${kind}: --ports is only for ${CUTS.join(', ')}`);
  try {
    return { ports: parsePortList(value.split(',').filter((p) => p.length > 0)) };
  } catch (error) {
    throw new UsageError(`cpchaos sandbox fault ${kind}: --ports: ${(error as Error).message}`);
  }
}

export function faultRequestFromArgs(
  kindWord: string | undefined,
  nodes: readonly string[],
  to: readonly string[] | undefined,
  portsValue?: string,
): FaultRequest {
  if (kindWord === undefined || !(FAULT_KINDS as readonly string[]).includes(kindWord)) {
    throw new UsageError(`cpchaos sandbox fault|undo: expected a fault kind (${FAULT_KINDS.join(', ')}), got "${kindWord ?? ''}"`);
  }
  const kind = kindWord as FaultKind;
  const split = (word: string): string[] => word.split(',').filter((n) => n.length > 0);
  const ports = portsOption(kind, portsValue);
  if (kind === 'heal') return { kind };
  if (nodes.length === 0) throw new UsageError(`cpchaos sandbox fault ${kind}: name at least one node`);
  if (kind === 'drop') {
    if (!to || to.length === 0) throw new UsageError('cpchaos sandbox fault drop: name the receiving nodes with --to NODE');
    return { kind, from: nodes.flatMap(split), to: to.flatMap(split), ...ports };
  }
  if (to !== undefined) throw new UsageError(`cpchaos sandbox fault ${kind}: --to is only for drop`);
  if (kind === 'partition') {
    if (nodes.length < 2)
      throw new UsageError('cpchaos sandbox fault partition: name at least two groups (a comma joins nodes into one group)');
    return { kind, groups: nodes.map(split), ...ports };
  }
  if (kind === 'isolate') return { kind, nodes: nodes.flatMap(split), ...ports };
  return { kind, nodes: nodes.flatMap(split) };
}

export async function sandboxControlCommand(op: 'fault' | 'undo' | 'etcd', args: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, CONTROL_OPTIONS);
  if (op === 'etcd') {
    if (positionals.length > 0) throw new UsageError('cpchaos sandbox etcd takes no arguments (only --run ID)');
    const membership = await controlEtcd(findControlSocket(values.run));
    process.stdout.write(`${JSON.stringify(membership)}\n`);
    return 0;
  }
  const [kind, ...nodes] = positionals;
  const request = faultRequestFromArgs(kind, nodes, values.to, values.ports);
  const message = await controlFault(findControlSocket(values.run), op, request);
  process.stdout.write(`${message}\n`);
  return 0;
}
