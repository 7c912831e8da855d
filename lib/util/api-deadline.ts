// Kubernetes API requests (client-node) with a deadline that aborts them. A deadline that only stops waiting leaves
// the request running, and its connection open: to an API server whose packets are dropped, or whose machine went
// away (a killed or deleted node, a cluster torn down), nothing ever answers or closes it, and the open socket keeps
// the harness's process from exiting after its run. Aborting the request closes its connection.
import type { Agent } from 'node:http';
import {
  Observable,
  type ConfigurationOptions,
  type KubeConfig,
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
 * Per-call options that ask for any state the API server has (resourceVersion=0), where the client-node method has no
 * such parameter (reads): client-go's util.FromApiserverCache, which the kubelet's node status read uses
 * (pkg/kubelet/kubelet_node_status.go tryUpdateNodeStatus), served from kube-apiserver's watch cache.
 */
export function fromApiserverCache(base: RequestOptions): RequestOptions {
  const anyState: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setQueryParam('resourceVersion', '0');
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { ...base, middleware: [anyState, ...(base.middleware ?? [])], middlewareMergeStrategy: 'append' };
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

/**
 * `kubeConfig` for one watch request, and a way to close that request's connection. client-node's Watch cannot be
 * aborted before its response begins (its AbortController is returned only then), so a watch opened to a server that
 * never answers holds its connection open for good; but it builds an agent of its own for the request
 * (applyToFetchOptions), and destroying that agent closes it.
 */
export function closableWatchConfig(kubeConfig: KubeConfig): { readonly config: KubeConfig; close(): void } {
  let agent: Agent | undefined;
  const config = Object.create(kubeConfig) as KubeConfig;
  config.applyToFetchOptions = async (opts) => {
    const init = await kubeConfig.applyToFetchOptions(opts);
    if (init.agent && typeof init.agent === 'object') agent = init.agent;
    return init;
  };
  return { config, close: () => agent?.destroy() };
}
