// EtcdClient: the etcd v3 API as gRPC over HTTP/2 (TCP or a unix socket), one connection per client, messages
// encoded by hand from etcd's protos. Every call has a deadline; no reply in time, a refused connection or
// "no leader" is EtcdUnavailableError.
import { idToDecimal, idToHex, type EtcdMember, type KeyValue } from './codec.ts';
import { decodeMembers, decodeStatus, encodeMemberAdd, encodeMemberId, type EtcdStatus } from './cluster-messages.ts';
import { deadlineSignal } from './deadline-signal.ts';
import { callFailure, type CallContext } from './failures.ts';
import { GrpcTransport, type EtcdEndpoint } from './grpc-transport.ts';
import {
  decodeDeleteRange,
  decodeHeaderOnly,
  decodeRange,
  encodeCompaction,
  encodeDeleteRange,
  encodePut,
  encodeRange,
  type RangeResult,
} from './kv-messages.ts';
import { ProtoReader } from './protobuf.ts';
import { decodeTxn, encodeTxn, firstRange, type TxnResult, type TxnSpec } from './txn.ts';
import { openWatch, type EtcdWatch, type WatchListener } from './watch-stream.ts';

export type { EtcdEndpoint } from './grpc-transport.ts';
export type { EtcdStatus } from './cluster-messages.ts';
export type { RangeResult } from './kv-messages.ts';

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

export interface MemberListResult {
  readonly memberId: string;
  readonly members: readonly EtcdMember[];
}

export class EtcdClient {
  readonly endpoint: EtcdEndpoint;
  readonly endpointLabel: string;
  readonly deadlineMs: number;
  private readonly transport: GrpcTransport;

  constructor(options: EtcdClientOptions) {
    this.endpoint = options.endpoint;
    this.deadlineMs = options.deadlineMs;
    this.transport = new GrpcTransport(options.endpoint);
    this.endpointLabel = this.transport.label;
  }

  async range(key: string, options: RangeOptions = {}): Promise<RangeResult> {
    const what = `range ${key}${options.prefix ? '*' : ''}${options.revision ? ` at revision ${options.revision}` : ''}`;
    const reply = await this.call(what, 'KV/Range', encodeRange({ key, ...options }), options, !options.serializable, options.revision);
    return decodeRange(reply);
  }

  async get(key: string, options: Omit<RangeOptions, 'prefix' | 'limit' | 'countOnly'> = {}): Promise<GetResult> {
    const result = await this.range(key, options);
    return { revision: result.revision, kv: result.kvs[0] };
  }

  async put(key: string, value: string, options: CallOptions = {}): Promise<{ revision: number }> {
    const reply = await this.call(`put ${key}`, 'KV/Put', encodePut(key, value), options, true);
    return { revision: decodeHeaderOnly(reply).revision };
  }

  async txn(spec: TxnSpec, options: CallOptions & { readonly operation?: string } = {}): Promise<TxnResult> {
    const what = options.operation ?? `txn on ${spec.compare.map((c) => c.key).join(', ') || '(no compares)'}`;
    return decodeTxn(await this.call(what, 'KV/Txn', encodeTxn(spec), options, true));
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
      const what = `delete ${key}${options.prefix ? '*' : ''}`;
      const reply = await this.call(what, 'KV/DeleteRange', encodeDeleteRange(key, options.prefix), options, true);
      return { succeeded: true, ...decodeDeleteRange(reply) };
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
    const request = encodeCompaction(revision, options.physical === true);
    const reply = await this.call(`compact to revision ${revision}`, 'KV/Compact', request, options, true);
    return { revision: decodeHeaderOnly(reply).revision };
  }

  /**
   * Watches every key under `prefix` from `fromRevision` (0/undefined: from now), with previous values.
   * `done` rejects with EtcdCompactedError when `fromRevision` is compacted. The watch ends when `signal` aborts.
   */
  watch(prefix: string, fromRevision: number | undefined, onEvents: WatchListener, signal?: AbortSignal): EtcdWatch {
    return openWatch(this.transport, { prefix, fromRevision, onEvents, signal, deadlineMs: this.deadlineMs, requireLeader: true });
  }

  async memberList(options: CallOptions = {}): Promise<MemberListResult> {
    const reply = decodeMembers(await this.call('member list', 'Cluster/MemberList', Buffer.alloc(0), options, false), 2);
    return { memberId: reply.header.memberId, members: reply.members };
  }

  async memberAdd(
    peerUrls: readonly string[],
    isLearner = false,
    options: CallOptions = {},
  ): Promise<{ readonly member: EtcdMember; readonly members: readonly EtcdMember[] }> {
    const what = `member add ${peerUrls.join(',')}`;
    const reply = decodeMembers(await this.call(what, 'Cluster/MemberAdd', encodeMemberAdd(peerUrls, isLearner), options, true), 3);
    if (!reply.member) throw callFailure(this.context(what), new RangeError('MemberAddResponse without the added member'));
    return { member: reply.member, members: reply.members };
  }

  /**
   * Promotes a learner to a voting member, by id (decimal or hex). etcd refuses while the learner is not in sync
   * with the leader ("can only promote a learner member which is in sync with leader").
   */
  async memberPromote(id: string, options: CallOptions = {}): Promise<{ readonly members: readonly EtcdMember[] }> {
    const decimal = idToDecimal(id);
    const reply = await this.call(`member promote ${idToHex(decimal)}`, 'Cluster/MemberPromote', encodeMemberId(decimal), options, true);
    return { members: decodeMembers(reply, 2).members };
  }

  /** Removes a member by id, decimal or hex (etcdctl style). */
  async memberRemove(id: string, options: CallOptions = {}): Promise<{ readonly members: readonly EtcdMember[] }> {
    const decimal = idToDecimal(id);
    const reply = await this.call(`member remove ${idToHex(decimal)}`, 'Cluster/MemberRemove', encodeMemberId(decimal), options, true);
    return { members: decodeMembers(reply, 2).members };
  }

  /** The answering member's view: its id, the leader it knows, raft term/index, store revision. Needs no quorum. */
  async status(options: CallOptions = {}): Promise<EtcdStatus> {
    return decodeStatus(await this.call('status', 'Maintenance/Status', Buffer.alloc(0), options, false));
  }

  /** Closes the connection once calls in flight are done. Calls still work afterwards (a new one is opened). */
  close(): void {
    this.transport.close();
  }

  private context(operation: string, expired: () => boolean = () => false, requestedRevision?: number): CallContext {
    return {
      endpoint: this.endpointLabel,
      operation,
      deadlineMs: this.deadlineMs,
      expired,
      ...(requestedRevision ? { requestedRevision } : {}),
    };
  }

  /** One unary call to etcdserverpb.<method>; resolves with a reader over the reply message. */
  private async call(
    operation: string,
    method: string,
    request: Buffer,
    options: CallOptions,
    requireLeader: boolean,
    requestedRevision?: number,
  ): Promise<ProtoReader> {
    const deadline = deadlineSignal(this.deadlineMs, options.signal, `etcd ${operation}`);
    const ctx = this.context(operation, deadline.expired, requestedRevision);
    try {
      const reply = await this.transport.unary(`/etcdserverpb.${method}`, request, deadline.signal, requireLeader, this.deadlineMs);
      return new ProtoReader(reply);
    } catch (error) {
      if (deadline.expired()) this.transport.checkConnection(this.deadlineMs);
      throw callFailure(ctx, error);
    } finally {
      deadline.dispose();
    }
  }
}
