import { expect } from 'chai';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

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
});
