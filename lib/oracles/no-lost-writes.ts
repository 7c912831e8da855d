// The sampler's register history is linearizable (per key), and the final read returns the last acknowledged
// write's value or one written after it: no acknowledged write was lost, no read was stale.
import type { HistoryEvent } from '../observe/history.ts';
import { DEFAULT_LINEARIZABILITY_MAX_STEPS } from './context.ts';
import type { OracleContext } from './context.ts';
import { checkRegister } from './linearizability.ts';
import type { LinearizabilityResult, RegisterOp } from './linearizability.ts';
import { eventsOf, isWrite } from './operations.ts';
import type { Operation } from './operations.ts';
import type { Oracle } from './oracle.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export const NO_LOST_WRITES = 'no-lost-writes';

function describe(op: Operation): string {
  const value =
    op.f === 'read'
      ? op.outcome === 'ok'
        ? ` -> ${op.result === null ? 'absent' : String(op.result)}`
        : ''
      : ` ${JSON.stringify(op.value)}`;
  return `${op.process}#${op.opId} ${op.f}${value} ${op.outcome}`;
}

function writtenValue(op: Operation): number | undefined {
  if (op.f === 'write') return typeof op.value === 'number' ? op.value : undefined;
  if (op.f === 'cas' && Array.isArray(op.value)) return op.value[1] as number;
  return undefined;
}

interface FinalRead {
  readonly status: 'ok' | 'lost' | 'no-final-read' | 'no-ack';
  readonly summary: string;
  readonly evidence: HistoryEvent[];
}

/** The last acknowledged write and the read after it. */
function finalRead(ops: readonly Operation[]): FinalRead {
  const acked = ops.filter((op) => isWrite(op) && op.outcome === 'ok' && op.completion !== undefined);
  const last = acked.reduce<Operation | undefined>(
    (a, b) => (a === undefined || (b.completion?.seq ?? 0) > (a.completion?.seq ?? 0) ? b : a),
    undefined,
  );
  if (last === undefined) return { status: 'no-ack', summary: 'no write was acknowledged', evidence: [] };
  const lastDone = last.completion?.seq ?? 0;
  const reads = ops.filter((op) => op.f === 'read' && op.outcome === 'ok' && op.invoke.seq > lastDone);
  const read = reads.at(-1);
  if (read === undefined)
    return { status: 'no-final-read', summary: `no read after the last acknowledged write (${describe(last)})`, evidence: eventsOf(last) };
  const seen = read.result ?? null;
  const readDone = read.completion?.seq ?? Infinity;
  // Values the read may return: the last acknowledged one, or one written by an operation not over before it began.
  const allowed = new Set<number | null>([writtenValue(last) ?? null]);
  for (const op of ops) {
    if (!isWrite(op) || op.outcome === 'fail' || op === last) continue;
    const over = op.completion !== undefined && op.outcome === 'ok' && op.completion.seq < last.invoke.seq;
    if (!over && op.invoke.seq < readDone) allowed.add(writtenValue(op) ?? null);
  }
  if (allowed.has(seen)) return { status: 'ok', summary: `final read ${describe(read)}`, evidence: [] };
  return {
    status: 'lost',
    summary: `the final read returned ${seen === null ? 'nothing' : String(seen)} but the last acknowledged write was ${describe(last)}`,
    evidence: [...eventsOf(last), ...eventsOf(read)],
  };
}

function toRegisterOps(ops: readonly Operation[]): RegisterOp[] {
  const out = new Array<RegisterOp>(ops.length);
  for (let id = 0; id < ops.length; id += 1) {
    const op = ops[id] as Operation;
    out[id] = {
      id,
      f: op.f,
      outcome: op.outcome,
      call: op.invoke.seq,
      ret: op.outcome === 'info' ? undefined : op.completion?.seq,
      value: op.value,
      result: op.result,
    };
  }
  return out;
}

function check(ctx: OracleContext): Verdict {
  const byKey = new Map<string, Operation[]>();
  for (const op of ctx.operations) {
    const list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, [op]);
    else list.push(op);
  }
  if (byKey.size === 0) return verdict(NO_LOST_WRITES, 'inconclusive', 'the sampler recorded no register operations');
  const initial = ctx.options.registerInitial ?? 'unknown';
  const maxSteps = ctx.options.linearizabilityMaxSteps ?? DEFAULT_LINEARIZABILITY_MAX_STEPS;
  const perKey: Record<string, unknown>[] = [];
  let failure: Verdict | undefined;
  let unknown: Verdict | undefined;
  let noFinal: Verdict | undefined;
  for (const [key, ops] of byKey) {
    const result: LinearizabilityResult = checkRegister(toRegisterOps(ops), { initial: initial === 'absent' ? null : initial, maxSteps });
    const final = finalRead(ops);
    perKey.push({ key, operations: ops.length, linearizability: result.kind, steps: result.steps, finalRead: final.status });
    if (result.kind === 'not-linearizable' && failure === undefined) {
      const window = result.window.map((r) => ops[r.id] as Operation);
      const culprit = ops[result.culprit.id] as Operation;
      const verified = result.windowVerified ? '' : ' (not confirmed by an exact self-contained window)';
      failure = verdict(
        NO_LOST_WRITES,
        'fail',
        `register ${key} is not linearizable: no order explains ${describe(culprit)}; these ${window.length} operations alone admit no order${verified}: ${window.map(describe).join(', ')}`,
        window.flatMap(eventsOf),
        {
          key,
          culprit: describe(culprit),
          window: window.map(describe),
          windowVerified: result.windowVerified,
          closedWindowSize: result.closedWindowSize,
        },
      );
    } else if (final.status === 'lost' && failure === undefined) {
      failure = verdict(NO_LOST_WRITES, 'fail', `register ${key}: ${final.summary}`, final.evidence);
    } else if (result.kind === 'unknown') {
      unknown ??= verdict(NO_LOST_WRITES, 'inconclusive', `register ${key}: ${result.reason}`);
    } else if (final.status === 'no-final-read') {
      noFinal ??= verdict(NO_LOST_WRITES, 'inconclusive', `register ${key} is linearizable, but there is ${final.summary}`, final.evidence);
    }
  }
  const details = { keys: perKey };
  const chosen = failure ?? unknown ?? noFinal;
  if (chosen !== undefined) return { ...chosen, details: { ...chosen.details, ...details } };
  const total = ctx.operations.length;
  return verdict(
    NO_LOST_WRITES,
    'pass',
    `${total} operation(s) on ${byKey.size} register(s): linearizable, and the final read saw the last acknowledged write`,
    [],
    details,
  );
}

export const noLostWrites: Oracle = {
  name: NO_LOST_WRITES,
  description: "the sampler's register history is linearizable and the final read returns the last acknowledged write (or a later one)",
  check,
};
