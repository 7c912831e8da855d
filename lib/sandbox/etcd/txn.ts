// Transactions: typed compares and operations, their gateway JSON, and decoded responses.
import { asArray, asBool, asInt, asObject, decodeHeader, decodeKv, encodeKey, prefixRangeEnd, type KeyValue } from './codec.ts';

export type CompareTarget = 'create' | 'mod' | 'version' | 'value';
export type CompareResult = 'equal' | 'greater' | 'less' | 'not_equal';

export interface Compare {
  readonly key: string;
  readonly target: CompareTarget;
  readonly result: CompareResult;
  /** A revision/version number, or the value text for target 'value'. */
  readonly value: number | string;
}

export type TxnOp =
  | { readonly put: { readonly key: string; readonly value: string } }
  | { readonly range: { readonly key: string; readonly prefix?: boolean } }
  | { readonly delete: { readonly key: string; readonly prefix?: boolean } };

export interface TxnSpec {
  readonly compare: readonly Compare[];
  readonly success: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

export type TxnOpResult =
  | { readonly kind: 'put'; readonly revision: number }
  | { readonly kind: 'range'; readonly kvs: readonly KeyValue[]; readonly count: number }
  | { readonly kind: 'delete'; readonly deleted: number; readonly prevKvs: readonly KeyValue[] };

export interface TxnResult {
  readonly succeeded: boolean;
  /** The store revision after the transaction (a successful single put's mod revision). */
  readonly revision: number;
  readonly responses: readonly TxnOpResult[];
}

const TARGET_FIELD: Record<CompareTarget, string> = {
  create: 'create_revision',
  mod: 'mod_revision',
  version: 'version',
  value: 'value',
};

function encodeCompare(c: Compare): Record<string, unknown> {
  const field = TARGET_FIELD[c.target];
  const value = c.target === 'value' ? Buffer.from(String(c.value), 'utf8').toString('base64') : String(c.value);
  return { key: encodeKey(c.key), target: c.target.toUpperCase(), result: c.result.toUpperCase(), [field]: value };
}

function encodeRange(key: string, prefix: boolean | undefined): Record<string, unknown> {
  return prefix ? { key: encodeKey(key), range_end: prefixRangeEnd(key) } : { key: encodeKey(key) };
}

function encodeOp(op: TxnOp): Record<string, unknown> {
  if ('put' in op) {
    return { request_put: { key: encodeKey(op.put.key), value: Buffer.from(op.put.value, 'utf8').toString('base64') } };
  }
  if ('range' in op) return { request_range: encodeRange(op.range.key, op.range.prefix) };
  return { request_delete_range: { ...encodeRange(op.delete.key, op.delete.prefix), prev_kv: true } };
}

export function encodeTxn(spec: TxnSpec): Record<string, unknown> {
  return {
    compare: spec.compare.map(encodeCompare),
    success: spec.success.map(encodeOp),
    failure: (spec.failure ?? []).map(encodeOp),
  };
}

function decodeOpResult(raw: unknown): TxnOpResult {
  const r = asObject(raw);
  if (r.response_range !== undefined) {
    const range = asObject(r.response_range);
    return { kind: 'range', kvs: asArray(range.kvs).map(decodeKv), count: asInt(range.count) };
  }
  if (r.response_delete_range !== undefined) {
    const del = asObject(r.response_delete_range);
    return { kind: 'delete', deleted: asInt(del.deleted), prevKvs: asArray(del.prev_kvs).map(decodeKv) };
  }
  return { kind: 'put', revision: decodeHeader(asObject(r.response_put).header).revision };
}

export function decodeTxn(body: Record<string, unknown>): TxnResult {
  return {
    succeeded: asBool(body.succeeded),
    revision: decodeHeader(body.header).revision,
    responses: asArray(body.responses).map(decodeOpResult),
  };
}

/** The kvs of the first range response in a result (the "current value" branch of our helpers). */
export function firstRange(result: TxnResult): readonly KeyValue[] {
  for (const r of result.responses) if (r.kind === 'range') return r.kvs;
  return [];
}
