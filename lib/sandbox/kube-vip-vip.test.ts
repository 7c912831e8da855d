// The Harvester profile's VIP against real HTTP servers on unix sockets: holder files decide where it forwards.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../util/wait.ts';
import { writeHolderFile } from './agent/kube-vip.ts';
import { KubeVipVip } from './kube-vip-vip.ts';

describe('sandbox kube-vip VIP (one holder)', function () {
  this.timeout(20_000);
  let dir = '';
  const servers: Server[] = [];
  const down = new Set<string>();
  let vip: KubeVipVip | undefined;

  const holderFile = (name: string): string => join(dir, `${name}.holder.json`);

  async function backend(name: string): Promise<{ name: string; socketPath: string }> {
    const socketPath = join(dir, `${name}.sock`);
    const server = createServer((req, res) => {
      // A request that never ends stands for a long watch: it stays on the server that took it.
      if (req.url === '/watch') {
        res.writeHead(200);
        res.write(`${name}\n`);
        return;
      }
      res.writeHead(200).end(name);
    });
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

  async function start(): Promise<number> {
    vip = new KubeVipVip({ holderFile, hostUp: (name) => !down.has(name), pollMs: 20 });
    vip.setBackends([await backend('cp-0'), await backend('cp-1'), await backend('cp-2')]);
    return vip.listen();
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-kube-vip-'));
    down.clear();
  });
  afterEach(async () => {
    await vip?.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards every connection to the holder only, and refuses connections while no node holds the VIP', async () => {
    const port = await start();
    let refused: unknown;
    await whoAnswers(port).catch((error: unknown) => (refused = error));
    expect(refused, 'a connection with no holder').to.be.instanceOf(Error);
    writeHolderFile(holderFile('cp-1'), { holder: 'cp-1', sinceMs: 1000 });
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await whoAnswers(port));
    expect([...answers]).to.deep.equal(['cp-1']);
  });

  it('a newer holder wins; a holder whose host is down holds nothing, whatever file it left', async () => {
    const port = await start();
    writeHolderFile(holderFile('cp-0'), { holder: 'cp-0', sinceMs: 1000 });
    writeHolderFile(holderFile('cp-2'), { holder: 'cp-2', sinceMs: 2000 });
    expect(await whoAnswers(port)).to.equal('cp-2');
    down.add('cp-2');
    expect(await whoAnswers(port)).to.equal('cp-0');
    down.add('cp-0');
    expect(vip?.holder()).to.equal(undefined);
  });

  it("cuts the former holder's open connections when the holder changes", async () => {
    const port = await start();
    writeHolderFile(holderFile('cp-0'), { holder: 'cp-0', sinceMs: 1000 });
    const closed = new Promise<string>((resolve) => {
      get({ host: '127.0.0.1', port, path: '/watch', agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('close', () => resolve(body.trim()));
        res.on('error', () => resolve(body.trim()));
      }).on('error', () => resolve('error'));
    });
    await waitFor('the watch to be open through cp-0', () => vip?.holder() === 'cp-0', { timeoutMs: 2000, intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    writeHolderFile(holderFile('cp-1'), { holder: 'cp-1', sinceMs: 2000 });
    expect(await closed).to.equal('cp-0');
    expect(await whoAnswers(port)).to.equal('cp-1');
  });
});
