// The sandbox in a user namespace: what runs without root. As root, CPCHAOS_USERNS=1 forces this path; a non-root
// user is tested for real with setpriv when the checkout is readable by nobody.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../util/exec.ts';
import { waitFor } from '../../util/wait.ts';
import { SetupError } from '../../util/errors.ts';
import { Journal } from '../../faults/journal.ts';
import { HostNamespace, hostOfRun } from '../../sandbox/host-namespace.ts';
import { assertCanCreateNamespaces, listNamespaces, namespacePids } from '../../sandbox/network.ts';
import { API_PORT } from '../../sandbox/node-processes.ts';
import { listRules } from '../../sandbox/packet-filter.ts';
import type { StartedSandbox } from './sandbox-cluster.ts';
import { isNodeReady, SandboxProvider } from './sandbox-provider.ts';
import { isLive, namespaceOf, processesInNamespace, processesOfRun } from '../../sandbox/testing/leftovers.ts';

const isRoot = process.getuid?.() === 0;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'bin/cpchaos.js');
const PAUSED_SANDBOX = fileURLToPath(new URL('./testing/start-paused-sandbox.ts', import.meta.url));
const NOBODY = 65534;

/** Starts a sandbox with CPCHAOS_USERNS=1 (read at start only). */
async function startInUserNamespace(): Promise<StartedSandbox> {
  const before = process.env['CPCHAOS_USERNS'];
  process.env['CPCHAOS_USERNS'] = '1';
  try {
    return await new SandboxProvider().start({ topology: { controlPlanes: 3, workers: 1 }, readyTimeoutMs: 120_000 });
  } finally {
    if (before === undefined) delete process.env['CPCHAOS_USERNS'];
    else process.env['CPCHAOS_USERNS'] = before;
  }
}

describe('sandbox without user namespaces: a clear setup error', () => {
  it('says what failed and what to do when unshare cannot make a user namespace, and leaves no holder', async () => {
    // A fake unshare that fails as a kernel with unprivileged user namespaces disabled makes it fail.
    const dir = mkdtempSync(join(tmpdir(), 'cpchaos-fake-unshare-'));
    const fake = join(dir, 'unshare');
    writeFileSync(
      fake,
      '#!/bin/sh\ncase "$1" in --version) echo "unshare from util-linux 2.38.1";; *) echo "unshare: unshare failed: Operation not permitted" >&2; exit 1;; esac\n',
    );
    chmodSync(fake, 0o755);
    const saved = { path: process.env['PATH'], userns: process.env['CPCHAOS_USERNS'] };
    process.env['PATH'] = `${dir}:${saved.path ?? ''}`;
    process.env['CPCHAOS_USERNS'] = '1';
    try {
      const probe = await assertCanCreateNamespaces().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(probe).to.be.instanceOf(SetupError);
      expect((probe as Error).message)
        .to.match(/cannot create a user namespace/)
        .and.match(/unprivileged_userns_clone/)
        .and.match(/run as root/);
      const journal = new Journal(join(dir, 'run'));
      const start = await HostNamespace.start(join(dir, 'run'), journal).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(start).to.be.instanceOf(SetupError);
      expect((start as Error).message)
        .to.match(/could not start its user namespace/)
        .and.match(/Operation not permitted/);
      const holders = Journal.read(join(dir, 'run')).filter((e) => e.type === 'process');
      expect(holders).to.have.length(1); // journaled before it could fail
      for (const e of holders) if (e.type === 'process') expect(isLive(e.pid)).to.equal(false);
    } finally {
      process.env['PATH'] = saved.path;
      if (saved.userns === undefined) delete process.env['CPCHAOS_USERNS'];
      else process.env['CPCHAOS_USERNS'] = saved.userns;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sandbox in an unprivileged user namespace (CPCHAOS_USERNS=1)', function () {
  this.timeout(180_000);
  let cluster: StartedSandbox | undefined;
  let holderPid: number;
  let userns: string;
  const nodePids = new Set<number>();

  before(async function () {
    if (!isRoot) this.skip(); // without root the other sandbox specs already take this path
    cluster = await startInUserNamespace();
    holderPid = cluster.holderPid as number;
    userns = namespaceOf(holderPid, 'user') as string;
  });

  after(async () => {
    if (!cluster) return;
    const runId = cluster.runId;
    for (const node of cluster.nodes)
      for (const pid of await namespacePids(cluster.member(node.name).processes.namespace)) nodePids.add(pid);
    await cluster.stop();
    expect(isLive(holderPid), 'the namespace holder is gone').to.equal(false);
    expect([...nodePids].filter(isLive), 'node processes left behind').to.deep.equal([]);
    expect(processesOfRun(runId), 'processes naming the run left behind').to.deep.equal([]);
    expect(processesInNamespace('user', userns), "processes in the run's user namespace").to.deep.equal([]);
  });

  /** Can `from`'s namespace open a TCP connection to `to`'s API server port within 700 ms? */
  async function canConnect(from: string, to: string): Promise<boolean> {
    const c = cluster as StartedSandbox;
    const ns = c.member(from).processes.namespace;
    const script = `const s=require('net').connect(${API_PORT},'${c.member(to).node.address}');s.setTimeout(700);s.on('connect',()=>{process.stdout.write('ok');s.destroy()});s.on('timeout',()=>{s.destroy()});s.on('error',()=>{})`;
    const out = await hostOfRun(c.runId).run('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { timeoutMs: 10_000 });
    return out === 'ok';
  }

  it('runs every node in namespaces the root namespace does not see, and serves them Ready through the VIP', async () => {
    const c = cluster as StartedSandbox;
    expect(holderPid).to.be.a('number');
    expect(userns).to.not.equal(namespaceOf(process.pid, 'user'));
    const nodes = await c.listNodes();
    expect(nodes.map((n) => n.metadata?.name).sort()).to.deep.equal(['cp-0', 'cp-1', 'cp-2', 'worker-0']);
    expect(nodes.every(isNodeReady)).to.equal(true);
    // Named only inside the holder's mount namespace; nothing of the run in the root one.
    expect((await listNamespaces()).filter((ns) => ns.includes(c.runId))).to.deep.equal([]);
    expect((await listNamespaces(hostOfRun(c.runId))).filter((ns) => ns.includes(c.runId))).to.have.length(5);
    // The node processes are in the run's user namespace.
    const agentPids = await namespacePids(c.member('cp-0').processes.namespace);
    expect(agentPids.length).to.be.greaterThan(0);
    for (const pid of agentPids) expect(namespaceOf(pid, 'user')).to.equal(userns);
  });

  it('an isolate fault really drops packets (iptables in the user namespace), and its undo restores them', async () => {
    const c = cluster as StartedSandbox;
    expect(await canConnect('cp-0', 'cp-1')).to.equal(true);
    const fault = await c.inject({ kind: 'isolate', nodes: ['cp-1'] });
    try {
      expect(await listRules(c.member('cp-1').processes.namespace)).to.include('-A CPCHAOS-IN -i eth0 -j DROP');
      expect(await canConnect('cp-0', 'cp-1')).to.equal(false);
      expect(await canConnect('cp-1', 'cp-2')).to.equal(false);
      expect(await canConnect('cp-0', 'cp-2')).to.equal(true);
    } finally {
      await fault.undo();
    }
    expect(await canConnect('cp-0', 'cp-1')).to.equal(true);
  });
});

describe('sandbox in a user namespace: after a SIGKILLed harness, `cpchaos cleanup` leaves nothing', function () {
  this.timeout(180_000);

  it("kills the paused node's processes; the user namespace (and every namespace in it) goes with them", async function () {
    if (!isRoot) this.skip(); // needs CPCHAOS_USERNS=1 to mean something; non-root runs take this path anyway
    const stateDir = mkdtempSync(join(tmpdir(), 'cpchaos-userns-state-'));
    const env = { ...process.env, CPCHAOS_USERNS: '1', CPCHAOS_STATE_DIR: stateDir };
    const child = spawn(process.execPath, ['--import', 'tsx', PAUSED_SANDBOX], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const started = await waitFor(
        'the sandbox to start and pause cp-0',
        () => {
          if (child.exitCode !== null) throw new Error(`the sandbox process exited early:\n${output}`);
          const line = output.split('\n').find((l) => l.startsWith('{'));
          return line ? (JSON.parse(line) as { runId: string; holderPid: number }) : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      const userns = namespaceOf(started.holderPid, 'user') as string;
      expect(userns).to.be.a('string');
      child.kill('SIGKILL');
      await exited;
      // The paused node's agent and etcd member cannot exit by themselves: cleanup must find them.
      const left = processesInNamespace('user', userns);
      expect(left.length, 'paused processes still in the user namespace').to.be.greaterThan(0);
      const out = await run(process.execPath, [CLI, 'cleanup'], { env: env as Record<string, string>, timeoutMs: 60_000 });
      expect(out).to.match(/removed 1 run/);
      await waitFor("no process in the run's user namespace", () => processesInNamespace('user', userns).length === 0, { timeoutMs: 5000 });
      expect(processesOfRun(started.runId)).to.deep.equal([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('sandbox as a real non-root user (setpriv to nobody): `cpchaos sandbox demo`', function () {
  this.timeout(180_000);

  /** Runs argv as nobody; resolves with the exit code and output. */
  function asNobody(argv: readonly string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      execFile(
        'setpriv',
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...argv],
        { cwd: ROOT, env: { ...process.env, HOME: tmpdir(), ...env }, timeout: 150_000, encoding: 'utf8' },
        (error, stdout, stderr) =>
          resolve({ code: error ? (((error as { code?: unknown }).code as number) ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
  }

  it('brings a 3+1 sandbox up with every node Ready and tears it down, leaving no process', async function () {
    if (!isRoot) this.skip(); // without root this whole suite already runs as a non-root user
    const readable = await asNobody(
      ['sh', '-c', `test -r ${join(ROOT, 'package.json')} && test -r ${CLI} && test -x ${join(ROOT, 'node_modules')}`],
      {},
    );
    if (readable.code !== 0) {
      this.skip(); // the checkout is not readable by nobody: nothing to learn here
    }
    const userns = await asNobody(['unshare', '--user', '--map-root-user', '--mount', '--net', 'true'], {});
    if (userns.code !== 0) {
      // Unprivileged user namespaces are off on this machine: then the sandbox must say so (tested below).
      const demo = await asNobody([process.execPath, CLI, 'sandbox', 'demo'], {});
      expect(demo.code).to.equal(2);
      expect(demo.output).to.match(/user namespace/);
      return;
    }
    const stateDir = mkdtempSync(join(tmpdir(), 'cpchaos-nobody-state-'));
    chownSync(stateDir, NOBODY, NOBODY);
    try {
      const demo = await asNobody([process.execPath, CLI, 'sandbox', 'demo'], { CPCHAOS_STATE_DIR: stateDir });
      expect(demo.code, demo.output).to.equal(0);
      const readyLines = demo.output.split('\n').filter((line) => /^(cp-\d|worker-\d)\s+Ready\s/.test(line));
      expect(readyLines, demo.output).to.have.length(4);
      const runId = /sandbox ([0-9a-f]{6}) ready/.exec(demo.output)?.[1] as string;
      expect(runId).to.be.a('string');
      expect(processesOfRun(runId)).to.deep.equal([]);
      expect((await listNamespaces()).filter((ns) => ns.includes(runId))).to.deep.equal([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
