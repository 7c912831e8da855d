// Helpers over parsed steps: which provider fault a step needs, and a one-line description.
import type { FaultKind } from '../faults/catalogue.ts';
import { formatDuration } from '../util/duration.ts';
import { portsSuffix } from '../faults/ports.ts';
import { formatSelector } from './targets.ts';
import type { Selector } from './targets.ts';
import type { Assertion, ScenarioSpec, Step, WaitCondition } from './types.ts';

/** The provider fault a step injects; undefined for steps that only use the API or time. */
export function stepFault(step: Step): FaultKind | undefined {
  switch (step.kind) {
    case 'kill':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'isolate':
    case 'partition':
    case 'drop':
    case 'heal':
    case 'memory-pressure':
    case 'relieve':
      return step.kind;
    case 'delete-node':
      return step.forceFinalizers ? 'force-delete-node' : 'delete-node';
    case 'remove-host':
      return 'remove-host';
    case 'rejoin':
      return 'rejoin';
    case 'cordon':
    case 'uncordon':
    case 'label':
    case 'annotate':
    case 'hold':
    case 'wait':
    case 'check':
      return undefined;
  }
}

/** Every fault kind a scenario needs (check against StartedCluster.supportedFaults before running). */
export function scenarioFaults(scenario: Pick<ScenarioSpec, 'steps'>): ReadonlySet<FaultKind> {
  const kinds = new Set<FaultKind>();
  for (const step of scenario.steps) {
    const kind = stepFault(step);
    if (kind !== undefined) kinds.add(kind);
  }
  return kinds;
}

const list = (selectors: readonly Selector[]): string => selectors.map(formatSelector).join(', ');

export function describeCondition(until: WaitCondition): string {
  switch (until.kind) {
    case 'node':
      return `node ${formatSelector(until.node)} ready=${until.ready}`;
    case 'nodeGone':
      return `node ${formatSelector(until.node)} gone`;
    case 'promotion':
      return `promotion of ${formatSelector(until.node)} ${until.status}`;
    case 'etcdMembers':
      return `etcd members = ${until.count}`;
    case 'managementCount':
      return `management nodes = ${until.count}`;
    case 'api':
      return `API ${until.state}`;
  }
}

/** An assertion in a few words: "managementCount = 3", "roles control-plane[0]=control-plane". */
export function describeAssertion(assertion: Assertion): string {
  switch (assertion.kind) {
    case 'managementCount':
      return `managementCount = ${assertion.count}`;
    case 'etcdMembers':
      return `etcdMembers = ${assertion.count}`;
    case 'nodeReady':
      return `${formatSelector(assertion.node)} ready=${assertion.ready}`;
    case 'promoteStatus':
      return `${formatSelector(assertion.node)} promote-status=${assertion.status}`;
    case 'roles':
      return `roles ${assertion.roles.map((r) => `${formatSelector(r.node)}=${r.role}`).join(', ')}`;
    case 'terminating':
      return `${list(assertion.nodes)} terminating`;
    case 'promotionsRunning':
      return `promotionsRunning = ${assertion.count}`;
  }
}

function portsOf(step: Step): string {
  return portsSuffix('ports' in step ? step.ports : undefined);
}

/** A step in one line, close to how it is written: "kill etcd-leader as $victim". */
export function describeStep(step: Step): string {
  const as = 'as' in step && step.as !== undefined ? ` as $${step.as}` : '';
  switch (step.kind) {
    case 'kill':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'isolate':
    case 'cordon':
    case 'uncordon':
    case 'memory-pressure':
    case 'relieve':
      return `${step.kind} ${list(step.targets)}${portsOf(step)}${as}`;
    case 'delete-node':
      return `delete-node ${list(step.targets)}${step.forceFinalizers ? ' (force finalizers)' : ''}${as}`;
    case 'remove-host':
      return `remove-host ${list(step.targets)} (maintenance, uninstall, shutdown, delete-node)${as}`;
    case 'rejoin':
      return `rejoin ${list(step.targets)} (a new host under the same name)${as}`;
    case 'label':
      return `label ${list(step.targets)} ${Object.entries(step.labels)
        .map(([k, v]) => (v === null ? `-${k}` : `${k}=${v}`))
        .join(' ')}${as}`;
    case 'annotate':
      return `annotate ${list(step.targets)} ${Object.entries(step.annotations)
        .map(([k, v]) => (v === null ? `-${k}` : `${k}=${JSON.stringify(v)}`))
        .join(' ')}${as}`;
    case 'partition':
      return `partition ${step.groups.map(list).join(' | ')}${portsOf(step)}`;
    case 'drop':
      return `drop ${list(step.from)} -> ${list(step.to)}${portsOf(step)}`;
    case 'heal':
      return 'heal all';
    case 'hold':
      return `hold ${formatDuration(step.holdMs)}`;
    case 'wait':
      return `wait ${describeCondition(step.until)} (timeout ${formatDuration(step.timeoutMs)})`;
    case 'check':
      return `check ${step.assertions.map(describeAssertion).join('; ')}`;
  }
}
