// The executors file's format, written with the scenario format's descriptor library (file:line:col problems,
// did-you-mean on unknown keys, a JSON Schema for editors).
import { duration } from '../../../schema/duration.ts';
import type { ClusterTimers } from '../../../model/cluster.ts';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import {
  Desc,
  INVALID,
  boolean,
  byType,
  isMapping,
  jsonSchemaDocument,
  object,
  oneOf,
  optional,
  parsedString,
  record,
  required,
  slot,
  string,
  withDefault,
} from '../../../schema/descriptors.ts';
import type { JsonContext, JsonSchema, ParseContext, Parsed, Path } from '../../../schema/descriptors.ts';
import { CUT_FAULTS, EXECUTOR_KEYS, EXECUTORS_FOR, PAIR_FAULTS, type ExecutorKey } from './config-types.ts';
import type { EtcdCommandSettings, ExecutorChoice, ExecutorsConfig, IpmiSettings, KubevirtSettings, NodeSettings } from './config-types.ts';
import { rke2UnitOnly } from './rke2-takedown.ts';
import { parseTemplate, placeholdersOf, TemplateError, type CommandTemplate } from './template.ts';

/** Where the file is, so relative paths in it resolve against its folder. */
export const EXECUTORS_SCOPE = slot<{ file: string; baseDir: string }>('executors', () => ({ file: '', baseDir: process.cwd() }));

/** A key that must not be there, with the reason (credentials never live in the file). */
class ForbiddenDesc extends Desc<never> {
  readonly expected = 'nothing';
  constructor(private readonly reason: string) {
    super();
  }
  protected check(_value: unknown, path: Path, ctx: ParseContext): Parsed<never> {
    return ctx.report(path, this.reason, 'key');
  }
  protected body(): JsonSchema {
    return { not: {}, description: this.reason };
  }
}
const forbidden = (reason: string): Desc<never> => new ForbiddenDesc(reason);

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const envName = (title: string, description: string) =>
  string({
    pattern: ENV_NAME,
    patternMessage: 'an environment variable name (letters, digits, _)',
    expected: 'an environment variable name',
  }).doc(title, description);

const filePath = parsedString<string>({
  expected: 'a file path',
  parse: (text, _path, ctx) => {
    if (text.startsWith('~/')) return resolve(homedir(), text.slice(2));
    return isAbsolute(text) ? text : resolve(ctx.get(EXECUTORS_SCOPE).baseDir, text);
  },
}).doc('File', 'A path; relative paths are relative to the executors file, ~/ is the home folder.');

const HOST = '^[A-Za-z0-9[][A-Za-z0-9._:%@[\\]-]*$';
const host = (title: string, description: string) =>
  string({
    pattern: HOST,
    patternMessage: 'a host name or address (no spaces, quotes or leading "-")',
    expected: 'a host name or address',
  }).doc(title, description);

const commandRaw = object({
  run: required(
    string().doc(
      'Command',
      'The command, run once per target node (per node pair for partition and drop). Placeholders: {node.name}, {node.address}, {node.bmc}; {peer.*} for partition and drop.',
    ),
  ),
  undo: optional(string().doc('Undo', 'The command that undoes it, run at the end (newest fault first); make it safe to run twice.')),
  timeout: withDefault(duration, '60s'),
  because: optional(
    string().doc(
      'Because',
      'Why this command takes the node down although it looks like one that does not (e.g. a plain `systemctl stop rke2-server`, which leaves etcd and the API server running); without it such a kill, restart or pause is refused.',
    ),
  ),
}).doc(
  'Command executor',
  'Runs a command per node, without a shell: the template is split into words first, then placeholders are filled in.',
);

type RawChoice =
  | 'ipmi'
  | 'kubevirt'
  | 'api'
  | { readonly command: { readonly run: string; readonly undo?: string; readonly timeout: number; readonly because?: string } };

const choiceRaw: Desc<RawChoice> = byType({
  string: oneOf(['ipmi', 'kubevirt', 'api'], { what: 'executor', hint: 'or a mapping {command: {run: ..., undo: ...}}' }),
  mapping: object({ command: required(commandRaw) }),
}).doc(
  'Executor',
  "ipmi (power off/on/cycle), kubevirt (the node is a VM of an outer cluster), api (node deletion through the cluster's API), or {command: {run, undo, timeout}}.",
);

function template(source: string, kind: ExecutorKey, path: Path, ctx: ParseContext): Parsed<CommandTemplate> {
  try {
    return parseTemplate(source, { peer: PAIR_FAULTS.includes(kind), ports: CUT_FAULTS.includes(kind) });
  } catch (error) {
    if (error instanceof TemplateError) return ctx.report(path, error.message);
    throw error;
  }
}

function toChoice(kind: ExecutorKey, raw: RawChoice, path: Path, ctx: ParseContext): Parsed<ExecutorChoice> {
  const type = typeof raw === 'string' ? raw : 'command';
  const allowed = EXECUTORS_FOR[kind];
  if (!allowed.includes(type)) {
    return ctx.report(path, `${kind} cannot be carried out by ${type}; it can use: ${allowed.join(', ')}`);
  }
  if (typeof raw === 'string') return { type: raw };
  const { run, undo, timeout, because } = raw.command;
  const runTemplate = template(run, kind, [...path, 'command', 'run'], ctx);
  const undoTemplate = undo === undefined ? undefined : template(undo, kind, [...path, 'command', 'undo'], ctx);
  if (runTemplate === INVALID || undoTemplate === INVALID) return INVALID;
  const notDown = because === undefined ? rke2UnitOnly(kind, runTemplate) : undefined;
  if (notDown !== undefined) return ctx.report([...path, 'command', 'run'], `${kind}: ${notDown}`);
  return { type: 'command', run: runTemplate, ...(undoTemplate ? { undo: undoTemplate } : {}), timeoutMs: timeout };
}

const faultKind = oneOf(EXECUTOR_KEYS, {
  what: 'fault kind or host step',
  hint: 'remove-host has no entry of its own: it runs maintenance (optional), uninstall and/or poweroff, then delete-node',
});

/** Fault kind -> executor; each entry is checked on its own (kind, executor, templates), so all problems show. */
class FaultsDesc extends Desc<ReadonlyMap<ExecutorKey, ExecutorChoice>> {
  readonly expected = 'a mapping of fault kinds to executors';
  private readonly shape = record(faultKind, choiceRaw);
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<ReadonlyMap<ExecutorKey, ExecutorChoice>> {
    if (!isMapping(value)) return this.mismatch(value, path, ctx);
    const out = new Map<ExecutorKey, ExecutorChoice>();
    let ok = true;
    for (const [key, rawValue] of Object.entries(value)) {
      const entry = this.shape.parse({ [key]: rawValue }, path, ctx);
      const pair = entry === INVALID ? undefined : entry[0];
      const choice = pair === undefined ? INVALID : toChoice(pair[0], pair[1], [...path, key], ctx);
      if (pair === undefined || choice === INVALID) ok = false;
      else out.set(pair[0], choice);
    }
    return ok ? out : INVALID;
  }
  protected body(json: JsonContext): JsonSchema {
    return this.shape.toJson(json);
  }
}

const faults: Desc<ReadonlyMap<ExecutorKey, ExecutorChoice>> = new FaultsDesc().doc(
  'Faults',
  `Which executor carries out each fault kind or host step (${EXECUTOR_KEYS.join(', ')}). Kinds not listed are unsupported: scenarios using them are inconclusive. remove-host (harvester/docs host/host.md) runs maintenance (api: cordon + drain, the default; or a command), uninstall (a command, e.g. ssh ... /opt/rke2/bin/rke2-uninstall.sh) and/or poweroff (ipmi, kubevirt or a command), then delete-node (api: a plain Node DELETE); none of it is undone.`,
);

const vm = parsedString<{ namespace?: string; name: string }>({
  expected: 'a VM name or namespace/name',
  pattern: '^(?:[a-z0-9-]+/)?[a-z0-9.-]+$',
  parse: (text, path, ctx) => {
    const match = /^(?:([a-z0-9-]+)\/)?([a-z0-9.-]+)$/.exec(text);
    if (!match) return ctx.report(path, `"${text}" is not a VM name or namespace/name`);
    return match[1] === undefined ? { name: match[2] as string } : { namespace: match[1], name: match[2] as string };
  },
}).doc(
  'VirtualMachine',
  "The node's VirtualMachine in the outer cluster: name or namespace/name (default: the node's name in kubevirt.namespace).",
);

const nodeSettings: Desc<NodeSettings> = object(
  {
    address: optional(host('Address', 'Where to reach the node ({node.address}); default: its InternalIP.')),
    bmc: optional(host('BMC', "The node's BMC address for IPMI ({node.bmc}).")),
    vm: optional(vm),
    faults: optional(faults.doc('Faults for this node', 'Executors for this node only; they override the cluster-wide ones.')),
  },
  { nullAsEmpty: true },
).map((n): NodeSettings => ({
  ...(n.address === undefined ? {} : { address: n.address }),
  ...(n.bmc === undefined ? {} : { bmc: n.bmc }),
  ...(n.vm === undefined ? {} : { vm: n.vm }),
  faults: n.faults ?? new Map(),
}));

const NODE_NAME = '^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$';

const CREDENTIALS = 'credentials are never read from this file: name environment variables with userEnv and passwordEnv';

const ipmi: Desc<IpmiSettings> = object({
  userEnv: required(envName('User variable', 'Environment variable holding the BMC user name.')),
  passwordEnv: withDefault(
    envName('Password variable', 'Environment variable holding the BMC password; ipmitool gets it as IPMI_PASSWORD and reads it with -E.'),
    'IPMI_PASSWORD',
  ),
  interface: withDefault(oneOf(['lanplus', 'lan', 'open']).doc('Interface', 'ipmitool -I'), 'lanplus'),
  command: withDefault(string().doc('ipmitool', 'The ipmitool program; a path containing "/" is relative to this file.'), 'ipmitool'),
  timeout: withDefault(duration, '30s'),
  user: optional(forbidden(CREDENTIALS)),
  username: optional(forbidden(CREDENTIALS)),
  password: optional(forbidden(CREDENTIALS)),
})
  .map((s, _path, ctx): IpmiSettings => ({
    userEnv: s.userEnv,
    passwordEnv: s.passwordEnv,
    interface: s.interface,
    command: s.command.includes('/') && !isAbsolute(s.command) ? resolve(ctx.get(EXECUTORS_SCOPE).baseDir, s.command) : s.command,
    timeoutMs: s.timeout,
  }))
  .doc('IPMI', "Power control through the nodes' BMCs: ipmitool -I lanplus -H <bmc> -U <user> -E chassis power off|on|cycle.");

const kubevirt: Desc<KubevirtSettings> = object({
  kubeconfig: required(filePath.doc('Outer kubeconfig', 'Kubeconfig of the outer Harvester/KubeVirt cluster that runs the nodes as VMs.')),
  context: optional(string().doc('Context', 'Context in the outer kubeconfig (default: its current context).')),
  namespace: withDefault(string().doc('Namespace', 'Namespace of VMs named without one.'), 'default'),
  stopGracePeriod: withDefault(
    parsedString<number>({
      expected: 'a duration like "0s"',
      parse: (text, path, ctx) => {
        const ms = /^([0-9]+)(ms|s|m)$/.exec(text);
        if (!ms) return ctx.report(path, `bad duration "${text}"; e.g. "0s" (power off at once) or "30s"`);
        return Number(ms[1]) * (ms[2] === 'ms' ? 1 : ms[2] === 's' ? 1000 : 60_000);
      },
    }).doc('Stop grace period', 'Grace period of the stop that kills a node; "0s" powers it off at once.'),
    '0s',
  ),
  timeout: withDefault(duration, '30s'),
})
  .map((s): KubevirtSettings => ({
    kubeconfig: s.kubeconfig,
    ...(s.context === undefined ? {} : { context: s.context }),
    namespace: s.namespace,
    stopGracePeriodMs: s.stopGracePeriod,
    timeoutMs: s.timeout,
  }))
  .doc('KubeVirt', 'Nodes that are VirtualMachines of an outer cluster: stop/start/restart the VM, pause/unpause its VMI.');

/** The etcd view's command: no placeholders, prints {"members":[{"name","id"}],"leader":"name"} as JSON. */
const etcdRaw = object({
  command: required(
    string().doc(
      'Command',
      'Run once, without a shell; prints the etcd members and leader as JSON: {"members":[{"name":"n1","id":"8e9e05c52164694d"}],"leader":"n1"}.',
    ),
  ),
  timeout: withDefault(duration, '30s'),
}).doc('etcd', 'How the harness sees etcd membership and the leader on this cluster (for etcd-leader selectors and the member samples).');

const etcd: Desc<EtcdCommandSettings> = etcdRaw.map((e, path, ctx) => {
  let run: CommandTemplate;
  try {
    run = parseTemplate(e.command, { peer: false });
  } catch (error) {
    if (error instanceof TemplateError) return ctx.report([...path, 'command'], error.message);
    throw error;
  }
  if (placeholdersOf(run).length > 0)
    return ctx.report([...path, 'command'], 'the etcd command runs once for the cluster: it takes no {node.*} placeholders');
  return { run, timeoutMs: e.timeout };
});

const timers: Desc<Partial<ClusterTimers>> = object({
  kubeletHeartbeat: optional(duration.doc('Kubelet heartbeat', 'How often kubelets report status (Harvester: 10s).')),
  nodeMonitorGrace: optional(
    duration.doc(
      'Node-monitor grace period',
      'How long before a silent node turns Unknown (Harvester: 40s up to Kubernetes 1.31, 50s from 1.32).',
    ),
  ),
  etcdHeartbeat: optional(duration.doc('etcd heartbeat', 'etcd --heartbeat-interval (Harvester/RKE2: 500ms).')),
  etcdElectionTimeout: optional(duration.doc('etcd election timeout', 'etcd --election-timeout (Harvester/RKE2: 5s).')),
})
  .map((t): Partial<ClusterTimers> => ({
    ...(t.kubeletHeartbeat === undefined ? {} : { kubeletHeartbeatMs: t.kubeletHeartbeat }),
    ...(t.nodeMonitorGrace === undefined ? {} : { nodeMonitorGraceMs: t.nodeMonitorGrace }),
    ...(t.etcdHeartbeat === undefined ? {} : { etcdHeartbeatMs: t.etcdHeartbeat }),
    ...(t.etcdElectionTimeout === undefined ? {} : { etcdElectionTimeoutMs: t.etcdElectionTimeout }),
  }))
  .doc('Timers', "The cluster's timers when they differ from a stock Harvester's; scenario waits, holds and budgets scale with them.");

const onHarnessMachine = boolean().doc(
  'On the harness machine',
  "The cluster runs on the machine that runs cpchaos (a sandbox, VMs on this host), sharing its CPUs. Then a promotion that overran its budget while this machine's CPUs were contended (Linux PSI) is inconclusive, not failed: the machine slowed the cluster. Default false: a cluster elsewhere is not slowed by this machine's load.",
);

const root = object({
  faults: withDefault(faults, {}),
  onHarnessMachine: optional(onHarnessMachine),
  etcd: optional(etcd),
  timers: optional(timers),
  nodes: withDefault(
    record(string({ pattern: NODE_NAME, patternMessage: 'a Kubernetes node name', expected: 'a node name' }), nodeSettings).doc(
      'Nodes',
      'Facts and per-node executors, keyed by Kubernetes node name.',
    ),
    {},
  ),
  ipmi: optional(ipmi),
  kubevirt: optional(kubevirt),
}).doc('cpchaos executors', 'How faults are carried out on an existing cluster.');

/** Every place an executor is chosen, with its path: cluster-wide and per node. */
function usages(config: {
  faults: ReadonlyMap<ExecutorKey, ExecutorChoice>;
  nodes: readonly (readonly [string, NodeSettings])[];
}): { path: Path; choice: ExecutorChoice }[] {
  return [
    ...[...config.faults].map(([kind, choice]) => ({ path: ['faults', kind] as Path, choice })),
    ...config.nodes.flatMap(([name, node]) =>
      [...node.faults].map(([kind, choice]) => ({ path: ['nodes', name, 'faults', kind] as Path, choice })),
    ),
  ];
}

export const executorsSchema: Desc<Omit<ExecutorsConfig, 'file'>> = root.map((c, _path, ctx) => {
  let ok = true;
  for (const { path, choice } of usages(c)) {
    if ((choice.type === 'ipmi' || choice.type === 'kubevirt') && c[choice.type] === undefined) {
      ctx.report(path, `uses ${choice.type}, but the file has no ${choice.type}: section with its settings`);
      ok = false;
    }
  }
  if (!ok) return INVALID;
  return {
    faults: c.faults,
    nodes: new Map(c.nodes),
    ...(c.ipmi === undefined ? {} : { ipmi: c.ipmi }),
    ...(c.kubevirt === undefined ? {} : { kubevirt: c.kubevirt }),
    ...(c.etcd === undefined ? {} : { etcd: c.etcd }),
    ...(c.timers === undefined ? {} : { timers: c.timers }),
    ...(c.onHarnessMachine === undefined ? {} : { onHarnessMachine: c.onHarnessMachine }),
  };
});

/** The executors file's JSON Schema (for editors). */
export function executorsJsonSchema(): JsonSchema {
  return jsonSchemaDocument(executorsSchema, {
    title: 'cpchaos executors',
    description: 'How cpchaos carries out faults on an existing cluster. Generated from lib/cluster/existing/executors/config-schema.ts.',
  });
}
