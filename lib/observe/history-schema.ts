// Structural validation of history events. Validators allocate nothing on success, so a 1e6-event history is
// checked in one cheap pass; a problem carries the path to the offending field.
import { ACTION_KINDS } from '../faults/catalogue.ts';
import { ACTION_PHASES, GAP_SOURCES } from './history-constants.ts';

export interface Problem {
  /** Field path inside the event, outermost first. */
  readonly path: (string | number)[];
  readonly expected: string;
  readonly got: unknown;
}

export type Validator = (value: unknown) => Problem | undefined;

function problem(expected: string, got: unknown): Problem {
  return { path: [], expected, got };
}

function within(key: string | number, found: Problem | undefined): Problem | undefined {
  if (found !== undefined) found.path.unshift(key);
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const str: Validator = (v) => (typeof v === 'string' ? undefined : problem('a string', v));
export const nonEmptyStr: Validator = (v) => (typeof v === 'string' && v !== '' ? undefined : problem('a non-empty string', v));
export const bool: Validator = (v) => (typeof v === 'boolean' ? undefined : problem('a boolean', v));
export const finite: Validator = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : problem('a finite number', v));
export const int: Validator = (v) => (Number.isSafeInteger(v) ? undefined : problem('an integer', v));
export const nonNegInt: Validator = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : problem('a non-negative integer', v);
export const nonNegMs: Validator = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : problem('a non-negative number of ms', v);

export function oneOf(values: readonly string[]): Validator {
  const set = new Set(values);
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return (v) => (typeof v === 'string' && set.has(v) ? undefined : problem(expected, v));
}

export function arrayOf(item: Validator): Validator {
  return (v) => {
    if (!Array.isArray(v)) return problem('an array', v);
    for (let i = 0; i < v.length; i += 1) {
      const found = item(v[i]);
      if (found !== undefined) return within(i, found);
    }
    return undefined;
  };
}

export const stringMap: Validator = (v) => {
  if (!isRecord(v)) return problem('an object of strings', v);
  for (const key in v) {
    if (typeof v[key] !== 'string') return within(key, problem('a string', v[key]));
  }
  return undefined;
};

export function tuple(items: readonly Validator[]): Validator {
  return (v) => {
    if (!Array.isArray(v) || v.length !== items.length) return problem(`an array of ${items.length}`, v);
    for (let i = 0; i < items.length; i += 1) {
      const found = (items[i] as Validator)(v[i]);
      if (found !== undefined) return within(i, found);
    }
    return undefined;
  };
}

export function either(a: Validator, b: Validator, expected: string): Validator {
  return (v) => (a(v) === undefined || b(v) === undefined ? undefined : problem(expected, v));
}

/** An object with these required and optional fields; other fields are allowed (forward compatibility). */
export function object(required: Record<string, Validator>, optional: Record<string, Validator> = {}): Validator {
  const req = Object.entries(required);
  const opt = Object.entries(optional);
  return (v) => {
    if (!isRecord(v)) return problem('an object', v);
    for (const [key, check] of req) {
      if (!(key in v)) return within(key, problem('a value (required field is missing)', undefined));
      const found = check(v[key]);
      if (found !== undefined) return within(key, found);
    }
    for (const [key, check] of opt) {
      const value = v[key];
      if (value === undefined) continue;
      const found = check(value);
      if (found !== undefined) return within(key, found);
    }
    return undefined;
  };
}

/** An object whose values are strings or null (null: removed). */
export const nullableStringMap: Validator = (v) => {
  if (!isRecord(v)) return problem('an object of strings or nulls', v);
  for (const key in v) {
    if (typeof v[key] !== 'string' && v[key] !== null) return within(key, problem('a string or null', v[key]));
  }
  return undefined;
};

const nodeNames = arrayOf(nonEmptyStr);

const trimmedNode = object(
  {
    name: nonEmptyStr,
    uid: str,
    creationTimestamp: str,
    labels: stringMap,
    annotations: stringMap,
    unschedulable: bool,
    conditions: arrayOf(object({ type: str, status: str }, { lastTransitionTime: str })),
    taints: arrayOf(object({ key: str, effect: str }, { value: str })),
  },
  { deletionTimestamp: str },
);

const watchType = oneOf(['ADDED', 'MODIFIED', 'DELETED', 'SYNC']);

/** Field validators per event kind (seq, t and kind are checked by the caller). */
export const EVENT_FIELDS: Readonly<Record<string, Validator>> = {
  'run-start': object(
    {
      runId: str,
      scenario: str,
      seed: finite,
      provider: str,
      nodes: arrayOf(object({ name: nonEmptyStr, role: oneOf(['control-plane', 'worker']) })),
      timers: object({
        kubeletHeartbeatMs: nonNegMs,
        nodeMonitorGraceMs: nonNegMs,
        etcdHeartbeatMs: nonNegMs,
        etcdElectionTimeoutMs: nonNegMs,
      }),
      budgets: object({}, { promotionMs: nonNegMs, outageMs: nonNegMs, recoveryMs: nonNegMs }),
    },
    { policy: str },
  ),
  'run-end': object({}, { outcome: str }),
  action: object(
    { id: nonEmptyStr, phase: oneOf(ACTION_PHASES), fault: oneOf(ACTION_KINDS), nodes: nodeNames },
    { groups: arrayOf(nodeNames), from: nodeNames, to: nodeNames, annotations: nullableStringMap, rvs: stringMap, error: str },
  ),
  step: object({ index: nonNegInt, step: str, phase: oneOf(['begin', 'end']) }, { ok: bool, error: str }),
  node: object({ type: watchType, node: trimmedNode }, { rv: str }),
  job: object(
    {
      type: watchType,
      namespace: str,
      name: nonEmptyStr,
      labels: stringMap,
      active: nonNegInt,
      succeeded: nonNegInt,
      failed: nonNegInt,
      conditions: arrayOf(object({ type: str, status: str })),
    },
    { ownerNode: str, rv: str },
  ),
  'k8s-event': object(
    { namespace: str, name: str, reason: str, message: str, involvedObject: object({ kind: str, name: str }) },
    { source: str },
  ),
  lease: object({ namespace: str, name: str }, { holder: str, renewTime: str }),
  op: object(
    {
      process: nonEmptyStr,
      target: nonEmptyStr,
      opId: int,
      phase: oneOf(['invoke', 'ok', 'fail', 'info']),
      f: oneOf(['read', 'write', 'cas']),
    },
    { key: nonEmptyStr, value: either(finite, tuple([finite, finite]), 'a number or [expected, new]'), result: finite, error: str },
  ),
  etcd: object({ members: arrayOf(object({ name: str, id: str })) }, { leader: str, error: str }),
  gap: object({ source: oneOf(GAP_SOURCES), from: finite, to: finite, reason: str }),
  note: object({ message: str }),
};

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(event)' : out;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
