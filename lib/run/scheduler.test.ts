// The suite scheduler against the kind provider's recording fakes (fixtures/bin): the tools are checked once before
// any scenario, and a cluster that does not start is an error, never a failure.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKindFakes, type KindFakes } from '../cluster/kind/testing/kind-fakes.ts';
import { renderJUnit } from '../report/junit.ts';
import { suiteExitCode } from '../report/result.ts';
import { parseScenario } from '../scenario/loader.ts';
import type { Scenario } from '../scenario/types.ts';
import { SetupError } from '../util/errors.ts';
import { rejection } from '../util/rejection.testing.ts';
import { runSuite } from './scheduler.ts';
import { kindTarget } from './targets/kind-target.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function suite(name: string): Scenario {
  const file = `${ROOT}suites/${name}.yaml`;
  return parseScenario(readFileSync(file, 'utf8'), file);
}

// What the Docker CLI prints when its daemon is down (docker/cli: "Cannot connect to the Docker daemon at ...").
const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

describe('runSuite: environment failures', function () {
  this.timeout(60_000);
  let fakes: KindFakes;
  beforeEach(async () => {
    fakes = await startKindFakes({ runId: 'env0f1' });
  });
  afterEach(async () => {
    await fakes.close();
  });

  it('stops before any scenario with a SetupError when the Docker daemon is down: no cluster, no scenario event', async () => {
    const events: string[] = [];
    const target = kindTarget({ provider: fakes.providerOptions({ CPCHAOS_FAIL_ON: 'docker info', CPCHAOS_FAIL_STDERR: DAEMON_DOWN }) });
    const error = await rejection(
      runSuite([suite('promotion/kill-cp-no-promotion'), suite('quorum/kill-etcd-leader')], {
        target,
        reporters: [{ onEvent: (event) => void events.push(event.type) }],
      }),
    );
    expect(error).to.be.instanceOf(SetupError);
    expect((error as Error).message)
      .to.contain('needs a running Docker daemon')
      .and.to.contain(DAEMON_DOWN);
    expect(events).to.deep.equal([]);
    expect(fakes.lines()).to.deep.equal(['kind version', 'docker info --format {{.ServerVersion}}']);
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it('reports a scenario whose cluster does not start as an error (JUnit <error>), and the suite exits 2', async () => {
    const target = kindTarget({ provider: fakes.providerOptions() });
    fakes.failOn(
      'create cluster',
      'ERROR: failed to create cluster: could not find a log line that matches "Reached target .*Multi-User System.*"',
    );
    const [result] = await runSuite([suite('promotion/kill-cp-no-promotion')], { target });
    expect(result?.status).to.equal('error');
    expect(result?.verdicts.map((v) => [v.invariant, v.status])).to.deep.equal([['run', 'error']]);
    expect(result?.verdicts[0]?.summary).to.match(/^the run could not complete: .*kind create cluster/);
    const junit = renderJUnit(result ? [result] : []);
    expect(junit).to.contain('<error message="the run could not complete').and.not.to.contain('<failure');
    expect(suiteExitCode(result ? [result.status] : [])).to.equal(2);
    expect(fakes.calls().filter((argv) => argv[0] === 'kind' && argv[1] === 'delete')).to.have.length(1);
    expect(fakes.leftovers()).to.deep.equal([]);
  });
});
