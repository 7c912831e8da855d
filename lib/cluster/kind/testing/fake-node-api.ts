// A tiny stand-in for the Kubernetes API's Node and Namespace endpoints, for tests of the kind provider: it lists,
// reads, patches (merge patch of labels and finalizers) and deletes Nodes, reads, creates and deletes Namespaces,
// and records every request it gets. It starts bare, as a new kind cluster is: the namespaces kind's cluster has
// (KIND_NAMESPACES) and nothing of Harvester's. It can also hold connections without ever answering on them, as
// kind's load balancer holds a connection it gave to a dead API server.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { V1Node } from '@kubernetes/client-node';

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
  /** The namespaces there are now, sorted. */
  namespaces(): string[];
  /** The next `count` connections get no answer to any request on them, for as long as the client keeps them open. */
  holdNextConnections(count: number): void;
  /** Resolves when `count` held connections have been closed by the client. */
  heldConnectionsClosed(count: number): Promise<void>;
  close(): Promise<void>;
}

function makeNode(name: string, ready: boolean): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name }, resourceVersion: '1' },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
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
  const readsLeft = new Map<string, number>();
  const held = new Set<Socket>();
  let holdLeft = 0;
  let heldClosed = 0;
  const closedWaiters: { readonly count: number; readonly resolve: () => void }[] = [];
  const setReady = (name: string, ready: boolean): void => {
    const node = nodes.get(name);
    if (node) node.status = { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
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
            send(res, 201, nsObject(created));
          }
        } else if (nsName && method === 'GET') {
          if (namespaces.has(nsName)) send(res, 200, nsObject(nsName));
          else missing(nsName);
        } else if (nsName && method === 'DELETE') {
          if (namespaces.delete(nsName)) send(res, 200, nsObject(nsName));
          else missing(nsName);
        } else send(res, 405, { kind: 'Status', code: 405, message: `${method} ${path} not supported by the fake` });
        return;
      }
      if (path === '/api/v1/nodes' && method === 'GET') {
        send(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [...nodes.values()] });
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
        const patch = (body ?? {}) as { metadata?: { labels?: Record<string, string>; finalizers?: string[] | null } };
        const labels = { ...(node.metadata?.labels ?? {}), ...(patch.metadata?.labels ?? {}) };
        node.metadata = { ...node.metadata, labels };
        if (patch.metadata && 'finalizers' in patch.metadata) delete node.metadata.finalizers;
        send(res, 200, node);
      } else if (method === 'DELETE') {
        nodes.delete(name);
        send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: 'nodes' } });
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
      for (const name of names) nodes.set(name, makeNode(name, !notReady.includes(name)));
    },
    setReady,
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
