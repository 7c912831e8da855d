// A tiny stand-in for the Kubernetes API's Node and Namespace endpoints, for tests of the kind provider: it lists,
// reads, patches (JSON merge patch, RFC 7386, and JSON patch, RFC 6902) and deletes Nodes, reads, creates and deletes
// Namespaces, and records every request it gets. As kube-apiserver does, every write that changes an object gives it
// a new resourceVersion (a no-op patch does not: k8s.io/apiserver registry/generic/registry store Update skips the
// write when the object did not change); a DELETE whose preconditions (resourceVersion, uid) do not match the Node is
// refused with 409 Conflict (k8s.io/apiserver pkg/storage Preconditions.Check, turned into a Conflict by
// registry/generic/registry storeerr.InterpretDeleteError); a Node with finalizers is not removed by a DELETE but
// given a deletionTimestamp, and goes once its last finalizer does (registry store Delete, updateForGracefulDeletion
// and the finalizer check of its Update). It starts bare, as a new kind cluster is: the namespaces kind's cluster has
// (KIND_NAMESPACES) and nothing of Harvester's. It can also hold connections without ever answering on them, as
// kind's load balancer holds a connection it gave to a dead API server.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { V1Node } from '@kubernetes/client-node';
import { applyJsonPatch } from '../../../sandbox/apiserver/json-patch.ts';
import { applyMergePatch } from '../../../sandbox/apiserver/merge-patch.ts';
import { PatchError } from '../../../sandbox/apiserver/patch-error.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** The namespaces of a new kind cluster: Kubernetes' four, and local-path-storage (kind's default storage class). */
export const KIND_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

export interface FakeNodeApi {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces the Nodes: each named one, Ready unless listed in `notReady`. */
  setNodes(names: readonly string[], notReady?: readonly string[]): void;
  setReady(name: string, ready: boolean): void;
  /** The node answers Ready to the next `reads` GETs of it, and NotReady from then on. */
  notReadyAfterReads(name: string, reads: number): void;
  node(name: string): V1Node | undefined;
  /** Gives the Node these finalizers (a write: a new resourceVersion). */
  setFinalizers(name: string, finalizers: readonly string[]): void;
  /**
   * The next `times` patches that leave the Node without finalizers are followed, before anything else is answered,
   * by a write putting these finalizers back: a controller re-adding its finalizer to a live Node (rancher/wrangler
   * pkg/generic/remove.go addFinalizer).
   */
  readdFinalizersAfterStrip(name: string, finalizers: readonly string[], times: number): void;
  /** The namespaces there are now, sorted. */
  namespaces(): string[];
  /** The next `count` connections get no answer to any request on them, for as long as the client keeps them open. */
  holdNextConnections(count: number): void;
  /** Resolves when `count` held connections have been closed by the client. */
  heldConnectionsClosed(count: number): Promise<void>;
  close(): Promise<void>;
}

function makeNode(name: string, ready: boolean, resourceVersion: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name }, resourceVersion },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function failure(res: http.ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code, message });
}

/** The Node a PATCH makes, by its content type; undefined for a patch type the fake does not take. */
function patchedNode(node: V1Node, contentType: string | undefined, body: unknown): V1Node | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim();
  if (type === 'application/json-patch+json') return applyJsonPatch(node, body) as V1Node;
  if (type === 'application/merge-patch+json') return applyMergePatch(node, body) as V1Node;
  return undefined;
}

/** Why a DELETE's preconditions refuse the Node (Preconditions.Check's message), or undefined when they hold. */
function preconditionFailure(node: V1Node, body: unknown): string | undefined {
  const preconditions = (body as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined)?.preconditions;
  const meta = node.metadata ?? {};
  if (preconditions?.uid !== undefined && preconditions.uid !== meta.uid) {
    return `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${meta.uid ?? ''}`;
  }
  if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== meta.resourceVersion) {
    return `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`;
  }
  return undefined;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function notFound(res: http.ServerResponse, name: string): void {
  send(res, 404, {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'NotFound',
    code: 404,
    message: `nodes "${name}" not found`,
  });
}

export async function startFakeNodeApi(): Promise<FakeNodeApi> {
  const nodes = new Map<string, V1Node>();
  const namespaces = new Set<string>(KIND_NAMESPACES);
  const requests: RecordedRequest[] = [];
  /** The last resourceVersion given (etcd's revision: one counter over every object). */
  let revision = 1;
  const nextResourceVersion = (): string => String(++revision);
  const readds = new Map<string, { readonly finalizers: readonly string[]; left: number }>();
  const readsLeft = new Map<string, number>();
  const held = new Set<Socket>();
  let holdLeft = 0;
  let heldClosed = 0;
  const closedWaiters: { readonly count: number; readonly resolve: () => void }[] = [];
  const setReady = (name: string, ready: boolean): void => {
    const node = nodes.get(name);
    if (node) node.status = { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  };
  const setFinalizers = (name: string, finalizers: readonly string[]): void => {
    const node = nodes.get(name);
    if (node) node.metadata = { ...node.metadata, finalizers: [...finalizers], resourceVersion: nextResourceVersion() };
  };
  const server = http.createServer((req, res) => {
    if (held.has(req.socket)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const method = req.method ?? 'GET';
      requests.push({ method, path, contentType: req.headers['content-type'], body });
      const namespaceMatch = /^\/api\/v1\/namespaces(?:\/([^/]+))?$/.exec(path);
      if (namespaceMatch) {
        const nsName = namespaceMatch[1] ? decodeURIComponent(namespaceMatch[1]) : undefined;
        const nsObject = (n: string): unknown => ({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: n },
          status: { phase: 'Active' },
        });
        const missing = (n: string): void =>
          send(res, 404, {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
            message: `namespaces "${n}" not found`,
          });
        if (!nsName && method === 'POST') {
          const created = ((body ?? {}) as { metadata?: { name?: string } }).metadata?.name ?? '';
          if (namespaces.has(created)) {
            send(res, 409, {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'AlreadyExists',
              code: 409,
              message: `namespaces "${created}" already exists`,
            });
          } else {
            namespaces.add(created);
            revision += 1;
            send(res, 201, nsObject(created));
          }
        } else if (nsName && method === 'GET') {
          if (namespaces.has(nsName)) send(res, 200, nsObject(nsName));
          else missing(nsName);
        } else if (nsName && method === 'DELETE') {
          if (namespaces.delete(nsName)) {
            revision += 1;
            send(res, 200, nsObject(nsName));
          } else missing(nsName);
        } else send(res, 405, { kind: 'Status', code: 405, message: `${method} ${path} not supported by the fake` });
        return;
      }
      if (path === '/api/v1/nodes' && method === 'GET') {
        send(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: String(revision) }, items: [...nodes.values()] });
        return;
      }
      const match = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
      const name = match?.[1] ? decodeURIComponent(match[1]) : undefined;
      const node = name ? nodes.get(name) : undefined;
      if (!name || !node) {
        notFound(res, name ?? path);
        return;
      }
      if (method === 'GET') {
        const left = readsLeft.get(name);
        if (left !== undefined) {
          setReady(name, left > 0);
          readsLeft.set(name, left - 1);
        }
        send(res, 200, node);
      } else if (method === 'PATCH') {
        let patched: V1Node | undefined;
        try {
          patched = patchedNode(node, req.headers['content-type'], body);
        } catch (error) {
          if (!(error instanceof PatchError)) throw error;
          if (error.kind === 'malformed') failure(res, 400, 'BadRequest', error.message);
          else failure(res, 422, 'Invalid', `nodes "${name}" is invalid: ${error.message}`);
          return;
        }
        if (patched === undefined) {
          // kube-apiserver's answer to a patch type it does not take (handlers/patch.go: 415 UnsupportedMediaType).
          failure(
            res,
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
          );
          return;
        }
        if (!isDeepStrictEqual(patched, node)) {
          patched.metadata = { ...patched.metadata, resourceVersion: nextResourceVersion() };
          nodes.set(name, patched);
        }
        send(res, 200, patched);
        const readd = readds.get(name);
        if (readd && readd.left > 0 && (patched.metadata?.finalizers ?? []).length === 0) {
          readd.left -= 1;
          setFinalizers(name, readd.finalizers);
        }
        if (patched.metadata?.deletionTimestamp && (patched.metadata.finalizers ?? []).length === 0) nodes.delete(name);
      } else if (method === 'DELETE') {
        const refused = preconditionFailure(node, body);
        if (refused !== undefined) {
          failure(res, 409, 'Conflict', `Operation cannot be fulfilled on nodes "${name}": ${refused}`);
        } else if ((node.metadata?.finalizers ?? []).length > 0) {
          if (!node.metadata?.deletionTimestamp) {
            node.metadata = { ...node.metadata, deletionTimestamp: new Date(), resourceVersion: nextResourceVersion() };
          }
          send(res, 200, node);
        } else {
          nodes.delete(name);
          revision += 1;
          send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: 'nodes' } });
        }
      } else send(res, 405, { kind: 'Status', code: 405, message: `${method} not supported by the fake` });
    });
  });
  server.on('connection', (socket: Socket) => {
    if (holdLeft <= 0) return;
    holdLeft--;
    held.add(socket);
    socket.once('close', () => {
      heldClosed++;
      for (const waiter of closedWaiters.filter((w) => heldClosed >= w.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setNodes(names, notReady = []) {
      nodes.clear();
      for (const name of names) nodes.set(name, makeNode(name, !notReady.includes(name), nextResourceVersion()));
    },
    setReady,
    setFinalizers,
    readdFinalizersAfterStrip: (name, finalizers, times) => readds.set(name, { finalizers: [...finalizers], left: times }),
    notReadyAfterReads: (name, reads) => readsLeft.set(name, reads),
    node: (name) => nodes.get(name),
    namespaces: () => [...namespaces].sort(),
    holdNextConnections: (count) => {
      holdLeft = count;
    },
    heldConnectionsClosed: (count) =>
      heldClosed >= count ? Promise.resolve() : new Promise<void>((resolve) => closedWaiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
