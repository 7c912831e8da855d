// A parsed scenario written back as a scenario file, in the spellings the loader reads (lib/scenario/schema.ts,
// schema-steps.ts): parseScenario of the text gives the same steps, cluster, budgets and invariants back.
import { stringify } from 'yaml';
import { formatDuration } from '../util/duration.ts';
import { formatPort, type PortMatch } from '../faults/ports.ts';
import { formatSelector, type Selector } from '../scenario/targets.ts';
import type { Assertion, InvariantSpec, ScenarioSpec, Step, WaitCondition } from '../scenario/types.ts';

const list = (selectors: readonly Selector[]): string => selectors.map(formatSelector).join(', ');
const withAs = (body: Record<string, unknown>, as: string | undefined): Record<string, unknown> =>
  as === undefined ? body : { ...body, as };
/** Ports as the file writes them: `2380/tcp`, which the loader reads back as the same port. */
const withPorts = (body: Record<string, unknown>, ports: readonly PortMatch[] | undefined): Record<string, unknown> =>
  ports === undefined ? body : { ...body, ports: ports.map(formatPort) };

function waitDoc(until: WaitCondition, timeoutMs: number): Record<string, unknown> {
  const timeout = formatDuration(timeoutMs);
  switch (until.kind) {
    case 'node':
      return { node: formatSelector(until.node), ready: until.ready, timeout };
    case 'nodeGone':
      return { nodeGone: formatSelector(until.node), timeout };
    case 'promotion':
      return { promotion: formatSelector(until.node), status: until.status, timeout };
    case 'etcdMembers':
      return { etcdMembers: until.count, timeout };
    case 'managementCount':
      return { managementCount: until.count, timeout };
    case 'api':
      return { api: until.state, timeout };
  }
}

function assertionsDoc(assertions: readonly Assertion[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of assertions) {
    if (a.kind === 'managementCount' || a.kind === 'etcdMembers' || a.kind === 'promotionsRunning') out[a.kind] = a.count;
    else if (a.kind === 'nodeReady') out['nodeReady'] = { node: formatSelector(a.node), ready: a.ready };
    else if (a.kind === 'promoteStatus') out['promoteStatus'] = { node: formatSelector(a.node), status: a.status };
    else if (a.kind === 'roles') out['roles'] = Object.fromEntries(a.roles.map((r) => [formatSelector(r.node), r.role]));
    else out['terminating'] = list(a.nodes);
  }
  return out;
}

/** One step as the scenario file spells it. */
export function stepDoc(step: Step): Record<string, unknown> {
  switch (step.kind) {
    case 'isolate':
      return withPorts(withAs({ isolate: list(step.targets) }, step.as), step.ports);
    case 'kill':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'cordon':
    case 'uncordon':
    case 'remove-host':
    case 'rejoin':
    case 'memory-pressure':
    case 'relieve':
      return withAs({ [step.kind]: list(step.targets) }, step.as);
    case 'partition':
      return withPorts({ partition: step.groups.map(list).join(' | ') }, step.ports);
    case 'drop':
      return withPorts({ drop: `${list(step.from)} -> ${list(step.to)}` }, step.ports);
    case 'heal':
      return { heal: 'all' };
    case 'delete-node':
      return withAs(
        { 'delete-node': step.forceFinalizers ? { target: list(step.targets), forceFinalizers: true } : list(step.targets) },
        step.as,
      );
    case 'label':
      return withAs({ label: { target: list(step.targets), labels: step.labels } }, step.as);
    case 'annotate':
      return withAs({ annotate: { target: list(step.targets), annotations: step.annotations } }, step.as);
    case 'hold':
      return { hold: formatDuration(step.holdMs) };
    case 'wait':
      return { wait: waitDoc(step.until, step.timeoutMs) };
    case 'check':
      return { check: assertionsDoc(step.assertions) };
  }
}

function invariantDoc(invariant: InvariantSpec): unknown {
  if ('budgetMs' in invariant && invariant.budgetMs !== undefined)
    return { [invariant.name]: { budget: formatDuration(invariant.budgetMs) } };
  if ('expected' in invariant && invariant.expected !== undefined) return { [invariant.name]: { expected: invariant.expected } };
  return invariant.name;
}

/** The scenario as a plain document (what the YAML text holds). */
export function scenarioDoc(spec: ScenarioSpec): Record<string, unknown> {
  const budgets: Record<string, string> = {};
  if (spec.budgets.promotionMs !== undefined) budgets['promotion'] = formatDuration(spec.budgets.promotionMs);
  if (spec.budgets.outageMs !== undefined) budgets['outage'] = formatDuration(spec.budgets.outageMs);
  const expectDoc = assertionsDoc(spec.expect.assertions);
  if (spec.expect.promoted !== undefined) expectDoc['promoted'] = spec.expect.promoted.length === 0 ? 'none' : list(spec.expect.promoted);
  return {
    name: spec.name,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.tags.length > 0 ? { tags: [...spec.tags] } : {}),
    ...(spec.allowQuorumLoss ? { allowQuorumLoss: true } : {}),
    cluster: { controlPlanes: spec.cluster.controlPlanes, workers: spec.cluster.workers, witnesses: spec.cluster.witnesses },
    ...(Object.keys(budgets).length > 0 ? { budgets } : {}),
    steps: spec.steps.map(stepDoc),
    ...(Object.keys(expectDoc).length > 0 ? { expect: expectDoc } : {}),
    invariants: spec.invariants.map(invariantDoc),
  };
}

/** The scenario as a file's text. */
export function scenarioYaml(spec: ScenarioSpec): string {
  return stringify(scenarioDoc(spec), { lineWidth: 0 });
}
