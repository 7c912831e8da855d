// The namespaces every cluster starts with. Several API servers may create them at once: AlreadyExists is fine.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { deadlineSignal } from '../etcd/deadline-signal.ts';
import { findResource, type ResourceInfo } from './resources.ts';
import { prepareForCreate } from './strategy.ts';
import { ApiError } from './status.ts';
import type { ObjectStore } from './storage.ts';

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'harvester-system'] as const;

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;

/** Creates the default namespaces that are missing. Throws when etcd does not answer. */
export async function ensureDefaultNamespaces(
  store: ObjectStore,
  signal: AbortSignal,
  namespaces: readonly string[] = DEFAULT_NAMESPACES,
): Promise<void> {
  for (const name of namespaces) {
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    try {
      await store.create(NAMESPACES, undefined, prepareForCreate(NAMESPACES, body, name, undefined), signal);
    } catch (error) {
      if (!(error instanceof ApiError && error.reason === 'AlreadyExists')) throw error;
    }
  }
}

/**
 * Tries once now; if that fails, keeps retrying every `retryMs` in the background until it succeeds or `closing`
 * aborts. `ready` resolves true once the namespaces exist, false if the server closed first.
 */
export async function bootstrapNamespaces(
  store: ObjectStore,
  options: {
    readonly attemptDeadlineMs: number;
    readonly retryMs: number;
    readonly closing: AbortSignal;
    readonly namespaces?: readonly string[];
  },
): Promise<{ readonly ready: Promise<boolean>; readonly isReady: () => boolean }> {
  let done = false;
  const attempt = async (): Promise<boolean> => {
    const deadline = deadlineSignal(options.attemptDeadlineMs, options.closing, 'creating the default namespaces');
    try {
      await ensureDefaultNamespaces(store, deadline.signal, options.namespaces);
      done = true;
    } catch {
      // etcd without quorum: try again later
    } finally {
      deadline.dispose();
    }
    return done;
  };
  if (await attempt()) return { ready: Promise.resolve(true), isReady: () => done };
  const loop = async (): Promise<boolean> => {
    while (!options.closing.aborted) {
      try {
        await sleepMs(options.retryMs, undefined, { signal: options.closing });
      } catch {
        return false;
      }
      if (await attempt()) return true;
    }
    return false;
  };
  return { ready: loop(), isReady: () => done };
}
