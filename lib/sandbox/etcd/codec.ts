// Encoding and decoding the JSON gateway's conventions: bytes are base64, int64s are decimal strings,
// zero values are omitted. Revisions fit in a JS number; member ids are uint64 and stay strings.

export type Json = Record<string, unknown>;

export function encodeKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64');
}

export function decodeBytes(value: unknown): string {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : '';
}

/** The smallest key greater than every key starting with `prefix` (etcd's range_end for a prefix). */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i] ?? 0;
    if (byte < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = byte + 1;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64'); // every key
}

export function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

export function asBool(value: unknown): boolean {
  return value === true;
}

/** An int64 the gateway sends as a string (or omits when zero), as a JS number. Throws when it is not safe. */
export function asInt(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${String(value)}`);
  return n;
}

/** A uint64 id as its decimal string ("0" when absent). */
export function asUint64(value: unknown): string {
  const s = asString(value);
  return /^\d+$/.test(s) ? BigInt(s).toString(10) : '0';
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

export function decodeKv(raw: unknown): KeyValue {
  const kv = asObject(raw);
  return {
    key: decodeBytes(kv.key),
    value: decodeBytes(kv.value),
    createRevision: asInt(kv.create_revision),
    modRevision: asInt(kv.mod_revision),
    version: asInt(kv.version),
    lease: asUint64(kv.lease),
  };
}

export interface ResponseHeader {
  readonly clusterId: string;
  readonly memberId: string;
  readonly revision: number;
  readonly raftTerm: number;
}

export function decodeHeader(raw: unknown): ResponseHeader {
  const h = asObject(raw);
  return {
    clusterId: asUint64(h.cluster_id),
    memberId: asUint64(h.member_id),
    revision: asInt(h.revision),
    raftTerm: asInt(h.raft_term),
  };
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

export function decodeMember(raw: unknown): EtcdMember {
  const m = asObject(raw);
  const id = asUint64(m.ID);
  return {
    id,
    idHex: idToHex(id),
    name: asString(m.name),
    peerUrls: asArray(m.peerURLs).map(asString),
    clientUrls: asArray(m.clientURLs).map(asString),
    isLearner: asBool(m.isLearner),
  };
}
