// Watch: through the watch cache's shared etcd watch of the resource (watch-cache.ts), or, when it cannot serve the
// start, one etcd watch of its own; either way etcd events turned into Kubernetes watch events (one JSON object per line).
// resourceVersion "" / "0" first sends the current objects as ADDED; a compacted resourceVersion is 410 Expired
// before streaming, and an ERROR event (Status 410) if etcd compacts past the watch later.
// Every watchHeartbeatMs an idle stream gets a BOOKMARK (if allowed) or a newline, so clients see it alive.
import { queryBool } from './query-bool.ts';
import type { KeyValue } from '../etcd/codec.ts';
import { EtcdCompactedError, EtcdRequestError, EtcdUnavailableError } from '../etcd/errors.ts';
import type { WatchEvent } from '../etcd/watch-stream.ts';
import { toApiError } from './error-map.ts';
import type { KubeObject } from './object-meta.ts';
import { abortion, type RequestContext } from './request-context.ts';
import { apiVersionOf, storageKey, type ResourceInfo } from './resources.ts';
import { requestFilter } from './selectors.ts';
import { parseResourceVersion, type ObjectStore } from './storage.ts';
import { badRequest, unavailable } from './status.ts';
import { toTable, wantsTable } from './table.ts';

/** A client slower than this much buffered output is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export async function serveWatch(
  ctx: RequestContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string | undefined,
): Promise<void> {
  const params = ctx.url.searchParams;
  const rvParam = params.get('resourceVersion') ?? '';
  const allowBookmarks = queryBool(params, 'allowWatchBookmarks');
  const sendInitialEvents = params.get('sendInitialEvents') === 'true';
  const timeoutSeconds = params.has('timeoutSeconds') ? Number(params.get('timeoutSeconds')) : undefined;
  if (timeoutSeconds !== undefined && !(timeoutSeconds >= 0))
    throw badRequest(`invalid timeoutSeconds "${params.get('timeoutSeconds') ?? ''}"`);
  const filter = requestFilter(info, params, name);
  const prefix = filter.name !== undefined ? storageKey(info, namespace, filter.name) : storageKey(info, namespace);
  const { store } = ctx;

  // Where to start: after the watch cache's objects ("0", when it is live), after a fresh list (initial events), or
  // after the given revision (checked for compaction unless the cache's window has it).
  const resourcePrefix = storageKey(info, undefined);
  let initial: KubeObject[] = [];
  let startRevision: number;
  const cached = rvParam === '0' ? ctx.cache.read(resourcePrefix, prefix) : undefined;
  if (cached) {
    initial = cached.kvs.flatMap((kv) => {
      const obj = decodeOr(store, kv);
      return obj !== undefined && filter.matches(obj) ? [obj] : [];
    });
    startRevision = cached.revision;
  } else if (rvParam === '' || rvParam === '0' || sendInitialEvents) {
    const listed = await store.list(info, namespace, { resourceVersion: rvParam === '0' ? '0' : '', filter: filter.matches }, ctx.signal);
    initial = listed.items;
    startRevision = Number(listed.resourceVersion);
  } else {
    startRevision = parseResourceVersion(rvParam) ?? 0;
    if (!ctx.cache.covers(resourcePrefix, startRevision)) await checkNotCompacted(store, prefix, startRevision, ctx.signal);
  }

  const stop = new AbortController();
  let lastRevision = startRevision;
  let streaming = false;
  const queued: WatchEvent[][] = [];
  const { res } = ctx;

  const asTable = wantsTable(ctx.req.headers.accept);
  const includeObject = params.get('includeObject');
  const write = (type: EventType, object: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    const printed = asTable && type !== 'BOOKMARK' && type !== 'ERROR' ? toTable(info, [object as KubeObject], '', includeObject) : object;
    res.write(`${JSON.stringify({ type, object: printed })}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
  };
  const deliver = (events: readonly WatchEvent[]): void => {
    for (const event of events) {
      lastRevision = Math.max(lastRevision, event.kv.modRevision);
      const current = event.type === 'PUT' ? decodeOr(store, event.kv) : undefined;
      const previous = event.prevKv ? decodeOr(store, event.prevKv, event.kv.modRevision) : undefined;
      const currentMatches = current !== undefined && filter.matches(current);
      const previousMatches = previous !== undefined && filter.matches(previous);
      if (currentMatches) write(previousMatches ? 'MODIFIED' : 'ADDED', current);
      else if (previousMatches) write('DELETED', previous);
      else if (event.type === 'DELETE' && !event.prevKv) {
        // etcd may omit the previous value once it is compacted: still tell the client the object is gone.
        const stub = stubFromKey(info, event.kv.key, event.kv.modRevision);
        if (filter.name === undefined || stub.metadata.name === filter.name) write('DELETED', stub);
      }
    }
  };

  const onEvents = (events: readonly WatchEvent[]): void => {
    if (streaming) deliver(events);
    else queued.push([...events]);
  };
  const watch =
    ctx.cache.watch(resourcePrefix, prefix, startRevision + 1, onEvents, stop.signal) ??
    store.etcd.watch(prefix, startRevision + 1, onEvents, stop.signal);
  const onClientGone = (): void => stop.abort();
  res.once('close', onClientGone);
  ctx.closing.addEventListener('abort', onClientGone, { once: true });
  if (ctx.req.socket.destroyed || ctx.closing.aborted) stop.abort(); // gone before we listened
  try {
    await Promise.race([watch.created, abortion(ctx.signal)]);
  } catch (error) {
    stop.abort();
    cleanup();
    if (error instanceof EtcdCompactedError || error instanceof EtcdUnavailableError) throw error;
    throw unavailable(`etcd watch on ${prefix} not established within the request deadline (${ctx.deadlineMs} ms)`, error);
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  for (const obj of initial) write('ADDED', obj);
  if (sendInitialEvents) {
    write('BOOKMARK', bookmark(info, startRevision, { 'k8s.io/initial-events-end': 'true' }));
  }
  streaming = true;
  for (const events of queued.splice(0)) deliver(events);

  const heartbeat = setInterval(() => {
    if (allowBookmarks) write('BOOKMARK', bookmark(info, lastRevision));
    else if (!res.writableEnded && !res.destroyed) res.write('\n');
  }, ctx.watchHeartbeatMs);
  const timeout = timeoutSeconds !== undefined ? setTimeout(() => stop.abort(), timeoutSeconds * 1000) : undefined;
  try {
    await watch.done;
  } catch (error) {
    const apiError = toApiError(error);
    write('ERROR', apiError.toStatus());
  } finally {
    clearInterval(heartbeat);
    if (timeout) clearTimeout(timeout);
    cleanup();
    if (!res.writableEnded) res.end();
  }

  function cleanup(): void {
    res.off('close', onClientGone);
    ctx.closing.removeEventListener('abort', onClientGone);
  }
}

/** Throws EtcdCompactedError (410) when etcd compacted `revision`; a future one is for the watch to wait for. */
async function checkNotCompacted(store: ObjectStore, prefix: string, revision: number, signal: AbortSignal): Promise<void> {
  try {
    await store.etcd.range(prefix, { prefix: true, revision, countOnly: true, signal });
  } catch (error) {
    const future = error instanceof EtcdRequestError && error.etcdMessage.includes('future revision');
    if (!future) throw error;
  }
}

function decodeOr(store: ObjectStore, kv: KeyValue, revision?: number): KubeObject | undefined {
  try {
    return store.decode(kv, revision);
  } catch {
    return undefined; // an undecodable value is not something a client could use
  }
}

/** The little a deleted key tells about its object: kind, name, namespace, the deletion's revision. */
function stubFromKey(
  info: ResourceInfo,
  key: string,
  revision: number,
): { kind: string; apiVersion: string; metadata: Record<string, string> } {
  const rest = key.slice(storageKey(info, undefined).length).split('/');
  const [first = '', second] = rest;
  const metadata: Record<string, string> = info.namespaced && second !== undefined ? { namespace: first, name: second } : { name: first };
  metadata.resourceVersion = String(revision);
  return { kind: info.kind, apiVersion: apiVersionOf(info), metadata };
}

function bookmark(info: ResourceInfo, revision: number, annotations?: Record<string, string>): Record<string, unknown> {
  return {
    kind: info.kind,
    apiVersion: apiVersionOf(info),
    metadata: { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) },
  };
}
