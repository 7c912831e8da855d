// etcd's shared messages, read from the protobuf wire: mvccpb.KeyValue, etcdserverpb.ResponseHeader and
// etcdserverpb.Member (etcd api/mvccpb/kv.proto, api/etcdserverpb/rpc.proto). Revisions fit a JS number; member
// and lease ids are uint64/int64 and stay decimal strings.
import { ProtoReader } from './protobuf.ts';

/** The smallest key greater than every key starting with `prefix` (etcd's range_end for a prefix). */
export function prefixRangeEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i] ?? 0;
    if (byte < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = byte + 1;
      return end;
    }
  }
  return Buffer.from([0]); // every key
}

/** A decimal uint64 id as etcdctl prints it (lower-case hex, no padding). */
export function idToHex(id: string): string {
  return BigInt(id).toString(16);
}

/** Accepts a member id in decimal or hex (etcdctl style, optional 0x) and returns its decimal form. */
export function idToDecimal(id: string): string {
  const trimmed = id.trim().toLowerCase();
  if (/^0x[0-9a-f]+$/.test(trimmed)) return BigInt(trimmed).toString(10);
  if (/^[0-9]+$/.test(trimmed)) return BigInt(trimmed).toString(10);
  if (/^[0-9a-f]+$/.test(trimmed)) return BigInt(`0x${trimmed}`).toString(10);
  throw new RangeError(`not a member id: ${id}`);
}

export interface KeyValue {
  readonly key: string;
  /** The value as UTF-8 text (the API server stores JSON). */
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  /** Lease id as a decimal string, "0" when none. */
  readonly lease: string;
}

/** mvccpb.KeyValue: key 1, create_revision 2, mod_revision 3, version 4, value 5, lease 6. */
export function decodeKv(r: ProtoReader): KeyValue {
  let key = '';
  let value = '';
  let createRevision = 0;
  let modRevision = 0;
  let version = 0;
  let lease = '0';
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) key = r.string();
    else if (field === 2 && wire === 0) createRevision = r.varint();
    else if (field === 3 && wire === 0) modRevision = r.varint();
    else if (field === 4 && wire === 0) version = r.varint();
    else if (field === 5 && wire === 2) value = r.string();
    else if (field === 6 && wire === 0) lease = r.uint64();
    else r.skip(wire);
  }
  return { key, value, createRevision, modRevision, version, lease };
}

export interface ResponseHeader {
  readonly clusterId: string;
  readonly memberId: string;
  readonly revision: number;
  readonly raftTerm: number;
}

export const EMPTY_HEADER: ResponseHeader = { clusterId: '0', memberId: '0', revision: 0, raftTerm: 0 };

/** etcdserverpb.ResponseHeader: cluster_id 1, member_id 2, revision 3, raft_term 4. */
export function decodeHeader(r: ProtoReader): ResponseHeader {
  let clusterId = '0';
  let memberId = '0';
  let revision = 0;
  let raftTerm = 0;
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 0) clusterId = r.uint64();
    else if (field === 2 && wire === 0) memberId = r.uint64();
    else if (field === 3 && wire === 0) revision = r.varint();
    else if (field === 4 && wire === 0) raftTerm = r.varint();
    else r.skip(wire);
  }
  return { clusterId, memberId, revision, raftTerm };
}

export interface EtcdMember {
  /** Member id, decimal uint64. */
  readonly id: string;
  /** Member id as etcdctl prints it (hex). */
  readonly idHex: string;
  /** Empty for a member added but not started yet. */
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

/** etcdserverpb.Member: ID 1, name 2, peerURLs 3, clientURLs 4, isLearner 5. */
export function decodeMember(r: ProtoReader): EtcdMember {
  let id = '0';
  let name = '';
  const peerUrls: string[] = [];
  const clientUrls: string[] = [];
  let isLearner = false;
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 0) id = r.uint64();
    else if (field === 2 && wire === 2) name = r.string();
    else if (field === 3 && wire === 2) peerUrls.push(r.string());
    else if (field === 4 && wire === 2) clientUrls.push(r.string());
    else if (field === 5 && wire === 0) isLearner = r.bool();
    else r.skip(wire);
  }
  return { id, idHex: idToHex(id), name, peerUrls, clientUrls, isLearner };
}
