// startApiServer: the sandbox's Kubernetes API server, over HTTP (or HTTPS on TCP) and/or unix sockets, backed by etcd.
// Every reply is JSON-typed and names the answering node (X-Cpchaos-Apiserver); every request has a deadline.
import { lstat, unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { deadlineSignal } from '../etcd/deadline-signal.ts';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import { bootstrapNamespaces, DEFAULT_NAMESPACES } from './bootstrap.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import { toApiError } from './error-map.ts';
import { ETCD_HEALTH_KEY, EtcdHealthCheck, serveHealth } from './health.ts';
import { sendError, sendJson } from './http-io.ts';
import { handleKubevirtAction } from './kubevirt.ts';
import { serveOpenApi } from './openapi-handler.ts';
import type { RequestContext } from './request-context.ts';
import { handleResource } from './resource-handlers.ts';
import { route } from './router.ts';
import { AuditLog } from './audit-log.ts';
import { methodNotAllowed, pathNotFound } from './status.ts';
import { ObjectStore } from './storage.ts';
import { DEFAULT_WATCH_CACHE_CAPACITY, WatchCache } from './watch-cache.ts';

export type ListenAddress = { readonly host: string; readonly port: number } | { readonly socketPath: string };

export interface ApiServerOptions {
  readonly etcd: EtcdClient;
  /** TCP (port 0 picks a free port) and unix-socket listeners. */
  readonly listen: readonly ListenAddress[];
  /** Every non-watch request answers within this (default 2000); a watch must start within it. */
  readonly requestDeadlineMs?: number;
  /**
   * At most one etcd health probe per this interval (health.ts); default kube-apiserver's, half the check's 2 s
   * timeout (the request deadline here).
   */
  readonly etcdHealthIntervalMs?: number;
  /**
   * Events the watch cache keeps per resource (watch-cache.ts; default DEFAULT_WATCH_CACHE_CAPACITY); 0 turns the cache
   * off, every watch and read then going to etcd (kube-apiserver's --default-watch-cache-size, 0 disabling it).
   */
  readonly watchCacheSize?: number;
  /** Idle watches get a BOOKMARK or a newline this often (default 5000). */
  readonly watchHeartbeatMs?: number;
  /** Sent in the X-Cpchaos-Apiserver header (default: the host name). */
  readonly nodeName?: string;
  /** Retry period of the default-namespace bootstrap while etcd has no quorum (default 1000). */
  readonly bootstrapRetryMs?: number;
  /** Namespaces the server creates at start (default DEFAULT_NAMESPACES: Kubernetes' four and harvester-system). */
  readonly namespaces?: readonly string[];
  /** PEM key and certificate: TCP listeners serve HTTPS (as kube-apiserver does); unix sockets stay plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Append an audit.k8s.io/v1 Event per write request to this file (lib/sandbox/apiserver/audit-log.ts). */
  readonly auditLogPath?: string;
}

export interface RunningApiServer {
  /** Where the server listens, TCP ports resolved. */
  readonly addresses: readonly ListenAddress[];
  /** http://host:port of each TCP listener. */
  readonly urls: readonly string[];
  readonly nodeName: string;
  /** Resolves true once the default namespaces exist (false if the server closed first). */
  readonly namespacesReady: Promise<boolean>;
  /** Stops listening, ends open watches and connections. Idempotent. */
  close(): Promise<void>;
}

export const API_SERVER_HEADER = 'X-Cpchaos-Apiserver';

async function removeStaleSocket(socketPath: string): Promise<void> {
  try {
    if ((await lstat(socketPath)).isSocket()) await unlink(socketPath);
  } catch {
    // nothing there
  }
}

function listen(server: http.Server, address: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      const bound = server.address();
      if ('socketPath' in address) resolve({ socketPath: address.socketPath });
      else resolve({ host: address.host, port: typeof bound === 'object' && bound ? bound.port : address.port });
    };
    if ('socketPath' in address) server.listen(address.socketPath, done);
    else server.listen(address.port, address.host, done);
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const deadlineMs = options.requestDeadlineMs ?? 2000;
  const watchHeartbeatMs = options.watchHeartbeatMs ?? 5000;
  const nodeName = options.nodeName ?? os.hostname();
  const store = new ObjectStore(options.etcd);
  const closing = new AbortController();
  const cache = new WatchCache(options.etcd, closing.signal, { capacity: options.watchCacheSize ?? DEFAULT_WATCH_CACHE_CAPACITY });
  const auditLog = options.auditLogPath === undefined ? undefined : new AuditLog(options.auditLogPath);
  let namespacesReady: () => boolean = () => false;
  const etcdHealth = new EtcdHealthCheck(
    (signal) => options.etcd.range(ETCD_HEALTH_KEY, { countOnly: true, signal }),
    deadlineMs,
    options.etcdHealthIntervalMs,
  );

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader(API_SERVER_HEADER, nodeName);
    res.setHeader('Cache-Control', 'no-cache, private');
    const deadline = deadlineSignal(deadlineMs, closing.signal, `${req.method ?? 'GET'} ${req.url ?? '/'}`);
    try {
      const url = new URL(req.url ?? '/', 'http://apiserver');
      const ctx: RequestContext = {
        req,
        res,
        url,
        deadlineMs,
        store,
        cache,
        watchHeartbeatMs,
        signal: deadline.signal,
        closing: closing.signal,
      };
      const r = route(url.pathname);
      if (r.kind === 'resource') auditLog?.begin(req, res, url, r, r.legacyWatch);
      if (r.kind === 'resource') return await handleResource(ctx, r);
      if (r.kind === 'kubevirtAction') return await handleKubevirtAction(ctx, r);
      if (r.kind === 'health') return await serveHealth(ctx, r.check, etcdHealth, namespacesReady);
      if (r.kind === 'notFound') throw pathNotFound();
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(`${req.method ?? '?'} is not allowed on ${url.pathname}`);
      if (r.kind === 'openapiV2' || r.kind === 'openapiV3') return serveOpenApi(req, res, r);
      const doc =
        r.kind === 'version'
          ? versionInfo()
          : r.kind === 'apiVersions'
            ? apiVersions(req.headers.host ?? 'localhost')
            : r.kind === 'apiGroupList'
              ? apiGroupList()
              : r.kind === 'apiGroup'
                ? apiGroup(r.group)
                : apiResourceList(r.group, r.version);
      if (!doc) throw pathNotFound();
      sendJson(res, 200, doc);
    } catch (error) {
      if (res.headersSent) res.end();
      else sendError(res, toApiError(error, { expired: deadline.expired(), deadlineMs }));
    } finally {
      deadline.dispose();
    }
  }

  const servers: http.Server[] = [];
  const addresses: ListenAddress[] = [];
  try {
    for (const address of options.listen) {
      const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void handle(req, res);
      const server =
        options.tls && 'port' in address
          ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
          : http.createServer(handler);
      server.keepAliveTimeout = 30_000;
      servers.push(server);
      if ('socketPath' in address) await removeStaleSocket(address.socketPath);
      addresses.push(await listen(server, address));
    }
  } catch (error) {
    closing.abort();
    await Promise.all(servers.map(closeServer));
    throw error;
  }

  const bootstrap = await bootstrapNamespaces(store, {
    attemptDeadlineMs: deadlineMs,
    retryMs: options.bootstrapRetryMs ?? 1000,
    closing: closing.signal,
    namespaces: options.namespaces ?? DEFAULT_NAMESPACES,
  });
  namespacesReady = bootstrap.isReady;

  let closed: Promise<void> | undefined;
  return {
    addresses,
    urls: addresses.flatMap((a) =>
      'host' in a ? [`${options.tls ? 'https' : 'http'}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`] : [],
    ),
    nodeName,
    namespacesReady: bootstrap.ready,
    close: () =>
      (closed ??= (async () => {
        closing.abort();
        await Promise.all(servers.map(closeServer));
        auditLog?.close();
      })()),
  };
}
