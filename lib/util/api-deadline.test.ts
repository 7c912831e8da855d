import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { fromApiserverCache, requestWithDeadline } from './api-deadline.ts';
import { plainKubeConfig } from './kubeconfig.ts';

describe('util/api-deadline', () => {
  it('asks a read for resourceVersion 0 (FromApiserverCache) through the per-call options; other reads are unchanged', async () => {
    const urls: string[] = [];
    const server = http.createServer((req, res) => {
      urls.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const core = plainKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).makeApiClient(CoreV1Api);
      const node = await requestWithDeadline('read n1', 5000, (options) => core.readNode({ name: 'n1' }, fromApiserverCache(options)));
      expect(node.metadata?.name).to.equal('n1');
      await requestWithDeadline('read n1 again', 5000, (options) => core.readNode({ name: 'n1' }, options));
      expect(urls).to.deep.equal(['/api/v1/nodes/n1?resourceVersion=0', '/api/v1/nodes/n1']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
