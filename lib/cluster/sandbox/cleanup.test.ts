// The sandbox's cleanup through the reaper, on real namespaces: the orphan sweep (namespaces no journal here names)
// leaves those of live runs of other workspaces — a process in one of the run's namespaces, a live process naming
// the run, or namespaces younger than the grace — and deletes only abandoned ones; a journaled dead run is reaped
// as before, however young. Needs root (named namespaces live in the root mount namespace).
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../faults/journal.ts';
import { run } from '../../util/exec.ts';
import { waitFor } from '../../util/wait.ts';
import { destroyNamespace, hubNamespace, listNamespaces, nodeNamespace } from '../../sandbox/network.ts';
import { isLive } from '../../sandbox/testing/leftovers.ts';
import { outcomesOf, reapRuns, type ReapReport } from '../core/reaper.ts';
import { newRunId } from '../core/workspace.ts';
import { sandboxCleanup, sandboxCleanupHandler } from './cleanup.ts';

const isRoot = process.getuid?.() === 0;

describe('sandbox cleanup: the orphan sweep leaves live runs of other workspaces alone', function () {
  this.timeout(60_000);
  let dir: string;
  /** A run no journal here names, with a process inside its node namespace (its hub holds none, as a sandbox's). */
  let inUse: string;
  /** A run no journal here names, with no process inside but a live process whose command line names its folder. */
  let named: string;
  /** A run no journal here names, with nothing in it and nothing naming it: abandoned once older than the grace. */
  let abandoned: string;
  let ours: ReadonlySet<string>;
  const children: ChildProcess[] = [];

  const done = (report: ReapReport): string[] => outcomesOf(report).flatMap((o) => o.done);
  const failed = (report: ReapReport): string[] => outcomesOf(report).flatMap((o) => o.failed);
  const skipped = (report: ReapReport): string[] => outcomesOf(report).flatMap((o) => o.skipped ?? []);
  const namespacesOf = async (runId: string): Promise<string[]> =>
    (await listNamespaces()).filter((ns) => ns.startsWith(`cpc-${runId}-`)).sort();

  async function addNamespaces(runId: string): Promise<void> {
    await run('ip', ['netns', 'add', hubNamespace(runId)]);
    await run('ip', ['netns', 'add', nodeNamespace(runId, 0)]);
  }

  beforeEach(async function () {
    if (!isRoot) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-cleanup-'));
    [inUse, named, abandoned] = [newRunId(), newRunId(), newRunId()] as [string, string, string];
    ours = new Set([inUse, named, abandoned]);
    for (const runId of ours) await addNamespaces(runId);
    // `ip netns exec` enters the namespace and execs the command, so the pid is the sleep's.
    const inside = spawn('ip', ['netns', 'exec', nodeNamespace(inUse, 0), 'sleep', '600'], { stdio: 'ignore' });
    children.push(inside);
    const ownNetns = readlinkSync('/proc/self/ns/net');
    await waitFor('the sleep inside the namespace', () => readlinkSync(`/proc/${inside.pid}/ns/net`) !== ownNetns, {
      timeoutMs: 10_000,
    });
    // An agent of the run in the root namespace, say: it names a file in the run's folder.
    const naming = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)', join(dir, 'runs', named, 'agent.json')], {
      stdio: 'ignore',
    });
    children.push(naming);
    await waitFor('the process naming the run', () => isLive(naming.pid as number), { timeoutMs: 10_000 });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const runId of ours ?? []) for (const ns of await namespacesOf(runId)) await destroyNamespace(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('`cpchaos cleanup` from another workspace leaves every namespace of a live or new run, and says why', async () => {
    // The handler `cpchaos cleanup` uses, over a workspace where none of these runs has a journal.
    const report = await reapRuns([sandboxCleanup], { runsRoot: join(dir, 'runs') });
    for (const runId of ours) expect(await namespacesOf(runId), `namespaces of ${runId}`).to.have.length(2);
    expect(isLive(children[0]?.pid as number), 'the process inside').to.equal(true);
    expect(done(report).filter((line) => [...ours].some((runId) => line.includes(runId)))).to.deep.equal([]);
    const said = skipped(report);
    for (const ns of [hubNamespace(inUse), nodeNamespace(inUse, 0)]) {
      expect(said).to.include(`namespace ${ns} left: process ${children[0]?.pid} (sleep 600) is in namespace ${nodeNamespace(inUse, 0)}`);
    }
    expect(said.find((line) => line.startsWith(`namespace ${hubNamespace(named)} left:`))).to.match(
      new RegExp(`process ${children[1]?.pid} \\(.*\\) names run ${named}$`),
    );
    // Just made, nothing in it yet: a run creates its namespaces before their processes.
    expect(said.find((line) => line.startsWith(`namespace ${hubNamespace(abandoned)} left:`))).to.match(/created \d+ s ago, under 60 s/);
  });

  it('deletes the namespaces of a run nothing uses once they are older than the grace, and only those', async () => {
    // A grace of 0 makes the abandoned run old enough; the sweep is kept to this test's runs, so it cannot take
    // another person's run that is just being set up.
    const report = await reapRuns([sandboxCleanupHandler({ orphanGraceMs: 0, orphanRunIds: ours })], {
      runsRoot: join(dir, 'runs'),
    });
    expect(done(report).sort()).to.deep.equal([
      `deleted namespace ${hubNamespace(abandoned)}`,
      `deleted namespace ${nodeNamespace(abandoned, 0)}`,
    ]);
    expect(failed(report)).to.deep.equal([]);
    expect(await namespacesOf(abandoned)).to.deep.equal([]);
    expect(await namespacesOf(inUse)).to.have.length(2);
    expect(await namespacesOf(named)).to.have.length(2);
    expect(isLive(children[0]?.pid as number), 'the process inside').to.equal(true);
    expect(skipped(report)).to.have.length(4);
  });

  it('reaps a dead run journaled here as before: its namespaces go at once, and its folder', async () => {
    const dead = newRunId();
    ours = new Set([...ours, dead]);
    const runDir = join(dir, 'runs', dead);
    const journal = new Journal(runDir);
    journal.record({ type: 'run', runId: dead, provider: 'sandbox', ownerPid: 999_999_999, ownerStartTicks: 1 });
    journal.record({ type: 'netns', name: hubNamespace(dead) });
    journal.record({ type: 'netns', name: nodeNamespace(dead, 0) });
    await addNamespaces(dead);
    const report = await reapRuns([sandboxCleanupHandler({ orphanRunIds: ours })], { runsRoot: join(dir, 'runs') });
    expect(report.runs.map((r) => r.runId)).to.deep.equal([dead]);
    expect(done(report)).to.deep.equal([`deleted namespace ${nodeNamespace(dead, 0)}`, `deleted namespace ${hubNamespace(dead)}`]);
    expect(await namespacesOf(dead)).to.deep.equal([]);
    expect(Journal.listRunDirs(join(dir, 'runs'))).to.deep.equal([]);
  });
});
