// etcd's KV service messages on the protobuf wire (etcd api/etcdserverpb/rpc.proto: RangeRequest/Response,
// PutRequest/Response, DeleteRangeRequest/Response, CompactionRequest/Response).
import { decodeHeader, decodeKv, EMPTY_HEADER, prefixRangeEnd, type KeyValue, type ResponseHeader } from './codec.ts';
import { ProtoReader, ProtoWriter } from './protobuf.ts';

export interface RangeSpec {
  readonly key: string;
  /** Treat the key as a prefix. */
  readonly prefix?: boolean | undefined;
  readonly limit?: number | undefined;
  /** Serve from the local member without a quorum round (may be stale; works on a minority member). */
  readonly serializable?: boolean | undefined;
  /** Read at this revision (0: latest). */
  readonly revision?: number | undefined;
  readonly countOnly?: boolean | undefined;
  readonly keysOnly?: boolean | undefined;
}

export interface RangeResult {
  /** The store revision the read was served at. */
  readonly revision: number;
  readonly kvs: readonly KeyValue[];
  readonly count: number;
  readonly more: boolean;
}

/** RangeRequest: key 1, range_end 2, limit 3, revision 4, serializable 7, keys_only 8, count_only 9. */
export function encodeRange(spec: RangeSpec): Buffer {
  const w = new ProtoWriter().bytes(1, spec.key);
  if (spec.prefix) w.bytes(2, prefixRangeEnd(spec.key));
  return w
    .int(3, spec.limit ?? 0)
    .int(4, spec.revision ?? 0)
    .bool(7, spec.serializable)
    .bool(8, spec.keysOnly)
    .bool(9, spec.countOnly)
    .finish();
}

/** RangeResponse: header 1, kvs 2, more 3, count 4. */
export function decodeRange(r: ProtoReader): RangeResult {
  let header = EMPTY_HEADER;
  const kvs: KeyValue[] = [];
  let more = false;
  let count = 0;
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) header = decodeHeader(r.message());
    else if (field === 2 && wire === 2) kvs.push(decodeKv(r.message()));
    else if (field === 3 && wire === 0) more = r.bool();
    else if (field === 4 && wire === 0) count = r.varint();
    else r.skip(wire);
  }
  return { revision: header.revision, kvs, more, count };
}

/** PutRequest: key 1, value 2. */
export function encodePut(key: string, value: string): Buffer {
  return new ProtoWriter().bytes(1, key).bytes(2, value).finish();
}

/** A response whose only field we read is its header (field 1): PutResponse, CompactionResponse, ... */
export function decodeHeaderOnly(r: ProtoReader): ResponseHeader {
  let header = EMPTY_HEADER;
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) header = decodeHeader(r.message());
    else r.skip(wire);
  }
  return header;
}

/** DeleteRangeRequest: key 1, range_end 2, prev_kv 3 (always asked for). */
export function encodeDeleteRange(key: string, prefix: boolean | undefined): Buffer {
  const w = new ProtoWriter().bytes(1, key);
  if (prefix) w.bytes(2, prefixRangeEnd(key));
  return w.bool(3, true).finish();
}

export interface DeleteRangeResult {
  readonly revision: number;
  readonly deleted: number;
  readonly prevKvs: readonly KeyValue[];
}

/** DeleteRangeResponse: header 1, deleted 2, prev_kvs 3. */
export function decodeDeleteRange(r: ProtoReader): DeleteRangeResult {
  let header = EMPTY_HEADER;
  let deleted = 0;
  const prevKvs: KeyValue[] = [];
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) header = decodeHeader(r.message());
    else if (field === 2 && wire === 0) deleted = r.varint();
    else if (field === 3 && wire === 2) prevKvs.push(decodeKv(r.message()));
    else r.skip(wire);
  }
  return { revision: header.revision, deleted, prevKvs };
}

/** CompactionRequest: revision 1, physical 2. */
export function encodeCompaction(revision: number, physical: boolean): Buffer {
  return new ProtoWriter().int(1, revision).bool(2, physical).finish();
}
