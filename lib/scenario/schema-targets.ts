// Descriptors for everything that names nodes: selectors, target lists, partitions, drops, and
// the per-parse scope they are checked against (declared cluster shape, bindings so far).
import { formatPath } from '../schema/describe-value.ts';
import { INVALID, array, byType, object, parsedString, ref, required, slot, string } from '../schema/descriptors.ts';
import type { Desc, ParseContext, Parsed, Path } from '../schema/descriptors.ts';
import {
  BINDING_NAME_PATTERN,
  DROP_PATTERN,
  PARTITION_PATTERN,
  SELECTOR_HELP,
  SELECTOR_LIST_PATTERN,
  SELECTOR_PATTERN,
  checkSelector,
  formatSelector,
  parseSelector,
  splitTopLevel,
} from './targets.ts';
import type { Selector } from './targets.ts';

/** What the parse knows so far: set by the loader (baseDir, nodeNames) and by earlier fields. */
export interface ScenarioScope {
  baseDir: string | undefined;
  shape: { controlPlanes?: number; workers?: number; witnesses?: number; nodeNames?: readonly string[] };
  /** Binding name -> where it was defined. */
  readonly bindings: Map<string, Path>;
  allowQuorumLoss: boolean;
}

export const SCOPE = slot<ScenarioScope>('scenario', () => ({
  baseDir: undefined,
  shape: {},
  bindings: new Map(),
  allowQuorumLoss: false,
}));

function parseOne(text: string, path: Path, ctx: ParseContext, allowAll: boolean): Parsed<Selector> {
  const parsed = parseSelector(text);
  if (!parsed.ok) return ctx.report(path, parsed.message);
  const scope = ctx.get(SCOPE);
  const problem = checkSelector(parsed.selector, scope.shape, { bindings: new Set(scope.bindings.keys()), allowAll });
  if (problem !== undefined) return ctx.report(path, problem);
  ctx.paths.set(parsed.selector, path);
  return parsed.selector;
}

function parseList(text: string, path: Path, ctx: ParseContext, allowAll: boolean): Parsed<readonly Selector[]> {
  const out: Selector[] = [];
  let ok = true;
  for (const part of splitTopLevel(text, ',')) {
    const selector = parseOne(part, path, ctx, allowAll);
    if (selector === INVALID) ok = false;
    else out.push(selector);
  }
  return ok ? out : INVALID;
}

const SELECTOR_DOC = `Selects a node: ${SELECTOR_HELP}.`;

/** One selector; `all` only where allowed. */
export function selector(allowAll: boolean): Desc<Selector> {
  return ref(
    'selector',
    parsedString({
      expected: 'a node selector',
      pattern: SELECTOR_PATTERN,
      parse: (text, path, ctx) => parseOne(text, path, ctx, allowAll),
    }).doc('Selector', SELECTOR_DOC, ['control-plane[0]', 'etcd-leader', '$victim']),
  );
}

/** The two spellings of a selector list: a comma-separated string, or a YAML list. */
export function targetBranches(allowAll: boolean) {
  return {
    string: parsedString({
      expected: 'node selectors',
      pattern: SELECTOR_LIST_PATTERN,
      parse: (text, path, ctx) => parseList(text, path, ctx, allowAll),
    }).doc('Selectors', `One or more selectors separated by commas. ${SELECTOR_DOC}`, ['worker[0]', 'control-plane[0], control-plane[1]']),
    sequence: array(selector(allowAll), { minItems: 1, item: 'selector' }).doc(
      'Selector list',
      'A list of selectors (quote those with [ ] inside [ ] flow lists).',
    ),
  } as const;
}

/** Selectors as a comma-separated string or a list. */
export function targets(allowAll: boolean): Desc<readonly Selector[]> {
  return ref('targets', byType(targetBranches(allowAll)));
}

/** Reports a node named twice (statically: the same selector text) across groups. */
function checkDisjoint(
  groups: readonly (readonly Selector[])[],
  path: Path,
  ctx: ParseContext,
  explain: (text: string, first: number, second: number) => string,
): boolean {
  const seen = new Map<string, number>();
  let ok = true;
  groups.forEach((group, index) => {
    for (const member of group) {
      const key = formatSelector(member);
      const first = seen.get(key);
      if (first !== undefined && first !== index) {
        ctx.report(ctx.pathOf(member) ?? path, explain(key, first, index));
        ok = false;
      }
      seen.set(key, first ?? index);
    }
  });
  return ok;
}

export const partitionGroups: Desc<readonly (readonly Selector[])[]> = byType({
  string: parsedString({
    expected: 'partition groups',
    pattern: PARTITION_PATTERN,
    parse: (text, path, ctx): Parsed<readonly (readonly Selector[])[]> => {
      const parts = splitTopLevel(text, '|');
      const groups = parts.map((part) => parseList(part, path, ctx, false));
      const valid = groups.filter((group): group is readonly Selector[] => group !== INVALID);
      if (valid.length !== groups.length) return INVALID;
      if (groups.length < 2) return ctx.report(path, `a partition needs at least two groups, separated by "|": ${text.trim()} | ...`);
      return valid;
    },
  }).doc('Partition groups', 'Groups separated by "|", nodes in a group by ",". Traffic between groups is cut.', [
    'control-plane[0] | control-plane[1], control-plane[2], worker[0]',
  ]),
  sequence: array(targets(false), { minItems: 2, item: 'group', tooFew: 'a partition needs at least two groups' }).doc(
    'Partition group list',
    'Two or more groups, each a selector list.',
  ),
}).map((groups, path, ctx) => {
  const ok = checkDisjoint(
    groups,
    path,
    ctx,
    (text, first, second) => `${text} is in partition groups ${first} and ${second}: groups must not overlap`,
  );
  return ok ? groups : INVALID;
});

export interface DropSpec {
  readonly from: readonly Selector[];
  readonly to: readonly Selector[];
}

export const dropSpec: Desc<DropSpec> = byType({
  string: parsedString({
    expected: 'a one-way drop "from -> to"',
    pattern: DROP_PATTERN,
    parse: (text, path, ctx): Parsed<DropSpec> => {
      const sides = splitTopLevel(text, '->');
      if (sides.length !== 2) return ctx.report(path, `write a one-way drop as "from -> to", e.g. control-plane[0] -> control-plane[1]`);
      const from = parseList(sides[0] ?? '', path, ctx, false);
      const to = parseList(sides[1] ?? '', path, ctx, false);
      return from === INVALID || to === INVALID ? INVALID : { from, to };
    },
  }).doc('One-way drop', 'Packets from the left nodes to the right nodes are dropped; the reverse still flows.', [
    'control-plane[0] -> control-plane[1]',
  ]),
  mapping: object({
    from: required(targets(false).doc('From', 'Packets sent by these nodes...')),
    to: required(targets(false).doc('To', '...to these nodes are dropped.')),
  }),
}).map((drop, path, ctx) => {
  const ok = checkDisjoint([drop.from, drop.to], path, ctx, (text) => `${text} is on both sides of the drop`);
  return ok ? drop : INVALID;
});

/** `as: victim` — binds the step's resolved nodes to $victim for later steps. */
export const bindingName: Desc<string> = string({
  pattern: BINDING_NAME_PATTERN,
  patternMessage: 'a binding name is letters, digits, "_" and "-" (write as: victim, then refer to it as $victim)',
})
  .doc('Bind as', 'Names the node(s) this step resolved, for later steps as $name.', ['victim'])
  .map((name, path, ctx) => {
    const { bindings } = ctx.get(SCOPE);
    const earlier = bindings.get(name);
    if (earlier !== undefined) return ctx.report(path, `"${name}" is already bound by ${formatPath(earlier)}; pick another name`);
    bindings.set(name, path);
    return name;
  });
