// EtcdClient: the etcd v3 API over etcd's JSON gRPC gateway (HTTP or a unix socket), one keep-alive agent.
// Every call has a deadline; no reply in time, a refused connection or "no leader" is EtcdUnavailableError.
import {
  asArray,
  asInt,
  asObject,
  asString,
  asUint64,
  decodeHeader,
  decodeKv,
  decodeMember,
  encodeKey,
  idToDecimal,
  idToHex,
  prefixRangeEnd,
  type EtcdMember,
  type KeyValue,
} from './codec.ts';
import { deadlineSignal } from './deadline-signal.ts';
import { parseReply, transportFailure, type CallContext } from './failures.ts';
import { GatewayHttp, type EtcdEndpoint } from './gateway-http.ts';
import { decodeTxn, firstRange, encodeTxn, type TxnResult, type TxnSpec } from './txn.ts';
import { openWatch, type EtcdWatch, type WatchListener } from './watch-stream.ts';

export type { EtcdEndpoint } from './gateway-http.ts';

export interface EtcdClientOptions {
  readonly endpoint: EtcdEndpoint;
  /** Deadline of every call (and of a watch's creation). */
  readonly deadlineMs: number;
}

export interface CallOptions {
  /** Aborts the call early (e.g. a request's own deadline); the client's deadline applies regardless. */
  readonly signal?: AbortSignal | undefined;
}

export interface RangeOptions extends CallOptions {
  /** Treat the key as a prefix. */
  readonly prefix?: boolean;
  readonly limit?: number;
  /** Serve from the local member without a quorum round (may be stale; works on a minority member). */
  readonly serializable?: boolean;
  /** Read at this revision (0: latest). */
  readonly revision?: number;
  readonly countOnly?: boolean;
  readonly keysOnly?: boolean;
}

export interface RangeResult {
  /** The store revision the read was served at. */
  readonly revision: number;
  readonly kvs: readonly KeyValue[];
  readonly count: number;
  readonly more: boolean;
}

export interface GetResult {
  readonly revision: number;
  readonly kv: KeyValue | undefined;
}

/** A guarded write: on failure `current` is the key's value at that time (undefined when absent). */
export type GuardedWrite =
  | { readonly succeeded: true; readonly revision: number }
  | { readonly succeeded: false; readonly revision: number; readonly current: KeyValue | undefined };

export interface DeleteResult {
  readonly succeeded: boolean;
  readonly revision: number;
  readonly deleted: number;
  readonly prevKvs: readonly KeyValue[];
  /** On a failed guarded delete: the key's value at that time. */
  readonly current?: KeyValue | undefined;
}

export interface EtcdStatus {
  /** The answering member's id (decimal) and hex. */
  readonly memberId: string;
  readonly memberIdHex: string;
  /** Leader id (decimal), "0" when the member knows no leader. */
  readonly leader: string;
  readonly leaderHex: string;
  readonly raftTerm: number;
  readonly raftIndex: number;
  readonly revision: number;
  readonly dbSize: number;
  readonly version: string;
  readonly isLearner: boolean;
}

export interface MemberListResult {
  readonly memberId: string;
  readonly members: readonly EtcdMember[];
}

export class EtcdClient {
  readonly endpoint: EtcdEndpoint;
  readonly endpointLabel: string;
  readonly deadlineMs: number;
  private readonly http: GatewayHttp;

  constructor(options: EtcdClientOptions) {
    this.endpoint = options.endpoint;
    this.deadlineMs = options.deadlineMs;
    this.http = new GatewayHttp(options.endpoint);
    this.endpointLabel = this.http.label;
  }

  async range(key: string, options: RangeOptions = {}): Promise<RangeResult> {
    const body: Record<string, unknown> = { key: encodeKey(key) };
    if (options.prefix) body.range_end = prefixRangeEnd(key);
    if (options.limit) body.limit = String(options.limit);
    if (options.serializable) body.serializable = true;
    if (options.revision) body.revision = String(options.revision);
    if (options.countOnly) body.count_only = true;
    if (options.keysOnly) body.keys_only = true;
    const what = `range ${key}${options.prefix ? '*' : ''}${options.revision ? ` at revision ${options.revision}` : ''}`;
    const reply = await this.call(what, '/v3/kv/range', body, options, !options.serializable, options.revision);
    return {
      revision: decodeHeader(reply.header).revision,
      kvs: asArray(reply.kvs).map(decodeKv),
      count: asInt(reply.count),
      more: reply.more === true,
    };
  }

  async get(key: string, options: Omit<RangeOptions, 'prefix' | 'limit' | 'countOnly'> = {}): Promise<GetResult> {
    const result = await this.range(key, options);
    return { revision: result.revision, kv: result.kvs[0] };
  }

  async put(key: string, value: string, options: CallOptions = {}): Promise<{ revision: number }> {
    const body = { key: encodeKey(key), value: Buffer.from(value, 'utf8').toString('base64') };
    const reply = await this.call(`put ${key}`, '/v3/kv/put', body, options, true);
    return { revision: decodeHeader(reply.header).revision };
  }

  async txn(spec: TxnSpec, options: CallOptions & { readonly operation?: string } = {}): Promise<TxnResult> {
    const what = options.operation ?? `txn on ${spec.compare.map((c) => c.key).join(', ') || '(no compares)'}`;
    return decodeTxn(await this.call(what, '/v3/kv/txn', encodeTxn(spec), options, true));
  }

  /** Puts `value` only if `key` does not exist (create_revision == 0). */
  async createIfAbsent(key: string, value: string, options: CallOptions = {}): Promise<GuardedWrite> {
    const result = await this.txn(
      {
        compare: [{ key, target: 'create', result: 'equal', value: 0 }],
        success: [{ put: { key, value } }],
        failure: [{ range: { key } }],
      },
      { ...options, operation: `create ${key}` },
    );
    return result.succeeded
      ? { succeeded: true, revision: result.revision }
      : { succeeded: false, revision: result.revision, current: firstRange(result)[0] };
  }

  /** Puts `value` only if `key`'s mod_revision is still `modRevision`. */
  async compareAndSwap(key: string, modRevision: number, value: string, options: CallOptions = {}): Promise<GuardedWrite> {
    const result = await this.txn(
      {
        compare: [{ key, target: 'mod', result: 'equal', value: modRevision }],
        success: [{ put: { key, value } }],
        failure: [{ range: { key } }],
      },
      { ...options, operation: `update ${key} at mod revision ${modRevision}` },
    );
    return result.succeeded
      ? { succeeded: true, revision: result.revision }
      : { succeeded: false, revision: result.revision, current: firstRange(result)[0] };
  }

  /** Deletes `key` (or a prefix); with `modRevision`, only if the key is still at that revision. */
  async delete(
    key: string,
    options: CallOptions & { readonly modRevision?: number; readonly prefix?: boolean } = {},
  ): Promise<DeleteResult> {
    if (options.modRevision === undefined) {
      const body: Record<string, unknown> = { key: encodeKey(key), prev_kv: true };
      if (options.prefix) body.range_end = prefixRangeEnd(key);
      const reply = await this.call(`delete ${key}${options.prefix ? '*' : ''}`, '/v3/kv/deleterange', body, options, true);
      return {
        succeeded: true,
        revision: decodeHeader(reply.header).revision,
        deleted: asInt(reply.deleted),
        prevKvs: asArray(reply.prev_kvs).map(decodeKv),
      };
    }
    const result = await this.txn(
      {
        compare: [{ key, target: 'mod', result: 'equal', value: options.modRevision }],
        success: [{ delete: { key } }],
        failure: [{ range: { key } }],
      },
      { ...options, operation: `delete ${key} at mod revision ${options.modRevision}` },
    );
    const del = result.responses.find((r) => r.kind === 'delete');
    if (result.succeeded && del?.kind === 'delete') {
      return { succeeded: true, revision: result.revision, deleted: del.deleted, prevKvs: del.prevKvs };
    }
    return { succeeded: false, revision: result.revision, deleted: 0, prevKvs: [], current: firstRange(result)[0] };
  }

  async compact(revision: number, options: CallOptions & { readonly physical?: boolean } = {}): Promise<{ revision: number }> {
    const body = { revision: String(revision), physical: options.physical === true };
    const reply = await this.call(`compact to revision ${revision}`, '/v3/kv/compaction', body, options, true);
    return { revision: decodeHeader(reply.header).revision };
  }

  /**
   * Watches every key under `prefix` from `fromRevision` (0/undefined: from now), with previous values.
   * `done` rejects with EtcdCompactedError when `fromRevision` is compacted. The watch ends when `signal` aborts.
   */
  watch(prefix: string, fromRevision: number | undefined, onEvents: WatchListener, signal?: AbortSignal): EtcdWatch {
    return openWatch(this.http, { prefix, fromRevision, onEvents, signal, deadlineMs: this.deadlineMs, requireLeader: true });
  }

  async memberList(options: CallOptions = {}): Promise<MemberListResult> {
    const reply = await this.call('member list', '/v3/cluster/member/list', {}, options, false);
    return { memberId: decodeHeader(reply.header).memberId, members: asArray(reply.members).map(decodeMember) };
  }

  async memberAdd(
    peerUrls: readonly string[],
    isLearner = false,
    options: CallOptions = {},
  ): Promise<{ readonly member: EtcdMember; readonly members: readonly EtcdMember[] }> {
    const body = { peerURLs: peerUrls, isLearner };
    const reply = await this.call(`member add ${peerUrls.join(',')}`, '/v3/cluster/member/add', body, options, true);
    return { member: decodeMember(reply.member), members: asArray(reply.members).map(decodeMember) };
  }

  /**
   * Promotes a learner to a voting member, by id (decimal or hex). etcd refuses while the learner is not in sync
   * with the leader ("can only promote a learner member which is in sync with leader").
   */
  async memberPromote(id: string, options: CallOptions = {}): Promise<{ readonly members: readonly EtcdMember[] }> {
    const decimal = idToDecimal(id);
    const reply = await this.call(`member promote ${idToHex(decimal)}`, '/v3/cluster/member/promote', { ID: decimal }, options, true);
    return { members: asArray(reply.members).map(decodeMember) };
  }

  /** Removes a member by id, decimal or hex (etcdctl style). */
  async memberRemove(id: string, options: CallOptions = {}): Promise<{ readonly members: readonly EtcdMember[] }> {
    const decimal = idToDecimal(id);
    const reply = await this.call(`member remove ${idToHex(decimal)}`, '/v3/cluster/member/remove', { ID: decimal }, options, true);
    return { members: asArray(reply.members).map(decodeMember) };
  }

  /** The answering member's view: its id, the leader it knows, raft term/index, store revision. Needs no quorum. */
  async status(options: CallOptions = {}): Promise<EtcdStatus> {
    const reply = await this.call('status', '/v3/maintenance/status', {}, options, false);
    const header = decodeHeader(reply.header);
    const leader = asUint64(reply.leader);
    return {
      memberId: header.memberId,
      memberIdHex: idToHex(header.memberId),
      leader,
      leaderHex: idToHex(leader),
      raftTerm: asInt(reply.raftTerm),
      raftIndex: asInt(reply.raftIndex),
      revision: header.revision,
      dbSize: asInt(reply.dbSize),
      version: asString(reply.version),
      isLearner: asObject(reply).isLearner === true,
    };
  }

  /** Drops idle keep-alive sockets. Calls still work afterwards (new sockets are opened). */
  close(): void {
    this.http.close();
  }

  private async call(
    operation: string,
    path: string,
    body: unknown,
    options: CallOptions,
    requireLeader: boolean,
    requestedRevision?: number,
  ): Promise<Record<string, unknown>> {
    const deadline = deadlineSignal(this.deadlineMs, options.signal, `etcd ${operation}`);
    const ctx: CallContext = {
      endpoint: this.endpointLabel,
      operation,
      deadlineMs: this.deadlineMs,
      expired: deadline.expired,
      ...(requestedRevision ? { requestedRevision } : {}),
    };
    let reply;
    try {
      reply = await this.http.post(path, body, deadline.signal, requireLeader);
    } catch (error) {
      throw transportFailure(ctx, error);
    } finally {
      deadline.dispose();
    }
    return parseReply(ctx, reply);
  }
}
