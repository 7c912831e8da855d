import { expect } from 'chai';
import { createServer } from 'node:net';
import { needsWrite, probe, tcpReachable } from './reachability-probe.ts';

describe('sandbox agent: reachability probe', () => {
  it('connects over TCP: an open port answers, a closed one does not', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      expect(await tcpReachable('127.0.0.1', port, 2000)).to.equal(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await tcpReachable('127.0.0.1', port, 2000)).to.equal(false);
  });

  it('sums up the targets by kind, naming the ones that did not answer', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const record = await probe(
      [
        { address: '10.0.0.1', port: 2380, kind: 'etcdPeers' },
        { address: '10.0.0.1', port: 6443, kind: 'api' },
        { address: '10.0.0.2', port: 2380, kind: 'etcdPeers' },
      ],
      async (address, port) => !(address === '10.0.0.2' && port === 2380),
      now,
    );
    expect(record).to.deep.equal({ etcdPeers: false, api: true, unreachable: ['10.0.0.2:2380'], checkedAt: '2026-01-01T00:00:00.000Z' });
    expect(await probe([], async () => false, now)).to.deep.include({ etcdPeers: true, api: true });
  });

  it('rewrites the record when the result changes or it is older than the refresh', () => {
    const at = (iso: string, etcdPeers = true) => ({ etcdPeers, api: true, unreachable: [], checkedAt: iso });
    expect(needsWrite(undefined, at('2026-01-01T00:00:00Z'), 30_000)).to.equal(true);
    expect(needsWrite(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:10Z'), 30_000)).to.equal(false);
    expect(needsWrite(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:10Z', false), 30_000)).to.equal(true);
    expect(needsWrite(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:31Z'), 30_000)).to.equal(true);
  });
});
