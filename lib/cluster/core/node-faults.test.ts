// The node-fault dispatcher's remove-host on nodes the harness owns (sandbox, kind): the documented order, each
// step journaled before it runs, the Node DELETE retried while the API fails over, nothing undone; and its rejoin.
import { expect } from 'chai';
import { applyNodeFault, removeHostRecipe, type NodeFaultTarget } from './node-faults.ts';

function fakeTarget(calls: string[], deleteFailures: unknown[] = []): NodeFaultTarget {
  const record = (what: string) => async (): Promise<void> => {
    calls.push(what);
  };
  return {
    killNode: async (name) => record(`kill ${name}`)(),
    startNode: async (name) => record(`start ${name}`)(),
    pauseNode: async (name) => record(`pause ${name}`)(),
    resumeNode: async (name) => record(`resume ${name}`)(),
    cutOff: async () => async () => undefined,
    healNetwork: record('heal'),
    drainNode: async (name) => {
      calls.push(`drain ${name}`);
      return `cordoned ${name}`;
    },
    deleteNode: async (name, force) => {
      calls.push(`delete ${name}${force ? ' (force)' : ''}`);
      const failure = deleteFailures.shift();
      if (failure !== undefined) throw failure;
    },
  };
}

describe('node faults: remove-host on owned nodes', () => {
  it('drains, kills for good, then deletes the Node, journaling each step first; nothing is undone', async () => {
    const calls: string[] = [];
    const target = fakeTarget(calls);
    const journal: string[] = [];
    const fault = await applyNodeFault(target, { kind: 'remove-host', nodes: ['cp-2'] }, (step) => {
      journal.push(step);
      calls.push(`journal: ${step}`);
    });
    await fault.undo();
    expect(calls).to.deep.equal([
      'journal: maintenance cp-2: cordon + drain through the API',
      'drain cp-2',
      'journal: uninstall + shut down cp-2: kill its processes for good',
      'kill cp-2',
      'journal: delete-node cp-2: DELETE /api/v1/nodes/cp-2',
      'delete cp-2',
    ]);
    expect(removeHostRecipe(['cp-2'])).to.deep.equal({
      commands: [],
      manual: [],
      steps: journal,
      notUndoable: ['host cp-2 was removed (processes killed, Node deleted): start a new node to replace it'],
    });
  });

  it('retries the Node DELETE while the connection fails (the API server behind the VIP was the removed one); a 404 means it went through', async () => {
    const calls: string[] = [];
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    await applyNodeFault(fakeTarget(calls, [hangUp, { code: 503 }, { code: 404 }]), { kind: 'remove-host', nodes: ['cp-0'] });
    expect(calls.filter((c) => c.startsWith('delete'))).to.deep.equal(['delete cp-0', 'delete cp-0', 'delete cp-0']);
  });

  it('sends a delete-node DELETE again after a connection that broke before the answer; a 404 then means it went through', async () => {
    const calls: string[] = [];
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await applyNodeFault(fakeTarget(calls, [reset, { code: 404 }]), { kind: 'delete-node', nodes: ['cp-0'] });
    expect(calls.filter((c) => c.startsWith('delete'))).to.deep.equal(['delete cp-0', 'delete cp-0']);
  });

  it('takes an answer to a delete-node DELETE as final: a 5xx, or a 404 at the first try, is an error', async () => {
    for (const answer of [{ code: 503 }, { code: 404 }]) {
      const calls: string[] = [];
      let error: unknown;
      await applyNodeFault(fakeTarget(calls, [answer]), { kind: 'delete-node', nodes: ['cp-0'] }).catch((e: unknown) => (error = e));
      expect((error as Error | undefined)?.message, `after ${answer.code}`).to.match(/^DELETE Node cp-0: /);
      expect(calls.filter((c) => c.startsWith('delete'))).to.have.length(1);
    }
  });

  it('does not retry a refusal (403)', async () => {
    const calls: string[] = [];
    let error: unknown;
    await applyNodeFault(fakeTarget(calls, [{ code: 403, message: 'forbidden' }]), { kind: 'remove-host', nodes: ['cp-0'] }).catch(
      (e: unknown) => (error = e),
    );
    expect((error as Error).message).to.match(/^DELETE Node cp-0: /);
    expect(calls.filter((c) => c.startsWith('delete'))).to.have.length(1);
  });
});

describe('node faults: rejoin on owned nodes', () => {
  it("brings each node's new host up through the target, and nothing is undone", async () => {
    const calls: string[] = [];
    const target: NodeFaultTarget = { ...fakeTarget(calls), rejoinNode: async (name) => void calls.push(`rejoin ${name}`) };
    const fault = await applyNodeFault(target, { kind: 'rejoin', nodes: ['worker-0', 'cp-2'] });
    await fault.undo();
    expect(calls).to.deep.equal(['rejoin worker-0', 'rejoin cp-2']);
  });

  it('fails, naming the nodes, on a target that cannot bring a new host up', async () => {
    let error: unknown;
    await applyNodeFault(fakeTarget([]), { kind: 'rejoin', nodes: ['worker-0'] }).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('rejoin worker-0: this provider cannot bring a new host up');
  });
});
