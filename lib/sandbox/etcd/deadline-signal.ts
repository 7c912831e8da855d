// A signal that aborts at a deadline or when a parent aborts, and lets go of the parent when disposed.
// (AbortSignal.any keeps every derived signal reachable from a long-lived parent in Node 20: a slow leak.)
import { setMaxListeners } from 'node:events';

export interface DeadlineSignal {
  readonly signal: AbortSignal;
  /** True once the deadline (not the parent) aborted the signal. */
  expired(): boolean;
  /** Clears the timer and detaches from the parent. Idempotent. */
  dispose(): void;
}

export function deadlineSignal(deadlineMs: number, parent?: AbortSignal, what = 'the operation'): DeadlineSignal {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`${what} exceeded its deadline of ${deadlineMs} ms`, 'TimeoutError'));
  }, deadlineMs);
  timer.unref?.();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else if (parent) {
    // Many calls share a long-lived parent at once; each listener is removed on dispose, so no limit applies.
    setMaxListeners(0, parent);
    parent.addEventListener('abort', onParentAbort, { once: true });
  }
  return {
    signal: controller.signal,
    expired: () => expired,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
