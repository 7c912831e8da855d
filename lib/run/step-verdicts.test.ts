// Whose failure a failed step is: the steps verdict fails only for the system's (a wait it did not meet), is an
// error for the harness's (a fault command that failed) and inconclusive for a precondition not met (an etcd leader
// nobody knows). A fake cluster whose API does not answer stands in: nothing here needs one.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultRequest } from '../faults/catalogue.ts';
import type { StartedCluster } from '../cluster/core/provider.ts';
import { ClusterCommandError } from '../cluster/kind/tools.ts';
import { Recorder } from '../observe/recorder.ts';
import { writeKubeconfig } from '../sandbox/apiserver/testing/api-fixture.ts';
import { createRandom } from '../scenario/random.ts';
import { parseScenario } from '../scenario/loader.ts';
import { StepExecutor } from './step-executor.ts';
import { stepsVerdict } from './step-verdicts.ts';
import { fakeStartedCluster } from './testing/fake-cluster.ts';

describe('run/step-verdicts: whose failure a failed step is', function () {
  this.timeout(30_000);
  let dir: string;
  let kubeconfigPath: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-step-verdicts-'));
    // Port 1 on loopback: nothing listens, every API call is refused at once.
    kubeconfigPath = await writeKubeconfig(dir, 'https://127.0.0.1:1');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function cluster(inject: (request: FaultRequest) => Promise<never>): StartedCluster {
    return fakeStartedCluster({
      runId: 'st3p01',
      kubeconfigPath,
      nodes: [
        { name: 'cp-0', role: 'control-plane', address: '172.18.0.2' },
        { name: 'cp-1', role: 'control-plane', address: '172.18.0.3' },
        { name: 'w-0', role: 'worker', address: '172.18.0.4' },
      ],
      supportedFaults: ['kill'],
      inject,
    });
  }

  async function stepsOf(yamlSteps: string, inject: (request: FaultRequest) => Promise<never>) {
    const scenario = parseScenario(`name: s\ncluster: { controlPlanes: 2, workers: 1 }\nsteps:\n${yamlSteps}`, join(dir, 's.yaml'));
    const executor = new StepExecutor({ cluster: cluster(inject), recorder: new Recorder(), random: createRandom('1') });
    await executor.runAll(scenario.steps);
    return stepsVerdict(executor);
  }

  const commandFails = (): Promise<never> =>
    Promise.reject(new ClusterCommandError('killing node cp-0', 'docker kill cp-0', 1, 'Cannot connect to the Docker daemon'));

  it('a fault command that failed is an error of the harness, not a failure of the system', async () => {
    const verdict = await stepsOf('  - kill: control-plane[0]\n', commandFails);
    expect(verdict.status).to.equal('error');
    expect(verdict.summary).to.contain('docker kill cp-0');
  });

  it('a target nobody can resolve (no etcd leader known) is a precondition not met: inconclusive', async () => {
    const verdict = await stepsOf('  - kill: etcd-leader\n', commandFails);
    expect(verdict.status).to.equal('inconclusive');
    expect(verdict.summary).to.contain('the etcd leader is not known');
  });

  it('a wait the system did not meet fails', async () => {
    const verdict = await stepsOf('  - wait: { node: "control-plane[0]", ready: Unknown, timeout: 300ms }\n', commandFails);
    expect(verdict.status).to.equal('fail');
    expect(verdict.summary).to.match(/timed out/);
  });
});
