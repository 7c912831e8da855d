// One etcd watch: its own stream of etcd's bidirectional Watch RPC, one WatchCreateRequest sent, WatchResponses read
// (etcd api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto for Event). Creation has a deadline; after that the watch
// lives until cancelled, compacted, or etcd drops it.
import http2 from 'node:http2';
import { decodeHeader, decodeKv, EMPTY_HEADER, prefixRangeEnd, type KeyValue } from './codec.ts';
import { EtcdCompactedError, EtcdProtocolError, EtcdUnavailableError } from './errors.ts';
import { callFailure, type CallContext } from './failures.ts';
import { frameMessage, GrpcStatusError, MessageDeframer, statusOf, type GrpcTransport } from './grpc-transport.ts';
import { ProtoReader, ProtoWriter } from './protobuf.ts';

export interface WatchEvent {
  readonly type: 'PUT' | 'DELETE';
  /** For a DELETE: the key and the deletion's mod revision only. */
  readonly kv: KeyValue;
  /** The key's previous value (always requested). */
  readonly prevKv?: KeyValue;
}

/** Called with each batch of events and the batch header's revision. A throw ends the watch with that error. */
export type WatchListener = (events: readonly WatchEvent[], headerRevision: number) => void;

export interface EtcdWatch {
  /** Resolves with the header revision once etcd confirms the watch; rejects like `done` if it never does. */
  readonly created: Promise<number>;
  /**
   * Resolves when the watch is cancelled (signal or cancel()); rejects with EtcdCompactedError when the start
   * revision is compacted, EtcdUnavailableError when etcd is unreachable or drops the stream.
   * Rejections are pre-handled: an unobserved failure does not crash the process.
   */
  readonly done: Promise<void>;
  cancel(): void;
}

export interface WatchSpec {
  readonly prefix: string;
  /** First revision to deliver; 0 or undefined for "from now". */
  readonly fromRevision?: number | undefined;
  readonly onEvents: WatchListener;
  readonly signal?: AbortSignal | undefined;
  readonly deadlineMs: number;
  readonly requireLeader: boolean;
}

/** WatchRequest { create_request 1: WatchCreateRequest { key 1, range_end 2, start_revision 3, prev_kv 6 } }. */
export function encodeWatchCreate(prefix: string, fromRevision: number): Buffer {
  const create = new ProtoWriter().bytes(1, prefix).bytes(2, prefixRangeEnd(prefix)).int(3, fromRevision).bool(6, true).finish();
  return new ProtoWriter().message(1, create).finish();
}

export interface WatchResponse {
  readonly headerRevision: number;
  readonly created: boolean;
  readonly canceled: boolean;
  readonly compactRevision: number;
  readonly cancelReason: string;
  readonly events: readonly WatchEvent[];
}

/** Event: type 1 (PUT 0, DELETE 1), kv 2, prev_kv 3. */
function decodeEvent(r: ProtoReader): WatchEvent {
  let type: WatchEvent['type'] = 'PUT';
  let kv: KeyValue | undefined;
  let prevKv: KeyValue | undefined;
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 0) type = r.varint() === 1 ? 'DELETE' : 'PUT';
    else if (field === 2 && wire === 2) kv = decodeKv(r.message());
    else if (field === 3 && wire === 2) prevKv = decodeKv(r.message());
    else r.skip(wire);
  }
  if (!kv) throw new RangeError('watch event without a kv');
  return { type, kv, ...(prevKv ? { prevKv } : {}) };
}

/** WatchResponse: header 1, created 3, canceled 4, compact_revision 5, cancel_reason 6, events 11. */
export function decodeWatchResponse(r: ProtoReader): WatchResponse {
  let header = EMPTY_HEADER;
  let created = false;
  let canceled = false;
  let compactRevision = 0;
  let cancelReason = '';
  const events: WatchEvent[] = [];
  while (r.more()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) header = decodeHeader(r.message());
    else if (field === 3 && wire === 0) created = r.bool();
    else if (field === 4 && wire === 0) canceled = r.bool();
    else if (field === 5 && wire === 0) compactRevision = r.varint();
    else if (field === 6 && wire === 2) cancelReason = r.string();
    else if (field === 11 && wire === 2) events.push(decodeEvent(r.message()));
    else r.skip(wire);
  }
  return { headerRevision: header.revision, created, canceled, compactRevision, cancelReason, events };
}

export function openWatch(transport: GrpcTransport, spec: WatchSpec): EtcdWatch {
  const from = spec.fromRevision ?? 0;
  const operation = `watch ${spec.prefix}${from > 0 ? ` from revision ${from}` : ''}`;
  const ctx: CallContext = {
    endpoint: transport.label,
    operation,
    deadlineMs: spec.deadlineMs,
    expired: () => false, // creation's deadline is createTimer below
    requestedRevision: from,
  };
  let resolveCreated!: (revision: number) => void;
  let rejectCreated!: (error: unknown) => void;
  const created = new Promise<number>((resolve, reject) => {
    resolveCreated = resolve;
    rejectCreated = reject;
  });
  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  created.catch(() => undefined);
  done.catch(() => undefined);

  let finished = false;
  let isCreated = false;
  let stream: http2.ClientHttp2Stream | undefined;
  const createTimer = setTimeout(() => {
    finish(new EtcdUnavailableError(transport.label, operation, `watch not created within ${spec.deadlineMs} ms`));
  }, spec.deadlineMs);

  function finish(error?: unknown): void {
    if (finished) return;
    finished = true;
    clearTimeout(createTimer);
    spec.signal?.removeEventListener('abort', onAbort);
    if (stream && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    if (error === undefined) {
      if (!isCreated) rejectCreated(new EtcdUnavailableError(transport.label, operation, 'cancelled before it was created'));
      resolveDone();
    } else {
      if (!isCreated) rejectCreated(error);
      rejectDone(error);
    }
  }
  const onAbort = (): void => finish();
  if (spec.signal?.aborted) {
    finish();
    return { created, done, cancel: () => undefined };
  }
  spec.signal?.addEventListener('abort', onAbort, { once: true });

  function onResponse(response: WatchResponse): void {
    if (response.created && !isCreated) {
      isCreated = true;
      clearTimeout(createTimer);
      resolveCreated(response.headerRevision);
    }
    if (response.canceled) {
      if (response.compactRevision > 0) finish(new EtcdCompactedError(transport.label, operation, from, response.compactRevision));
      else finish(new EtcdUnavailableError(transport.label, operation, `cancelled by etcd: ${response.cancelReason || 'no reason given'}`));
      return;
    }
    if (response.events.length > 0) spec.onEvents(response.events, response.headerRevision);
  }

  try {
    stream = transport.openStream('/etcdserverpb.Watch/Watch', spec.requireLeader);
  } catch (error) {
    finish(callFailure(ctx, error));
    return { created, done, cancel: () => undefined };
  }
  const deframer = new MessageDeframer();
  let headers: http2.IncomingHttpHeaders | undefined;
  let trailers: http2.IncomingHttpHeaders | undefined;
  stream.on('response', (h) => (headers = h));
  stream.on('trailers', (t) => (trailers = t));
  stream.on('data', (chunk: Buffer) => {
    try {
      for (const message of deframer.push(chunk)) {
        if (finished) return;
        onResponse(decodeWatchResponse(new ProtoReader(message)));
      }
    } catch (error) {
      finish(error instanceof RangeError ? new EtcdProtocolError(transport.label, operation, error.message, { cause: error }) : error);
    }
  });
  stream.on('error', (error) => finish(callFailure(ctx, error)));
  stream.on('close', () => {
    const status = statusOf(headers, trailers);
    if (status instanceof GrpcStatusError) finish(callFailure(ctx, status));
    else finish(new EtcdUnavailableError(transport.label, operation, 'watch stream closed by etcd'));
  });
  // The request side stays open: closing it would be a half-close etcd's watch server reads as "no more requests".
  stream.write(frameMessage(encodeWatchCreate(spec.prefix, from)));
  return { created, done, cancel: () => finish() };
}
