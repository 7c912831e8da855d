import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { plainKubeConfig } from '../util/kubeconfig.ts';
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
