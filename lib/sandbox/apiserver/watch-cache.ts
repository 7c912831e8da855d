// The API server's watch cache, as kube-apiserver's Cacher (k8s.io/apiserver pkg/storage/cacher: cacher.go,
// watch_cache.go): per resource, one etcd watch shared by every client watch of that resource, the resource's objects
// kept in memory, and a window of recent events so that a watch from a recent resourceVersion starts without asking
// etcd. Reads that accept any state (resourceVersion "0": a kubelet's node status GET, FromApiserverCache; an
// informer's first list) are served from memory, as the Cacher serves them; a read of the latest ("") still goes to
// etcd (linearizable), as without ConsistentListFromCache.
//
// A resource's cache starts on its first watch or "0" read: a list, then a watch from the list's revision (the
// Cacher's reflector). Until it is live, and after its etcd watch ends (the member lost its leader: the watch
// requires one; etcd went away; the server closes), requests take the direct path to etcd, and the client watches it
// served end with the etcd watch's error, as each would have with its own etcd watch. It starts again on a use at
// least retryMs after it ended. A watch from a revision older than the window takes the direct path too (where etcd
// says whether it was compacted).
import type { KeyValue } from '../etcd/codec.ts';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import type { EtcdWatch, WatchEvent, WatchListener } from '../etcd/watch-stream.ts';

/**
 * Events kept per resource for watches from a recent revision. kube-apiserver's default watch cache size is 100 per
 * resource (--default-watch-cache-size), grown up to 100 x 1024 to cover its 75 s window (watch_cache.go
 * defaultLowerBoundCapacity, defaultUpperBoundCapacity, eventFreshDuration): the sandbox's timers are compressed, so a
 * fixed 1024 covers more than its window of activity.
 */
export const DEFAULT_WATCH_CACHE_CAPACITY = 1024;

export interface WatchCacheOptions {
  /** Events kept per resource; 0 turns the cache off. */
  readonly capacity?: number;
  /** A resource whose etcd watch ended starts again on a use at least this long after (default 1000). */
  readonly retryMs?: number;
  readonly nowMs?: () => number;
}

/** A resource's objects under a key prefix, as of `revision`, sorted by key as etcd's range returns them. */
export interface CachedObjects {
  readonly kvs: readonly KeyValue[];
  readonly revision: number;
}

interface Subscriber {
  readonly keyPrefix: string;
  readonly from: number;
  readonly onEvents: WatchListener;
  end(error?: unknown): void;
}

class ResourceCache {
  state: 'idle' | 'starting' | 'live' | 'down' = 'idle';
  private readonly objects = new Map<string, KeyValue>();
  /** The objects are as of this revision: every event up to it was applied. */
  revision = 0;
  /** Every event after this revision is in `events`. */
  private coveredFrom = 0;
  private events: WatchEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private endedAtMs = Number.NEGATIVE_INFINITY;
  private stopWatch: AbortController | undefined;

  constructor(
    private readonly etcd: EtcdClient,
    private readonly prefix: string,
    private readonly capacity: number,
    private readonly retryMs: number,
    private readonly nowMs: () => number,
    private readonly closing: AbortSignal,
  ) {}

  /** Starts the cache if it is idle, or down for at least retryMs. */
  use(): void {
    if (this.closing.aborted) return;
    if (this.state === 'idle' || (this.state === 'down' && this.nowMs() - this.endedAtMs >= this.retryMs)) void this.start();
  }

  private async start(): Promise<void> {
    this.state = 'starting';
    const stop = new AbortController();
    this.stopWatch = stop;
    const onClose = (): void => stop.abort();
    this.closing.addEventListener('abort', onClose, { once: true });
    try {
      const listed = await this.etcd.range(this.prefix, { prefix: true, signal: stop.signal });
      this.objects.clear();
      for (const kv of listed.kvs) this.objects.set(kv.key, kv);
      this.revision = listed.revision;
      this.coveredFrom = listed.revision;
      this.events = [];
      const watch = this.etcd.watch(this.prefix, listed.revision + 1, (events, header) => this.apply(events, header), stop.signal);
      await watch.created;
      this.state = 'live';
      await watch.done;
      this.down(undefined);
    } catch (error) {
      this.down(error);
    } finally {
      this.closing.removeEventListener('abort', onClose);
    }
  }

  private down(error: unknown): void {
    this.state = 'down';
    this.endedAtMs = this.nowMs();
    this.stopWatch?.abort();
    this.objects.clear();
    this.events = [];
    for (const subscriber of [...this.subscribers]) subscriber.end(error);
  }

  private apply(events: readonly WatchEvent[], headerRevision: number): void {
    for (const event of events) {
      if (event.type === 'PUT') this.objects.set(event.kv.key, event.kv);
      else this.objects.delete(event.kv.key);
      this.events.push(event);
      this.revision = Math.max(this.revision, event.kv.modRevision);
    }
    this.revision = Math.max(this.revision, headerRevision);
    if (this.events.length > this.capacity) {
      const dropped = this.events.splice(0, this.events.length - this.capacity);
      this.coveredFrom = Math.max(this.coveredFrom, dropped.at(-1)?.kv.modRevision ?? 0);
    }
    for (const subscriber of [...this.subscribers]) deliver(subscriber, events, headerRevision);
  }

  /** Whether a watch from after `revision` can be served from the window. */
  covers(revision: number): boolean {
    return this.state === 'live' && revision >= this.coveredFrom;
  }

  read(keyPrefix: string): CachedObjects | undefined {
    if (this.state !== 'live') return undefined;
    const kvs = [...this.objects.values()].filter((kv) => kv.key.startsWith(keyPrefix));
    kvs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { kvs, revision: this.revision };
  }

  /** A watch of the keys under keyPrefix from revision `from` on, or undefined when the cache cannot serve it. */
  watch(keyPrefix: string, from: number, onEvents: WatchListener, signal: AbortSignal): EtcdWatch | undefined {
    if (!this.covers(from - 1) || signal.aborted) return undefined;
    let resolveDone!: () => void;
    let rejectDone!: (error: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    done.catch(() => undefined);
    const subscriber: Subscriber = {
      keyPrefix,
      from,
      onEvents,
      end: (error) => {
        if (!this.subscribers.delete(subscriber)) return;
        signal.removeEventListener('abort', cancel);
        if (error === undefined) resolveDone();
        else rejectDone(error);
      },
    };
    const cancel = (): void => subscriber.end();
    signal.addEventListener('abort', cancel, { once: true });
    this.subscribers.add(subscriber);
    // The window's events from `from` on, before any live one (no I/O callback runs before a microtask).
    const past = this.events.filter((e) => e.kv.modRevision >= from);
    const revision = this.revision;
    if (past.length > 0) queueMicrotask(() => deliver(subscriber, past, revision));
    return { created: Promise.resolve(revision), done, cancel };
  }
}

function deliver(subscriber: Subscriber, events: readonly WatchEvent[], headerRevision: number): void {
  const wanted = events.filter((e) => e.kv.modRevision >= subscriber.from && e.kv.key.startsWith(subscriber.keyPrefix));
  if (wanted.length === 0) return;
  try {
    subscriber.onEvents(wanted, headerRevision);
  } catch (error) {
    subscriber.end(error); // as an etcd watch: a listener's throw ends the watch with that error
  }
}

export class WatchCache {
  private readonly resources = new Map<string, ResourceCache>();
  private readonly capacity: number;
  private readonly retryMs: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly etcd: EtcdClient,
    /** Ends every resource's etcd watch (the server closes). */
    private readonly closing: AbortSignal,
    options: WatchCacheOptions = {},
  ) {
    this.capacity = options.capacity ?? DEFAULT_WATCH_CACHE_CAPACITY;
    this.retryMs = options.retryMs ?? 1000;
    this.nowMs = options.nowMs ?? Date.now;
  }

  private resource(resourcePrefix: string): ResourceCache | undefined {
    if (this.capacity === 0) return undefined;
    let cache = this.resources.get(resourcePrefix);
    if (!cache) {
      cache = new ResourceCache(this.etcd, resourcePrefix, this.capacity, this.retryMs, this.nowMs, this.closing);
      this.resources.set(resourcePrefix, cache);
    }
    cache.use();
    return cache;
  }

  /** The objects under keyPrefix (within the resource's prefix) from memory; undefined while the cache is not live. */
  read(resourcePrefix: string, keyPrefix: string): CachedObjects | undefined {
    return this.resource(resourcePrefix)?.read(keyPrefix);
  }

  /**
   * A watch like EtcdClient.watch's, served from the resource's shared etcd watch; undefined when the cache is not
   * live or `from` is older than its window (then watch etcd directly).
   */
  watch(resourcePrefix: string, keyPrefix: string, from: number, onEvents: WatchListener, signal: AbortSignal): EtcdWatch | undefined {
    return this.resource(resourcePrefix)?.watch(keyPrefix, from, onEvents, signal);
  }

  /** Whether a watch from after `revision` would be served from the resource's window. */
  covers(resourcePrefix: string, revision: number): boolean {
    return this.resource(resourcePrefix)?.covers(revision) ?? false;
  }

  /** Whether the resource's cache is live (tests). */
  isLive(resourcePrefix: string): boolean {
    return this.resources.get(resourcePrefix)?.state === 'live';
  }
}
