import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { apiErrorMessage, plainKubeConfig, statusCodeOf } from './kubeconfig.ts';

describe('util/kubeconfig', () => {
  it("reads a request's HTTP status, also through errors that wrap it as their cause", () => {
    const notFound = Object.assign(new Error('HTTP-Code: 404'), { code: 404 });
    expect(statusCodeOf(notFound)).to.equal(404);
    expect(statusCodeOf(new Error('DELETE Node cp-0: HTTP-Code: 404', { cause: notFound }))).to.equal(404);
    expect(statusCodeOf(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).to.equal(undefined);
    expect(statusCodeOf('not an error')).to.equal(undefined);
  });

  it("says a failed request in one line: its status and the Status's message", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: no leader', code: 503 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const api = plainKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).makeApiClient(CoreV1Api);
      const failed = await api.listNode().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((failed as Error).message).to.contain('\n');
      expect(apiErrorMessage(failed)).to.equal('HTTP 503: etcdserver: no leader');
      const wrapped = new Error(`list nodes: ${(failed as Error).message}`, { cause: failed });
      expect(apiErrorMessage(wrapped), 'a wrapper keeps its words').to.equal('list nodes: HTTP 503: etcdserver: no leader');
      const named = new Error('promote pass failed', { cause: new Error('wrapped again', { cause: failed }) });
      expect(apiErrorMessage(named)).to.equal('promote pass failed: HTTP 503: etcdserver: no leader');
    } finally {
      server.close();
    }
    expect(apiErrorMessage(new Error('connect ECONNREFUSED'))).to.equal('connect ECONNREFUSED');
    expect(apiErrorMessage(Object.assign(new Error('x'), { code: 500, body: 'plain text' }))).to.equal('HTTP 500: plain text');
  });

  it('builds a kubeconfig for a server without credentials', () => {
    expect(plainKubeConfig('http://127.0.0.1:6443').getCurrentCluster()).to.include({
      server: 'http://127.0.0.1:6443',
      skipTLSVerify: true,
    });
  });

  it('keeps one connection for successive requests (client-node alone opens one per request)', async () => {
    let connections = 0;
    const server = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'NodeList', metadata: { resourceVersion: '1' }, items: [] }));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const core = plainKubeConfig(`http://127.0.0.1:${port}`).makeApiClient(CoreV1Api);
      for (let i = 0; i < 3; i++) await core.listNode();
      expect(connections).to.equal(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
