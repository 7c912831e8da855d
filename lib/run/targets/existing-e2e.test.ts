// The existing provider end to end, against a running sandbox: it attaches through the sandbox's kubeconfig, and
// its command executors drive the faults through `cpchaos sandbox fault|undo`, which reach the sandbox through its
// control socket. The smoke scenarios run against a sandbox of the Harvester profile (lib/sandbox/profile.ts: RKE2's
// etcd timers and `<node>-<8 hex>` member names, kube-vip's single-holder VIP with Harvester's Lease timing, the VIP
// exposed as kube-system/ingress-expose) attached with `--profile harvester-1.6`, whose budgets come from that
// profile (outage: kube-vip's failover + 10 s), through fixtures/existing/sandbox-harvester.yaml; they must get the
// verdicts they get on the sandbox provider (all pass) and leave none of the run's objects behind. A dry-run plans
// the commands and runs none (and shows what `--profile auto` makes of the sandbox); a killed run's faults are undone
// from its journal (on the plain sandbox, through fixtures/existing/sandbox.yaml).
import type { ScenarioResult } from '../../report/result.ts';
import type { FaultRequest } from '../../faults/catalogue.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenarios, parseScenario } from '../../scenario/loader.ts';
import { runScenario } from '../runner.ts';
import { randomSeed } from '../../scenario/random.ts';
import type { Scenario } from '../../scenario/types.ts';
import { waitFor } from '../../util/wait.ts';
import { loadKubeConfig } from '../../util/kubeconfig.ts';
import { existingCleanup } from '../../cluster/existing/cleanup.ts';
import { reapRuns } from '../../cluster/core/reaper.ts';
import { ExistingClusterProvider } from '../../cluster/existing/existing-provider.ts';
import type { ProfileChoice } from '../../harvester/profiles.ts';
import { nodeOfEtcdMember } from '../../harvester/etcd-members.ts';
import { parsePortList } from '../../faults/ports.ts';
import { listRules } from '../../sandbox/packet-filter.ts';
import { attachedTarget, startAttachableSandbox } from './testing/attached-sandbox.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXECUTORS = `${ROOT}fixtures/existing/sandbox.yaml`;
const HARVESTER_EXECUTORS = `${ROOT}fixtures/existing/sandbox-harvester.yaml`;
/** The profile the smoke runs attach with: its timers, member names and kube-vip budget (lib/harvester/profiles.ts). */
const PROFILE: ProfileChoice = 'harvester-1.6';
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
      let memberNames: string[] = [];
      let nodeNames: string[] = [];
      before(async function () {
        if (!isRoot) this.skip();
        const s = scenario(name);
        const run = await startAttachableSandbox(s, 'harvester');
        try {
          result = await runScenario(s, {
            seed: randomSeed(),
            target: attachedTarget(run.sandbox, HARVESTER_EXECUTORS, { profile: PROFILE }),
          });
          received = run.received;
          const core = loadKubeConfig(run.sandbox.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
          leftConfigMaps = (await core.listConfigMapForAllNamespaces()).items.map((cm) => `${cm.metadata?.namespace}/${cm.metadata?.name}`);
          memberNames = ((await run.sandbox.etcdMembership())?.members ?? []).map((m) => m.name);
          nodeNames = (await run.sandbox.listNodes()).map((n) => n.metadata?.name ?? '');
        } finally {
          await run.stop();
        }
      });

      it('leaves no object of its own in the cluster (its cpchaos-register-* and cpchaos-probe-* ConfigMaps are deleted at the end)', () => {
        expect(
          result?.history.some((e) => e.kind === 'op' && e.phase === 'ok'),
          'the samplers wrote',
        ).to.equal(true);
        expect(leftConfigMaps.filter((cm) => /\/cpchaos-(register|probe)-/.test(cm))).to.deep.equal([]);
        expect(leftConfigMaps.filter((cm) => cm.includes('cpchaos-'))).to.deep.equal([]);
      });

      it('runs on the existing provider, with faults through the sandbox commands', () => {
        // The executors file says the sandbox runs on this machine (onHarnessMachine: true), as the runs' CPUs are shared.
        expect(result?.history.find((e) => e.kind === 'run-start')).to.include({ provider: 'existing', clusterOnHarnessMachine: true });
        const expectsCommands = scenario(name).steps.some((step) => ['kill', 'isolate', 'restart'].includes(step.kind));
        if (expectsCommands) expect(received.length, 'fault requests the sandbox received').to.be.greaterThan(0);
      });

      it("gets the sandbox provider's verdicts: every invariant passes", () => {
        const lines = result?.verdicts.map((v) => `${v.invariant}: ${v.status}: ${v.summary}`).join('\n');
        expect(result?.verdicts.length).to.be.greaterThan(2);
        for (const verdict of result?.verdicts ?? []) if (!notYetJudged(name, verdict)) expect(verdict.status, lines).to.equal('pass');
      });

      it("is judged by the Harvester profile it was given: RKE2's etcd timers, kube-vip's failover in the outage budget, the VIP as the measured endpoint", () => {
        const notes = (result?.history ?? []).flatMap((e) => (e.kind === 'note' ? [e.message] : []));
        expect(
          notes.some((n) => /^profile harvester-1\.6 \(--profile harvester-1\.6\): .*etcd heartbeat 500 ms \/ election 5 s/.test(n)),
          notes.join('\n'),
        ).to.equal(true);
        expect(notes.some((n) => /^timers given by the executors file .*sandbox-harvester\.yaml win over the profile's/.test(n))).to.equal(
          true,
        );
        expect(notes.some((n) => /^cluster on this machine \(onHarnessMachine: true in .*sandbox-harvester\.yaml\)/.test(n))).to.equal(
          true,
        );
        expect(
          notes.some((n) => /^endpoint vip: availability is measured on the VIP .*kube-vip lease 15 s \+ retry 2 s/.test(n)),
          notes.join('\n'),
        ).to.equal(true);
        const start = result?.history.find((e) => e.kind === 'run-start');
        expect(start).to.deep.include({
          timers: { kubeletHeartbeatMs: 250, nodeMonitorGraceMs: 2500, etcdHeartbeatMs: 500, etcdElectionTimeoutMs: 5000 },
        });
        // max(etcd election 5 s, kube-vip lease 15 s + retry 2 s) + 10 s (lib/run/budgets.ts).
        expect(start?.kind === 'run-start' ? start.budgets.outageMs : undefined).to.equal(27_000);
      });

      it('ends with RKE2 etcd member names, <node>-<8 hex>, each of a node that exists', () => {
        expect(memberNames.length).to.be.greaterThan(0);
        for (const member of memberNames) {
          expect(member).to.match(/-[0-9a-f]{8}$/);
          expect(nodeOfEtcdMember(member, nodeNames), member).to.not.equal(undefined);
        }
      });
    });
  }

  it("--dry-run attaches and prints each fault's command, and runs none; --profile auto reads the profile from the sandbox kubelets' version, and finds its VIP", async function () {
    if (!isRoot) this.skip();
    const s = scenario('promotion/kill-cp-no-promotion');
    const run = await startAttachableSandbox(s, 'harvester');
    try {
      const lines: string[] = [];
      const result = await runScenario(s, {
        seed: randomSeed(),
        dryRun: true,
        target: attachedTarget(run.sandbox, HARVESTER_EXECUTORS, { dryRun: true, onDryRunLine: (l) => lines.push(l), profile: 'auto' }),
      });
      expect(result.status).to.equal('inconclusive');
      // The sandbox's kubelets report the API server's version, v1.30.0-cpchaos (lib/sandbox/agent/node-info.ts), and it
      // has no Harvester server-version Setting: Kubernetes 1.30 is harvester-1.4's (lib/harvester/profiles.ts).
      const notes = result.history.flatMap((e) => (e.kind === 'note' ? [e.message] : []));
      expect(
        notes.some((n) => /^profile harvester-1\.4 \(kubelet v1\.30\.0-cpchaos on cp-\d\)/.test(n)),
        notes.join('\n'),
      ).to.equal(true);
      expect(
        notes.some((n) => /^endpoint vip: /.test(n)),
        notes.join('\n'),
      ).to.equal(true);
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
    const run = await startAttachableSandbox(s, 'plain');
    try {
      const existing = await ExistingClusterProvider.fromFile(EXECUTORS).start({
        kubeconfigPath: run.sandbox.endpoints.kubeconfigPath,
        allowContexts: [`cpchaos-${run.sandbox.runId}`],
      });
      try {
        await existing.inject({ kind: 'kill', nodes: ['cp-1'] });
        expect(run.sandbox.member('cp-1').state).to.equal('killed');
        // A cut limited to the etcd peer port reaches the sandbox with its ports ({fault.ports} in the command).
        const ports = parsePortList(['etcd-peer']);
        await existing.inject({ kind: 'isolate', nodes: ['worker-0'], ports });
        expect(run.received.at(-1)).to.deep.equal({ kind: 'isolate', nodes: ['worker-0'], ports });
        // The harness "dies" here: nothing is undone by it; its journal holds the undo commands.
        const report = await reapRuns([existingCleanup()]);
        const reaped = report.runs.find((r) => r.runId === existing.runId);
        expect(reaped?.outcome.done).to.deep.equal([
          'undid isolate worker-0 (ports 2380/tcp): node bin/cpchaos.js sandbox undo isolate worker-0 --ports 2380/tcp',
          'undid kill cp-1: node bin/cpchaos.js sandbox undo kill cp-1',
        ]);
        expect(report.keptRuns).to.not.include(existing.runId);
        expect(run.sandbox.member('cp-1').state).to.equal('running');
        // The sandbox found the held cut under its ports and deleted its rules: only the chains and hooks are left.
        expect(await listRules(run.sandbox.member('worker-0').processes.namespace)).to.have.length(4);
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
