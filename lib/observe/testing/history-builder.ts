// Builds histories for tests and benchmarks: seq is assigned, time only moves forward.
import type { ActionKind } from '../../faults/catalogue.ts';
import type { NodeRole, ClusterTimers } from '../../model/cluster.ts';
import {
  CONTROL_PLANE_ROLE_LABEL,
  ETCD_ROLE_LABEL,
  HARVESTER_MANAGED_LABEL,
  MASTER_ROLE_LABEL,
  PROMOTE_JOB_NAMESPACE,
  PROMOTE_JOB_NODE_LABEL,
  PROMOTE_STATUS_ANNOTATION,
  WORKER_ONLY_LABEL,
} from '../../harvester/contract.ts';
import type { ActionEvent, ActionPhase, GapSource, HistoryEvent, NodeEvent, OpEvent, RunBudgets, TrimmedNode } from '../history.ts';

export const T0 = Date.parse('2025-06-01T00:00:00Z');
const NODE_EPOCH = Date.parse('2025-01-01T00:00:00Z');

export const TEST_TIMERS: ClusterTimers = {
  kubeletHeartbeatMs: 10_000,
  nodeMonitorGraceMs: 40_000,
  etcdHeartbeatMs: 100,
  etcdElectionTimeoutMs: 1_000,
};

export interface NodeSpec {
  readonly management?: boolean;
  readonly ready?: 'True' | 'False' | 'Unknown';
  readonly status?: string;
  /** Minutes after 2025-01-01 the node was created (older = smaller). */
  readonly ageMinutes?: number;
  readonly cordoned?: boolean;
  readonly uid?: string;
  /** Terminating: deletionTimestamp set. */
  readonly deleting?: boolean;
  readonly workerOnly?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A trimmed Node: Harvester-managed, Ready, schedulable unless the spec says otherwise. */
export function tnode(name: string, spec: NodeSpec = {}): TrimmedNode {
  const labels: Record<string, string> = { [HARVESTER_MANAGED_LABEL]: 'true', 'kubernetes.io/hostname': name };
  if (spec.management)
    Object.assign(labels, { [CONTROL_PLANE_ROLE_LABEL]: 'true', [ETCD_ROLE_LABEL]: 'true', [MASTER_ROLE_LABEL]: 'true' });
  if (spec.workerOnly) labels[WORKER_ONLY_LABEL] = 'true';
  Object.assign(labels, spec.labels);
  return {
    name,
    uid: spec.uid ?? `uid-${name}`,
    creationTimestamp: new Date(NODE_EPOCH + (spec.ageMinutes ?? 0) * 60_000).toISOString(),
    ...(spec.deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
    labels,
    annotations: spec.status === undefined ? {} : { [PROMOTE_STATUS_ANNOTATION]: spec.status },
    unschedulable: spec.cordoned ?? false,
    conditions: [{ type: 'Ready', status: spec.ready ?? 'True' }],
    taints: spec.cordoned ? [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] : [],
  };
}

type Extra<E> = Partial<Omit<E, 'seq' | 't' | 'kind'>>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event without seq (assigned) and with t optional (default: the builder's clock). */
export type EventInput = DistributiveOmit<HistoryEvent, 'seq' | 't'> & { t?: number };

export class HistoryBuilder {
  private readonly events: HistoryEvent[] = [];
  private now = T0;
  private seq = 0;

  /** Moves time to `seconds` after T0 (never backwards). */
  at(seconds: number): this {
    this.now = Math.max(this.now, T0 + seconds * 1000);
    return this;
  }

  wait(ms: number): this {
    this.now += ms;
    return this;
  }

  get time(): number {
    return this.now;
  }

  push(event: EventInput): this {
    const { t, ...fields } = event;
    this.events.push({ seq: this.seq, t: t ?? this.now, ...fields } as HistoryEvent);
    this.seq += 1;
    return this;
  }

  runStart(nodes: readonly { name: string; role: NodeRole }[], budgets: RunBudgets = {}, timers: ClusterTimers = TEST_TIMERS): this {
    return this.push({ kind: 'run-start', runId: 'test', scenario: 'test', seed: 1, provider: 'test', nodes, timers, budgets });
  }

  /** run-start plus a SYNC of each node. */
  cluster(nodes: readonly TrimmedNode[], budgets: RunBudgets = {}, timers: ClusterTimers = TEST_TIMERS): this {
    const isCp = (n: TrimmedNode): boolean => n.labels[CONTROL_PLANE_ROLE_LABEL] === 'true';
    this.runStart(
      nodes.map((n) => ({ name: n.name, role: isCp(n) ? 'control-plane' : 'worker' })),
      budgets,
      timers,
    );
    for (const node of nodes) this.node('SYNC', node);
    return this;
  }

  node(type: NodeEvent['type'], node: TrimmedNode): this {
    return this.push({ kind: 'node', type, node });
  }

  action(id: string, phase: ActionPhase, fault: ActionKind, nodes: readonly string[] = [], extra: Extra<ActionEvent> = {}): this {
    return this.push({ kind: 'action', id, phase, fault, nodes, ...extra });
  }

  /** intent then applied, at the current time. */
  fault(id: string, fault: ActionKind, nodes: readonly string[] = [], extra: Extra<ActionEvent> = {}): this {
    return this.action(id, 'intent', fault, nodes, extra).action(id, 'applied', fault, nodes, extra);
  }

  op(process: string, opId: number, phase: OpEvent['phase'], f: OpEvent['f'], extra: Extra<OpEvent> = {}): this {
    return this.push({ kind: 'op', process, target: extra.target ?? 'vip', opId, phase, f, ...extra });
  }

  /** A sequential write through the VIP: invoke now, completion `ms` later. */
  write(opId: number, value: number, outcome: 'ok' | 'fail' | 'info' = 'ok', ms = 5, process = 'vip'): this {
    this.op(process, opId, 'invoke', 'write', { value });
    this.wait(ms);
    return this.op(process, opId, outcome, 'write', { value });
  }

  read(opId: number, result: number | undefined, ms = 5, process = 'vip'): this {
    this.op(process, opId, 'invoke', 'read');
    this.wait(ms);
    return this.op(process, opId, 'ok', 'read', result === undefined ? {} : { result });
  }

  job(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'SYNC', node: string, active = 1, succeeded = 0): this {
    return this.push({
      kind: 'job',
      type,
      namespace: PROMOTE_JOB_NAMESPACE,
      name: `harvester-promote-${node}`,
      labels: { [PROMOTE_JOB_NODE_LABEL]: node },
      ownerNode: node,
      active,
      succeeded,
      failed: 0,
      conditions: succeeded > 0 ? [{ type: 'Complete', status: 'True' }] : [],
    });
  }

  gap(source: GapSource, fromSeconds: number, toSeconds: number, reason = 'watch reconnect'): this {
    return this.push({ kind: 'gap', source, from: T0 + fromSeconds * 1000, to: T0 + toSeconds * 1000, reason });
  }

  note(message: string): this {
    return this.push({ kind: 'note', message });
  }

  end(outcome = 'completed'): this {
    return this.push({ kind: 'run-end', outcome });
  }

  build(): HistoryEvent[] {
    return [...this.events];
  }
}

// ---- register histories -----------------------------------------------------------------------------------------

/** Deterministic uniform [0, 1) generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulatedOp {
  readonly process: number;
  readonly f: 'read' | 'write' | 'cas';
  readonly outcome: 'ok' | 'fail' | 'info';
  readonly value?: number | readonly [number, number];
  readonly result?: number | null;
  /** Positions in one global order of invokes and completions (for info: when the client gave up). */
  readonly call: number;
  readonly ret: number;
}

/**
 * A linearizable register history: `concurrency` clients each run one operation at a time; every operation takes
 * effect at one instant between its invoke and completion (random interleaving). Writes use fresh values; a cas
 * expects the value its client last saw and fails (definitely, no effect) when it does not match. With `infoRate`,
 * writes time out (info) and took effect or not at random. `finalRead` appends a read after everything else.
 */
export function simulatedRegisterOps(count: number, concurrency: number, seed: number, infoRate = 0, finalRead = false): SimulatedOp[] {
  interface Active {
    process: number;
    f: SimulatedOp['f'];
    value?: number | [number, number];
    call: number;
    effected: boolean;
    result?: number | null;
    ok: boolean;
    info: boolean;
  }
  const random = seededRandom(seed);
  const out: SimulatedOp[] = [];
  const active: (Active | undefined)[] = new Array<Active | undefined>(concurrency).fill(undefined);
  const lastSeen: (number | null)[] = new Array<number | null>(concurrency).fill(null);
  let register: number | null = null;
  let position = 0;
  let nextValue = 1;
  let issued = 0;
  while (out.length < count) {
    for (let p = 0; p < concurrency; p += 1) {
      if (active[p] !== undefined || issued >= count) continue;
      const r = random();
      const f: SimulatedOp['f'] = r < 0.4 ? 'read' : r < 0.8 ? 'write' : 'cas';
      const value = f === 'write' ? nextValue++ : f === 'cas' ? ([lastSeen[p] ?? 0, nextValue++] as [number, number]) : undefined;
      active[p] = {
        process: p,
        f,
        ...(value === undefined ? {} : { value }),
        call: position++,
        effected: false,
        ok: true,
        info: f !== 'read' && random() < infoRate,
      };
      issued += 1;
    }
    const busy: number[] = [];
    for (let p = 0; p < concurrency; p += 1) if (active[p] !== undefined) busy.push(p);
    const p = busy[Math.floor(random() * busy.length)] as number;
    const a = active[p] as Active;
    if (!a.effected) {
      a.effected = true;
      if (a.info && random() < 0.5) continue; // timed out without taking effect
      if (a.f === 'read') a.result = register;
      else if (a.f === 'write') register = a.value as number;
      else {
        const [expected, next] = a.value as [number, number];
        a.ok = register === expected;
        if (a.ok) register = next;
      }
      continue;
    }
    const outcome = a.info ? 'info' : a.ok ? 'ok' : 'fail';
    if (a.f === 'read') lastSeen[p] = a.result ?? null;
    else if (outcome === 'ok') lastSeen[p] = a.f === 'write' ? (a.value as number) : (a.value as [number, number])[1];
    out.push({
      process: a.process,
      f: a.f,
      outcome,
      call: a.call,
      ...(a.value === undefined ? {} : { value: a.value }),
      ...(a.f === 'read' ? { result: a.result ?? null } : {}),
      ret: position,
    });
    position += 1;
    active[p] = undefined;
  }
  if (finalRead) out.push({ process: 0, f: 'read', outcome: 'ok', result: register, call: position, ret: position + 1 });
  return out;
}
