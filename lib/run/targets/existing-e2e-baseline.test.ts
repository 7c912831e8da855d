// The existing provider end to end, against a running sandbox: it attaches through the sandbox's kubeconfig, and
// its command executors (fixtures/existing/sandbox.yaml) drive the faults through `cpchaos sandbox fault|undo`,
// which reach the sandbox through its control socket. The smoke scenarios must get the verdicts they get on the
// sandbox provider (all pass); a dry-run plans the commands and runs none.
import type { ScenarioResult } from '../../report/result.ts';
import type { AppliedFault, FaultRequest } from '../../faults/catalogue.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenarios, parseScenario } from '../../scenario/loader.ts';
import { existingTarget, sandboxTopologyFor } from './cluster-targets.ts';
import { runScenario } from '../runner.ts';
import { randomSeed } from '../../scenario/random.ts';
import type { Scenario } from '../../scenario/types.ts';
import { SANDBOX_RUN_ENV } from '../../cluster/sandbox/control/control-client.ts';
import { SandboxControlServer } from '../../cluster/sandbox/control/control-server.ts';
import { controlSocketPath } from '../../cluster/sandbox/control/protocol.ts';
import type { StartedSandbox } from '../../cluster/sandbox/sandbox-cluster.ts';
import { SandboxProvider } from '../../cluster/sandbox/sandbox-provider.ts';
import { waitFor } from '../../util/wait.ts';
import { loadKubeConfig } from '../../util/kubeconfig.ts';
import { existingCleanup } from '../../cluster/existing/cleanup.ts';
import { reapRuns } from '../../cluster/core/reaper.ts';
import { ExistingClusterProvider } from '../../cluster/existing/existing-provider.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXECUTORS = `${ROOT}fixtures/existing/sandbox.yaml`;
const SMOKE = [
  'promotion/delete-cp-promotes-worker',
  'promotion/kill-cp-no-promotion',
  'quorum/isolate-control-plane',
  'quorum/kill-etcd-leader',
  'quorum/majority-down',
];
/** The smoke scenarios, and remove-host through the executors file: maintenance (API cordon), uninstall (sandbox fault kill), Node DELETE. */
const SCENARIOS = [...SMOKE, 'promotion/remove-host-promotes-worker'];
/**
 * Until lib/oracles/fault-timeline.ts counts remove-host as taking its node down, quorum-survives finds nothing
 * to judge in a remove-host run (inconclusive); with that change it passes like the rest.
 */
const notYetJudged = (name: string, verdict: { invariant: string; status: string; summary: string }): boolean =>
  name === 'promotion/remove-host-promotes-worker' &&
  verdict.invariant === 'quorum-survives' &&
  verdict.status === 'inconclusive' &&
  /never took a control-plane node down/.test(verdict.summary);
const isRoot = process.getuid?.() === 0;

function scenario(name: string): Scenario {
  const file = `${ROOT}suites/${name}.yaml`;
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** A sandbox shaped for the scenario, serving its control socket, with the fault requests it received. */
async function startSandboxFor(
  s: Scenario,
): Promise<{ sandbox: StartedSandbox; control: SandboxControlServer; received: FaultRequest[]; stop: () => Promise<void> }> {
  const sandbox = await new SandboxProvider().start({ topology: sandboxTopologyFor(s) });
  const received: FaultRequest[] = [];
  try {
    const counted = {
      inject: (request: FaultRequest): Promise<AppliedFault> => {
        received.push(request);
        return sandbox.inject(request);
      },
      etcdMembership: () => sandbox.etcdMembership(),
    };
    const control = await SandboxControlServer.listen(counted, controlSocketPath(sandbox.runDir));
    process.env[SANDBOX_RUN_ENV] = sandbox.runId;
    return {
      sandbox,
      control,
      received,
      stop: async () => {
        delete process.env[SANDBOX_RUN_ENV];
        await control.close();
        await sandbox.stop();
      },
    };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

function targetFor(sandbox: StartedSandbox, options: { dryRun?: boolean; onDryRunLine?: (line: string) => void } = {}) {
  return existingTarget(ExistingClusterProvider.fromFile(EXECUTORS), {
    kubeconfigPath: sandbox.endpoints.kubeconfigPath,
    allowContexts: [`cpchaos-${sandbox.runId}`],
    ...options,
  });
}

describe('existing provider end to end: a running sandbox driven through `cpchaos sandbox` commands', function () {
  this.timeout(300_000);

  it('the list of smoke scenarios here is the smoke tag of suites/', async () => {
    const smoke = await loadScenarios([`${ROOT}suites`], { tags: ['smoke'] });
    expect(smoke.map((s) => s.name).sort()).to.deep.equal(SMOKE.map((n) => n.split('/')[1]).sort());
  });

  for (const name of SCENARIOS) {
    describe(name, () => {
      let result: ScenarioResult | undefined;
      let received: FaultRequest[] = [];
      let leftConfigMaps: string[] = [];
      before(async function () {
        if (!isRoot) this.skip();
        const s = scenario(name);
        const run = await startSandboxFor(s);
        try {
          result = await runScenario(s, { seed: randomSeed(), target: targetFor(run.sandbox) });
          received = run.received;
          const core = loadKubeConfig(run.sandbox.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
          leftConfigMaps = (await core.listConfigMapForAllNamespaces()).items.map((cm) => `${cm.metadata?.namespace}/${cm.metadata?.name}`);
        } finally {
          await run.stop();
        }
      });

      it('leaves no object of its own in the cluster (its registers and probe are deleted at the end)', () => {
        expect(
          result?.history.some((e) => e.kind === 'op' && e.phase === 'ok'),
          'the samplers wrote',
        ).to.equal(true);
        expect(leftConfigMaps.filter((name) => name.includes('cpchaos-'))).to.deep.equal([]);
      });

      it('runs on the existing provider, with faults through the sandbox commands', () => {
        expect(result?.history.find((e) => e.kind === 'run-start')).to.include({ provider: 'existing' });
        const expectsCommands = scenario(name).steps.some((step) => ['kill', 'isolate', 'restart'].includes(step.kind));
        if (expectsCommands) expect(received.length, 'fault requests the sandbox received').to.be.greaterThan(0);
      });

      it("gets the sandbox provider's verdicts: every invariant passes", () => {
        const lines = result?.verdicts.map((v) => `${v.invariant}: ${v.status}: ${v.summary}`).join('\n');
        expect(result?.verdicts.length).to.be.greaterThan(2);
        for (const verdict of result?.verdicts ?? []) if (!notYetJudged(name, verdict)) expect(verdict.status, lines).to.equal('pass');
      });

      it("says which Harvester profile it used (the sandbox's kubelets report no version: harvester-1.4's, and so it says) and which endpoint it measures", () => {
        const notes = (result?.history ?? []).flatMap((e) => (e.kind === 'note' ? [e.message] : []));
        expect(
          notes.some((n) => /^profile harvester-1\.4 \(no kubelet version and no Harvester version readable: falling back/.test(n)),
          notes.join('\n'),
        ).to.equal(true);
        expect(notes.some((n) => /^timers given by the executors file .*sandbox\.yaml win over the profile's/.test(n))).to.equal(true);
        expect(notes.some((n) => /^endpoint (vip|node|unknown|rancher-proxy): availability is measured/.test(n))).to.equal(true);
        expect(result?.history.find((e) => e.kind === 'run-start')).to.deep.include({
          timers: { kubeletHeartbeatMs: 250, nodeMonitorGraceMs: 2500, etcdHeartbeatMs: 100, etcdElectionTimeoutMs: 1000 },
        });
      });
    });
  }

  it("--dry-run attaches and prints each fault's command, and runs none", async function () {
    if (!isRoot) this.skip();
    const s = scenario('promotion/kill-cp-no-promotion');
    const run = await startSandboxFor(s);
    try {
      const lines: string[] = [];
      const result = await runScenario(s, {
        seed: randomSeed(),
        dryRun: true,
        target: targetFor(run.sandbox, { dryRun: true, onDryRunLine: (l) => lines.push(l) }),
      });
      expect(result.status).to.equal('inconclusive');
      expect(lines.join('\n')).to.match(/node bin\/cpchaos\.js sandbox fault kill cp-1/);
      expect(lines.join('\n')).to.match(/node bin\/cpchaos\.js sandbox fault restart cp-1/);
      expect(run.received, 'fault requests that reached the sandbox').to.deep.equal([]);
      const ready = (await run.sandbox.listNodes()).every((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      expect(ready, 'every node still Ready').to.equal(true);
    } finally {
      await run.stop();
    }
  });

  it("a killed run's faults are undone from its journal by `cpchaos cleanup` (the undo commands it recorded)", async function () {
    if (!isRoot) this.skip();
    const s = scenario('promotion/kill-cp-no-promotion');
    const run = await startSandboxFor(s);
    try {
      const existing = await ExistingClusterProvider.fromFile(EXECUTORS).start({
        kubeconfigPath: run.sandbox.endpoints.kubeconfigPath,
        allowContexts: [`cpchaos-${run.sandbox.runId}`],
      });
      try {
        await existing.inject({ kind: 'kill', nodes: ['cp-1'] });
        expect(run.sandbox.member('cp-1').state).to.equal('killed');
        // The harness "dies" here: nothing is undone by it; its journal holds the undo command.
        const report = await reapRuns([existingCleanup()]);
        const reaped = report.runs.find((r) => r.runId === existing.runId);
        expect(reaped?.outcome.done).to.deep.equal(['undid kill cp-1: node bin/cpchaos.js sandbox undo kill cp-1']);
        expect(report.keptRuns).to.not.include(existing.runId);
        expect(run.sandbox.member('cp-1').state).to.equal('running');
        await waitFor(
          'cp-1 Ready again after cleanup',
          async () =>
            (await run.sandbox.listNodes()).some(
              (n) => n.metadata?.name === 'cp-1' && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
            ),
          { timeoutMs: 30_000, intervalMs: 250 },
        );
      } finally {
        // The harness "died": cleanup reaped its run and removed the run's folder. Stopping the object that is left
        // only releases its watchers (its journal cannot be written any more, which is the error swallowed here).
        await existing.stop().catch(() => undefined);
      }
    } finally {
      await run.stop();
    }
  });
});
