// Descriptors for steps, wait conditions and point assertions.
import { duration } from '../schema/duration.ts';
import {
  array,
  boolean,
  byType,
  empty,
  integer,
  keyed,
  object,
  oneOf,
  optional,
  parsedString,
  record,
  ref,
  required,
  string,
  variant,
  withDefault,
} from '../schema/descriptors.ts';
import type { Desc } from '../schema/descriptors.ts';
import { bindingName, dropSpec, partitionGroups, selector, targetBranches, targets } from './schema-targets.ts';
import type { Selector } from './targets.ts';
import { NAMED_PORTS, parsePort, uniquePorts, type PortMatch } from '../faults/ports.ts';
import type { Assertion, NodeFaultKind, NodeReadiness, PromoteStatus, RoleName, Step, WaitCondition } from './types.ts';

const readiness: Desc<NodeReadiness> = ref(
  'readiness',
  byType({
    string: oneOf(['True', 'False', 'Unknown'], { what: 'readiness' }),
    boolean: boolean().map((ready): NodeReadiness => (ready ? 'True' : 'False')),
  }).doc('Ready', 'The node\'s Ready condition status: "True", "False" or "Unknown" (true/false also accepted).'),
);

const promoteStatus = ref(
  'promoteStatus',
  oneOf(['running', 'complete', 'failed', 'unknown'], { what: 'promote status' }).doc(
    'Promote status',
    "Harvester's promote-status annotation on the node.",
  ),
);

const roleName: Desc<RoleName> = oneOf(['control-plane', 'worker', 'witness'], { what: 'role' }).doc('Role', "The node's current role.");

const count = (title: string, description: string): Desc<number> => integer({ min: 0, max: 64 }).doc(title, description);

const as = optional(bindingName);
const withAs = <T extends object>(step: T, name: string | undefined): T & { readonly as?: string } =>
  name === undefined ? step : { ...step, as: name };

const portNumber = integer({ min: 1, max: 65535 }).map((port): PortMatch => ({ port, protocol: 'tcp' }));
const portText = parsedString<PortMatch>({
  expected: `a port (${Object.keys(NAMED_PORTS).join(', ')}, a number, or number/tcp, number/udp)`,
  pattern: `^(${Object.keys(NAMED_PORTS).join('|')}|[0-9]{1,5}(/(tcp|udp))?)$`,
  parse: (text, path, ctx) => {
    const parsed = parsePort(text);
    return 'problem' in parsed ? ctx.report(path, parsed.problem) : parsed;
  },
});
const ports = optional(
  array(byType({ number: portNumber, string: portText }), { minItems: 1, item: 'port', tooFew: 'ports needs at least one port' })
    .map((list): readonly PortMatch[] => uniquePorts(list))
    .doc(
      'Ports',
      'Limit the cut to traffic to these ports (etcd-peer 2380, etcd-client 2379, api 6443, kubelet 10250, rke2-supervisor 9345, a number for TCP, or number/udp): a packet is dropped only when its destination port is listed. Without ports the cut drops everything.',
    ),
);
const withPorts = <T extends object>(step: T, list: readonly PortMatch[] | undefined): T & { readonly ports?: readonly PortMatch[] } =>
  list === undefined ? step : { ...step, ports: list };

const nodeFault = (kind: NodeFaultKind, description: string, example: string) =>
  variant(targets(true), { as }, (nodes, s): Step => withAs({ kind, targets: nodes }, s.as), { title: kind, description, example });

const cordoning = (kind: 'cordon' | 'uncordon', description: string) =>
  variant(targets(true), { as }, (nodes, s): Step => withAs({ kind, targets: nodes }, s.as), {
    title: kind,
    description,
    example: `${kind}: worker[0]`,
  });

const timeout = required(
  duration.doc('Timeout', 'How long to wait; the step fails when the condition does not hold by then.'),
  'a wait must have a timeout (e.g. timeout: 30s): waits never block forever',
);

type WaitOut = { readonly until: WaitCondition; readonly timeoutMs: number };

const waitCondition: Desc<WaitOut> = keyed(
  {
    node: variant(
      selector(false).doc('Node', 'The node whose Ready condition to wait for.'),
      { ready: required(readiness), timeout },
      (node, s): WaitOut => ({ until: { kind: 'node', node, ready: s.ready }, timeoutMs: s.timeout }),
      {
        title: 'node',
        description: "Wait until the node's Ready condition has this status.",
        example: 'wait: { node: $victim, ready: Unknown, timeout: 20s }',
      },
    ),
    nodeGone: variant(
      selector(false).doc('Node', 'The node whose Node object to wait to disappear.'),
      { timeout },
      (node, s): WaitOut => ({ until: { kind: 'nodeGone', node }, timeoutMs: s.timeout }),
      {
        title: 'nodeGone',
        description:
          "Wait until the node's Node object is gone (a deletion's finalizers all released). Harvester counts a deleted management node out only from that moment (a Terminating one still counts), so its promotion's choice comes after it: a step after this wait is one the choice can see.",
        example: 'wait: { nodeGone: $victim, timeout: 60s }',
      },
    ),
    promotion: variant(
      selector(false).doc('Node', 'The node whose promotion to wait for.'),
      { status: required(promoteStatus), timeout },
      (node, s): WaitOut => ({ until: { kind: 'promotion', node, status: s.status }, timeoutMs: s.timeout }),
      {
        title: 'promotion',
        description: "Wait until the node's promote-status annotation has this value.",
        example: 'wait: { promotion: promotion-candidate, status: complete, timeout: 60s }',
      },
    ),
    etcdMembers: variant(
      count('etcd members', 'The number of etcd members.'),
      { timeout },
      (n, s): WaitOut => ({ until: { kind: 'etcdMembers', count: n }, timeoutMs: s.timeout }),
      { title: 'etcdMembers', description: 'Wait until etcd has this many members.', example: 'wait: { etcdMembers: 3, timeout: 30s }' },
    ),
    managementCount: variant(
      count('Management nodes', 'The number of management (control-plane) nodes.'),
      { timeout },
      (n, s): WaitOut => ({ until: { kind: 'managementCount', count: n }, timeoutMs: s.timeout }),
      {
        title: 'managementCount',
        description: 'Wait until the cluster has this many management nodes.',
        example: 'wait: { managementCount: 3, timeout: 60s }',
      },
    ),
    api: variant(
      oneOf(['writable', 'readable', 'unavailable'], { what: 'API state' }),
      { timeout },
      (state, s): WaitOut => ({ until: { kind: 'api', state }, timeoutMs: s.timeout }),
      {
        title: 'api',
        description: 'Wait until the API server (through the cluster address) is in this state.',
        example: 'wait: { api: writable, timeout: 10s }',
      },
    ),
  },
  { what: 'wait', kindWord: 'wait condition' },
);

/** Assertion keys shared by `check` steps and `expect`. */
export const assertionFields = {
  managementCount: optional(count('Management nodes', 'The number of management (control-plane) nodes.')),
  etcdMembers: optional(count('etcd members', 'The number of etcd members.')),
  nodeReady: optional(
    object({ node: required(selector(false)), ready: required(readiness) }).doc(
      'Node ready',
      "The node's Ready condition has this status.",
    ),
  ),
  promoteStatus: optional(
    object({ node: required(selector(false)), status: required(promoteStatus) }).doc(
      'Promote status',
      "The node's promote-status annotation has this value.",
    ),
  ),
  roles: optional(record(selector(false), roleName).doc('Roles', 'Each listed node (selector) has this role now.')),
  terminating: optional(
    targets(false).doc(
      'Terminating',
      'Each listed node still exists, marked for deletion (a deletionTimestamp) while its finalizers hold it.',
    ),
  ),
  promotionsRunning: optional(count('Promotions running', 'The number of nodes whose promote-status is running.')),
};

type AssertionInput = {
  readonly managementCount?: number;
  readonly etcdMembers?: number;
  readonly nodeReady?: { readonly node: Selector; readonly ready: NodeReadiness };
  readonly promoteStatus?: { readonly node: Selector; readonly status: PromoteStatus };
  readonly roles?: readonly (readonly [Selector, RoleName])[];
  readonly terminating?: readonly Selector[];
  readonly promotionsRunning?: number;
};

/** The assertions present in an object of assertion fields, in a stable order. */
export function assertionsOf(input: AssertionInput): Assertion[] {
  const out: Assertion[] = [];
  if (input.managementCount !== undefined) out.push({ kind: 'managementCount', count: input.managementCount });
  if (input.etcdMembers !== undefined) out.push({ kind: 'etcdMembers', count: input.etcdMembers });
  if (input.nodeReady !== undefined) out.push({ kind: 'nodeReady', ...input.nodeReady });
  if (input.promoteStatus !== undefined) out.push({ kind: 'promoteStatus', ...input.promoteStatus });
  if (input.roles !== undefined) out.push({ kind: 'roles', roles: input.roles.map(([node, role]) => ({ node, role })) });
  if (input.terminating !== undefined) out.push({ kind: 'terminating', nodes: input.terminating });
  if (input.promotionsRunning !== undefined) out.push({ kind: 'promotionsRunning', count: input.promotionsRunning });
  return out;
}

const checkAssertions: Desc<readonly Assertion[]> = object(assertionFields).map((input, path, ctx) => {
  const assertions = assertionsOf(input);
  return assertions.length > 0
    ? assertions
    : ctx.report(path, `a check needs at least one assertion: ${Object.keys(assertionFields).join(', ')}`);
});

const LABEL_KEY =
  '^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$';
const LABEL_VALUE = '^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$';

const labels = record(
  string({ pattern: LABEL_KEY, patternMessage: 'not a valid label key ([prefix/]name)', expected: 'a label key' }),
  byType({
    string: string({
      pattern: LABEL_VALUE,
      patternMessage: 'not a valid label value',
      expected: 'a label value (a string: quote numbers and true/false)',
    }),
    null: empty(),
  }),
)
  .map((pairs) => Object.fromEntries(pairs) as Readonly<Record<string, string | null>>)
  .doc('Labels', 'Labels to set on the nodes; an empty value (`key:`) or null removes the label, "" sets it to the empty string.');

// Annotation keys are label keys ([prefix/]name); values are any string (Kubernetes limits only their total size).
const annotations = record(
  string({ pattern: LABEL_KEY, patternMessage: 'not a valid annotation key ([prefix/]name)', expected: 'an annotation key' }),
  byType({
    string: string({ expected: 'an annotation value (a string: quote numbers and true/false)' }),
    null: empty(),
  }),
)
  .map((pairs) => Object.fromEntries(pairs) as Readonly<Record<string, string | null>>)
  .doc('Annotations', 'Annotations to set on the nodes; null (or no value) removes the annotation.');

const deleteTarget = byType({
  ...targetBranches(false),
  mapping: object({
    target: required(targets(false)),
    forceFinalizers: withDefault(boolean().doc('Force finalizers', "Remove the Node's finalizers so it goes away at once."), false),
  }),
});

export const step: Desc<Step> = ref(
  'step',
  keyed(
    {
      kill: nodeFault('kill', 'Kill the node (as a power loss); it stays down until restarted.', 'kill: etcd-leader'),
      restart: nodeFault('restart', 'Start a killed node again (or reboot a running one).', 'restart: $victim'),
      pause: nodeFault('pause', "Freeze the node's processes (SIGSTOP): it stops answering but keeps its state.", 'pause: worker[0]'),
      resume: nodeFault('resume', 'Unfreeze a paused node.', 'resume: worker[0]'),
      'memory-pressure': nodeFault(
        'memory-pressure',
        "Put the node under memory pressure as its kubelet sees it: the kubelet gets a hard eviction threshold (memory.available) no node meets and is restarted, so it reports MemoryPressure=True (and a real kubelet evicts the node's pods that are not critical) until relieve. The node stays up and reachable.",
        'memory-pressure: worker[0]',
      ),
      relieve: nodeFault(
        'relieve',
        "Give the node's kubelet its own eviction thresholds back (ends memory-pressure).",
        'relieve: worker[0]',
      ),
      isolate: variant(
        targets(true),
        { as, ports },
        (nodes, s): Step => withAs(withPorts({ kind: 'isolate', targets: nodes }, s.ports), s.as),
        {
          title: 'isolate',
          description: "Cut all of the node's network traffic, both ways (with ports: only traffic to those ports, its own and others').",
          example: 'isolate: control-plane[1]',
        },
      ),
      partition: variant(partitionGroups, { ports }, (groups, s): Step => withPorts({ kind: 'partition', groups }, s.ports), {
        title: 'partition',
        description: "Split the network into groups that cannot reach each other (with ports: each other's listed ports).",
        example: 'partition: control-plane[0] | control-plane[1], control-plane[2], worker[0]',
      }),
      drop: variant(dropSpec, { ports }, (d, s): Step => withPorts({ kind: 'drop', from: d.from, to: d.to }, s.ports), {
        title: 'drop',
        description: 'Drop packets one way only (with ports: only packets to those ports of the receivers).',
        example: 'drop: control-plane[0] -> control-plane[1]',
      }),
      heal: variant(
        oneOf(['all'], { what: 'heal target', hint: 'heal undoes every active network and process fault: heal: all' }),
        {},
        (): Step => ({ kind: 'heal' }),
        { title: 'heal', description: 'Undo every active fault (network, pause).', example: 'heal: all' },
      ),
      'delete-node': variant(
        deleteTarget,
        { as },
        (value, s): Step =>
          withAs(
            isSelectorList(value)
              ? { kind: 'delete-node', targets: value, forceFinalizers: false }
              : { kind: 'delete-node', targets: value.target, forceFinalizers: value.forceFinalizers },
            s.as,
          ),
        {
          title: 'delete-node',
          description: 'Delete the Node object from the API (as an operator removing a host).',
          example: 'delete-node: control-plane[2]',
        },
      ),
      'remove-host': variant(targets(false), { as }, (nodes, s): Step => withAs({ kind: 'remove-host', targets: nodes }, s.as), {
        title: 'remove-host',
        description:
          'Remove the host as Harvester documents it (docs host/host.md): maintenance mode (cordon + drain), rke2-uninstall.sh and shut the node down, then delete the Node (delete-node, a plain Node DELETE). Each step is journaled before it runs; nothing of it is undone.',
        example: 'remove-host: control-plane[0]',
      }),
      rejoin: variant(targets(false), { as }, (nodes, s): Step => withAs({ kind: 'rejoin', targets: nodes }, s.as), {
        title: 'rejoin',
        description:
          'A host joins again under the name of a node that was removed (delete-node or remove-host, its Node gone): a reinstalled machine with a fresh disk registers a new Node of that name with the default role. Not undoable.',
        example: 'rejoin: worker[0]',
      }),
      cordon: cordoning('cordon', 'Mark the node unschedulable.'),
      uncordon: cordoning('uncordon', 'Mark the node schedulable again.'),
      label: variant(
        object({ target: required(targets(true)), labels: required(labels) }),
        { as },
        (value, s): Step => withAs({ kind: 'label', targets: value.target, labels: value.labels }, s.as),
        { title: 'label', description: 'Set or remove labels on nodes.', example: 'label: { target: $victim, labels: { zone: b } }' },
      ),
      annotate: variant(
        object({ target: required(targets(true)), annotations: required(annotations) }),
        { as },
        (value, s): Step => withAs({ kind: 'annotate', targets: value.target, annotations: value.annotations }, s.as),
        {
          title: 'annotate',
          description:
            "Set or remove annotations on nodes, as an operator would (recorded in the history, so oracles tell it from the controllers' changes).",
          example: 'annotate: { target: "worker[0]", annotations: { harvesterhci.io/promote-status: null } }',
        },
      ),
      hold: variant(duration, {}, (holdMs): Step => ({ kind: 'hold', holdMs }), {
        title: 'hold',
        description: 'Let time pass with the faults in place.',
        example: 'hold: 5s',
      }),
      wait: variant(waitCondition, {}, (w): Step => ({ kind: 'wait', ...w }), {
        title: 'wait',
        description: 'Wait for a condition, up to a timeout.',
        example: 'wait: { api: writable, timeout: 10s }',
      }),
      check: variant(checkAssertions, {}, (assertions): Step => ({ kind: 'check', assertions }), {
        title: 'check',
        description: 'Assert the state right now.',
        example: 'check: { managementCount: 3 }',
      }),
    },
    { what: 'step', kindWord: 'step kind' },
  ),
);

function isSelectorList(value: readonly Selector[] | object): value is readonly Selector[] {
  return Array.isArray(value);
}

export const steps: Desc<readonly Step[]> = array(step, { minItems: 1, item: 'step', tooFew: 'a scenario needs at least one step' }).doc(
  'Steps',
  'What happens, in order. Each step is a mapping with one step kind.',
);
