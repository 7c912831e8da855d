// The kubelet's onRepeatedHeartbeatFailure: from the second failed heartbeat in a row it closes its connections, so
// that behind a load balancer relaying each connection to one backend, the next try can reach another API server.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../util/wait.ts';
import { FailoverApiClient } from './api-client.ts';
import { Kubelet } from './kubelet.ts';

interface StandIn {
  readonly url: string;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Lease writes (PUT) answered so far. */
  leaseWrites(): number;
  close(): Promise<void>;
}

/**
 * A stand-in API server with the few routes the kubelet uses (Lease get/put, Node create/get/status patch), each
 * answering as kube-apiserver would (JSON, the object back; a failure as a metav1.Status with its code, as
 * k8s.io/apiserver's responsewriters.ErrorNegotiated writes one); Lease writes answer 503 (an API server whose etcd member
 * has no leader) while `failLeaseWrites` says so.
 */
async function startStandIn(failLeaseWrites: () => boolean): Promise<StandIn> {
  let connections = 0;
  let leaseWrites = 0;
  const objects = new Map<string, unknown>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      if (req.method === 'PUT' && path.includes('/leases/')) {
        leaseWrites++;
        if (failLeaseWrites()) {
          send(503, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: no leader', code: 503 });
          return;
        }
      }
      if (req.method === 'GET') {
        const found = objects.get(path);
        if (found) send(200, found);
        else send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
        return;
      }
      if (req.method === 'POST') {
        const name = (body.metadata as { name?: string } | undefined)?.name ?? '';
        const stored = { ...body, metadata: { ...(body.metadata as object), resourceVersion: '1' } };
        objects.set(`${path}/${name}`, stored);
        send(201, stored);
        return;
      }
      const key = path.replace(/\/status$/, '');
      const stored = req.method === 'PUT' ? body : (objects.get(key) ?? body);
      objects.set(key, stored);
      send(200, stored);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    leaseWrites: () => leaseWrites,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('sandbox kubelet: repeated heartbeat failures', function () {
  this.timeout(60_000);
  let dir: string;
  let kubelet: Kubelet | undefined;
  let standIn: StandIn | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cpchaos-kubelet-heartbeat-'));
  });
  afterEach(async () => {
    kubelet?.stop();
    await standIn?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function runKubelet(failLeaseWrites: () => boolean): Promise<StandIn> {
    standIn = await startStandIn(failLeaseWrites);
    const endpointsFile = join(dir, 'api-endpoints.json');
    await writeFile(endpointsFile, JSON.stringify([standIn.url]));
    const api = new FailoverApiClient(endpointsFile, () => undefined, 5000);
    kubelet = new Kubelet(api, {
      nodeName: 'n1',
      address: '10.0.0.1',
      labels: {},
      heartbeatMs: 50,
      statusUpdateMs: 60_000,
      statusReportMs: 60_000,
    });
    kubelet.start();
    return standIn;
  }

  it('keeps one kept-alive connection while its heartbeats go through', async () => {
    const server = await runKubelet(() => false);
    await waitFor('six Lease renewals', () => server.leaseWrites() >= 6, { timeoutMs: 30_000, intervalMs: 20 });
    expect(server.connections()).to.equal(1);
  });

  it('closes its connections from the second failed Lease renewal in a row, and opens new ones', async () => {
    const server = await runKubelet(() => true);
    await waitFor('six failed Lease renewals', () => server.leaseWrites() >= 6, { timeoutMs: 30_000, intervalMs: 20 });
    // Failures 2 to 5 each closed the connection the next renewal then opened again.
    expect(server.connections()).to.be.at.least(4);
  });
});
