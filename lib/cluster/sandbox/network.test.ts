// The sandbox network on its own: namespaces on a bridge, and real packet drops from the fault rules.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../faults/journal.ts';
import { run } from '../../util/exec.ts';
import { createHub, createNodeNamespace, destroyNamespace, hubNamespace, listNamespaces, nodeNamespace } from '../../sandbox/network.ts';
import {
  addRules,
  deleteRules,
  installChains,
  isolateRules,
  listRules,
  oneWayRules,
  partitionRules,
  type FilterNode,
} from '../../sandbox/packet-filter.ts';
import { newRunId } from '../core/workspace.ts';
import { parsePortList } from '../../faults/ports.ts';
import { nodeAddress } from '../../sandbox/topology.ts';

const isRoot = process.getuid?.() === 0;
const PORT = 7070;
/** A second listener on every node, for port-limited cuts. */
const OTHER_PORT = 7071;

/** Can `from` open a TCP connection to `to`'s echo server within 700 ms? */
async function canConnect(from: FilterNode, to: FilterNode, port = PORT): Promise<boolean> {
  const script = `const s=require('net').connect(${port},'${to.address}');s.setTimeout(700);s.on('connect',()=>{process.stdout.write('ok');s.destroy()});s.on('timeout',()=>{s.destroy()});s.on('error',()=>{})`;
  const out = await run('ip', ['netns', 'exec', from.namespace, process.execPath, '-e', script], { timeoutMs: 5000 });
  return out === 'ok';
}

describe('sandbox network: namespaces, bridge and packet drops', function () {
  this.timeout(60_000);
  const runId = newRunId();
  let dir: string;
  const nodes: FilterNode[] = [];
  const servers: ChildProcess[] = [];

  before(async function () {
    if (!isRoot) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-net-'));
    const journal = new Journal(dir);
    await createHub(journal, runId);
    for (let i = 0; i < 3; i++) {
      const namespace = await createNodeNamespace(journal, runId, i, nodeAddress(i), 16);
      await installChains(namespace);
      nodes.push({ name: `n${i}`, namespace, address: nodeAddress(i) });
      const server = spawn(
        'ip',
        [
          'netns',
          'exec',
          namespace,
          process.execPath,
          '-e',
          `for (const p of [${PORT},${OTHER_PORT}]) require('net').createServer(s=>s.end()).listen(p,'${nodeAddress(i)}')`,
        ],
        { stdio: 'ignore' },
      );
      servers.push(server);
    }
    // wait until every server listens
    for (const to of nodes) {
      for (let attempt = 0; attempt < 50 && !(await canConnect(nodes[(nodes.indexOf(to) + 1) % 3] as FilterNode, to)); attempt++);
    }
  });

  after(async () => {
    for (const server of servers) server.kill('SIGKILL');
    for (let i = 0; i < 3; i++) await destroyNamespace(nodeNamespace(runId, i));
    await destroyNamespace(hubNamespace(runId));
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect((await listNamespaces()).filter((ns) => ns.includes(runId))).to.deep.equal([]);
  });

  const [a, b, c] = [0, 1, 2];
  const node = (i: number): FilterNode => nodes[i] as FilterNode;

  it('connects every node to every other over the bridge, and nothing in the root namespace routes there', async () => {
    expect(await canConnect(node(a), node(b))).to.equal(true);
    expect(await canConnect(node(b), node(c))).to.equal(true);
    const routes = await run('ip', ['route', 'show']);
    expect(routes).to.not.contain('10.213.');
  });

  it('isolate cuts a node off both ways; deleting the rules restores it', async () => {
    const rules = isolateRules(node(a));
    await addRules(rules);
    expect(await canConnect(node(a), node(b))).to.equal(false);
    expect(await canConnect(node(b), node(a))).to.equal(false);
    expect(await canConnect(node(b), node(c))).to.equal(true);
    await deleteRules(rules);
    expect(await listRules(node(a).namespace)).to.have.length(4); // the chains and their hooks only
    expect(await canConnect(node(a), node(b))).to.equal(true);
  });

  it('partition splits groups and leaves each group connected', async () => {
    const rules = partitionRules([[node(a)], [node(b), node(c)]]);
    await addRules(rules);
    expect(await canConnect(node(a), node(b))).to.equal(false);
    expect(await canConnect(node(c), node(a))).to.equal(false);
    expect(await canConnect(node(b), node(c))).to.equal(true);
    await deleteRules(rules);
    expect(await canConnect(node(c), node(a))).to.equal(true);
  });

  it('one-way drop stops packets from a to b only (b still reaches c, c still reaches a)', async () => {
    const rules = oneWayRules([node(a)], [node(b)]);
    expect(rules).to.have.length(1);
    expect(rules[0]?.namespace).to.equal(node(b).namespace);
    await addRules(rules);
    // a's packets never reach b, so a cannot connect to b; other pairs are untouched.
    expect(await canConnect(node(a), node(b))).to.equal(false);
    expect(await canConnect(node(c), node(a))).to.equal(true);
    expect(await canConnect(node(b), node(c))).to.equal(true);
    await deleteRules(rules);
    await deleteRules(rules); // deleting again is not an error
    expect(await canConnect(node(a), node(b))).to.equal(true);
  });

  it('a cut limited to ports drops only traffic to those ports, both ways for isolate; other ports stay open', async () => {
    const ports = parsePortList([PORT]);
    const rules = isolateRules(node(a), ports);
    await addRules(rules);
    expect(await canConnect(node(a), node(b)), 'a to b, cut port').to.equal(false);
    expect(await canConnect(node(b), node(a)), 'b to a, cut port').to.equal(false);
    expect(await canConnect(node(a), node(b), OTHER_PORT), 'a to b, other port').to.equal(true);
    expect(await canConnect(node(b), node(a), OTHER_PORT), 'b to a, other port').to.equal(true);
    await deleteRules(rules);
    const drop = oneWayRules([node(a)], [node(b)], ports);
    await addRules(drop);
    expect(await canConnect(node(a), node(b)), 'drop a -> b, cut port').to.equal(false);
    expect(await canConnect(node(a), node(b), OTHER_PORT), 'drop a -> b, other port').to.equal(true);
    expect(await canConnect(node(b), node(a)), 'b to a: not dropped').to.equal(true);
    await deleteRules(drop);
    expect(await canConnect(node(a), node(b))).to.equal(true);
  });
});
