// The VIP forwarder against real HTTP servers on unix sockets whose /readyz the test controls.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../util/wait.ts';
import { TcpForwarder } from './vip.ts';

type Readiness = 'ok' | 'fail' | 'hang' | 'fail-once';

describe('sandbox VIP forwarder', function () {
  this.timeout(20_000);
  let dir = '';
  const servers: Server[] = [];
  const readiness = new Map<string, Readiness>();
  /** Connections each backend accepted. */
  const accepted = new Map<string, number>();
  let vip: TcpForwarder | undefined;

  async function backend(name: string): Promise<{ name: string; socketPath: string }> {
    const socketPath = join(dir, `${name}.sock`);
    readiness.set(name, 'ok');
    const server = createServer((req, res) => {
      if (req.url === '/readyz') {
        const state = readiness.get(name);
        if (state === 'hang') return; // an isolated server: its etcd read never completes
        if (state === 'fail-once') readiness.set(name, 'ok'); // one slow or failed probe on a busy host
        res.writeHead(state === 'ok' ? 200 : 500).end(state);
        return;
      }
      res.writeHead(200).end(name);
    });
    accepted.set(name, 0);
    server.on('connection', () => accepted.set(name, (accepted.get(name) ?? 0) + 1));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    servers.push(server);
    return { name, socketPath };
  }

  function whoAnswers(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/who', agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-vip-'));
  });
  afterEach(async () => {
    await vip?.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards only to ready servers, round robin', async () => {
    vip = new TcpForwarder({ healthChecked: true, healthIntervalMs: 50, healthTimeoutMs: 200 });
    vip.setBackends([await backend('a'), await backend('b'), await backend('c')]);
    const port = await vip.listen();
    readiness.set('b', 'fail');
    await waitFor('b to be marked unhealthy', () => !vip!.healthyBackends().includes('b'), { timeoutMs: 5000, intervalMs: 20 });
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) answers.add(await whoAnswers(port));
    expect([...answers].sort()).to.deep.equal(['a', 'c']);
  });

  it('with none ready (an election after the isolated one stopped answering), never picks the one that stopped first', async () => {
    vip = new TcpForwarder({ healthChecked: true, healthIntervalMs: 50, healthTimeoutMs: 200 });
    vip.setBackends([await backend('a'), await backend('b'), await backend('c')]);
    const port = await vip.listen();
    readiness.set('a', 'hang');
    await waitFor('a (isolated) to be marked unhealthy', () => !vip!.healthyBackends().includes('a'), { timeoutMs: 5000, intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 300));
    readiness.set('b', 'fail');
    readiness.set('c', 'fail');
    await waitFor('no server ready', () => vip!.healthyBackends().length === 0, { timeoutMs: 5000, intervalMs: 20 });
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) answers.add(await whoAnswers(port));
    expect([...answers].sort()).to.deep.equal(['b', 'c']);
  });

  it('keeps a server that failed one probe, and the connections to it (HAProxy fall 3); takes it out after three', async () => {
    vip = new TcpForwarder({ healthChecked: true, healthIntervalMs: 50, healthTimeoutMs: 200 });
    vip.setBackends([await backend('a')]);
    const port = await vip.listen();
    const client = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    let closed = false;
    client.on('close', () => (closed = true)).on('error', () => undefined);
    readiness.set('a', 'fail-once');
    await waitFor('the failed probe to be answered', () => readiness.get('a') === 'ok', { timeoutMs: 5000, intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 300));
    expect(vip.healthyBackends()).to.deep.equal(['a']);
    expect(closed, 'the connection through the VIP was cut').to.equal(false);
    readiness.set('a', 'fail');
    await waitFor('a to be marked unhealthy', () => vip!.healthyBackends().length === 0, { timeoutMs: 5000, intervalMs: 10 });
    await waitFor('the connection to a to be cut', () => closed, { timeoutMs: 5000, intervalMs: 10 });
    client.destroy();
  });

  it('probes a server over a kept-alive connection; probes of a hung server each wait on a connection of their own', async () => {
    vip = new TcpForwarder({ healthChecked: true, healthIntervalMs: 50, healthTimeoutMs: 1000 });
    vip.setBackends([await backend('a')]);
    await vip.listen();
    let probes = 0;
    let pending = 0;
    let mostPending = 0;
    servers[0]?.on('request', (_req, res) => {
      probes++;
      pending++;
      mostPending = Math.max(mostPending, pending);
      res.on('close', () => pending--);
    });
    await waitFor('ten probes of a', () => probes >= 10, { timeoutMs: 5000, intervalMs: 10 });
    expect(accepted.get('a'), 'connections for ten probes').to.be.at.most(2);
    readiness.set('a', 'hang');
    mostPending = 0;
    await waitFor('two hung probes at once', () => mostPending >= 2, { timeoutMs: 5000, intervalMs: 10 });
  });
});
