// The kind target end to end without Docker: `kind` and `docker` are the recording fakes of fixtures/bin, and the
// Kubernetes API behind the kind kubeconfig is a real sandbox API server (on a real single etcd). The test plays the
// kubelets' part the fakes cannot: it creates the Nodes kind would register, marks the worker NotReady once
// `kubeadm reset` ran in it and Ready again once `kubeadm join` did, and moves the fake etcd membership along
// (member removed, member joined). Everything else is the harness: runScenario with the kind target, the kind
// provider's docker/kubeadm commands, and the harness-side promote controller writing the Harvester contract.
import type { ScenarioResult } from '../../report/result.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BatchV1Api, CoreV1Api, type V1Job, type V1Node } from '@kubernetes/client-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIND_NAMESPACES } from '../../cluster/kind/testing/fake-node-api.ts';
import { SetupError } from '../../util/errors.ts';
import { rejection } from '../../util/rejection.testing.ts';
import { startApiFixture, type ApiFixture } from '../../sandbox/apiserver/testing/api-fixture.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { startKindFakes, type KindFakes } from '../../cluster/kind/testing/kind-fakes.ts';
import { KindPromoteLoop } from '../../cluster/kind/promote-loop.ts';
import { selectPromoteNode } from '../../harvester/promotion.ts';
import { PROMOTE_STATUS_ANNOTATION } from '../../harvester/contract.ts';
import { DeadlineError } from '../../util/errors.ts';
import { sleepMs, waitFor } from '../../util/wait.ts';
import { loadScenarios, parseScenario } from '../../scenario/loader.ts';
import { runScenario } from '../runner.ts';
import { kindBudgets, kindTarget, kindUnsupported } from './kind-target.ts';
import { KIND_TIMERS } from '../../cluster/kind/node-image.ts';
import type { Scenario } from '../../scenario/types.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ETCD_CONTAINER_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const TOKEN = 'abcdef.0123456789abcdef';
const CERT_KEY = '5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592';
const CA_HASH = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';
const MANAGEMENT_LABELS = {
  'harvesterhci.io/managed': 'true',
  'node-role.kubernetes.io/control-plane': 'true',
  'node-role.kubernetes.io/etcd': 'true',
  'node-role.kubernetes.io/master': 'true',
};

function suite(name: string): Scenario {
  const file = `${ROOT}suites/${name}.yaml`;
  return parseScenario(readFileSync(file, 'utf8'), file);
}

function inline(yaml: string): Scenario {
  return parseScenario(yaml, `${ROOT}suites/inline.yaml`);
}

function readyNode(name: string, address: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      addresses: [
        { type: 'InternalIP', address },
        { type: 'Hostname', address: name },
      ],
    },
  };
}

async function setReady(core: CoreV1Api, name: string, ready: boolean): Promise<void> {
  const condition = { type: 'Ready', status: ready ? 'True' : 'Unknown', reason: ready ? 'KubeletReady' : 'NodeStatusUnknown' };
  await core.patchNodeStatus({ name, body: { status: { conditions: [condition] } } }, mergePatch());
}

/**
 * The kubelets and etcd as far as the fakes cannot be: watches the recorded commands and, once each of these has
 * run, moves the cluster on (every step once, polled every 100 ms until stopped).
 */
function simulateNodes(
  fakes: KindFakes,
  core: CoreV1Api,
  batch: BatchV1Api,
  worker: string,
): { stop: () => Promise<void>; errors: string[]; lastJob: () => V1Job | undefined } {
  const errors: string[] = [];
  let lastJob: V1Job | undefined;
  const done = new Set<string>();
  const steps: { readonly after: RegExp; readonly run: () => Promise<void> }[] = [
    { after: / etcdctl .* member remove /, run: async () => fakes.control({ CPCHAOS_KIND_ETCD_NODES: 'control-plane control-plane2' }) },
    { after: new RegExp(`^docker exec ${worker} kubeadm reset -f$`), run: () => setReady(core, worker, false) },
    {
      after: new RegExp(`^docker exec ${worker} kubeadm join `),
      run: async () => {
        fakes.control({ CPCHAOS_KIND_ETCD_NODES: 'control-plane control-plane2 worker' });
        await setReady(core, worker, true);
      },
    },
  ];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // The promote Job as last seen: the harness deletes harvester-system (it created it) when the run ends.
      await batch
        .readNamespacedJob({ name: `harvester-promote-${worker}`, namespace: 'harvester-system' })
        .then((job) => (lastJob = job))
        .catch(() => undefined);
      const lines = fakes.lines();
      for (const [i, step] of steps.entries()) {
        if (done.has(String(i)) || !lines.some((l) => step.after.test(l))) continue;
        done.add(String(i));
        await step.run().catch((error: unknown) => errors.push(String(error)));
      }
      await sleepMs(100);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
    errors,
    lastJob: () => lastJob,
  };
}

/** The API starts as a new kind cluster's: its namespaces only (the sandbox API server pre-creates harvester-system). */
async function bareKindNamespaces(core: CoreV1Api): Promise<void> {
  await core.deleteNamespace({ name: 'harvester-system' }).catch(() => undefined);
  for (const name of KIND_NAMESPACES) {
    await core.createNamespace({ body: { metadata: { name } } }).catch(() => undefined);
  }
  const names = (await core.listNamespace()).items.map((n) => n.metadata?.name ?? '').sort();
  expect(names).to.deep.equal([...KIND_NAMESPACES].sort());
}

describe('kind target: runScenario with recording kind/docker and a sandbox API server behind the kind kubeconfig', function () {
  this.timeout(120_000);
  let f: ApiFixture;
  let fakes: KindFakes;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  before(async () => {
    f = await startApiFixture();
    core = f.kubeConfig().makeApiClient(CoreV1Api);
    batch = f.kubeConfig().makeApiClient(BatchV1Api);
    fakes = await startKindFakes({ runId: 'k1nd01' });
  });

  after(async () => {
    await fakes?.close();
    await f?.stop();
  });

  describe('suites/promotion/delete-cp-promotes-worker.yaml', () => {
    const C = 'cpchaos-k1nd01';
    const CP1 = `${C}-control-plane`;
    const CP3 = `${C}-control-plane3`;
    const W = `${C}-worker`;
    let result: ScenarioResult;
    const log: string[] = [];
    let simulator: ReturnType<typeof simulateNodes>;

    before(async () => {
      await bareKindNamespaces(core);
      const addresses = ['172.18.0.2', '172.18.0.3', '172.18.0.4', '172.18.0.11'];
      for (const [i, name] of fakes.nodeNames.entries()) await core.createNode({ body: readyNode(name, addresses[i] ?? '') });
      simulator = simulateNodes(fakes, core, batch, W);
      const target = kindTarget({
        provider: fakes.providerOptions({ CPCHAOS_KIND_API: f.url }),
        promoteLoop: { intervalMs: 200 },
        onLog: (line) => log.push(line),
      });
      try {
        result = await runScenario(suite('promotion/delete-cp-promotes-worker'), { seed: '5eed', target });
      } finally {
        await simulator.stop();
      }
    });

    it('passes every invariant, its steps and its expectations', () => {
      const lines = result.verdicts.map((v) => `${v.invariant}: ${v.status}: ${v.summary}`).join('\n');
      expect(simulator.errors).to.deep.equal([]);
      expect(result.history.find((e) => e.kind === 'run-start')).to.deep.include({ provider: 'kind' });
      for (const verdict of result.verdicts) expect(verdict.status, `${lines}\n${log.join('\n')}`).to.equal('pass');
      expect(result.status).to.equal('pass');
    });

    it("runs with kind's timers: waits 16 times the sandbox's, budgets floored for a real cluster", () => {
      const start = result.history.find((e) => e.kind === 'run-start') as {
        timers: { nodeMonitorGraceMs: number };
        budgets: { promotionMs: number; outageMs: number };
      };
      expect(start.timers.nodeMonitorGraceMs).to.equal(40_000);
      expect(start.budgets.promotionMs).to.equal(15 * 60_000);
      expect(start.budgets.outageMs, "kind's HAProxy keeps a dead backend up to 12 s").to.be.at.least(12_000 + 10_000);
    });

    it('created harvester-system for its promote Jobs (a kind cluster has none) and deleted it at the end', async () => {
      expect(log.join('\n')).to.include('created namespace harvester-system for the promote Jobs');
      const names = (await core.listNamespace()).items.map((n) => n.metadata?.name ?? '').sort();
      expect(names).to.deep.equal([...KIND_NAMESPACES].sort());
    });

    it('deletes the control plane and promotes the worker with exactly these docker/kubeadm commands, then deletes the cluster', () => {
      const lines = fakes.lines();
      // The promote loop starts once the Node is gone, while the deletion still removes the etcd member and the
      // container: the two sequences interleave, each in its own order.
      const deletion = lines.filter((l) => / member remove | rm -f /.test(l));
      expect(deletion).to.deep.equal([
        `docker exec ${CP1} crictl exec ${ETCD_CONTAINER_ID} etcdctl --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/peer.crt --key /etc/kubernetes/pki/etcd/peer.key member remove aaaaaaaaaaaaaaac`,
        `docker rm -f ${CP3}`,
      ]);
      const promotion = lines.filter((l) => / kubeadm /.test(l));
      expect(promotion).to.deep.equal([
        `docker exec ${CP1} kubeadm init phase upload-certs --upload-certs`,
        `docker exec ${CP1} kubeadm token create --print-join-command --ttl 900s`,
        `docker exec ${W} kubeadm reset -f`,
        `docker exec ${W} kubeadm join ${C}-external-load-balancer:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${CA_HASH} --control-plane --certificate-key ${CERT_KEY} --apiserver-advertise-address 172.18.0.11 --ignore-preflight-errors all`,
      ]);
      expect(lines.at(-1)).to.equal(`kind delete cluster --name ${C} --kubeconfig ${fakes.runsRoot}/k1nd01/kubeconfig.yaml`);
      expect(fakes.leftovers(), 'cluster deleted and run folder removed').to.deep.equal([]);
    });

    it('leaves the worker with the contract: promote-status complete, uncordoned, management labels, no Node for the deleted control plane', async () => {
      const node = await core.readNode({ name: W });
      expect(node.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('complete');
      expect(node.spec?.unschedulable).to.equal(false);
      expect(node.metadata?.labels).to.deep.include(MANAGEMENT_LABELS);
      expect((await core.listNode()).items.map((n) => n.metadata?.name).sort()).to.deep.equal([CP1, `${C}-control-plane2`, W]);
    });

    it('records the promotion in a suspended Job harvester-promote-<node> whose status the harness marked succeeded', async () => {
      const job = simulator.lastJob() as V1Job;
      expect(job, 'the Job was seen while the run went on').not.to.equal(undefined);
      expect(job.spec?.suspend, "suspended: kind's Job controller starts no pod").to.equal(true);
      expect(job.metadata?.labels).to.deep.equal({ 'harvesterhci.io/promote-node': W });
      expect(job.status?.succeeded).to.equal(1);
      expect(job.status?.active).to.equal(0);
      expect(job.status?.startTime).to.be.instanceOf(Date);
      expect(job.status?.completionTime).to.be.instanceOf(Date);
      expect((job.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`)).to.deep.equal([
        'SuccessCriteriaMet=True',
        'Complete=True',
      ]);
      expect(log.join('\n')).to.include(`job harvester-system/harvester-promote-${W} marked succeeded`);
    });

    it('emits the NodePromote events on the worker: running, then complete', async () => {
      const events = (await core.listNamespacedEvent({ namespace: 'default' })).items.filter((e) => e.involvedObject.name === W);
      const sorted = events.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
      expect(sorted.map((e) => `${e.reason}: ${e.message}`)).to.deep.equal([
        `NodePromoteRunning: Node ${W} promote status change:  => running`,
        `NodePromoteComplete: Node ${W} promote status change: running => complete`,
      ]);
      expect(sorted.every((e) => e.source?.component === 'harvester-promote-node-controller')).to.equal(true);
    });
  });

  describe('the promote loop alone', () => {
    const nodes = ['loop-m1', 'loop-m2', 'loop-w1'];
    before(async () => {
      // The loop writes into harvester-system; the kind target creates it (see above), here the test does.
      await core.createNamespace({ body: { metadata: { name: 'harvester-system' } } }).catch(() => undefined);
      for (const [i, name] of nodes.entries()) {
        const body = readyNode(name, `10.0.0.${i + 1}`);
        const labels = name.includes('-m') ? MANAGEMENT_LABELS : { 'harvesterhci.io/managed': 'true' };
        body.metadata = { ...body.metadata, labels: { ...body.metadata?.labels, ...labels } };
        await core.createNode({ body });
      }
    });

    it('a failing promotion leaves the Job Failed (FailureTarget, Failed) and the node failed and cordoned; errors are reported', async () => {
      // Only loop-* nodes are seen: the policy picks among them (the other test's nodes are gone or complete).
      const policy = {
        selectPromoteNode: (all: readonly V1Node[]) => selectPromoteNode(all.filter((n) => n.metadata?.name?.startsWith('loop-'))),
      };
      const errors: string[] = [];
      const loop = new KindPromoteLoop({
        kubeConfig: f.kubeConfig(),
        policy,
        promote: () => Promise.reject(new Error('kubeadm join failed: etcd cluster is not healthy')),
        intervalMs: 100,
        onError: (m) => errors.push(m),
      });
      loop.start();
      try {
        await waitFor(
          'loop-w1 to be failed',
          async () => (await core.readNode({ name: 'loop-w1' })).metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION] === 'failed',
          { timeoutMs: 20_000, intervalMs: 100 },
        );
      } finally {
        await loop.stop();
      }
      const node = await core.readNode({ name: 'loop-w1' });
      expect(node.spec?.unschedulable).to.equal(true);
      const job = await batch.readNamespacedJob({ name: 'harvester-promote-loop-w1', namespace: 'harvester-system' });
      expect((job.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`)).to.deep.equal(['FailureTarget=True', 'Failed=True']);
      expect(job.status?.conditions?.[1]?.message).to.equal('kubeadm join failed: etcd cluster is not healthy');
      expect(job.status?.failed).to.equal(1);
      expect(errors).to.deep.equal(['promotion of loop-w1 failed: kubeadm join failed: etcd cluster is not healthy']);
    });

    it('stop() cancels the work in flight and records it as failed; a pass has a deadline', async () => {
      await core.patchNode(
        { name: 'loop-w1', body: { metadata: { annotations: { [PROMOTE_STATUS_ANNOTATION]: null } }, spec: { unschedulable: false } } },
        mergePatch(),
      );
      await batch.deleteNamespacedJob({ name: 'harvester-promote-loop-w1', namespace: 'harvester-system' });
      const policy = { selectPromoteNode: () => 'loop-w1' };
      let started = false;
      const loop = new KindPromoteLoop({
        kubeConfig: f.kubeConfig(),
        policy,
        promote: (_node, signal) => {
          started = true;
          return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
        },
        intervalMs: 100,
      });
      loop.start();
      await waitFor('the promotion of loop-w1 to start', () => started, { timeoutMs: 20_000, intervalMs: 50 });
      await loop.stop();
      const job = await batch.readNamespacedJob({ name: 'harvester-promote-loop-w1', namespace: 'harvester-system' });
      expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.message).to.match(
        /^the harness stopped during the promotion: the kind promote loop was stopped/,
      );

      const stuck = new KindPromoteLoop({
        kubeConfig: f.kubeConfig(),
        policy: {
          selectPromoteNode: () => {
            throw new Error('never');
          },
        },
        promote: () => Promise.resolve(),
        passDeadlineMs: 1,
      });
      let error: unknown;
      await stuck.passOnce().catch((e: unknown) => {
        error = e;
      });
      expect(error).to.be.instanceOf(DeadlineError);
    });
  });

  describe('the target on a bare kind API (the fake Node API) and its budgets', () => {
    it('uses harvester-system when it exists and leaves it; creates it when missing and deletes it on stop', async () => {
      const { startKindFakes: start } = await import('../../cluster/kind/testing/kind-fakes.ts');
      const bare = await start({ runId: 'n5pace' });
      try {
        const target = kindTarget({ provider: bare.providerOptions(), promoteLoop: { intervalMs: 60_000 } });
        const scenario = inline('name: x\nsteps: [{ hold: 1s }]\n');
        const first = await target.start(scenario);
        expect(bare.api.namespaces()).to.include('harvester-system');
        await first.stop();
        expect(bare.api.namespaces()).to.deep.equal([...KIND_NAMESPACES].sort());
        const posts = bare.api.requests.filter((r) => r.path.startsWith('/api/v1/namespaces')).map((r) => `${r.method} ${r.path}`);
        expect(posts).to.deep.equal([
          'GET /api/v1/namespaces/harvester-system',
          'POST /api/v1/namespaces',
          'DELETE /api/v1/namespaces/harvester-system',
        ]);

        await fetch(`${bare.api.url}/api/v1/namespaces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ metadata: { name: 'harvester-system' } }),
        });
        bare.api.requests.length = 0;
        const second = await target.start(scenario);
        await second.stop();
        expect(bare.api.requests.filter((r) => r.path.startsWith('/api/v1/namespaces')).map((r) => `${r.method} ${r.path}`)).to.deep.equal([
          'GET /api/v1/namespaces/harvester-system',
        ]);
        expect(bare.api.namespaces()).to.include('harvester-system');
      } finally {
        await bare.close();
      }
    });

    it("floors the outage budget by HAProxy's dead-backend window (fall 3 x (2 s check + 2 s timeout)) and the slack", () => {
      expect(kindBudgets({ outageMs: 1000 }, { timers: KIND_TIMERS, endpointFailoverMs: 12_000 }).outageMs).to.equal(12_000 + 10_000);
    });
  });

  describe('bad input: a SetupError before any cluster is created', () => {
    it('an image whose Kubernetes version is unknown: prepare() and runScenario stop, nothing runs', async () => {
      const target = kindTarget({ image: 'kindest/node:latest', provider: fakes.providerOptions({ CPCHAOS_KIND_API: f.url }) });
      fakes.clearCalls();
      expect(await rejection(target.prepare())).to.be.instanceOf(SetupError);
      const error = await rejection(runScenario(suite('promotion/delete-cp-promotes-worker'), { seed: '1', target }));
      expect(error).to.be.instanceOf(SetupError);
      expect((error as Error).message).to.match(/^kind node image "kindest\/node:latest": its tag names no Kubernetes version/);
      expect(fakes.lines()).to.deep.equal([]);
    });

    it('a kind config without the shape the scenario needs (given, or in the config folder): SetupError, nothing runs', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cpchaos-kind-configs-'));
      try {
        const wrong = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n';
        for (const file of ['cp3-w0.yaml', 'cp3-w1.yaml', 'cp3-w2.yaml', 'cp5-w0.yaml']) writeFileSync(join(dir, file), wrong);
        const scenario = suite('promotion/delete-cp-promotes-worker');
        fakes.clearCalls();
        const inDir = kindTarget({ provider: { ...fakes.providerOptions({ CPCHAOS_KIND_API: f.url }), configDir: dir } });
        expect(inDir.unsupported(scenario), 'bad input, not a limit of kind').to.equal(undefined);
        const error = await rejection(runScenario(scenario, { seed: '1', target: inDir }));
        expect(error).to.be.instanceOf(SetupError);
        expect((error as Error).message).to.equal(
          `kind config ${join(dir, 'cp3-w1.yaml')} has 1 control plane(s) and 1 worker(s), the topology asks for 3 and 1`,
        );
        const given = kindTarget({
          provider: fakes.providerOptions({ CPCHAOS_KIND_API: f.url }),
          cluster: { configFile: join(dir, 'cp3-w1.yaml') },
        });
        expect(await rejection(runScenario(scenario, { seed: '1', target: given }))).to.be.instanceOf(SetupError);
        writeFileSync(join(dir, 'broken.yaml'), 'kind: Cluster\n');
        const broken = kindTarget({ provider: fakes.providerOptions(), cluster: { configFile: join(dir, 'broken.yaml') } });
        expect(await rejection(broken.prepare())).to.be.instanceOf(SetupError);
        expect(fakes.lines()).to.deep.equal([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('scenarios kind cannot run', () => {
    it('names why: a witness, forced promotion failures, sandbox-only, a shape without a kind config, unknown kind options', () => {
      expect(kindUnsupported(suite('promotion/delete-cp-promotes-worker'))).to.equal(undefined);
      expect(kindUnsupported(suite('promotion/failed-promotion-blocks'))).to.match(/^cluster\.sandbox\.failPromotions: /);
      expect(kindUnsupported(suite('regression/harvester-2191-stuck-promotion-stays-running'))).to.match(
        /^delete-node with forceFinalizers: /,
      );
      const base = 'name: x\nsteps: [{ hold: 1s }]\n';
      expect(kindUnsupported(inline(`${base}cluster: { controlPlanes: 3, workers: 1, witnesses: 1 }\n`))).to.match(/^a witness node/);
      expect(kindUnsupported(inline(`${base}sandboxOnly: true\n`))).to.match(/sandboxOnly/);
      expect(kindUnsupported(inline(`${base}cluster: { controlPlanes: 1, workers: 1 }\n`))).to.match(
        /no kind config for 1 control plane\(s\) and 1 worker\(s\)/,
      );
      expect(kindUnsupported(inline(`${base}cluster: { kind: { image: x } }\n`))).to.match(/^cluster\.kind: image: not an option/);
      expect(
        kindUnsupported(inline(`${base}cluster: { sandbox: { promotionJobMs: 500 } }\n`)),
        'other sandbox options are ignored',
      ).to.equal(undefined);
    });

    it('every smoke scenario (the nightly kind workflow runs them) is one kind can run', async () => {
      const smoke = await loadScenarios([`${ROOT}suites`], { tags: ['smoke'] });
      expect(smoke.length).to.be.greaterThan(0);
      expect(smoke.map((s) => [s.name, kindUnsupported(s)]).filter(([, reason]) => reason !== undefined)).to.deep.equal([]);
    });

    it('start() refuses such a scenario before creating anything', async () => {
      const target = kindTarget({ provider: fakes.providerOptions({ CPCHAOS_KIND_API: f.url }) });
      fakes.clearCalls();
      const scenario = inline('name: x\nsteps: [{ hold: 1s }]\ncluster: { controlPlanes: 1, workers: 1 }\n');
      let error: unknown;
      await target.start(scenario).catch((e: unknown) => {
        error = e;
      });
      expect((error as Error).message).to.match(/^unsupported on kind: kind topology: no kind config/);
      expect(fakes.lines()).to.deep.equal([]);
    });

    it('runScenario makes such a scenario inconclusive (unsupported), with no command run', async () => {
      const target = kindTarget({ provider: fakes.providerOptions({ CPCHAOS_KIND_API: f.url }) });
      fakes.clearCalls();
      const result = await runScenario(suite('promotion/witness'), { seed: '1', target });
      expect(result.status).to.equal('inconclusive');
      expect(result.verdicts[0]?.summary).to.match(/^unsupported on kind: /);
      expect(fakes.lines()).to.deep.equal([]);
    });
  });
});

describe('kind target: config folders and the timers their kubeadmConfigPatches set', function () {
  this.timeout(60_000);
  const COMPRESSED = [
    'kind: Cluster',
    'apiVersion: kind.x-k8s.io/v1alpha4',
    'kubeadmConfigPatches:',
    '  - |',
    '    kind: ClusterConfiguration',
    '    controllerManager:',
    '      extraArgs:',
    '        node-monitor-grace-period: "5s"',
    '  - |',
    '    kind: KubeletConfiguration',
    '    nodeLeaseDurationSeconds: 4',
    'nodes: [{ role: control-plane }, { role: control-plane }, { role: control-plane }, { role: worker }]',
    '',
  ].join('\n');
  let fakes: KindFakes;
  let dir: string;

  beforeEach(async () => {
    fakes = await startKindFakes({ runId: 'c0nf1g' });
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-kind-configs-'));
  });

  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await fakes.close();
  });

  it("runs with the timers its config folder's patches compress: the cluster's timers, waits scaled by them", async () => {
    writeFileSync(join(dir, 'cp3-w1.yaml'), COMPRESSED);
    const target = kindTarget({ provider: { ...fakes.providerOptions(), configDir: dir }, promoteLoop: { intervalMs: 60_000 } });
    await target.prepare();
    const cluster = await target.start(inline('name: x\nsteps: [{ hold: 1s }]\n'));
    try {
      expect(fakes.lines()[2]).to.include(`--config ${join(dir, 'cp3-w1.yaml')} `);
      expect(cluster.timers).to.deep.equal({
        kubeletHeartbeatMs: 1000,
        nodeMonitorGraceMs: 5000,
        etcdHeartbeatMs: 100,
        etcdElectionTimeoutMs: 1000,
      });
      // 5 s against the sandbox's 2.5 s, where kind's default grace (40 s) makes it 16.
      expect(target.timeScale(cluster)).to.equal(2);
    } finally {
      await cluster.stop();
    }
  });

  it('a broken patch in any config of the folder, or in the given config, stops prepare() before anything runs', async () => {
    writeFileSync(join(dir, 'cp3-w1.yaml'), COMPRESSED);
    writeFileSync(join(dir, 'cp5-w0.yaml'), COMPRESSED.replace('"5s"', 'fast'));
    const inDir = kindTarget({ provider: { ...fakes.providerOptions(), configDir: dir } });
    const error = await rejection(inDir.prepare());
    expect(error).to.be.instanceOf(SetupError);
    expect((error as Error).message).to.equal(
      `kind config ${join(dir, 'cp5-w0.yaml')}:8: kubeadmConfigPatches[0]: controllerManager.extraArgs.node-monitor-grace-period: expected a Go duration such as 40s, got "fast"`,
    );
    const given = kindTarget({ provider: fakes.providerOptions(), cluster: { configFile: join(dir, 'cp5-w0.yaml') } });
    expect(await rejection(given.prepare())).to.be.instanceOf(SetupError);
    expect(await rejection(runScenario(inline('name: x\nsteps: [{ hold: 1s }]\n'), { seed: '1', target: inDir }))).to.be.instanceOf(
      SetupError,
    );
    expect(fakes.lines()).to.deep.equal([]);
  });

  it('a config folder that is missing or holds none of the configs is a SetupError naming it', async () => {
    const missing = kindTarget({ provider: { ...fakes.providerOptions(), configDir: join(dir, 'nope') } });
    expect((await rejection(missing.prepare())) as Error)
      .to.be.instanceOf(SetupError)
      .with.property('message', `kind config folder ${join(dir, 'nope')}: cannot read it (ENOENT)`);
    writeFileSync(join(dir, 'other.yaml'), COMPRESSED);
    const empty = kindTarget({ provider: { ...fakes.providerOptions(), configDir: dir } });
    expect((await rejection(empty.prepare())) as Error).to.have.property(
      'message',
      `kind config folder ${dir}: holds none of cp3-w0.yaml, cp3-w1.yaml, cp3-w2.yaml, cp5-w0.yaml (the configs the topologies map to)`,
    );
    expect(fakes.lines()).to.deep.equal([]);
  });
});
