// Chunked lists (`limit` and `continue`), as kube-apiserver serves them (k8s.io/apiserver pkg/storage/etcd3/store.go
// GetList and continue.go): a list with limit=N returns at most N items and, when more remain, metadata.continue, a
// token that lists the rest at the SAME resourceVersion (a consistent snapshot, read from etcd at that revision),
// starting after the last key returned; remainingItemCount when no selector filters the list. The token is
// base64url (no padding) of {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the prefix>\u0000"}. A token that
// does not decode is 400 ("continue key is not valid"), a revision etcd compacted is 410 Expired, and resourceVersion
// may not be given with continue (400).
import { badRequest } from './status.ts';

export interface ContinueToken {
  /** The revision the first chunk was read at. */
  readonly rv: number;
  /** The storage key to start from, relative to the collection's key prefix. */
  readonly start: string;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: token.rv, start: token.start })).toString('base64url');
}

export function decodeContinue(text: string): ContinueToken {
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as typeof parsed;
  } catch (error) {
    throw badRequest(`continue key is not valid: ${(error as Error).message}`);
  }
  if (parsed.v !== TOKEN_VERSION) throw badRequest('continue key is not valid: server does not recognize this encoding');
  if (typeof parsed.rv !== 'number' || !Number.isInteger(parsed.rv) || parsed.rv <= 0)
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  // Relative to the collection's prefix, and clean (kube-apiserver: path.Clean(key) == key), so it cannot leave it.
  const start = parsed.start;
  if (typeof start !== 'string' || start.length === 0 || start.startsWith('/') || start.includes('//') || start.split('/').includes('..'))
    throw badRequest(`continue key is not valid: ${JSON.stringify(start)}`);
  return { rv: parsed.rv, start };
}

/** `limit`: absent or 0 is no limit; anything but a non-negative integer is 400. */
export function parseLimit(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^[0-9]+$/.test(text)) throw badRequest(`limit: expected a non-negative integer, got "${text}"`);
  const limit = Number(text);
  return limit === 0 ? undefined : limit;
}

export interface Page<T> {
  readonly items: T[];
  /** The start key of the next chunk (relative), when items remain. */
  readonly next?: string;
  /** How many items (before any filter) remain after this chunk. */
  readonly remaining: number;
}

/**
 * One chunk of a collection read in key order: the entries from `start` (relative key, inclusive) on, filtered, at most
 * `limit` of them; `next` is the last returned key + "\0" when entries remain after it (kube-apiserver's rule).
 */
export function pageOf<T>(
  entries: readonly { readonly key: string; readonly value: T }[],
  options: { readonly start?: string; readonly limit?: number; readonly keep?: (value: T) => boolean },
): Page<T> {
  const from = options.start === undefined ? entries : entries.filter((e) => e.key >= (options.start as string));
  const items: T[] = [];
  let index = 0;
  let lastKey: string | undefined;
  for (; index < from.length; index++) {
    if (options.limit !== undefined && items.length >= options.limit) break;
    const entry = from[index] as { key: string; value: T };
    lastKey = entry.key;
    if (!options.keep || options.keep(entry.value)) items.push(entry.value);
  }
  const remaining = from.length - index;
  return { items, remaining, ...(remaining > 0 && lastKey !== undefined ? { next: `${lastKey}\u0000` } : {}) };
}
