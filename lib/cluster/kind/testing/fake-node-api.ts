// A tiny stand-in for the Kubernetes API's Node endpoints, for tests of the kind provider: it lists, reads, patches
// (merge patch of labels and finalizers) and deletes Nodes, and records every request it gets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1Node } from '@kubernetes/client-node';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

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
  const requests: RecordedRequest[] = [];
  const readsLeft = new Map<string, number>();
  const setReady = (name: string, ready: boolean): void => {
    const node = nodes.get(name);
    if (node) node.status = { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const method = req.method ?? 'GET';
      requests.push({ method, path, contentType: req.headers['content-type'], body });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
