// Target selectors: how a scenario names nodes, checked statically against the declared cluster
// shape and resolved to node names at the moment a step runs.
//
//   node-name | node(node-name)          a node by name
//   control-plane[i] | worker[i]         the i-th node of that role at start (0-based, provider order)
//   etcd-leader | etcd-follower          the current etcd leader / a random follower
//   promotion-candidate                  the node the reference promotion would pick now (with tied nodes, the
//                                        first in list order; Harvester, listing in random order, may pick another)
//   witness                              the witness node
//   random(control-plane[, worker])      a random node with one of these roles now
//   $name                                the node(s) bound earlier with `as: name`
//   all                                  every node
import type { ClusterNode, NodeRole } from '../model/cluster.ts';
import { CONTROL_PLANE_ROLE_LABEL, MASTER_ROLE_LABEL, WITNESS_LABEL } from '../harvester/contract.ts';
import { nodeOrMemberName } from '../harvester/etcd-members.ts';
import type { V1Node } from '@kubernetes/client-node';
import type { Random } from './random.ts';
import { didYouMean, editDistance } from '../schema/suggest.ts';

/** Roles a node can have while the cluster runs (witness: etcd only). */
export type RoleName = NodeRole | 'witness';

export type Selector =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly role: NodeRole; readonly index: number }
  | { readonly kind: 'etcd-leader' }
  | { readonly kind: 'etcd-follower' }
  | { readonly kind: 'promotion-candidate' }
  | { readonly kind: 'witness' }
  | { readonly kind: 'random'; readonly roles: readonly NodeRole[] }
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'all' };

export type SelectorKind = Selector['kind'];

const ROLES: readonly NodeRole[] = ['control-plane', 'worker'];
const KEYWORDS = ['etcd-leader', 'etcd-follower', 'promotion-candidate', 'witness', 'all'] as const;
type Keyword = (typeof KEYWORDS)[number];

// Patterns (ECMA-262, so the JSON Schema can use them too).
const ROLE = '(?:control-plane|worker)';
const NODE_NAME = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*';
const BINDING = '[A-Za-z_][A-Za-z0-9_-]*';
const ONE = `(?:${KEYWORDS.join('|')}|${ROLE}\\[[0-9]+\\]|random\\(\\s*${ROLE}(?:\\s*,\\s*${ROLE})*\\s*\\)|\\$${BINDING}|node\\(\\s*${NODE_NAME}\\s*\\)|${NODE_NAME})`;
const LIST = `${ONE}(?:\\s*,\\s*${ONE})*`;

export const BINDING_NAME_PATTERN = `^${BINDING}$`;
export const SELECTOR_PATTERN = `^\\s*${ONE}\\s*$`;
/** Selectors separated by commas: `control-plane[0], worker[0]`. */
export const SELECTOR_LIST_PATTERN = `^\\s*${LIST}\\s*$`;
/** Two or more groups separated by `|`: `control-plane[0] | control-plane[1], worker[0]`. */
export const PARTITION_PATTERN = `^\\s*${LIST}(?:\\s*\\|\\s*${LIST})+\\s*$`;
/** One-way drop: `control-plane[0] -> control-plane[1], worker[0]`. */
export const DROP_PATTERN = `^\\s*${LIST}\\s*->\\s*${LIST}\\s*$`;

const NODE_NAME_RE = new RegExp(`^${NODE_NAME}$`);
const BINDING_RE = new RegExp(BINDING_NAME_PATTERN);

export const SELECTOR_HELP =
  'a node name, control-plane[i], worker[i], etcd-leader, etcd-follower, promotion-candidate, witness, random(control-plane, worker), $name or all';

export type SelectorParse = { readonly ok: true; readonly selector: Selector } | { readonly ok: false; readonly message: string };

const ok = (selector: Selector): SelectorParse => ({ ok: true, selector });
const fail = (message: string): SelectorParse => ({ ok: false, message });

/** Splits on `separator` outside parentheses, trimming parts: `random(a, b), c` -> two parts. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i).trim());
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** A likely misspelt keyword (one edit for short keywords, two for long ones), never an exact match. */
function misspeltKeyword(text: string): Keyword | undefined {
  return KEYWORDS.find((keyword) => keyword !== 'all' && text !== keyword && editDistance(text, keyword) <= (keyword.length >= 11 ? 2 : 1));
}

/** Parses one selector (syntax only; see checkSelector for the cluster shape). */
export function parseSelector(raw: string): SelectorParse {
  const text = raw.trim();
  if (text === '') return fail('empty selector');
  if ((KEYWORDS as readonly string[]).includes(text)) return ok({ kind: text as Keyword });
  const indexed = /^(control-plane|worker)\[(.*)\]$/.exec(text);
  if (indexed) {
    const role = indexed[1] as NodeRole;
    const index = indexed[2] ?? '';
    if (!/^[0-9]+$/.test(index)) return fail(`bad index in "${text}": write ${role}[0], ${role}[1], ...`);
    return ok({ kind: 'index', role, index: Number(index) });
  }
  const random = /^random\((.*)\)$/.exec(text);
  if (random) {
    const roles = splitTopLevel(random[1] ?? '', ',');
    const seen: NodeRole[] = [];
    for (const role of roles) {
      if (role === '') return fail(`"${text}": name the roles, e.g. random(control-plane, worker)`);
      if (!(ROLES as readonly string[]).includes(role))
        return fail(`unknown role "${role}" in "${text}"${didYouMean(role, ROLES)}; expected control-plane or worker`);
      if (seen.includes(role as NodeRole)) return fail(`role "${role}" is repeated in "${text}"`);
      seen.push(role as NodeRole);
    }
    return ok({ kind: 'random', roles: seen });
  }
  if (text.startsWith('random(')) {
    return fail(`unclosed "random(" in "${text}"; inside [ ] flow lists, quote it: "random(control-plane, worker)"`);
  }
  if (text.startsWith('$')) {
    const name = text.slice(1);
    return BINDING_RE.test(name) ? ok({ kind: 'ref', name }) : fail(`bad reference "${text}": names are letters, digits, "_" and "-"`);
  }
  const explicit = /^node\((.*)\)$/.exec(text);
  if (explicit) {
    const name = (explicit[1] ?? '').trim();
    return NODE_NAME_RE.test(name)
      ? ok({ kind: 'name', name })
      : fail(`"${name}" is not a valid node name (lowercase letters, digits, "-" and ".")`);
  }
  if ((ROLES as readonly string[]).includes(text)) return fail(`"${text}" needs an index like ${text}[0], or use random(${text})`);
  if (NODE_NAME_RE.test(text)) {
    const keyword = misspeltKeyword(text);
    if (keyword !== undefined)
      return fail(`unknown selector "${text}" (did you mean "${keyword}"?); for a node with this name write node(${text})`);
    return ok({ kind: 'name', name: text });
  }
  return fail(`unknown selector "${text}"; expected ${SELECTOR_HELP}`);
}

/** The canonical text of a selector (also its identity for overlap checks). */
export function formatSelector(selector: Selector): string {
  switch (selector.kind) {
    case 'name':
      return (KEYWORDS as readonly string[]).includes(selector.name) ||
        (ROLES as readonly string[]).includes(selector.name) ||
        misspeltKeyword(selector.name)
        ? `node(${selector.name})`
        : selector.name;
    case 'index':
      return `${selector.role}[${selector.index}]`;
    case 'random':
      return `random(${selector.roles.join(', ')})`;
    case 'ref':
      return `$${selector.name}`;
    default:
      return selector.kind;
  }
}

/** What the scenario declares about its cluster; undefined fields are unknown and not checked. */
export interface ClusterShape {
  readonly controlPlanes?: number | undefined;
  readonly workers?: number | undefined;
  readonly witnesses?: number | undefined;
  /** Node names, when known (e.g. an existing cluster). */
  readonly nodeNames?: readonly string[] | undefined;
}

export interface SelectorScope {
  /** Names bound by `as:` on earlier steps. */
  readonly bindings: ReadonlySet<string>;
  /** Whether `all` makes sense here. */
  readonly allowAll: boolean;
}

const ROLE_KEY = { 'control-plane': 'controlPlanes', worker: 'workers' } as const;

function plural(count: number, word: string): string {
  return `${count} ${word} node${count === 1 ? '' : 's'}`;
}

/** Static check of a selector against the cluster shape and bindings; a message when it cannot work. */
export function checkSelector(selector: Selector, shape: ClusterShape, scope: SelectorScope): string | undefined {
  switch (selector.kind) {
    case 'index': {
      const count = shape[ROLE_KEY[selector.role]];
      if (count === undefined || selector.index < count) return undefined;
      const text = formatSelector(selector);
      if (count === 0) return `unknown selector "${text}" (cluster has no ${selector.role} nodes: cluster.${ROLE_KEY[selector.role]} is 0)`;
      return `unknown selector "${text}" (cluster has ${plural(count, selector.role)}: ${selector.role}[0]..${selector.role}[${count - 1}])`;
    }
    case 'random': {
      const counts = selector.roles.map((role) => shape[ROLE_KEY[role]]);
      if (counts.some((count) => count === undefined || count > 0)) return undefined;
      return `"${formatSelector(selector)}" can never pick a node: the cluster has no ${selector.roles.join(' or ')} nodes`;
    }
    case 'witness':
      return shape.witnesses === 0 ? 'the cluster has no witness node (set cluster.witnesses: 1)' : undefined;
    case 'etcd-follower': {
      const members = shape.controlPlanes === undefined ? undefined : shape.controlPlanes + (shape.witnesses ?? 0);
      return members === 1 ? 'the cluster has a single etcd member, so there is no etcd follower' : undefined;
    }
    case 'ref': {
      if (scope.bindings.has(selector.name)) return undefined;
      const suggestion = didYouMean(selector.name, scope.bindings);
      return suggestion !== ''
        ? `$${selector.name} is not defined${suggestion.replace('"', '"$')}`
        : `$${selector.name} is used before it is defined: add "as: ${selector.name}" to an earlier step`;
    }
    case 'all':
      return scope.allowAll ? undefined : '"all" is not allowed here: name the nodes';
    case 'name': {
      const names = shape.nodeNames;
      if (names === undefined || names.includes(selector.name)) return undefined;
      return `unknown node "${selector.name}"${didYouMean(selector.name, names)}; the cluster's nodes are ${names.join(', ')}`;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Resolution at run time

/** A node as it is now (from the API). */
export interface CurrentNode {
  readonly name: string;
  readonly role: RoleName;
}

/** The light shape of a V1Node: its name and current role from its labels. */
export function currentNodeFromV1(node: V1Node): CurrentNode {
  const labels = node.metadata?.labels ?? {};
  const role: RoleName =
    WITNESS_LABEL in labels ? 'witness' : CONTROL_PLANE_ROLE_LABEL in labels || MASTER_ROLE_LABEL in labels ? 'control-plane' : 'worker';
  return { name: node.metadata?.name ?? '', role };
}

export interface TargetContext {
  /** Nodes at start, in provider order: control-plane[i] and worker[i] index into these by role. */
  readonly startNodes: readonly ClusterNode[];
  /** Nodes as the API shows them now. */
  readonly currentNodes: readonly CurrentNode[];
  readonly etcdLeader?: string | undefined;
  /** Current etcd member names; defaults to the current control-plane and witness nodes. */
  readonly etcdMembers?: readonly string[] | undefined;
  /**
   * The reference promotion's choice now (injected), or undefined when it would promote nothing. One node to act on:
   * when nodes tie (equal creation seconds, two witnesses) it is the first in list order, and Harvester may promote
   * any of the tied ones (explainSelection(nodes).tied), so do not wait for this node's own promotion to finish.
   */
  readonly candidate: () => string | undefined;
  /** Names bound by `as:` so far. */
  readonly bindings: ReadonlyMap<string, readonly string[]>;
  readonly random: Random;
}

export class TargetError extends Error {
  constructor(
    readonly selector: Selector,
    message: string,
  ) {
    super(`${formatSelector(selector)}: ${message}`);
    this.name = 'TargetError';
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Resolves a selector to node names (one, except for `all` and multi-node bindings). */
export function resolveTarget(selector: Selector, ctx: TargetContext): readonly string[] {
  const fault = (message: string): never => {
    throw new TargetError(selector, message);
  };
  // etcd member names are node names in the sandbox, `<node>-<8 hex>` on RKE2 (lib/harvester/etcd-members.ts).
  const asNode = (member: string): string =>
    nodeOrMemberName(member, [...ctx.startNodes.map((n) => n.name), ...ctx.currentNodes.map((n) => n.name)]);
  switch (selector.kind) {
    case 'name': {
      const known = [...ctx.startNodes.map((n) => n.name), ...ctx.currentNodes.map((n) => n.name)];
      return known.includes(selector.name) ? [selector.name] : fault(`no such node${didYouMean(selector.name, known)}`);
    }
    case 'index': {
      const ofRole = ctx.startNodes.filter((n) => n.role === selector.role);
      const node = ofRole[selector.index];
      return node ? [node.name] : fault(`the cluster started with ${plural(ofRole.length, selector.role)}`);
    }
    case 'etcd-leader':
      return ctx.etcdLeader === undefined ? fault('the etcd leader is not known') : [asNode(ctx.etcdLeader)];
    case 'etcd-follower': {
      const leader = asNode(ctx.etcdLeader ?? fault('the etcd leader is not known, so neither are its followers'));
      const members = ctx.etcdMembers?.map(asNode) ?? ctx.currentNodes.filter((n) => n.role !== 'worker').map((n) => n.name);
      const followers = members.filter((name) => name !== leader).sort(byName);
      return followers.length === 0 ? fault('etcd has no followers') : [ctx.random.pick(followers)];
    }
    case 'promotion-candidate': {
      const candidate = ctx.candidate();
      return candidate === undefined ? fault('the reference promotion would not promote any node now') : [candidate];
    }
    case 'witness': {
      const witnesses = ctx.currentNodes
        .filter((n) => n.role === 'witness')
        .map((n) => n.name)
        .sort(byName);
      return witnesses.length === 0 ? fault('the cluster has no witness node') : [witnesses[0] as string];
    }
    case 'random': {
      const pool = ctx.currentNodes
        .filter((n) => (selector.roles as readonly RoleName[]).includes(n.role))
        .map((n) => n.name)
        .sort(byName);
      return pool.length === 0 ? fault(`no ${selector.roles.join(' or ')} node is present`) : [ctx.random.pick(pool)];
    }
    case 'ref': {
      const bound = ctx.bindings.get(selector.name);
      return bound ?? fault(`nothing is bound to $${selector.name} yet`);
    }
    case 'all': {
      const names = [...ctx.startNodes.map((n) => n.name), ...ctx.currentNodes.map((n) => n.name)];
      return [...new Set(names)];
    }
  }
}

/** Resolves a list of selectors to the distinct node names, in order. */
export function resolveTargets(selectors: readonly Selector[], ctx: TargetContext): readonly string[] {
  return [...new Set(selectors.flatMap((selector) => resolveTarget(selector, ctx)))];
}

/** Resolves a selector that must name exactly one node. */
export function resolveOne(selector: Selector, ctx: TargetContext): string {
  const names = resolveTarget(selector, ctx);
  if (names.length !== 1) throw new TargetError(selector, `expected one node, got ${names.length} (${names.join(', ')})`);
  return names[0] as string;
}

/** Resolves partition groups; a node in two groups (e.g. etcd-leader is control-plane[0]) is an error. */
export function resolveGroups(groups: readonly (readonly Selector[])[], ctx: TargetContext): readonly (readonly string[])[] {
  const seen = new Map<string, number>();
  return groups.map((group, index) => {
    const names: string[] = [];
    for (const selector of group) {
      for (const name of resolveTarget(selector, ctx)) {
        const other = seen.get(name);
        if (other !== undefined && other !== index)
          throw new TargetError(selector, `resolves to ${name}, which is already in partition group ${other}`);
        seen.set(name, index);
        if (!names.includes(name)) names.push(name);
      }
    }
    return names;
  });
}
