// Kubernetes API requests (client-node) with a deadline that aborts them. A deadline that only stops waiting leaves
// the request running, and its connection open: to an API server whose packets are dropped, or whose machine went
// away (a killed or deleted node, a cluster torn down), nothing ever answers or closes it, and the open socket keeps
// the harness's process from exiting after its run. Aborting the request closes its connection.
import {
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { withDeadline } from './wait.ts';

export type RequestOptions = ConfigurationOptions<ObservableMiddleware>;

/** Per-call options that abort the request when `signal` does, after the middleware of `base` (a content type, say). */
export function abortingOn(signal: AbortSignal, base?: RequestOptions): RequestOptions {
  const abort: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { ...base, middleware: [...(base?.middleware ?? []), abort], middlewareMergeStrategy: 'append' };
}

/**
 * Runs one request with a deadline; past it, the request is aborted (its connection closed) and this rejects with a
 * DeadlineError naming `what`, which callers treat as transient (no answer).
 */
export function requestWithDeadline<T>(
  what: string,
  timeoutMs: number,
  call: (options: RequestOptions) => Promise<T>,
  base?: RequestOptions,
): Promise<T> {
  return withDeadline(what, timeoutMs, (signal) => call(abortingOn(signal, base)));
}
