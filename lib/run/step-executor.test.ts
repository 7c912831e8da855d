// The step executor's API requests have a deadline that aborts them: against an API server that never answers (an
// endpoint cut off), a step's request fails as timed out and its connection is closed, instead of holding the step,
// and the harness's process, open for good.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder } from '../observe/recorder.ts';
import { writeKubeconfig } from '../sandbox/apiserver/testing/api-fixture.ts';
import { createRandom } from '../scenario/random.ts';
import { parseScenario } from '../scenario/loader.ts';
import { DeadlineError } from '../util/errors.ts';
import { outcomeOrHung as outcome, startSilentServer, type SilentServer } from '../util/silent-server.testing.ts';
import { StepExecutor } from './step-executor.ts';
import { fakeStartedCluster } from './testing/fake-cluster.ts';

describe('run/step-executor: API requests past their deadline are aborted', function () {
  this.timeout(60_000);
  let dir: string;
  let silent: SilentServer;
  let executor: StepExecutor;
  let recorder: Recorder;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-step-executor-'));
    silent = await startSilentServer();
    const kubeconfigPath = await writeKubeconfig(dir, silent.url);
    const cluster = fakeStartedCluster({
      runId: 'st3p02',
      kubeconfigPath,
      nodes: [
        { name: 'cp-0', role: 'control-plane', address: '172.18.0.2' },
        { name: 'w-0', role: 'worker', address: '172.18.0.3' },
      ],
    });
    recorder = new Recorder();
    executor = new StepExecutor({ cluster, recorder, random: createRandom('1'), requestDeadlineMs: 200, operatorRetryMs: 600 });
  });
  afterEach(async () => {
    await silent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a node list fails as timed out, and its connection is closed', async () => {
    const listed = await outcome(executor.listNodes());
    expect(listed, 'the list returned').not.to.equal('hung');
    expect((listed as { error: unknown }).error).to.be.instanceOf(DeadlineError);
    expect(((listed as { error: Error }).error as Error).message).to.match(/timed out after 200 ms waiting for the node list/);
    expect(silent.connections(), 'the request reached the server').to.be.greaterThan(0);
    expect(await silent.allClosed(), 'the server saw the connection closed').to.equal(true);
  });

  it('a cordon fails (the harness could not carry it out), and every connection it opened is closed', async () => {
    const scenario = parseScenario(
      'name: s\ncluster: { controlPlanes: 1, workers: 1 }\nsteps:\n  - cordon: worker[0]\n',
      join(dir, 's.yaml'),
    );
    expect(await outcome(executor.runAll(scenario.steps)), 'the step returned').not.to.equal('hung');
    expect(executor.failures.map((f) => [f.blame, f.message])).to.deep.equal([
      ['harness', 'cordon w-0: timed out after 200 ms waiting for the cordon patch of node w-0'],
    ]);
    expect(await silent.allClosed(), 'the server saw every connection closed').to.equal(true);
  });

  it('the API state probe finds the API unavailable, and its connections are closed', async () => {
    const state = await outcome(executor.apiState());
    expect(state).to.deep.equal({ value: 'unavailable' });
    expect(silent.connections(), 'the write, then the read').to.equal(2);
    expect(await silent.allClosed(), 'the server saw every connection closed').to.equal(true);
  });
});

describe("run/step-executor: an operator's Node patch is sent again after a 5xx or no answer, not after a refusal", function () {
  this.timeout(60_000);
  let dir: string;
  let server: SilentServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-step-executor-'));
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A cluster behind an API that answers each Node PATCH with the next status of `statuses` (then 200). */
  async function executorAnswering(statuses: number[]): Promise<{ executor: StepExecutor; recorder: Recorder; patches: () => number }> {
    let patches = 0;
    server = await startSilentServer((req, res) => {
      if (req.method !== 'PATCH') return false;
      const status = statuses[patches++] ?? 200;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' });
      const node = { kind: 'Node', apiVersion: 'v1', metadata: { name: 'w-0', resourceVersion: String(100 + patches) } };
      const failure = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message: `answer ${status}` };
      res.end(JSON.stringify(status === 200 ? node : failure));
      return true;
    });
    const cluster = fakeStartedCluster({
      runId: 'st3p03',
      kubeconfigPath: await writeKubeconfig(dir, server.url),
      nodes: [
        { name: 'cp-0', role: 'control-plane', address: '172.18.0.2' },
        { name: 'w-0', role: 'worker', address: '172.18.0.3' },
      ],
    });
    const recorder = new Recorder();
    const executor = new StepExecutor({ cluster, recorder, random: createRandom('1'), requestDeadlineMs: 2000, operatorRetryMs: 5000 });
    return { executor, recorder, patches: () => patches };
  }

  const labelStep = () =>
    parseScenario(
      'name: s\ncluster: { controlPlanes: 1, workers: 1 }\nsteps:\n  - label: { target: "worker[0]", labels: { zone: b } }\n',
      join(dir, 's.yaml'),
    ).steps;

  it('a 503 (an API server whose etcd member is gone) is answered by sending the patch again', async () => {
    const { executor, recorder, patches } = await executorAnswering([503, 503]);
    await executor.runAll(labelStep());
    expect(executor.failures).to.deep.equal([]);
    expect(patches()).to.equal(3);
    const applied = recorder.history.find((e) => e.kind === 'action' && e.phase === 'applied');
    expect(applied).to.deep.include({ fault: 'label', rvs: { 'w-0': '103' } });
  });

  it('a 422 is the answer: the step fails at once, harness to blame', async () => {
    const { executor, patches } = await executorAnswering([422]);
    await executor.runAll(labelStep());
    expect(executor.failures.map((f) => f.blame)).to.deep.equal(['harness']);
    expect(executor.failures[0]?.message).to.match(/^label w-0: HTTP-Code: 422/);
    expect(patches()).to.equal(1);
  });
});
