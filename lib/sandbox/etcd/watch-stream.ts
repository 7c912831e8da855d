// One etcd watch over the gateway's streaming /v3/watch: newline-separated JSON results.
// Creation has a deadline; after that the watch lives until cancelled, compacted, or etcd drops it.
import { asBool, asInt, asObject, asString, decodeHeader, decodeKv, encodeKey, prefixRangeEnd, type KeyValue } from './codec.ts';
import { EtcdCompactedError, EtcdProtocolError, EtcdUnavailableError } from './errors.ts';
import { gatewayError, transportFailure, type CallContext } from './failures.ts';
import type { GatewayHttp } from './gateway-http.ts';

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

function decodeEvent(raw: unknown): WatchEvent {
  const e = asObject(raw);
  const prev = e.prev_kv;
  return {
    type: asString(e.type) === 'DELETE' ? 'DELETE' : 'PUT',
    kv: decodeKv(e.kv),
    ...(prev !== undefined ? { prevKv: decodeKv(prev) } : {}),
  };
}

export function openWatch(http: GatewayHttp, spec: WatchSpec): EtcdWatch {
  const from = spec.fromRevision ?? 0;
  const operation = `watch ${spec.prefix}${from > 0 ? ` from revision ${from}` : ''}`;
  const controller = new AbortController();
  const ctx: CallContext = {
    endpoint: http.label,
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
  let destroy: (() => void) | undefined;
  const createTimer = setTimeout(() => {
    finish(new EtcdUnavailableError(http.label, operation, `watch not created within ${spec.deadlineMs} ms`));
  }, spec.deadlineMs);

  function finish(error?: unknown): void {
    if (finished) return;
    finished = true;
    clearTimeout(createTimer);
    spec.signal?.removeEventListener('abort', onAbort);
    controller.abort();
    destroy?.();
    if (error === undefined) {
      if (!isCreated) rejectCreated(new EtcdUnavailableError(http.label, operation, 'cancelled before it was created'));
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

  function onResult(raw: unknown): void {
    const line = asObject(raw);
    if (line.error !== undefined) {
      const e = asObject(line.error);
      finish(gatewayError(ctx, asInt(e.http_code), e));
      return;
    }
    const result = asObject(line.result);
    const header = decodeHeader(result.header);
    if (asBool(result.created) && !isCreated) {
      isCreated = true;
      clearTimeout(createTimer);
      resolveCreated(header.revision);
    }
    if (asBool(result.canceled)) {
      const compactRevision = asInt(result.compact_revision);
      if (compactRevision > 0) finish(new EtcdCompactedError(http.label, operation, from, compactRevision));
      else
        finish(
          new EtcdUnavailableError(http.label, operation, `cancelled by etcd: ${asString(result.cancel_reason) || 'no reason given'}`),
        );
      return;
    }
    const events = Array.isArray(result.events) ? result.events.map(decodeEvent) : [];
    if (events.length > 0) spec.onEvents(events, header.revision);
  }

  const body = {
    create_request: {
      key: encodeKey(spec.prefix),
      range_end: prefixRangeEnd(spec.prefix),
      ...(from > 0 ? { start_revision: String(from) } : {}),
      prev_kv: true,
    },
  };
  http.stream('/v3/watch', body, controller.signal, spec.requireLeader).then(
    ({ req, res }) => {
      destroy = () => req.destroy();
      if (finished) {
        req.destroy();
        return;
      }
      req.on('error', (error) => finish(controller.signal.aborted ? undefined : transportFailure(ctx, error)));
      res.on('error', (error) => finish(controller.signal.aborted ? undefined : transportFailure(ctx, error)));
      res.on('close', () => finish(new EtcdUnavailableError(http.label, operation, 'watch stream closed by etcd')));
      res.setEncoding('utf8');
      let buffered = '';
      if (res.statusCode !== 200) {
        res.on('data', (chunk: string) => (buffered += chunk));
        res.on('end', () => {
          let parsed: unknown = { message: buffered.slice(0, 200) };
          try {
            parsed = JSON.parse(buffered);
          } catch {
            // keep the raw text
          }
          finish(gatewayError(ctx, res.statusCode ?? 0, parsed));
        });
        return;
      }
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0 && !finished) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line.length > 0) {
            try {
              onResult(JSON.parse(line));
            } catch (error) {
              finish(
                error instanceof SyntaxError ? new EtcdProtocolError(http.label, operation, 'bad JSON in stream', { cause: error }) : error,
              );
            }
          }
          newline = buffered.indexOf('\n');
        }
      });
    },
    (error: unknown) => finish(controller.signal.aborted ? undefined : transportFailure(ctx, error)),
  );
  return { created, done, cancel: () => finish() };
}
