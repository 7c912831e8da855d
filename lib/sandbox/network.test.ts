// Needs root (as the sandbox's root mode): makes a namespace of its own and runs processes in it.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run } from '../util/exec.ts';
import { waitFor } from '../util/wait.ts';
import { destroyNamespace, NETNS_PREFIX, namespacePidsFromProc } from './network.ts';

const ipNetnsPids = async (ns: string): Promise<number[]> =>
  (await run('ip', ['netns', 'pids', ns], { timeoutMs: 10_000 }))
    .split('\n')
    .filter((line) => line !== '')
    .map(Number)
    .sort((a, b) => a - b);

describe("a namespace's processes read from /proc, as `ip netns pids` reads them", function () {
  this.timeout(30_000);
  const ns = `${NETNS_PREFIX}${randomBytes(3).toString('hex')}-n0`;
  const sleepers: ChildProcess[] = [];

  before(async () => {
    await run('ip', ['netns', 'add', ns], { timeoutMs: 10_000 });
  });
  after(async () => {
    for (const s of sleepers) s.kill('SIGKILL');
    await destroyNamespace(ns);
  });

  it('finds the same processes as `ip netns pids`, and none of the namespace they left', async () => {
    expect(namespacePidsFromProc(ns)).to.deep.equal([]);
    for (let i = 0; i < 2; i++) sleepers.push(spawn('ip', ['netns', 'exec', ns, 'sleep', '30'], { stdio: 'ignore' }));
    await waitFor('both sleepers inside the namespace', async () => (await ipNetnsPids(ns)).length === 2, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const fromProc = namespacePidsFromProc(ns).sort((a, b) => a - b);
    expect(fromProc).to.deep.equal(await ipNetnsPids(ns));
    expect(fromProc).to.not.include(process.pid);
  });

  it('a namespace that does not exist holds nobody', () => {
    expect(namespacePidsFromProc(`${NETNS_PREFIX}nosuchrun-n0`)).to.deep.equal([]);
  });
});
