// The scenario format, written once. The loader validates with `scenarioSchema`; the published
// JSON Schema (schema/scenario.schema.json) is rendered from it by `scenarioJsonSchema()`.
import { duration } from '../schema/duration.ts';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  INVALID,
  array,
  boolean,
  byType,
  freeform,
  integer,
  jsonSchemaDocument,
  keyed,
  object,
  oneOf,
  optional,
  parsedString,
  required,
  string,
  variant,
  withDefault,
} from '../schema/descriptors.ts';
import type { Desc, JsonSchema, ParseContext, Parsed, Path } from '../schema/descriptors.ts';
import { assertionFields, assertionsOf, steps } from './schema-steps.ts';
import { SCOPE, targetBranches } from './schema-targets.ts';
import { INVARIANT_NAMES, KNOWN_BUG_TAG } from './types.ts';
import type { Expectation, InvariantName, InvariantSpec, ScenarioSpec } from './types.ts';

export { SCOPE } from './schema-targets.ts';

const NAME_PATTERN = '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$';
const TAG_PATTERN = '^[a-z0-9][a-z0-9-]*$';

/** Records a cluster count in the scope, so selectors can be checked against it. */
const shapeCount = (
  key: 'controlPlanes' | 'workers' | 'witnesses',
  min: number,
  max: number,
  title: string,
  description: string,
): Desc<number> =>
  integer({ min, max })
    .doc(title, description)
    .map((n, _path, ctx) => {
      ctx.get(SCOPE).shape[key] = n;
      return n;
    });

const topology = parsedString({
  expected: 'a file path',
  parse: (text, path, ctx): Parsed<string> => {
    const file = resolve(ctx.get(SCOPE).baseDir ?? process.cwd(), text);
    if (!existsSync(file)) return ctx.report(path, `topology file not found: ${file} (paths are relative to the scenario file)`);
    if (!statSync(file).isFile()) return ctx.report(path, `topology is not a file: ${file}`);
    return file;
  },
}).doc('Topology', 'Sandbox topology file (zones, links), relative to the scenario file.', ['../topologies/zones.yaml']);

const providerOptions = (provider: string): Desc<Readonly<Record<string, unknown>>> =>
  freeform().doc(`${provider} options`, `Options for the ${provider} provider (validated by the provider).`);

/** A sandbox option the scenario format checks itself: how long the sandbox holds a deleted Node's finalizers. */
const nodeFinalizerHoldMs = integer({ min: 0 }).doc(
  'Node finalizer hold (ms)',
  "How long after its deletion a Node's finalizers are released, in milliseconds (the Node stays Terminating).",
);

/** Sandbox options: free-form (the provider reads them), with nodeFinalizerHoldMs checked here. */
const sandboxOptions = providerOptions('sandbox').map((options, path, ctx) => {
  const hold = options['nodeFinalizerHoldMs'];
  if (hold === undefined) return options;
  return nodeFinalizerHoldMs.parse(hold, [...path, 'nodeFinalizerHoldMs'], ctx) === INVALID ? INVALID : options;
});

/**
 * A sandbox option the scenario format checks itself: the nodes after the control planes are created in different
 * seconds, in topology order (lib/cluster/sandbox/sandbox-provider.ts), so none ties with another on age.
 */
const distinctCreationSeconds = boolean().doc(
  'Distinct creation seconds',
  'Start the nodes after the control planes one at a time, each created in a later second than the one before it.',
);

function checkDistinctCreationSeconds(options: Readonly<Record<string, unknown>>, path: Path, ctx: ParseContext) {
  const value = options['distinctCreationSeconds'];
  if (value === undefined) return options;
  return distinctCreationSeconds.parse(value, [...path, 'distinctCreationSeconds'], ctx) === INVALID ? INVALID : options;
}

const cluster = object({
  controlPlanes: withDefault(shapeCount('controlPlanes', 1, 9, 'Control-plane nodes', 'Control-plane (management) nodes at start.'), 3),
  workers: withDefault(shapeCount('workers', 0, 64, 'Worker nodes', 'Worker nodes at start.'), 1),
  witnesses: withDefault(shapeCount('witnesses', 0, 1, 'Witness nodes', 'Witness (etcd-only) nodes at start: 0 or 1.'), 0),
  topology: optional(topology),
  sandbox: optional(sandboxOptions.map(checkDistinctCreationSeconds)),
  kind: optional(providerOptions('kind')),
  existing: optional(providerOptions('existing')),
}).doc('Cluster', 'The cluster the scenario needs. Selectors like control-plane[2] are checked against these counts.');

const budgets = object({
  promotion: optional(duration.doc('Promotion budget', "From a control-plane node's deletion to a completed promotion.")),
  outage: optional(duration.doc('Outage budget', 'The longest tolerated API outage.')),
})
  .map((b) => ({
    ...(b.promotion === undefined ? {} : { promotionMs: b.promotion }),
    ...(b.outage === undefined ? {} : { outageMs: b.outage }),
  }))
  .doc('Budgets', 'Time budgets for the invariants, as durations ("60s").');

const promoted = byType({
  string: parsedString({
    expected: '"none" or node selectors',
    parse: (text, path, ctx) => (text.trim() === 'none' ? [] : targetBranches(false).string.parse(text, path, ctx)),
  }).doc('Promoted nodes', '"none", or selectors separated by commas.', ['none', 'worker[0]']),
  sequence: targetBranches(false).sequence,
}).doc('Promoted', 'The nodes that must have been promoted by the end, or "none".');

const expectation: Desc<Expectation> = object({ ...assertionFields, promoted: optional(promoted) })
  .map((input): Expectation => ({ assertions: assertionsOf(input), ...(input.promoted === undefined ? {} : { promoted: input.promoted }) }))
  .doc('Expect', 'The end state, checked after the steps.');

// ---------------------------------------------------------------------------------------------
// Invariants

const noOptions = object({}, { nullAsEmpty: true });
const budgetOption = (description: string) => object({ budget: optional(duration.doc('Budget', description)) }, { nullAsEmpty: true });
const withBudget = <N extends 'quorum-survives' | 'promotion-after-deletion'>(name: N, budget: number | undefined): InvariantSpec =>
  (budget === undefined ? { name } : { name, budgetMs: budget }) as InvariantSpec;
const plain = (name: Exclude<InvariantName, 'quorum-survives' | 'promotion-after-deletion' | 'management-count'>, description: string) =>
  variant(noOptions, {}, (): InvariantSpec => ({ name }), { title: name, description, example: `- ${name}` });

const invariantObject: Desc<InvariantSpec> = keyed(
  {
    'promotion-only-after-deletion': plain(
      'promotion-only-after-deletion',
      'No node is promoted while every control-plane node still exists (a node that is merely down is not replaced).',
    ),
    'promotion-after-deletion': variant(
      budgetOption('Default: budgets.promotion.'),
      {},
      (o) => withBudget('promotion-after-deletion', o.budget),
      {
        title: 'promotion-after-deletion',
        description: 'After a control-plane node is deleted, a promotion completes within the budget.',
        example: '- promotion-after-deletion: { budget: 60s }',
      },
    ),
    'management-count': variant(
      object({ expected: optional(integer({ min: 1, max: 9 }).doc('Expected', 'Default: cluster.controlPlanes.')) }, { nullAsEmpty: true }),
      {},
      (o): InvariantSpec => (o.expected === undefined ? { name: 'management-count' } : { name: 'management-count', expected: o.expected }),
      {
        title: 'management-count',
        description: 'The number of management nodes never exceeds the expected count.',
        example: '- management-count: { expected: 3 }',
      },
    ),
    'quorum-survives': variant(budgetOption('Default: budgets.outage.'), {}, (o) => withBudget('quorum-survives', o.budget), {
      title: 'quorum-survives',
      description: 'etcd keeps quorum: the API is never unavailable for longer than the budget.',
      example: '- quorum-survives: { budget: 4s }',
    }),
    'quorum-lost': plain(
      'quorum-lost',
      'For scenarios that break quorum on purpose (allowQuorumLoss: true): the loss is visible (no acknowledged writes while it lasts) and the cluster recovers after healing.',
    ),
    'no-lost-writes': plain('no-lost-writes', 'Every acknowledged write is still readable at the end.'),
    'promote-status-lifecycle': plain(
      'promote-status-lifecycle',
      'The promote-status annotation only moves forward: running, then complete or failed.',
    ),
  },
  { what: 'invariant', kindWord: 'invariant' },
);

const invariantItem = byType({
  string: oneOf(INVARIANT_NAMES, { what: 'invariant' }).map((name): InvariantSpec => ({ name }) as InvariantSpec),
  mapping: invariantObject,
});

function checkInvariants(specs: readonly InvariantSpec[], path: Path, ctx: ParseContext): Parsed<readonly InvariantSpec[]> {
  const allowQuorumLoss = ctx.get(SCOPE).allowQuorumLoss;
  const seen = new Set<string>();
  let ok = true;
  const problem = (spec: InvariantSpec, message: string) => {
    ctx.report(ctx.pathOf(spec) ?? path, message);
    ok = false;
  };
  for (const spec of specs) {
    if (seen.has(spec.name)) problem(spec, `invariant "${spec.name}" is listed twice`);
    seen.add(spec.name);
    if (spec.name === 'quorum-survives' && allowQuorumLoss)
      problem(spec, 'quorum-survives contradicts allowQuorumLoss: true (use quorum-lost)');
    if (spec.name === 'quorum-lost' && !allowQuorumLoss) problem(spec, 'quorum-lost needs allowQuorumLoss: true');
  }
  return ok ? specs : INVALID;
}

/** All invariants that fit the scenario: quorum-survives, or quorum-lost when quorum loss is allowed. */
export function defaultInvariants(allowQuorumLoss: boolean): readonly InvariantSpec[] {
  const skip: InvariantName = allowQuorumLoss ? 'quorum-survives' : 'quorum-lost';
  return INVARIANT_NAMES.filter((name) => name !== skip).map((name) => ({ name }) as InvariantSpec);
}

const invariants: Desc<readonly InvariantSpec[]> = byType({
  string: oneOf(['all'], { hint: 'or list invariant names' }).map((_all, _path, ctx) => defaultInvariants(ctx.get(SCOPE).allowQuorumLoss)),
  sequence: array(invariantItem, { item: 'invariant' }).map(checkInvariants),
}).doc(
  'Invariants',
  `"all" (default: every invariant except the quorum one that does not apply), or a list of names or {name: options}: ${INVARIANT_NAMES.join(', ')}.`,
);

// ---------------------------------------------------------------------------------------------
// The scenario

const tags = array(string({ pattern: TAG_PATTERN, patternMessage: 'tags are lowercase letters, digits and "-"', expected: 'a tag' }), {
  item: 'tag',
})
  .map((list, path, ctx) => {
    const duplicate = list.find((tag, i) => list.indexOf(tag) !== i);
    return duplicate === undefined ? list : ctx.report([...path, list.lastIndexOf(duplicate)], `tag "${duplicate}" is listed twice`);
  })
  .doc('Tags', 'Labels to select scenarios with --tag.', [['smoke', 'quorum']]);

const knownBug = object({
  url: required(
    string({ pattern: '^https?://\\S+$', patternMessage: 'expected a link to the bug report (http or https)' }).doc(
      'Bug report',
      'A link to the bug this scenario reproduces.',
      ['https://github.com/harvester/harvester/issues/8968'],
    ),
  ),
  fails: required(
    array(string({ pattern: NAME_PATTERN, patternMessage: 'expected an invariant name, steps or expect', expected: 'a verdict name' }), {
      item: 'verdict',
      minItems: 1,
      tooFew: 'name at least one verdict the bug makes fail',
    }).doc('Failing verdicts', 'The verdicts (invariant names, steps or expect) the bug makes fail.', [['promotion-after-deletion']]),
  ),
}).doc(
  'Known bug',
  'The scenario reproduces a known, unfixed bug (goes with the tag known-bug). When exactly these verdicts fail, the run is an expected failure (exit 0); when they pass, the bug did not reproduce and the run fails unless --allow-xpass.',
);

/** Cross-field checks: known-bug tag and knownBug together; knownBug.fails names verdicts the scenario has. */
function checkKnownBug(s: ScenarioSpec, path: Path, ctx: ParseContext): Parsed<ScenarioSpec> {
  const tagged = s.tags.includes(KNOWN_BUG_TAG);
  if (tagged && !s.knownBug)
    return ctx.report([...path, 'tags', s.tags.indexOf(KNOWN_BUG_TAG)], `the tag ${KNOWN_BUG_TAG} needs a knownBug field (url, fails)`);
  if (!s.knownBug) return s;
  if (!tagged) return ctx.report([...path, 'knownBug'], `knownBug goes with the tag ${KNOWN_BUG_TAG} (add it to tags)`);
  const verdicts = [...s.invariants.map((i) => i.name), 'steps', 'expect'];
  let ok = true;
  s.knownBug.fails.forEach((name, i) => {
    if (verdicts.includes(name)) return;
    ctx.report([...path, 'knownBug', 'fails', i], `"${name}" is not a verdict of this scenario (expected one of: ${verdicts.join(', ')})`);
    ok = false;
  });
  return ok ? s : INVALID;
}

export const scenarioSchema: Desc<ScenarioSpec> = object({
  name: required(
    string({ pattern: NAME_PATTERN, patternMessage: 'names are lowercase letters, digits and "-" (they name report folders)' }).doc(
      'Name',
      'Unique scenario name; also the report folder name.',
      ['kill-etcd-leader'],
    ),
  ),
  description: optional(string().doc('Description', 'What the scenario does and what it expects, in a sentence or two.')),
  tags: withDefault(tags, []),
  knownBug: optional(knownBug),
  sandboxOnly: withDefault(boolean().doc('Sandbox only', 'True when the scenario needs faults only the sandbox provider has.'), false),
  allowQuorumLoss: withDefault(
    boolean()
      .doc('Allow quorum loss', 'True when the scenario breaks etcd quorum on purpose.')
      .map((allow, _path, ctx) => {
        ctx.get(SCOPE).allowQuorumLoss = allow;
        return allow;
      }),
    false,
  ),
  cluster: withDefault(cluster, {}),
  budgets: withDefault(budgets, {}),
  steps: required(steps),
  expect: withDefault(expectation, {}),
  invariants: withDefault(invariants, 'all'),
})
  .map((s): ScenarioSpec => ({
    name: s.name,
    ...(s.description === undefined ? {} : { description: s.description }),
    tags: s.tags,
    ...(s.knownBug === undefined ? {} : { knownBug: s.knownBug }),
    sandboxOnly: s.sandboxOnly,
    allowQuorumLoss: s.allowQuorumLoss,
    cluster: s.cluster,
    budgets: s.budgets,
    steps: s.steps,
    expect: s.expect,
    invariants: s.invariants,
  }))
  .map(checkKnownBug);

/** The published JSON Schema, rendered from `scenarioSchema`. */
export function scenarioJsonSchema(): JsonSchema {
  return jsonSchemaDocument(scenarioSchema, {
    title: 'cpchaos scenario',
    description:
      'A chaos scenario: the cluster it needs, the faults and waits to run in order, the end state to expect and the invariants to check. Generated from lib/scenario/schema.ts; do not edit.',
  });
}

/** The JSON Schema file's exact text (2-space JSON, trailing newline). */
export function renderScenarioJsonSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
