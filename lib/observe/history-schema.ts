// The history.json event format, as zod schemas; the history types (history.ts) are inferred from them, so the
// types and the validator cannot drift apart.
//
// Why a schema library here and hand-written descriptors (lib/schema) for scenarios: history files are written by
// the recorder and read back by `cpchaos check`, so a clear path and message are enough and the error messages are
// not the product; scenarios, executors and topology files are written by people, and there the messages (line and
// column, did-you-mean, hints) are the product, which is what the descriptor library is for. Both report in the one
// problem format (lib/schema/problems.ts).
import { z } from 'zod';
import { ACTION_KINDS } from '../faults/catalogue.ts';
import type { NodeRole } from '../model/cluster.ts';
import { describeValue } from '../schema/describe-value.ts';
import { ACTION_PHASES, GAP_SOURCES } from './history-constants.ts';

/** The type a schema accepts, read-only all the way down: a recorded history is never changed. */
export type Infer<S extends z.ZodType> = Frozen<z.output<S>>;
type Frozen<T> = T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

const str = z.string();
const nonEmptyStr = z.string().min(1);
const nonNegInt = z.int().nonnegative();
const nonNegMs = z.number().nonnegative();
const stringMap = z.record(z.string(), z.string());
const nodeNames = z.array(nonEmptyStr);
const watchType = z.enum(['ADDED', 'MODIFIED', 'DELETED', 'SYNC']);

/** Every event's `seq` and `t`; other fields are allowed on read and ignored (forward compatibility). */
const event = <K extends string, S extends z.core.$ZodLooseShape>(kind: K, shape: S) =>
  z.object({
    /** Strictly increasing index: the order things were recorded in. "Before" always means lower seq. */
    seq: z.int(),
    /** Milliseconds since epoch when the recorder saw or did this (non-decreasing; for durations). */
    t: z.number(),
    kind: z.literal(kind),
    ...shape,
  });

/** Time budgets the oracles judge against. Absent ones take the defaults of resolveBudgets(). */
export const runBudgets = z.object({
  /** From a management node's disappearance to the completed promotion of the replacement. */
  promotionMs: nonNegMs.optional(),
  /** Longest write outage through the VIP while only a minority of control-plane nodes is down or cut off. */
  outageMs: nonNegMs.optional(),
  /** From the start of recovery after a majority loss to the first acknowledged write. */
  recoveryMs: nonNegMs.optional(),
});
export type RunBudgets = Infer<typeof runBudgets>;

const clusterTimers = z.object({
  kubeletHeartbeatMs: nonNegMs,
  nodeMonitorGraceMs: nonNegMs,
  etcdHeartbeatMs: nonNegMs,
  etcdElectionTimeoutMs: nonNegMs,
});

const runStart = event('run-start', {
  runId: str,
  scenario: str,
  seed: z.number(),
  provider: str,
  nodes: z.array(z.object({ name: nonEmptyStr, role: z.enum(['control-plane', 'worker'] as const satisfies readonly NodeRole[]) })),
  timers: clusterTimers,
  budgets: runBudgets,
  /** The promotion policy the run used (a module path or a name); the oracles judge against Harvester's. */
  policy: str.optional(),
  /**
   * The cluster runs on the harness's machine, sharing its CPUs (StartedCluster.onHarnessMachine); absent in histories
   * recorded before it was, which were all such runs' as far as the CPU stall is concerned.
   */
  clusterOnHarnessMachine: z.boolean().optional(),
});
export type RunStartEvent = Infer<typeof runStart>;

const runEnd = event('run-end', { outcome: str.optional() });
export type RunEndEvent = Infer<typeof runEnd>;

/** A harness action. `intent` is recorded before the action is applied; later phases repeat id, fault and nodes. */
const action = event('action', {
  id: nonEmptyStr,
  phase: z.enum(ACTION_PHASES),
  fault: z.enum(ACTION_KINDS),
  nodes: nodeNames,
  /** partition: the sides. */
  groups: z.array(nodeNames).optional(),
  /** drop: traffic from these nodes ... */
  from: nodeNames.optional(),
  /** ... to these nodes is dropped. */
  to: nodeNames.optional(),
  /** isolate, partition, drop: only traffic to these ports is cut (lib/faults/ports.ts). */
  ports: z.array(z.object({ port: z.number().int().min(1).max(65535), protocol: z.enum(['tcp', 'udp']) })).optional(),
  /** annotate: the annotations set on every node of `nodes`; null removes one (as an operator clearing it). */
  annotations: z.record(z.string(), z.string().nullable()).optional(),
  /**
   * API actions (cordon, uncordon, label, annotate), on `applied` or `failed`: each patched node's resourceVersion
   * right after the harness's patch, so oracles can tell the harness's change from someone else's.
   */
  rvs: stringMap.optional(),
  error: str.optional(),
});
export type ActionEvent = Infer<typeof action>;
export type ActionPhase = ActionEvent['phase'];

const step = event('step', {
  index: nonNegInt,
  step: str,
  phase: z.enum(['begin', 'end']),
  ok: z.boolean().optional(),
  error: str.optional(),
});
export type StepEvent = Infer<typeof step>;

const nodeCondition = z.object({
  type: str,
  status: str,
  /** RFC 3339. */
  lastTransitionTime: str.optional(),
});
export type NodeCondition = Infer<typeof nodeCondition>;

const nodeTaint = z.object({ key: str, value: str.optional(), effect: str });
export type NodeTaint = Infer<typeof nodeTaint>;

/** A Node trimmed to what the oracles need. Timestamps are RFC 3339 strings, as the API serves them. */
const trimmedNode = z.object({
  name: nonEmptyStr,
  uid: str,
  creationTimestamp: str,
  deletionTimestamp: str.optional(),
  labels: stringMap,
  annotations: stringMap,
  unschedulable: z.boolean(),
  conditions: z.array(nodeCondition),
  taints: z.array(nodeTaint),
});
export type TrimmedNode = Infer<typeof trimmedNode>;

/**
 * A Node watch event. SYNC = seen in a (re)list. After a relist the recorder emits DELETED for every node that
 * the list no longer holds (and a `gap` for the blind time), so replaying node events always gives the node set.
 */
const node = event('node', {
  type: watchType,
  /** The object's resourceVersion in this event (for a deletion: the revision that deleted it). */
  rv: str.optional(),
  node: trimmedNode,
});
export type NodeEvent = Infer<typeof node>;

const job = event('job', {
  type: watchType,
  rv: str.optional(),
  namespace: str,
  name: nonEmptyStr,
  labels: stringMap,
  /** Name of the Node that owns the Job, if an owner reference names one. */
  ownerNode: str.optional(),
  active: nonNegInt,
  succeeded: nonNegInt,
  failed: nonNegInt,
  conditions: z.array(z.object({ type: str, status: str })),
});
export type JobEvent = Infer<typeof job>;

const k8sEvent = event('k8s-event', {
  namespace: str,
  name: str,
  reason: str,
  message: str,
  involvedObject: z.object({ kind: str, name: str }),
  source: str.optional(),
});
export type K8sEventEvent = Infer<typeof k8sEvent>;

/** A Lease as last seen (renewTime: RFC 3339). */
const lease = event('lease', { namespace: str, name: str, holder: str.optional(), renewTime: str.optional() });
export type LeaseEvent = Infer<typeof lease>;

/**
 * A register operation of the API write sampler (Jepsen semantics). An operation is the pair (process, opId):
 * one `invoke`, then at most one completion. `fail` = definitely did not happen; `info` = indeterminate (timeout,
 * 5xx after sending); an invoke with no completion is indeterminate too. `ok` on write/cas = acknowledged.
 */
const op = event('op', {
  /** The client, e.g. 'vip' or 'node:cp-0'. */
  process: nonEmptyStr,
  /** The endpoint the operation went through: 'vip' or a node name. */
  target: nonEmptyStr,
  /** The register (ConfigMap field) operated on; independent keys are checked separately. Default 'register'. */
  key: nonEmptyStr.optional(),
  opId: z.int(),
  phase: z.enum(['invoke', 'ok', 'fail', 'info']),
  f: z.enum(['read', 'write', 'cas']),
  /** write: the value; cas: [expected, new]. Repeated on the completion. */
  value: z
    .union([z.number(), z.tuple([z.number(), z.number()])], {
      error: (issue) => `expected a number or [expected, new], found ${describeValue(issue.input)}`,
    })
    .optional(),
  /** read, on `ok`: the value read; absent when the register did not exist. */
  result: z.number().optional(),
  error: str.optional(),
});
export type OpEvent = Infer<typeof op>;
export type OpPhase = OpEvent['phase'];
export type OpFunction = OpEvent['f'];

const etcd = event('etcd', {
  members: z.array(z.object({ name: str, id: str })),
  leader: str.optional(),
  error: str.optional(),
});
export type EtcdEvent = Infer<typeof etcd>;

/** Observation of `source` was blind over [from, to] (ms since epoch). */
const gap = event('gap', { source: z.enum(GAP_SOURCES), from: z.number(), to: z.number(), reason: str });
export type GapEvent = Infer<typeof gap>;
export type GapSource = GapEvent['source'];

/**
 * The harness machine's CPU contention so far: microseconds during which at least one task waited for a CPU (Linux
 * pressure stall information, /proc/pressure/cpu `some total`), read at t. Two readings bound how long any chain of
 * tasks (etcd, an API server, the sampler) can have been held up waiting for a CPU between them.
 */
const cpu = event('cpu', { stalledUs: nonNegMs });
export type CpuEvent = Infer<typeof cpu>;

const note = event('note', { message: str });
export type NoteEvent = Infer<typeof note>;

/** The schema of each event kind. */
export const EVENT_SCHEMAS = {
  'run-start': runStart,
  'run-end': runEnd,
  action,
  step,
  node,
  job,
  'k8s-event': k8sEvent,
  lease,
  op,
  etcd,
  gap,
  cpu,
  note,
} as const;

export const historyEvent = z.discriminatedUnion(
  'kind',
  Object.values(EVENT_SCHEMAS) as [typeof runStart, ...(typeof EVENT_SCHEMAS)[keyof typeof EVENT_SCHEMAS][]],
);
export type HistoryEvent = Infer<typeof historyEvent>;

/** The verdicts a fixture may expect of a named invariant. */
const expectedVerdict = z.enum(['pass', 'fail', 'inconclusive']);

/** A history document: `{ "events": [...] }`; fixtures add `expect` and may add `description`. */
export const historyDocument = z.object({
  events: z.array(z.unknown()),
  expect: z.record(z.string(), expectedVerdict).optional(),
  description: z.string().optional(),
});
