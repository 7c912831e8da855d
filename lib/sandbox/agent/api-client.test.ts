import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadlineError } from '../../util/errors.ts';
import { rejection } from '../../util/rejection.testing.ts';
import { startSilentServer } from '../../util/silent-server.testing.ts';
import { FailoverApiClient } from './api-client.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

/** A URL on 127.0.0.1 where nothing listens (connections are refused). */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('the agent API client', function () {
  this.timeout(60_000);
  let fixture: AgentApiFixture;
  before(async () => {
    fixture = await startAgentApi();
  });
  after(async () => {
    await fixture?.close();
  });

  const listNodes = (key = 'nodes'): Promise<string[]> =>
    fixture.api.list(key, 'list nodes', async (a) => (await a.core.listNode()).items.map((n) => n.metadata?.name ?? ''));
  const createNode = (name: string): Promise<unknown> =>
    fixture.api.call(`create node ${name}`, (a) => a.core.createNode({ body: { metadata: { name } } }));

  it('within a pass, answers a list asked for again from the first answer, until another call', async () => {
    await createNode('pass-a');
    await fixture.api.inPass(async () => {
      expect(await listNodes()).to.include('pass-a');
      // Written behind the client's back (another client): the pass's list does not see it...
      await fixture.etcdClient.put(
        '/registry/nodes/pass-behind',
        JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'pass-behind' } }),
      );
      expect(await listNodes(), 'shared within the pass').not.to.include('pass-behind');
      expect(await listNodes('nodes-other-key'), 'another key lists anew').to.include('pass-behind');
      // ...and any call through this client ends the sharing (a write may change what was listed).
      await createNode('pass-b');
      expect(await listNodes()).to.include.members(['pass-b', 'pass-behind']);
    });
    const outside = await listNodes();
    expect(outside).to.include('pass-b');
  });

  it('gives each caller its own copy of a shared list', async () => {
    await fixture.api.inPass(async () => {
      const first = await listNodes();
      first.push('mutated-by-a-caller');
      expect(await listNodes()).not.to.include('mutated-by-a-caller');
    });
  });

  it('keeps a list between calls until its trigger says it changed, or another call goes through the client', async () => {
    let due = false;
    let again = 0;
    fixture.api.keepList('kept-nodes', { listDue: () => due, listAgain: () => again++ });
    await createNode('kept-a');
    expect(await listNodes('kept-nodes')).to.include('kept-a');
    await fixture.etcdClient.put(
      '/registry/nodes/kept-behind',
      JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'kept-behind' } }),
    );
    expect(await listNodes('kept-nodes'), 'kept: no change seen').not.to.include('kept-behind');
    due = true;
    expect(await listNodes('kept-nodes'), 'the trigger saw a change').to.include('kept-behind');
    due = false;
    await fixture.etcdClient.put(
      '/registry/nodes/kept-behind-2',
      JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'kept-behind-2' } }),
    );
    expect(await listNodes('kept-nodes')).not.to.include('kept-behind-2');
    await createNode('kept-b');
    expect(await listNodes('kept-nodes'), 'a call through the client drops the kept answer').to.include.members([
      'kept-b',
      'kept-behind-2',
    ]);
    due = true;
    await fixture.api.list('kept-nodes', 'list nodes', () => Promise.reject(new Error('boom'))).catch(() => undefined);
    expect(again, 'a failed list asks for the next').to.be.greaterThan(0);
  });

  describe('with an endpoints file of its own', () => {
    let dir = '';
    let endpointsFile = '';
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cpchaos-api-client-'));
      endpointsFile = join(dir, 'api-endpoints.json');
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('aborts a call past its deadline: it fails as timed out, and its connection is closed', async () => {
      const silent = await startSilentServer();
      try {
        await writeFile(endpointsFile, JSON.stringify([silent.url]));
        const api = new FailoverApiClient(endpointsFile, () => undefined, 300);
        const error = await rejection(api.call('read node', (a, options) => a.core.readNode({ name: 'n' }, options)));
        expect(error).to.be.instanceOf(DeadlineError);
        expect((error as Error).message).to.match(/timed out after 300 ms waiting for read node via http:\/\/127\.0\.0\.1/);
        expect(silent.connections(), 'the request reached the server').to.be.greaterThan(0);
        // Else the request outlives its deadline, and its kept-alive connection the agent's work.
        expect(await silent.allClosed(), 'the server saw the connection closed').to.equal(true);
      } finally {
        await silent.close();
      }
    });

    it('picks up an updated endpoints file on its next call', async () => {
      const refusing = await refusingUrl();
      const readNodes = (api: FailoverApiClient): Promise<unknown> => api.call('list nodes', (a, options) => a.core.listNode({}, options));
      await writeFile(endpointsFile, JSON.stringify([refusing]));
      const api = new FailoverApiClient(endpointsFile, () => undefined, 2000);
      await rejection(readNodes(api));
      await writeFile(endpointsFile, JSON.stringify([refusing, ...fixture.urls]));
      await readNodes(api);
      await writeFile(endpointsFile, JSON.stringify([refusing]));
      await rejection(readNodes(api));
      await rm(endpointsFile);
      expect(((await rejection(readNodes(api))) as Error).message).to.match(/no API server known for list nodes/);
      await writeFile(endpointsFile, JSON.stringify(fixture.urls));
      await readNodes(api);
    });
  });
});
