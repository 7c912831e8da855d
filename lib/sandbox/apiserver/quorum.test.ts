import { expect } from 'chai';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import { startEtcdCluster, type TestEtcdCluster } from '../etcd/testing/etcd-cluster.ts';
import { startApiServer, type RunningApiServer } from './server.ts';
import { LineStream, request, type Reply } from './testing/http-request.ts';

const DEADLINE_MS = 1500;
/**
 * Longer than any answer at the deadline can take, even on a loaded machine: what these bounds catch is a request that
 * hangs (no deadline), not latency, which bench/ measures.
 */
const HUNG_MS = DEADLINE_MS + 10_000;

async function timed(work: Promise<Reply>): Promise<{ reply: Reply; ms: number }> {
  const started = Date.now();
  const reply = await work;
  return { reply, ms: Date.now() - started };
}

describe('API server without etcd quorum (3-member cluster, 2 killed)', function () {
  this.timeout(120_000);
  let cluster: TestEtcdCluster;
  let etcd: EtcdClient;
  let server: RunningApiServer;
  let target: { url: string };

  before(async () => {
    cluster = await startEtcdCluster({ size: 3, heartbeatMs: 50, electionTimeoutMs: 500 });
    etcd = cluster.client(0, DEADLINE_MS);
    server = await startApiServer({
      etcd,
      listen: [{ host: '127.0.0.1', port: 0 }],
      requestDeadlineMs: DEADLINE_MS,
      watchHeartbeatMs: 500,
      nodeName: 'm0',
    });
    target = { url: server.urls[0] ?? '' };
  });
  after(async () => {
    await server?.close();
    etcd?.close();
    await cluster?.stop();
  });

  it('fails writes and reads with 5xx within the deadline, then recovers when the members return', async () => {
    const created = await request(target, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'q1' } } });
    expect(created.status).to.equal(201);
    const watch = await new LineStream(target, '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0').open();

    await Promise.all([cluster.kill(1), cluster.kill(2)]);

    for (const attempt of [1, 2]) {
      // The first attempts race the member noticing it lost its leader; later ones fail fast with "no leader".
      const write = await timed(
        request(target, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: `q-lost-${attempt}` } } }),
      );
      expect(write.reply.status, write.reply.text).to.be.within(500, 599);
      expect(write.ms, 'answered, not hung').to.be.below(HUNG_MS);
      const status = write.reply.json();
      expect(status).to.include({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
      expect(String(status.message)).to.include('etcd');

      const read = await timed(request(target, 'GET', '/api/v1/namespaces/default/configmaps/q1'));
      expect(read.reply.status, read.reply.text).to.be.within(500, 599);
      expect(read.ms, 'answered, not hung').to.be.below(HUNG_MS);

      const ready = await timed(request(target, 'GET', '/readyz'));
      expect(ready.reply.status).to.equal(500);
      expect(ready.reply.text).to.include('[-]etcd failed');
      expect(ready.ms, 'answered, not hung').to.be.below(HUNG_MS);
    }
    // /healthz has the etcd check too (kube-apiserver's storage health check): load balancers take the server out.
    const health = await request(target, 'GET', '/healthz');
    expect(health.status).to.equal(500);
    expect(health.text).to.include('[-]etcd failed');
    // resourceVersion=0 may be served stale, as from a watch cache: it needs no quorum.
    const stale = await request(target, 'GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0');
    expect(stale.status).to.equal(200);
    // A watch on a member without a leader is ended by etcd; the client sees the stream close.
    await watch.waitFor('the watch to end without a leader', (s) => s.ended, 15_000);
    watch.close();

    await Promise.all([cluster.restart(1), cluster.restart(2)]);
    await cluster.waitQuorum(0, 30_000);
    const deadline = Date.now() + 15_000;
    let write: Reply | undefined;
    while (Date.now() < deadline) {
      write = await request(target, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'q2' } } });
      if (write.status === 201) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(write?.status, write?.text).to.equal(201);
    expect((await request(target, 'GET', '/api/v1/namespaces/default/configmaps/q1')).status).to.equal(200);
    // kube-apiserver probes etcd at most once a second (health.ts): /readyz turns 200 at the next probe.
    let ready: Reply | undefined;
    while (Date.now() < deadline + 5000) {
      ready = await request(target, 'GET', '/readyz');
      if (ready.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready?.status, ready?.text).to.equal(200);
  });
});
