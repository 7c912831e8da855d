// Real packet drops inside node namespaces with iptables. Each node gets two chains of its own, hooked into INPUT and
// OUTPUT; a fault adds rules there and its undo deletes exactly those rules, so overlapping faults undo independently.
import { portMatchSpecs, type PortMatch } from '../faults/ports.ts';
import { hostOfNamespace } from './network.ts';

export const INPUT_CHAIN = 'CPCHAOS-IN';
export const OUTPUT_CHAIN = 'CPCHAOS-OUT';

/** One iptables rule inside one namespace: the chain and the match + target after it. */
export interface FilterRule {
  readonly namespace: string;
  readonly chain: typeof INPUT_CHAIN | typeof OUTPUT_CHAIN;
  readonly spec: readonly string[];
}

const IPTABLES_TIMEOUT_MS = 10_000;

async function iptablesIn(namespace: string, args: readonly string[], input?: string): Promise<string> {
  return hostOfNamespace(namespace).run('ip', ['netns', 'exec', namespace, ...args], {
    timeoutMs: IPTABLES_TIMEOUT_MS,
    ...(input !== undefined ? { input } : {}),
  });
}

/** Creates the cpchaos chains in a fresh node namespace. */
export async function installChains(namespace: string): Promise<void> {
  const rules = [
    '*filter',
    `:${INPUT_CHAIN} - [0:0]`,
    `:${OUTPUT_CHAIN} - [0:0]`,
    `-A INPUT -j ${INPUT_CHAIN}`,
    `-A OUTPUT -j ${OUTPUT_CHAIN}`,
    'COMMIT',
    '',
  ].join('\n');
  await iptablesIn(namespace, ['iptables-restore', '--noflush', '-w', '5'], rules);
}

export async function addRules(rules: readonly FilterRule[]): Promise<void> {
  for (const rule of rules) {
    await iptablesIn(rule.namespace, ['iptables', '-w', '5', '-A', rule.chain, ...rule.spec]);
  }
}

/** Deletes rules; a rule already gone (healed, or its namespace deleted) is not an error. */
export async function deleteRules(rules: readonly FilterRule[]): Promise<void> {
  let first: unknown;
  for (const rule of rules) {
    try {
      await iptablesIn(rule.namespace, ['iptables', '-w', '5', '-D', rule.chain, ...rule.spec]);
    } catch (error) {
      const text = String((error as Error).message);
      if (/does a matching rule exist|Bad rule|No chain|Cannot open network namespace|No such file/i.test(text)) continue;
      first ??= error;
    }
  }
  if (first !== undefined) throw first;
}

export async function flushChains(namespace: string): Promise<void> {
  await iptablesIn(namespace, ['iptables', '-w', '5', '-F', INPUT_CHAIN]);
  await iptablesIn(namespace, ['iptables', '-w', '5', '-F', OUTPUT_CHAIN]);
}

export async function listRules(namespace: string): Promise<string[]> {
  const out = await iptablesIn(namespace, ['iptables', '-w', '5', '-S']);
  return out.split('\n').filter((line) => line.includes(INPUT_CHAIN) || line.includes(OUTPUT_CHAIN));
}

export interface FilterNode {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
}

/** A DROP rule for each port match (one rule when the cut is not limited to ports). */
function dropRules(
  namespace: string,
  chain: FilterRule['chain'],
  match: readonly string[],
  ports: readonly PortMatch[] | undefined,
): FilterRule[] {
  return portMatchSpecs(ports).map((portMatch) => ({ namespace, chain, spec: [...match, ...portMatch, '-j', 'DROP'] }));
}

/** Rules that cut a node off the cluster network in both directions (only traffic to `ports`, when given). */
export function isolateRules(node: FilterNode, ports?: readonly PortMatch[]): FilterRule[] {
  return [
    ...dropRules(node.namespace, INPUT_CHAIN, ['-i', 'eth0'], ports),
    ...dropRules(node.namespace, OUTPUT_CHAIN, ['-o', 'eth0'], ports),
  ];
}

/** Rules that drop packets travelling from `from` to `to` only (the other direction still flows). */
export function oneWayRules(from: readonly FilterNode[], to: readonly FilterNode[], ports?: readonly PortMatch[]): FilterRule[] {
  const rules: FilterRule[] = [];
  for (const receiver of to) {
    for (const sender of from) {
      if (sender.name === receiver.name) continue;
      rules.push(...dropRules(receiver.namespace, INPUT_CHAIN, ['-s', `${sender.address}/32`], ports));
    }
  }
  return rules;
}

/** Rules that split nodes into groups that cannot reach each other; nodes in no group keep reaching everyone. */
export function partitionRules(groups: readonly (readonly FilterNode[])[], ports?: readonly PortMatch[]): FilterRule[] {
  const rules: FilterRule[] = [];
  groups.forEach((group, i) => {
    groups.forEach((other, j) => {
      if (i !== j) rules.push(...oneWayRules(other, group, ports));
    });
  });
  return rules;
}
