// Transactions: typed compares and operations, as etcd's TxnRequest on the protobuf wire, and decoded responses
// (etcd api/etcdserverpb/rpc.proto: Compare, RequestOp, ResponseOp, TxnRequest, TxnResponse).
import { decodeHeader, EMPTY_HEADER, type KeyValue } from './codec.ts';
import { decodeDeleteRange, decodeHeaderOnly, decodeRange, encodeDeleteRange, encodePut, encodeRange } from './kv-messages.ts';
import { ProtoWriter, type ProtoReader } from './protobuf.ts';

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

/** Compare.CompareResult: EQUAL 0, GREATER 1, LESS 2, NOT_EQUAL 3. */
const RESULT_ENUM: Record<CompareResult, number> = { equal: 0, greater: 1, less: 2, not_equal: 3 };

/** Compare.CompareTarget (VERSION 0, CREATE 1, MOD 2, VALUE 3) and the target_union field holding the operand. */
const TARGET: Record<CompareTarget, { readonly enumValue: number; readonly field: number }> = {
  version: { enumValue: 0, field: 4 },
  create: { enumValue: 1, field: 5 },
  mod: { enumValue: 2, field: 6 },
  value: { enumValue: 3, field: 7 },
};

/**
 * Compare: result 1, target 2, key 3, then one of version 4, create_revision 5, mod_revision 6, value 7. The operand
 * is a oneof, so it is written even when 0 (create_revision == 0 is "the key does not exist").
 */
function encodeCompare(c: Compare): Buffer {
  const target = TARGET[c.target];
  const w = new ProtoWriter().int(1, RESULT_ENUM[c.result]).int(2, target.enumValue).bytes(3, c.key);
  if (c.target === 'value') return w.message(target.field, Buffer.from(String(c.value), 'utf8')).finish();
  return w.intPresent(target.field, Number(c.value)).finish();
}

/** RequestOp: request_range 1, request_put 2, request_delete_range 3. */
function encodeOp(op: TxnOp): Buffer {
  const w = new ProtoWriter();
  if ('put' in op) return w.message(2, encodePut(op.put.key, op.put.value)).finish();
  if ('range' in op) return w.message(1, encodeRange({ key: op.range.key, prefix: op.range.prefix })).finish();
  return w.message(3, encodeDeleteRange(op.delete.key, op.delete.prefix)).finish();
}

/** TxnRequest: compare 1, success 2, failure 3. */
export function encodeTxn(spec: TxnSpec): Buffer {
  const w = new ProtoWriter();
  for (const c of spec.compare) w.message(1, encodeCompare(c));
  for (const op of spec.success) w.message(2, encodeOp(op));
  for (const op of spec.failure ?? []) w.message(3, encodeOp(op));
  return w.finish();
}

/** ResponseOp: response_range 1, response_put 2, response_delete_range 3. */
function decodeOpResult(r: ProtoReader): TxnOpResult {
  let result: TxnOpResult | undefined;
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) {
      const range = decodeRange(r.message());
      result = { kind: 'range', kvs: range.kvs, count: range.count };
    } else if (field === 2 && wire === 2) result = { kind: 'put', revision: decodeHeaderOnly(r.message()).revision };
    else if (field === 3 && wire === 2) {
      const del = decodeDeleteRange(r.message());
      result = { kind: 'delete', deleted: del.deleted, prevKvs: del.prevKvs };
    } else r.skip(wire);
  }
  return result ?? { kind: 'put', revision: 0 };
}

/** TxnResponse: header 1, succeeded 2, responses 3. */
export function decodeTxn(r: ProtoReader): TxnResult {
  let header = EMPTY_HEADER;
  let succeeded = false;
  const responses: TxnOpResult[] = [];
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) header = decodeHeader(r.message());
    else if (field === 2 && wire === 0) succeeded = r.bool();
    else if (field === 3 && wire === 2) responses.push(decodeOpResult(r.message()));
    else r.skip(wire);
  }
  return { succeeded, revision: header.revision, responses };
}

/** The kvs of the first range response in a result (the "current value" branch of our helpers). */
export function firstRange(result: TxnResult): readonly KeyValue[] {
  for (const r of result.responses) if (r.kind === 'range') return r.kvs;
  return [];
}
