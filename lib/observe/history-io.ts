// Reading and writing history.json, with validation that names the file, the event index and the field path.
import type { History, HistoryEvent } from './history.ts';
import { EVENT_FIELDS, describeValue, formatPath } from './history-schema.ts';

export class HistoryFormatError extends Error {
  constructor(
    readonly file: string,
    /** Index of the offending event in the events array; undefined for a problem with the document itself. */
    readonly index: number | undefined,
    /** Field path inside the event ('' when the problem is not one field). */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${file}: ${index === undefined ? '' : `event ${index}: `}${path === '' ? '' : `${path}: `}${problem}`);
    this.name = 'HistoryFormatError';
  }
}

/** A history file: the events, and for fixtures the verdicts expected of named invariants. */
export interface HistoryDocument {
  readonly history: History;
  readonly expect?: Readonly<Record<string, string>>;
  readonly description?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface OpenOp {
  readonly f: unknown;
  completed: boolean;
}

/** Checks that need more than one event: ordering, action phases after their intent, op completions after invokes. */
class SequenceChecker {
  private lastSeq = Number.NEGATIVE_INFINITY;
  private lastT = Number.NEGATIVE_INFINITY;
  private runStarts = 0;
  private readonly actionFaults = new Map<string, unknown>();
  private readonly ops = new Map<string, OpenOp>();

  /** Returns [path, problem] or undefined. */
  check(e: Record<string, unknown>): [string, string] | undefined {
    const seq = e['seq'] as number;
    const t = e['t'] as number;
    if (seq <= this.lastSeq) return ['seq', `must increase strictly: ${seq} after ${this.lastSeq}`];
    if (t < this.lastT) return ['t', `must not decrease: ${t} after ${this.lastT} (${this.lastT - t} ms earlier)`];
    this.lastSeq = seq;
    this.lastT = t;
    switch (e['kind']) {
      case 'run-start':
        this.runStarts += 1;
        return this.runStarts > 1 ? ['kind', 'a second run-start; a history holds one run'] : undefined;
      case 'action':
        return this.checkAction(e);
      case 'op':
        return this.checkOp(e);
      case 'gap':
        return (e['to'] as number) < (e['from'] as number) ? ['to', `gap ends (${String(e['to'])}) before it starts (${String(e['from'])})`] : undefined;
      default:
        return undefined;
    }
  }

  private checkAction(e: Record<string, unknown>): [string, string] | undefined {
    const id = e['id'] as string;
    if (e['phase'] === 'intent') {
      if (this.actionFaults.has(id)) return ['id', `action id ${JSON.stringify(id)} has a second intent`];
      this.actionFaults.set(id, e['fault']);
      return undefined;
    }
    const fault = this.actionFaults.get(id);
    if (fault === undefined) return ['phase', `${String(e['phase'])} for action ${JSON.stringify(id)} with no intent before it`];
    if (fault !== e['fault']) return ['fault', `action ${JSON.stringify(id)} was intended as ${String(fault)}, not ${String(e['fault'])}`];
    return undefined;
  }

  private checkOp(e: Record<string, unknown>): [string, string] | undefined {
    const f = e['f'];
    const value = e['value'];
    if (f === 'write' && typeof value !== 'number') return ['value', `expected a number for a write, got ${describeValue(value)}`];
    if (f === 'cas' && !Array.isArray(value)) return ['value', `expected [expected, new] for a cas, got ${describeValue(value)}`];
    const id = `${String(e['process'])}\u0000${String(e['opId'])}`;
    const open = this.ops.get(id);
    if (e['phase'] === 'invoke') {
      if (open !== undefined) return ['opId', `operation ${String(e['opId'])} of process ${String(e['process'])} was invoked twice`];
      this.ops.set(id, { f, completed: false });
      return undefined;
    }
    if (open === undefined) return ['phase', `${String(e['phase'])} of operation ${String(e['opId'])} (process ${String(e['process'])}) with no invoke before it`];
    if (open.completed) return ['phase', `operation ${String(e['opId'])} of process ${String(e['process'])} completed twice`];
    if (open.f !== f) return ['f', `completion is ${String(f)} but the invoke was ${String(open.f)}`];
    open.completed = true;
    return undefined;
  }
}

function validateEvents(raw: unknown[], file: string): History {
  const sequence = new SequenceChecker();
  for (let i = 0; i < raw.length; i += 1) {
    const e = raw[i];
    if (!isRecord(e)) throw new HistoryFormatError(file, i, '', `expected an event object, got ${describeValue(e)}`);
    if (!Number.isSafeInteger(e['seq'])) throw new HistoryFormatError(file, i, 'seq', `expected an integer, got ${describeValue(e['seq'])}`);
    if (typeof e['t'] !== 'number' || !Number.isFinite(e['t'])) {
      throw new HistoryFormatError(file, i, 't', `expected ms since epoch, got ${describeValue(e['t'])}`);
    }
    const kind = e['kind'];
    const fields = typeof kind === 'string' ? EVENT_FIELDS[kind] : undefined;
    if (fields === undefined) {
      throw new HistoryFormatError(file, i, 'kind', `expected one of ${Object.keys(EVENT_FIELDS).join(', ')}, got ${describeValue(kind)}`);
    }
    const found = fields(e);
    if (found !== undefined) {
      throw new HistoryFormatError(file, i, formatPath(found.path), `expected ${found.expected}, got ${describeValue(found.got)} (${String(kind)} event, seq ${String(e['seq'])})`);
    }
    const wrong = sequence.check(e);
    if (wrong !== undefined) throw new HistoryFormatError(file, i, wrong[0], `${wrong[1]} (${String(kind)} event, seq ${String(e['seq'])})`);
  }
  return raw as unknown as HistoryEvent[];
}

/**
 * Parses and validates a history: either a bare array of events, or `{ "events": [...] }` (fixtures add
 * `"expect": { "<invariant>": "pass" | "fail" | "inconclusive" }` and may add `"description"`).
 */
export function loadHistoryDocument(text: string, file: string): HistoryDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HistoryFormatError(file, undefined, '', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (Array.isArray(parsed)) return { history: validateEvents(parsed, file) };
  if (!isRecord(parsed)) throw new HistoryFormatError(file, undefined, '', `expected an array of events or an object with "events", got ${describeValue(parsed)}`);
  const events = parsed['events'];
  if (!Array.isArray(events)) throw new HistoryFormatError(file, undefined, 'events', `expected an array of events, got ${describeValue(events)}`);
  const expect = parsed['expect'];
  if (expect !== undefined) {
    if (!isRecord(expect)) throw new HistoryFormatError(file, undefined, 'expect', `expected an object, got ${describeValue(expect)}`);
    for (const [name, status] of Object.entries(expect)) {
      if (status !== 'pass' && status !== 'fail' && status !== 'inconclusive') {
        throw new HistoryFormatError(file, undefined, `expect.${name}`, `expected "pass", "fail" or "inconclusive", got ${describeValue(status)}`);
      }
    }
  }
  const description = parsed['description'];
  return {
    history: validateEvents(events, file),
    ...(expect === undefined ? {} : { expect: expect as Record<string, string> }),
    ...(typeof description === 'string' ? { description } : {}),
  };
}

export function loadHistory(text: string, file: string): History {
  return loadHistoryDocument(text, file).history;
}

/** `{ "version": 1, "events": [ ... ] }` with one event per line: diffable, and greppable for a kind. */
export function serializeHistory(history: History): string {
  const lines = history.map((event) => JSON.stringify(event));
  return `{"version":1,"events":[\n${lines.join(',\n')}\n]}\n`;
}
