// Reading and writing history.json. The events are checked with the zod schemas of history-schema.ts, then the
// checks that need more than one event; every problem is one `file:line:col: path: message` line of a
// FileProblemsError, the error of every file format, with the path into the document (`events[5].node.name`).
import { LineCounter, parseDocument } from 'yaml';
import { describeValue, formatPath } from '../schema/describe-value.ts';
import { isMapping } from '../schema/descriptors.ts';
import type { Path } from '../schema/descriptors.ts';
import { positionOf } from '../schema/locate.ts';
import type { Position } from '../schema/locate.ts';
import { FileProblemsError } from '../schema/problems.ts';
import type { Problem } from '../schema/problems.ts';
import { didYouMean } from '../schema/suggest.ts';
import { issueMessage, zodProblems } from '../schema/zod-problems.ts';
import type { History, HistoryEvent } from './history.ts';
import { EVENT_SCHEMAS, historyDocument } from './history-schema.ts';

/** @deprecated The same class as FileProblemsError (lib/schema/problems.ts); kept while callers move to it. */
export { FileProblemsError as HistoryFormatError } from '../schema/problems.ts';

/** A history file: the events, and for fixtures the verdicts expected of named invariants. */
export interface HistoryDocument {
  readonly history: History;
  readonly expect?: Readonly<Record<string, string>>;
  readonly description?: string;
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
        return (e['to'] as number) < (e['from'] as number)
          ? ['to', `gap ends (${String(e['to'])}) before it starts (${String(e['from'])})`]
          : undefined;
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
    if (f === 'write' && typeof value !== 'number') return ['value', `expected a number for a write, found ${describeValue(value)}`];
    if (f === 'cas' && !Array.isArray(value)) return ['value', `expected [expected, new] for a cas, found ${describeValue(value)}`];
    const id = `${String(e['process'])}\u0000${String(e['opId'])}`;
    const open = this.ops.get(id);
    if (e['phase'] === 'invoke') {
      if (open !== undefined) return ['opId', `operation ${String(e['opId'])} of process ${String(e['process'])} was invoked twice`];
      this.ops.set(id, { f, completed: false });
      return undefined;
    }
    if (open === undefined)
      return [
        'phase',
        `${String(e['phase'])} of operation ${String(e['opId'])} (process ${String(e['process'])}) with no invoke before it`,
      ];
    if (open.completed) return ['phase', `operation ${String(e['opId'])} of process ${String(e['process'])} completed twice`];
    if (open.f !== f) return ['f', `completion is ${String(f)} but the invoke was ${String(open.f)}`];
    open.completed = true;
    return undefined;
  }
}

/** A broken history is usually broken the same way throughout: past this many problems the rest is not listed. */
const MAX_PROBLEMS = 20;

/** Larger files are not parsed a second time to find line numbers: their problems name the path only. */
const LOCATE_LIMIT = 16 * 2 ** 20;

const EVENT_KINDS = Object.keys(EVENT_SCHEMAS);

/** The problems of one history file, located in the text (line and column) when there are any. */
class ProblemList {
  readonly problems: Problem[] = [];
  private locator: ((path: Path) => Position) | undefined;
  constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  get full(): boolean {
    return this.problems.length >= MAX_PROBLEMS;
  }

  add(path: Path, message: string): void {
    this.problems.push({ file: this.file, ...this.locate(path), path: formatPath(path), message });
  }

  /** Where a path is: JSON is YAML, so the text is parsed again with source ranges (only once there is a problem). */
  readonly locate = (path: Path): Position => {
    if (this.locator === undefined) {
      if (this.text.length > LOCATE_LIMIT) {
        this.locator = () => ({ line: 0, column: 0 });
      } else {
        const lineCounter = new LineCounter();
        const doc = parseDocument(this.text, { lineCounter, uniqueKeys: false });
        this.locator = (p) => positionOf(doc, lineCounter, p, 'value');
      }
    }
    return this.locator(path);
  };

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const last = this.problems[this.problems.length - 1] as Problem;
    const more = this.full ? [{ ...last, path: '', message: `stopped after ${MAX_PROBLEMS} problems` }] : [];
    throw new FileProblemsError([...this.problems, ...more]);
  }
}

function schemaOf(kind: unknown): (typeof EVENT_SCHEMAS)[keyof typeof EVENT_SCHEMAS] | undefined {
  return typeof kind === 'string' && Object.hasOwn(EVENT_SCHEMAS, kind) ? EVENT_SCHEMAS[kind as keyof typeof EVENT_SCHEMAS] : undefined;
}

/** Checks every event; paths and messages are made only for a broken one, so a large history is checked in one pass. */
function validateEvents(raw: readonly unknown[], prefix: Path, list: ProblemList): History {
  const sequence = new SequenceChecker();
  const context = (e: Readonly<Record<string, unknown>>): string => ` (${String(e['kind'])} event, seq ${String(e['seq'])})`;
  for (let i = 0; i < raw.length && !list.full; i += 1) {
    const e = raw[i];
    if (!isMapping(e)) {
      list.add([...prefix, i], `expected an event object, found ${describeValue(e)}`);
      continue;
    }
    const kind = e['kind'];
    const schema = schemaOf(kind);
    if (schema === undefined) {
      const unknown =
        typeof kind === 'string'
          ? `unknown event kind ${JSON.stringify(kind)}${didYouMean(kind, EVENT_KINDS)}`
          : `found ${describeValue(kind)}`;
      list.add([...prefix, i, 'kind'], `${unknown}; expected one of ${EVENT_KINDS.join(', ')}`);
      continue;
    }
    // Parsed without options first (zod's fast path); the messages are made only for an event that fails.
    if (!schema.safeParse(e).success) {
      const { error } = schema.safeParse(e, { error: issueMessage });
      if (error)
        list.problems.push(
          ...zodProblems(error, list.file, [...prefix, i], list.locate).map((p) => ({ ...p, message: `${p.message}${context(e)}` })),
        );
      continue;
    }
    const wrong = sequence.check(e);
    if (wrong !== undefined) list.add([...prefix, i, wrong[0]], `${wrong[1]}${context(e)}`);
  }
  return raw as HistoryEvent[];
}

/** Where JSON.parse stopped, from its message ("... at position 12"); 0:0 when it does not say. */
function jsonErrorPosition(text: string, error: unknown): Position {
  const match = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (match === null) return { line: 0, column: 0 };
  const before = text.slice(0, Number(match[1]));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: before.length - lineStart + 1 };
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
    throw new FileProblemsError([
      {
        file,
        ...jsonErrorPosition(text, error),
        path: '',
        message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }
  const list = new ProblemList(file, text);
  if (Array.isArray(parsed)) {
    const history = validateEvents(parsed, [], list);
    list.throwIfAny();
    return { history };
  }
  if (!isMapping(parsed)) {
    list.add([], `expected an array of events or an object with "events", found ${describeValue(parsed)}`);
    list.throwIfAny();
  }
  const doc = historyDocument.safeParse(parsed, { error: issueMessage });
  if (!doc.success) {
    list.problems.push(...zodProblems(doc.error, file, [], list.locate));
    list.throwIfAny();
  }
  const { events, expect, description } = doc.data as NonNullable<typeof doc.data>;
  const history = validateEvents(events, ['events'], list);
  list.throwIfAny();
  return { history, ...(expect === undefined ? {} : { expect }), ...(description === undefined ? {} : { description }) };
}

export function loadHistory(text: string, file: string): History {
  return loadHistoryDocument(text, file).history;
}

/** `{ "version": 1, "events": [ ... ] }` with one event per line: diffable, and greppable for a kind. */
export function serializeHistory(history: History): string {
  const lines = history.map((event) => JSON.stringify(event));
  return `{"version":1,"events":[\n${lines.join(',\n')}\n]}\n`;
}
