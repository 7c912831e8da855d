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
});
