import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { plainKubeConfig } from '../util/kubeconfig.ts';
import { ReadSampler } from './read-sampler.ts';
import { WriteSampler, type SamplerOp } from './write-sampler.ts';

/** One blind write through `server`; resolves with its outcome (the op after the invoke). */
async function oneBlindWrite(server: string): Promise<SamplerOp> {
  let nextId = 0;
  return new Promise<SamplerOp>((resolve) => {
    const sampler: WriteSampler = new WriteSampler({
      process: 'vip',
      target: 'vip',
      kubeConfig: plainKubeConfig(server),
      intervalMs: 10,
      deadlineMs: 30_000,
      nextOpId: () => ++nextId,
      mode: 'write',
      register: { configMap: 'cpchaos-register-test' },
      onOp: (op) => {
        if (op.phase === 'invoke') return;
        void sampler.stop();
        resolve(op);
      },
    });
    sampler.start();
  });
}

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('write sampler: what a failed write means', () => {
  it('a connection closed before its TLS handshake completed is a write that certainly did not happen (fail)', async () => {
    // What a load balancer with no server up does: accept the connection, then close it.
    const server = net.createServer((socket) => socket.destroy());
    const port = await listening(server);
    try {
      const op = await oneBlindWrite(`https://127.0.0.1:${port}`);
      expect(op.error).to.match(/before secure TLS connection was established/);
      expect(op.phase).to.equal('fail');
    } finally {
      server.close();
    }
  });

  it('a connection closed after the request was sent may or may not have written (info)', async () => {
    const server = http.createServer((req) => req.socket.destroy());
    const port = await listening(server);
    try {
      const op = await oneBlindWrite(`http://127.0.0.1:${port}`);
      expect(op.error).to.match(/socket hang up/);
      expect(op.phase).to.equal('info');
    } finally {
      server.close();
    }
  });
});

/**
 * A server that takes each request and never answers (an API server whose answers are dropped, or whose machine went
 * away): resolves with the outcome of `sample`'s first operation and whether the server then saw the connection closed.
 */
async function againstSilentServer(sample: (server: string, onOutcome: (op: SamplerOp) => void) => () => Promise<void>): Promise<{
  op: SamplerOp;
  closed: boolean;
}> {
  const closes: Promise<void>[] = [];
  // GETs of the register are answered (a compare-and-swap reads first); everything else never is.
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.includes('/configmaps/')) return;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cpchaos-register-test', resourceVersion: '7' },
        data: { value: '3' },
      }),
    );
  });
  server.on('connection', (socket) => closes.push(new Promise((resolve) => socket.once('close', () => resolve()))));
  const port = await listening(server);
  try {
    let stop: () => Promise<void> = () => Promise.resolve();
    const op = await new Promise<SamplerOp>((resolve) => {
      stop = sample(`http://127.0.0.1:${port}`, resolve);
    });
    await stop();
    // A hang here is the defect: the request outlived its deadline and holds its connection (and the process) open.
    const closed = await Promise.race([
      Promise.all(closes).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000).unref()),
    ]);
    return { op, closed };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('samplers: a request past its deadline is aborted, its connection closed', () => {
  for (const mode of ['cas', 'write'] as const) {
    it(`write sampler (${mode === 'cas' ? 'read, then compare-and-swap' : 'blind writes'}): the unanswered request counts as past its deadline and its connection is closed`, async () => {
      let nextId = 0;
      const { op, closed } = await againstSilentServer((server, onOutcome) => {
        const sampler = new WriteSampler({
          process: 'node:a',
          target: 'a',
          kubeConfig: plainKubeConfig(server),
          intervalMs: 10,
          deadlineMs: 300,
          nextOpId: () => ++nextId,
          mode,
          register: { configMap: 'cpchaos-register-test' },
          onOp: (o) => {
            if (o.phase !== 'invoke' && o.f === mode) onOutcome(o);
          },
        });
        sampler.start();
        return () => sampler.stop();
      });
      // The compare-and-swap (a PUT) or the blind write: sent, unanswered, so it may or may not have happened.
      expect(op.f).to.equal(mode);
      expect(op.phase).to.equal('info');
      expect(op.error).to.match(/timed out after 300 ms/);
      expect(closed, 'the server saw every connection closed').to.equal(true);
    });
  }

  it('read sampler: the unanswered read fails past its deadline and its connection is closed', async () => {
    let nextId = 0;
    const { op, closed } = await againstSilentServer((server, onOutcome) => {
      const sampler = new ReadSampler({
        target: 'a',
        kubeConfig: plainKubeConfig(server),
        intervalMs: 10,
        deadlineMs: 300,
        nextOpId: () => ++nextId,
        onOp: (o) => {
          if (o.phase !== 'invoke') onOutcome(o);
        },
      });
      sampler.start();
      return () => sampler.stop();
    });
    expect(op.phase).to.equal('fail');
    expect(op.error).to.match(/timed out after 300 ms/);
    expect(closed, 'the server saw every connection closed').to.equal(true);
  });
});

describe('write sampler: the final read', () => {
  /**
   * A server answering the register's GETs with `statuses` in turn (then 200 with value 42); counts the GETs. A failure
   * is what kube-apiserver writes for one: a metav1.Status with the code (k8s.io/apimachinery pkg/apis/meta/v1
   * types.go Status; an etcd request timeout reaches clients as a 500 or 504 with etcd's message).
   */
  async function withAnswers(statuses: number[], body: (server: string, gets: () => number) => Promise<void>): Promise<void> {
    let gets = 0;
    const server = http.createServer((_req, res) => {
      gets++;
      const status = statuses.shift() ?? 200;
      res.setHeader('content-type', 'application/json');
      res.statusCode = status;
      res.end(
        JSON.stringify(
          status === 200
            ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r', resourceVersion: '9' }, data: { value: '42' } }
            : { apiVersion: 'v1', kind: 'Status', status: 'Failure', code: status, message: 'etcdserver: request timed out' },
        ),
      );
    });
    const port = await listening(server);
    try {
      await body(`http://127.0.0.1:${port}`, () => gets);
    } finally {
      server.close();
    }
  }

  function sampler(server: string, ops: SamplerOp[]): WriteSampler {
    let nextId = 0;
    return new WriteSampler({
      process: 'vip',
      target: 'vip',
      kubeConfig: plainKubeConfig(server),
      intervalMs: 1000,
      deadlineMs: 5000,
      nextOpId: () => ++nextId,
      register: { configMap: 'r' },
      onOp: (op) => ops.push(op),
    });
  }

  it('tries a failed read again, each try its own operation, until one answers', async () => {
    await withAnswers([500, 504], async (server, gets) => {
      const ops: SamplerOp[] = [];
      await sampler(server, ops).finalRead(3, 10);
      expect(ops.map((op) => `${op.opId} ${op.phase}`)).to.deep.equal(['1 invoke', '1 fail', '2 invoke', '2 fail', '3 invoke', '3 ok']);
      expect(ops.at(-1)?.result).to.equal(42);
      expect(gets()).to.equal(3);
    });
  });

  it('stops after its attempts when every read fails, and after the first that answers', async () => {
    await withAnswers([500, 500, 500, 500], async (server, gets) => {
      const ops: SamplerOp[] = [];
      await sampler(server, ops).finalRead(3, 10);
      expect(ops.filter((op) => op.phase === 'fail')).to.have.length(3);
      expect(gets()).to.equal(3);
    });
    await withAnswers([], async (server, gets) => {
      await sampler(server, []).finalRead(3, 10);
      expect(gets()).to.equal(1);
    });
  });
});
