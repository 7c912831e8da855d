// Builds a cpchaos history from merged audit events, so the oracles can judge a cluster the harness did not drive.
// What becomes what:
// - DELETE of a Node (objectRef resource "nodes", no subresource): an action (delete-node) with intent and applied
//   (or failed, with the HTTP status), its id `audit-<auditID>`, and a note naming who deleted it (user.username, or
//   the impersonated user). Whether the Node is gone then is read from the response, as the API server answers a
//   DELETE (apiserver pkg/registry/generic/registry/store.go Delete): a Status "Success" when the object was removed
//   at once, the object itself (deletionTimestamp set, finalizers left) when it stays Terminating.
// - create/update/patch of a Node (or nodes/status) whose event carries the object (RequestResponse level:
//   responseObject, the object as stored): a node event (ADDED for create, MODIFIED otherwise) with labels,
//   annotations (promote-status), conditions, taints. A write that leaves deletionTimestamp set and no finalizers
//   removed the object (store.go Update, ShouldDeleteDuringUpdate): DELETED.
// - Jobs (batch/jobs, jobs/status): job events from the stored object; a create logged without its object but with
//   its name (Metadata level, ResponseComplete: the handler fills objectRef.name from the decoded object) gives a job
//   with its name only, which is enough to tell a promote Job (harvester-promote-<node>, lib/harvester/contract.ts).
// - A synthetic run-start: nodes first seen (with their object) before the first deletion, roles from their labels;
//   timers of the Harvester profile matching the oldest kubelet version seen (lib/harvester/profiles.ts), or the
//   fallback profile; default budgets. Notes say what was assumed.
// What an audit log cannot carry (etcd membership, write availability through the VIP) is absent; where the log
// cannot say when a deleted Node disappeared, the Node is taken as gone at the end of the log and the node watch is
// recorded blind (a `nodes` gap) from the deletion on, so a promotion in between is inconclusive, never a failure.
import { isManagementNode } from '../../harvester/contract.ts';
import { FALLBACK_PROFILE, HARVESTER_PROFILES, parseVersion, profileForKubernetesMinor, rke2Timers } from '../../harvester/profiles.ts';
import type { HarvesterProfileName } from '../../harvester/profiles.ts';
import type { ClusterTimers } from '../../model/cluster.ts';
import type { V1Job, V1Node } from '@kubernetes/client-node';
import type { GapEvent, HistoryEvent, JobEvent, RunStartEvent, TrimmedNode } from '../history.ts';
import type { History } from '../history.ts';
import { trimJob, trimNode } from '../trim.ts';
import { actingUser, succeeded } from './audit-event.ts';
import type { AuditEvent, AuditLevel, AuditStage, SourcedAuditEvent } from './audit-event.ts';

export const AUDIT_IMPORT_SCENARIO = 'audit-import';
export const AUDIT_IMPORT_PROVIDER = 'audit-log';

/** What the log carried, for notes and for judging whether the oracles could see what they need. */
export interface AuditCoverage {
  readonly events: number;
  readonly levels: readonly AuditLevel[];
  readonly stages: readonly AuditStage[];
  /** Node writes whose event carried the stored Node (RequestResponse). */
  readonly nodeObjects: number;
  /** Successful or unknown-outcome Node writes logged without the object (Metadata or Request level). */
  readonly nodeWritesWithoutObject: number;
  readonly nodeDeletions: number;
  /** Node deletions logged only as received (no response: RequestReceived stage only). */
  readonly deletionsOfUnknownOutcome: number;
  readonly jobObjects: number;
  /** Job creates whose name or outcome the log does not hold. */
  readonly jobCreatesUnseen: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface BuiltHistory {
  readonly history: History;
  readonly coverage: AuditCoverage;
  /** What the import assumed or could not see, in sentences (also recorded as note events). */
  readonly notes: readonly string[];
}

export interface BuildOptions {
  readonly runId?: string;
  /** The Harvester profile whose timers to use; default: from the kubelet versions seen, else the fallback. */
  readonly profile?: HarvesterProfileName;
}

/** An event before its seq is given (distributed over the kinds). */
type Draft = HistoryEvent extends infer E ? (E extends HistoryEvent ? Omit<E, 'seq'> : never) : never;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function kindOf(value: unknown): string | undefined {
  return isObject(value) && typeof value['kind'] === 'string' ? value['kind'] : undefined;
}

function resourceOf(event: AuditEvent): 'nodes' | 'jobs' | undefined {
  const ref = event.objectRef;
  if (ref === undefined) return undefined;
  if (ref.resource === 'nodes' && (ref.apiGroup ?? '') === '') return 'nodes';
  if (ref.resource === 'jobs' && ref.apiGroup === 'batch') return 'jobs';
  return undefined;
}

function finalizersOf(object: Record<string, unknown>): number {
  const meta = object['metadata'];
  const finalizers = isObject(meta) ? meta['finalizers'] : undefined;
  return Array.isArray(finalizers) ? finalizers.length : 0;
}

function statusLine(event: AuditEvent): string {
  const s = event.responseStatus;
  return [`HTTP ${String(s?.code ?? '?')}`, s?.reason, s?.message].filter((x) => x !== undefined && x !== '').join(' ');
}

class HistoryBuilder {
  private readonly drafts: Draft[] = [];
  private readonly nodes = new Map<string, TrimmedNode>();
  private readonly firstSeen = new Map<string, { readonly t: number; readonly node: V1Node }>();
  private readonly jobs = new Map<string, Omit<JobEvent, 'seq' | 't' | 'kind' | 'type'>>();
  /** Deleted Nodes whose disappearance the log has not shown yet: name -> when the deletion was logged. */
  private readonly awaitingRemoval = new Map<string, { readonly t: number; readonly why: string }>();
  private readonly gaps: Omit<GapEvent, 'seq'>[] = [];
  private readonly kubeletMinors: number[] = [];
  private firstActionT = Number.POSITIVE_INFINITY;
  readonly notes: string[] = [];
  nodeObjects = 0;
  nodeWritesWithoutObject = 0;
  nodeUpdatesWithObject = 0;
  nodeDeletions = 0;
  deletionsOfUnknownOutcome = 0;
  jobObjects = 0;
  jobCreatesUnseen = 0;
  readonly levels = new Set<AuditLevel>();
  readonly stages = new Set<AuditStage>();

  add(sourced: SourcedAuditEvent): void {
    const event = sourced.event;
    this.levels.add(event.level);
    this.stages.add(event.stage);
    const resource = resourceOf(event);
    if (resource === 'nodes') this.nodeRequest(event);
    else if (resource === 'jobs') this.jobRequest(event);
  }

  private push(draft: Draft): void {
    this.drafts.push(draft);
  }

  private nodeRequest(event: AuditEvent): void {
    const name = event.objectRef?.name ?? '';
    const subresource = event.objectRef?.subresource ?? '';
    if (event.verb === 'delete' && subresource === '' && name !== '') return this.nodeDeletion(event, name);
    if (event.verb === 'deletecollection') {
      this.note(
        event.stageMs,
        `a deletecollection of Nodes by ${actingUser(event)} (auditID ${event.auditID}) is not followed: the log does not name the Nodes`,
      );
      return;
    }
    if (event.verb !== 'create' && event.verb !== 'update' && event.verb !== 'patch') return;
    const ok = succeeded(event);
    if (ok === false) {
      if (event.responseStatus?.code === 404 && this.awaitingRemoval.has(name))
        this.removeAt(name, event.stageMs, `a write to it answered 404 (auditID ${event.auditID})`);
      return;
    }
    const object = event.responseObject;
    if (kindOf(object) !== 'Node') {
      this.nodeWritesWithoutObject += 1;
      return;
    }
    this.nodeObjects += 1;
    if (event.verb === 'update') this.nodeUpdatesWithObject += 1;
    const raw = object as V1Node & Record<string, unknown>;
    const node = trimNode(raw);
    if (node.name === '') return;
    const version = parseVersion(raw.status?.nodeInfo?.kubeletVersion);
    if (version !== undefined) this.kubeletMinors.push(version.minor);
    if (!this.firstSeen.has(node.name)) this.firstSeen.set(node.name, { t: event.stageMs, node: raw });
    const t = event.stageMs;
    const rv = raw.metadata?.resourceVersion;
    const extra = rv === undefined ? {} : { rv };
    if (node.deletionTimestamp !== undefined && finalizersOf(raw) === 0) {
      this.nodes.set(node.name, node);
      // The write that removed it is in the log: the Node's disappearance is known exactly, nothing was blind.
      this.awaitingRemoval.delete(node.name);
      this.removeAt(node.name, t, `its last finalizer was removed by ${actingUser(event)} (auditID ${event.auditID})`, node, extra);
      return;
    }
    const before = this.nodes.get(node.name);
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(node)) return;
    this.nodes.set(node.name, node);
    const type = event.verb === 'create' ? 'ADDED' : 'MODIFIED';
    this.push({ t, kind: 'node', type, ...extra, node });
  }

  private nodeDeletion(event: AuditEvent, name: string): void {
    this.nodeDeletions += 1;
    const t = event.stageMs;
    this.firstActionT = Math.min(this.firstActionT, t);
    const id = `audit-${event.auditID}`;
    const who = actingUser(event);
    this.note(t, `Node ${name} deleted by ${who} (auditID ${event.auditID}, ${event.verb} ${event.requestURI})`);
    this.push({ t, kind: 'action', id, phase: 'intent', fault: 'delete-node', nodes: [name] });
    const ok = succeeded(event);
    if (ok === false) {
      this.push({ t, kind: 'action', id, phase: 'failed', fault: 'delete-node', nodes: [name], error: statusLine(event) });
      return;
    }
    this.push({ t, kind: 'action', id, phase: 'applied', fault: 'delete-node', nodes: [name] });
    const object = event.responseObject;
    if (ok === undefined) {
      this.deletionsOfUnknownOutcome += 1;
      this.awaitingRemoval.set(name, {
        t,
        why: `only its receipt is logged (stage ${event.stage}): whether and when it went is not in the log`,
      });
      return;
    }
    if (kindOf(object) === 'Status') return this.removeAt(name, t, `the DELETE answered Success (auditID ${event.auditID})`);
    if (kindOf(object) === 'Node') {
      const raw = object as V1Node & Record<string, unknown>;
      const node = trimNode(raw);
      this.nodeObjects += 1;
      if (finalizersOf(raw) === 0) return this.removeAt(name, t, `the DELETE returned it without finalizers`, node);
      this.nodes.set(name, node);
      const rv = raw.metadata?.resourceVersion;
      this.push({ t, kind: 'node', type: 'MODIFIED', ...(rv === undefined ? {} : { rv }), node });
      this.awaitingRemoval.set(name, { t, why: 'it stayed Terminating (finalizers) and the log does not show the write that removed it' });
      return;
    }
    this.awaitingRemoval.set(name, {
      t,
      why: `the event (level ${event.level}) does not carry the response, so whether it went at once or stayed Terminating is not in the log`,
    });
  }

  /** The Node is gone at t: a DELETED event with its last known state (a bare one when it was never seen). */
  private removeAt(name: string, t: number, reason: string, node?: TrimmedNode, extra: { rv?: string } = {}): void {
    const last = node ?? this.nodes.get(name) ?? bareNode(name);
    const pending = this.awaitingRemoval.get(name);
    if (pending !== undefined && pending.t < t)
      this.gaps.push({
        t,
        kind: 'gap',
        source: 'nodes',
        from: pending.t,
        to: t,
        reason: `Node ${name}: ${pending.why}; gone by then (${reason})`,
      });
    this.awaitingRemoval.delete(name);
    this.nodes.delete(name);
    this.push({ t, kind: 'node', type: 'DELETED', ...extra, node: last });
  }

  private jobRequest(event: AuditEvent): void {
    const ok = succeeded(event);
    if (ok === false) return;
    const ref = event.objectRef ?? {};
    const key = `${ref.namespace ?? ''}/${ref.name ?? ''}`;
    const t = event.stageMs;
    if (event.verb === 'delete' && ref.name !== undefined && ok === true) {
      const last = this.jobs.get(key) ?? {
        namespace: ref.namespace ?? '',
        name: ref.name,
        labels: {},
        active: 0,
        succeeded: 0,
        failed: 0,
        conditions: [],
      };
      this.jobs.delete(key);
      this.push({ t, kind: 'job', type: 'DELETED', ...last });
      return;
    }
    if (event.verb !== 'create' && event.verb !== 'update' && event.verb !== 'patch') return;
    const object = event.responseObject;
    if (kindOf(object) === 'Job') {
      this.jobObjects += 1;
      const raw = object as V1Job;
      const job = trimJob(raw);
      if (job.name === '') return;
      const jobKey = `${job.namespace}/${job.name}`;
      const before = this.jobs.get(jobKey);
      if (before !== undefined && JSON.stringify(before) === JSON.stringify(job)) return;
      this.jobs.set(jobKey, job);
      const rv = raw.metadata?.resourceVersion;
      this.push({ t, kind: 'job', type: before === undefined ? 'ADDED' : 'MODIFIED', ...(rv === undefined ? {} : { rv }), ...job });
      return;
    }
    if (event.verb !== 'create') return;
    if (ok === true && ref.name !== undefined && ref.name !== '' && !this.jobs.has(key)) {
      const job = { namespace: ref.namespace ?? '', name: ref.name, labels: {}, active: 0, succeeded: 0, failed: 0, conditions: [] };
      this.jobs.set(key, job);
      this.push({ t, kind: 'job', type: 'ADDED', ...job });
      return;
    }
    this.jobCreatesUnseen += 1;
  }

  note(t: number, message: string): void {
    this.push({ t, kind: 'note', message });
  }

  /** Deleted Nodes the log never showed gone: gone at the end of the log, blind from their deletion on. */
  finishRemovals(endT: number): void {
    const trustUpdates = this.nodeUpdatesWithObject > 0;
    for (const [name, pending] of [...this.awaitingRemoval]) {
      const node = this.nodes.get(name);
      if (trustUpdates && node?.deletionTimestamp !== undefined) continue;
      this.awaitingRemoval.delete(name);
      this.gaps.push({
        t: endT,
        kind: 'gap',
        source: 'nodes',
        from: pending.t,
        to: endT,
        reason: `Node ${name}: ${pending.why}; taken as gone at the end of the log`,
      });
      this.nodes.delete(name);
      this.push({
        t: endT,
        kind: 'node',
        type: 'DELETED',
        node: node ?? bareNode(name),
      });
    }
  }

  timers(option: HarvesterProfileName | undefined): { timers: ClusterTimers; note: string } {
    if (option !== undefined) return { timers: HARVESTER_PROFILES[option].timers, note: `timers of the ${option} profile (as asked)` };
    if (this.kubeletMinors.length > 0) {
      const minor = Math.min(...this.kubeletMinors);
      return {
        timers: rke2Timers(minor),
        note: `timers of RKE2 with Kubernetes 1.${minor} (the oldest kubelet version in the Node objects; profile ${profileForKubernetesMinor(minor)})`,
      };
    }
    return {
      timers: HARVESTER_PROFILES[FALLBACK_PROFILE].timers,
      note: `timers of the ${FALLBACK_PROFILE} profile (no kubelet version in the log)`,
    };
  }

  runStartNodes(): RunStartEvent['nodes'] {
    return [...this.firstSeen]
      .filter(([, seen]) => seen.t <= this.firstActionT)
      .map(([name, seen]) => ({ name, role: isManagementNode(seen.node) ? ('control-plane' as const) : ('worker' as const) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  ordered(): Draft[] {
    // Gaps are placed at their end time, after the events of that instant; a stable sort keeps recording order.
    return [...this.drafts, ...this.gaps]
      .map((d, i) => ({ d, i }))
      .sort((a, b) => a.d.t - b.d.t || a.i - b.i)
      .map(({ d }) => d);
  }
}

export function buildHistoryFromAudit(events: readonly SourcedAuditEvent[], options: BuildOptions = {}): BuiltHistory {
  const builder = new HistoryBuilder();
  for (const event of events) builder.add(event);
  const firstMs = events[0]?.event.stageMs ?? 0;
  const lastMs = events.at(-1)?.event.stageMs ?? firstMs;
  builder.finishRemovals(lastMs);
  const { timers, note: timersNote } = builder.timers(options.profile);
  const coverage: AuditCoverage = {
    events: events.length,
    levels: [...builder.levels].sort(),
    stages: [...builder.stages].sort(),
    nodeObjects: builder.nodeObjects,
    nodeWritesWithoutObject: builder.nodeWritesWithoutObject,
    nodeDeletions: builder.nodeDeletions,
    deletionsOfUnknownOutcome: builder.deletionsOfUnknownOutcome,
    jobObjects: builder.jobObjects,
    jobCreatesUnseen: builder.jobCreatesUnseen,
    firstMs,
    lastMs,
  };
  const notes = [
    `imported from ${events.length} audit event(s) (levels ${coverage.levels.join(', ') || 'none'}; stages ${coverage.stages.join(', ') || 'none'})`,
    `run-start is synthetic: nodes as first seen in the log before the first deletion, ${timersNote}, default budgets, Harvester's promotion rules`,
    'the audit log carries no etcd membership and no writes through the VIP: the oracles that need them have nothing to judge',
    ...coverageNotes(coverage),
  ];
  const runStart: Omit<RunStartEvent, 'seq'> = {
    t: firstMs,
    kind: 'run-start',
    runId: options.runId ?? 'audit',
    scenario: AUDIT_IMPORT_SCENARIO,
    seed: 0,
    provider: AUDIT_IMPORT_PROVIDER,
    nodes: builder.runStartNodes(),
    timers,
    budgets: {},
  };
  const drafts: Draft[] = [runStart, ...notes.map((message) => ({ t: firstMs, kind: 'note' as const, message })), ...builder.ordered()];
  drafts.push({ t: lastMs, kind: 'run-end', outcome: 'end of the audit log' });
  const history = drafts.map((d, seq) => ({ seq, ...d }) as HistoryEvent);
  return { history, coverage, notes };
}

/** Sentences for what the log lacked. */
export function coverageNotes(coverage: AuditCoverage): string[] {
  const out: string[] = [];
  if (coverage.nodeObjects === 0)
    out.push(
      'no Node object is in the log (Node writes are not logged at RequestResponse level): labels, promote-status and conditions are unknown, so promotions cannot be seen',
    );
  else if (coverage.nodeWritesWithoutObject > 0)
    out.push(
      `${coverage.nodeWritesWithoutObject} Node write(s) are logged without the object (Metadata or Request level): changes they made are not seen`,
    );
  if (coverage.deletionsOfUnknownOutcome > 0)
    out.push(
      `${coverage.deletionsOfUnknownOutcome} Node deletion(s) are logged only as received (no ResponseComplete stage): taken as applied, gone at the end of the log`,
    );
  if (coverage.jobCreatesUnseen > 0)
    out.push(
      `${coverage.jobCreatesUnseen} Job create(s) are logged without the Job's name or outcome: promote Jobs among them are not seen`,
    );
  return out;
}

/** A Node known only by its name (its DELETED event when it was never seen). */
function bareNode(name: string): TrimmedNode {
  return { name, uid: '', creationTimestamp: '', labels: {}, annotations: {}, unschedulable: false, conditions: [], taints: [] };
}
