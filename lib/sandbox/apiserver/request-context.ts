// What every request handler gets: the exchange, its parsed URL, its deadline signal and the store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectStore } from './storage.ts';
import type { WatchCache } from './watch-cache.ts';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Aborts at the request deadline or when the server closes. Watches use it only until they start streaming. */
  readonly signal: AbortSignal;
  readonly deadlineMs: number;
  readonly store: ObjectStore;
  /** Shared etcd watches and the objects of watched resources (watch-cache.ts). */
  readonly cache: WatchCache;
  /** Aborts when the server closes (ends watches). */
  readonly closing: AbortSignal;
  readonly watchHeartbeatMs: number;
}

/** Rejects with the signal's reason once it aborts (for racing a promise against a deadline). */
export function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
