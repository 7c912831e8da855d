// Creating and deleting kind clusters, checked through the command lines the recording fakes saw and the requests
// the fake Node API got. No Docker is needed.
import { expect } from 'chai';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Journal } from '../../faults/journal.ts';
import { DeadlineError, SetupError } from '../../util/errors.ts';
import { waitFor } from '../../util/wait.ts';
import { DEFAULT_KIND_CONFIG_DIR } from './kind-config.ts';
import { KindProvider } from './kind-provider.ts';
import { KIND_NODE_IMAGE, KIND_NODE_IMAGE_1_33 } from './node-image.ts';
import { OWNER_MARKER_PATH } from './owner-marker.ts';
import { FIXTURES_BIN, startKindFakes, type KindFakes } from './testing/kind-fakes.ts';
import { ClusterCommandError } from './tools.ts';
import { rejection } from '../../util/rejection.testing.ts';

/** A 3+1 kind config whose patches compress the timers (v1beta3 extraArgs, as kind v0.28.0 generates). */
const COMPRESSED_CONFIG = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
kubeadmConfigPatches:
  - |
    kind: ClusterConfiguration
    controllerManager:
      extraArgs:
        node-monitor-grace-period: "5s"
    etcd:
      local:
        extraArgs:
          heartbeat-interval: "50"
          election-timeout: "500"
  - |
    kind: KubeletConfiguration
    nodeLeaseDurationSeconds: 4
nodes:
  - role: control-plane
  - role: control-plane
  - role: control-plane
  - role: worker
`;

const ADDRESS = 'docker inspect -f {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}';

describe('kind provider: create and delete', function () {
  let fakes: KindFakes;

  afterEach(async () => {
    await fakes.close();
  });

  it('creates a 3+1 cluster from its config with the pinned image, reads the nodes, labels them, and deletes it on stop', async () => {
    fakes = await startKindFakes();
    const c = fakes.clusterName;
    const runDir = join(fakes.runsRoot, fakes.runId);
    const kubeconfig = join(runDir, 'kubeconfig.yaml');
    const cluster = await new KindProvider(fakes.providerOptions()).start();
    expect(fakes.lines()).to.deep.equal([
      'kind version',
      'docker info --format {{.ServerVersion}}',
      `kind create cluster --name ${c} --config ${join(DEFAULT_KIND_CONFIG_DIR, 'cp3-w1.yaml')} --image ${KIND_NODE_IMAGE} --kubeconfig ${kubeconfig} --wait 300s`,
      `kind get nodes --name ${c}`,
      ...fakes.nodeNames.map((node) => `docker exec -i ${node} cp /dev/stdin ${OWNER_MARKER_PATH}`),
      `${ADDRESS} ${c}-external-load-balancer`,
      `${ADDRESS} ${c}-control-plane`,
      `${ADDRESS} ${c}-control-plane2`,
      `${ADDRESS} ${c}-control-plane3`,
      `${ADDRESS} ${c}-worker`,
    ]);
    expect(cluster.loadBalancer).to.deep.equal({ name: `${c}-external-load-balancer`, address: '172.18.0.100' });
    expect(cluster.nodes).to.deep.equal([
      { name: `${c}-control-plane`, role: 'control-plane', address: '172.18.0.2' },
      { name: `${c}-control-plane2`, role: 'control-plane', address: '172.18.0.3' },
      { name: `${c}-control-plane3`, role: 'control-plane', address: '172.18.0.4' },
      { name: `${c}-worker`, role: 'worker', address: '172.18.0.11' },
    ]);
    const management = {
      'harvesterhci.io/managed': 'true',
      'node-role.kubernetes.io/control-plane': 'true',
      'node-role.kubernetes.io/etcd': 'true',
      'node-role.kubernetes.io/master': 'true',
    };
    const patches = fakes.api.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => [r.path, r.contentType, r.body])).to.deep.equal([
      [`/api/v1/nodes/${c}-control-plane`, 'application/merge-patch+json', { metadata: { labels: management } }],
      [`/api/v1/nodes/${c}-control-plane2`, 'application/merge-patch+json', { metadata: { labels: management } }],
      [`/api/v1/nodes/${c}-control-plane3`, 'application/merge-patch+json', { metadata: { labels: management } }],
      [`/api/v1/nodes/${c}-worker`, 'application/merge-patch+json', { metadata: { labels: { 'harvesterhci.io/managed': 'true' } } }],
    ]);
    expect(cluster.endpoints.kubeconfigPath).to.equal(kubeconfig);
    expect([...cluster.endpoints.nodeKubeconfigPaths.keys()]).to.deep.equal([
      `${c}-control-plane`,
      `${c}-control-plane2`,
      `${c}-control-plane3`,
    ]);
    const perNode = readFileSync(cluster.endpoints.nodeKubeconfigPaths.get(`${c}-control-plane2`) as string, 'utf8');
    expect(perNode).to.include('server: https://172.18.0.3:6443');
    expect(cluster.runId).to.equal(fakes.runId);
    expect(cluster.timers.nodeMonitorGraceMs).to.equal(40_000);

    fakes.clearCalls();
    await cluster.stop();
    expect(fakes.lines()).to.deep.equal([`kind delete cluster --name ${c} --kubeconfig ${kubeconfig}`]);
    expect(existsSync(runDir), 'run folder removed').to.equal(false);
  });

  it("writes its owner marker (the journal's run owner, state folder and host) into every node container once kind has created them", async () => {
    fakes = await startKindFakes();
    const cluster = await new KindProvider(fakes.providerOptions()).start();
    try {
      const lines = fakes.lines();
      const writes = lines.filter((l) => l.includes(OWNER_MARKER_PATH));
      expect(writes).to.deep.equal(fakes.nodeNames.map((node) => `docker exec -i ${node} cp /dev/stdin ${OWNER_MARKER_PATH}`));
      expect(lines.indexOf(writes[0] as string)).to.be.greaterThan(lines.findIndex((l) => l.startsWith('kind create cluster')));
      const run = Journal.read(join(fakes.runsRoot, fakes.runId)).find((e) => e.type === 'run');
      expect(run).to.include({ ownerPid: process.pid });
      const expected = {
        runId: fakes.runId,
        stateRoot: dirname(fakes.runsRoot),
        hostname: hostname(),
        ownerPid: process.pid,
        ownerStartTicks: run?.type === 'run' ? run.ownerStartTicks : -1,
      };
      for (const node of fakes.nodeNames) {
        expect(JSON.parse(fakes.containerFile(node, OWNER_MARKER_PATH) ?? 'null'), node).to.deep.equal(expected);
      }
      expect(fakes.containerFile(`${fakes.clusterName}-external-load-balancer`, OWNER_MARKER_PATH)).to.equal(undefined);
    } finally {
      await cluster.stop();
    }
    // A marker that cannot be written fails the start, and the cluster goes.
    fakes.clearCalls();
    const stderr = `Error response from daemon: container ${fakes.clusterName}-control-plane2 is not running`;
    const error = await rejection(
      new KindProvider(
        fakes.providerOptions({ CPCHAOS_FAIL_ON: `${fakes.clusterName}-control-plane2 cp /dev/stdin /kind/`, CPCHAOS_FAIL_STDERR: stderr }),
      ).start(),
    );
    expect(error).to.be.instanceOf(ClusterCommandError);
    expect((error as Error).message)
      .to.include(`writing the owner marker into node ${fakes.clusterName}-control-plane2 failed`)
      .and.include(stderr);
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it("derives the timers from the node image's Kubernetes version: node-monitor grace 50 s from 1.32", async () => {
    fakes = await startKindFakes();
    const cluster = await new KindProvider(fakes.providerOptions()).start({ image: KIND_NODE_IMAGE_1_33 });
    try {
      expect(cluster.timers.nodeMonitorGraceMs).to.equal(50_000);
      expect(fakes.lines()[2]).to.include(`--image ${KIND_NODE_IMAGE_1_33} `);
    } finally {
      await cluster.stop();
    }
  });

  it('takes the timers a config in its config folder compresses through kubeadmConfigPatches, and refuses a broken one before anything runs', async () => {
    fakes = await startKindFakes();
    const dir = mkdtempSync(join(tmpdir(), 'cpchaos-kind-configs-'));
    try {
      const config = join(dir, 'cp3-w1.yaml');
      writeFileSync(config, COMPRESSED_CONFIG);
      const cluster = await new KindProvider(fakes.providerOptions({}, { configDir: dir })).start({ image: KIND_NODE_IMAGE_1_33 });
      try {
        expect(fakes.lines()[2]).to.include(`--config ${config} `);
        expect(cluster.timers).to.deep.equal({
          kubeletHeartbeatMs: 1000,
          nodeMonitorGraceMs: 5000,
          etcdHeartbeatMs: 50,
          etcdElectionTimeoutMs: 500,
        });
      } finally {
        await cluster.stop();
      }
      fakes.clearCalls();
      writeFileSync(config, COMPRESSED_CONFIG.replace('"5s"', '"5 seconds"'));
      const error = await rejection(new KindProvider(fakes.providerOptions({}, { configDir: dir })).start());
      expect(error).to.be.instanceOf(SetupError);
      expect((error as Error).message).to.equal(
        `kind config ${config}:8: kubeadmConfigPatches[0]: controllerManager.extraArgs.node-monitor-grace-period: expected a Go duration such as 40s, got "5 seconds"`,
      );
      expect(fakes.lines()).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an image whose tag names no Kubernetes version is a SetupError before anything runs', async () => {
    fakes = await startKindFakes();
    for (const image of ['kindest/node:latest', 'registry.local:5000/kind/node', 'kindest/node@sha256:' + 'a'.repeat(64)]) {
      const error = await rejection(new KindProvider(fakes.providerOptions()).start({ image }));
      expect(error, image).to.be.instanceOf(SetupError);
      expect((error as Error).message).to.include(`kind node image "${image}": its tag names no Kubernetes version`);
    }
    expect(fakes.lines()).to.deep.equal([]);
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it('maps 3+2 and zones to cp3-w2.yaml with zone labels by order, and 5 control planes to cp5-w0.yaml', async () => {
    fakes = await startKindFakes({ controlPlanes: 3, workers: 2 });
    const c = fakes.clusterName;
    const cluster = await new KindProvider(fakes.providerOptions()).start({
      topology: {
        nodes: [
          { role: 'control-plane', zone: 'zone-a' },
          { role: 'control-plane', zone: 'zone-b' },
          { role: 'control-plane', zone: 'zone-c' },
          { role: 'worker', zone: 'zone-a' },
          { role: 'worker', labels: { 'node-role.harvesterhci.io/witness': 'true' } },
        ],
      },
    });
    expect(fakes.lines()[2]).to.include(`--config ${join(DEFAULT_KIND_CONFIG_DIR, 'cp3-w2.yaml')}`);
    const labelsOf = (name: string): unknown => fakes.api.requests.find((r) => r.method === 'PATCH' && r.path.endsWith(`/${name}`))?.body;
    expect(labelsOf(`${c}-control-plane2`)).to.have.nested.property('metadata.labels.topology\\.kubernetes\\.io/zone', 'zone-b');
    expect(labelsOf(`${c}-worker`)).to.have.nested.property('metadata.labels.topology\\.kubernetes\\.io/zone', 'zone-a');
    expect(labelsOf(`${c}-worker2`)).to.deep.equal({
      metadata: { labels: { 'harvesterhci.io/managed': 'true', 'node-role.harvesterhci.io/witness': 'true' } },
    });
    expect(cluster.nodes.find((n) => n.name === `${c}-control-plane3`)?.zone).to.equal('zone-c');
    await cluster.stop();
    await fakes.close();

    fakes = await startKindFakes({ controlPlanes: 5, workers: 0 });
    const five = await new KindProvider(fakes.providerOptions()).start({ topology: { controlPlanes: 5, workers: 0 } });
    expect(fakes.lines()[2]).to.include(`--config ${join(DEFAULT_KIND_CONFIG_DIR, 'cp5-w0.yaml')}`);
    expect(five.nodes.map((n) => n.name)).to.deep.equal(
      [1, 2, 3, 4, 5].map((i) => `${fakes.clusterName}-control-plane${i === 1 ? '' : i}`),
    );
    await five.stop();
  });

  it('refuses a topology it has no config for before running anything', async () => {
    fakes = await startKindFakes();
    const error = await rejection(new KindProvider(fakes.providerOptions()).start({ topology: { controlPlanes: 2, workers: 7 } }));
    expect(error).to.be.instanceOf(SetupError);
    expect((error as Error).message).to.match(/no kind config for 2 control plane\(s\) and 7 worker\(s\)/);
    expect(fakes.calls()).to.deep.equal([]);
  });

  it('a missing kind or docker, or a Docker daemon that does not answer, is a SetupError naming it', async () => {
    fakes = await startKindFakes();
    const noKind = await rejection(new KindProvider(fakes.providerOptions({}, { binaries: { kind: 'cpchaos-no-such-kind' } })).start());
    expect(noKind).to.be.instanceOf(SetupError);
    expect((noKind as Error).message).to.match(/needs `kind`, and "cpchaos-no-such-kind" was not found on PATH: install kind v0\.28\.0/);

    const noDocker = await rejection(
      new KindProvider(fakes.providerOptions({}, { binaries: { docker: 'cpchaos-no-such-docker' } })).start(),
    );
    expect(noDocker).to.be.instanceOf(SetupError);
    expect((noDocker as Error).message).to.match(/needs `docker`, and "cpchaos-no-such-docker" was not found on PATH/);

    const daemonDown = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
    const noDaemon = await rejection(
      new KindProvider(fakes.providerOptions({ CPCHAOS_FAIL_ON: 'docker info', CPCHAOS_FAIL_STDERR: daemonDown })).start(),
    );
    expect(noDaemon).to.be.instanceOf(SetupError);
    expect((noDaemon as Error).message)
      .to.include('needs a running Docker daemon')
      .and.include(daemonDown);
    expect(fakes.calls().filter((argv) => argv[1] === 'create')).to.deep.equal([]);
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it('a failed kind create quotes the command and stderr, and still deletes the cluster', async () => {
    fakes = await startKindFakes();
    const stderr = 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "x"';
    const error = await rejection(
      new KindProvider(fakes.providerOptions({ CPCHAOS_FAIL_ON: 'kind create', CPCHAOS_FAIL_STDERR: stderr })).start(),
    );
    expect(error).to.be.instanceOf(ClusterCommandError);
    const message = (error as Error).message;
    expect(message).to.match(
      new RegExp(`^creating kind cluster ${fakes.clusterName} failed: \`kind create cluster --name ${fakes.clusterName} --config `),
    );
    expect(message).to.include('exited with code 1').and.include(stderr);
    expect(fakes.lines().at(-1)).to.match(new RegExp(`^kind delete cluster --name ${fakes.clusterName} --kubeconfig `));
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it('a kind create past its deadline is a DeadlineError naming it, and the cluster is still deleted', async () => {
    fakes = await startKindFakes();
    const error = await rejection(
      new KindProvider(fakes.providerOptions({ CPCHAOS_HANG_ON: 'kind create' })).start({ createTimeoutMs: 500 }),
    );
    expect(error).to.be.instanceOf(DeadlineError);
    expect((error as Error).message).to.match(
      new RegExp(
        `^timed out after 500 ms waiting for \`kind create cluster --name ${fakes.clusterName} .* to finish \\(creating kind cluster ${fakes.clusterName}\\)$`,
      ),
    );
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it("a start cancelled during kind create rejects with the signal's reason and deletes the cluster", async () => {
    fakes = await startKindFakes();
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    // Cancelled once kind create is running (and hanging).
    const started = waitFor('kind create to be called', () => fakes.lines().some((l) => l.startsWith('kind create')), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    void started.then(() => controller.abort(reason));
    const error = await rejection(new KindProvider(fakes.providerOptions({ CPCHAOS_HANG_ON: 'kind create' })).start({}, controller.signal));
    await started;
    expect(error).to.equal(reason);
    expect(fakes.lines().at(-1)).to.match(/^kind delete cluster /);
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it('nodes that never become Ready time out naming them, and the cluster is deleted', async () => {
    fakes = await startKindFakes();
    fakes.api.setNodes(fakes.nodeNames, [`${fakes.clusterName}-worker`]);
    const error = await rejection(new KindProvider(fakes.providerOptions()).start({ readyTimeoutMs: 300 }));
    expect(error).to.be.instanceOf(DeadlineError);
    expect((error as Error).message).to.include(`all 4 kind nodes (${fakes.nodeNames.join(', ')}) to be registered and Ready`);
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it('a cluster whose nodes differ from the config is refused and deleted', async () => {
    fakes = await startKindFakes();
    const error = await rejection(new KindProvider(fakes.providerOptions({ CPCHAOS_KIND_NODES: 'control-plane worker' })).start());
    expect((error as Error).message).to.match(/has nodes .*-control-plane, .*-worker, expected /);
    expect(fakes.leftovers()).to.deep.equal([]);
  });

  it('exports the logs before deleting the cluster when asked', async () => {
    fakes = await startKindFakes();
    const logsDir = join(fakes.dir, 'logs');
    const cluster = await new KindProvider(fakes.providerOptions()).start({ logsDir });
    fakes.clearCalls();
    await cluster.stop();
    expect(fakes.lines()).to.deep.equal([
      `kind export logs ${join(logsDir, fakes.clusterName)} --name ${fakes.clusterName}`,
      `kind delete cluster --name ${fakes.clusterName} --kubeconfig ${join(fakes.runsRoot, fakes.runId, 'kubeconfig.yaml')}`,
    ]);
  });

  it('finds its tools through binaries paths as well as PATH', async () => {
    fakes = await startKindFakes();
    const bin = mkdtempSync(join(tmpdir(), 'cpchaos-kind-bin-'));
    try {
      for (const tool of ['kind', 'docker', 'fake-common.sh']) copyFileSync(join(FIXTURES_BIN, tool), join(bin, tool));
      chmodSync(join(bin, 'kind'), 0o755);
      chmodSync(join(bin, 'docker'), 0o755);
      const cluster = await new KindProvider({
        ...fakes.providerOptions(),
        pathPrefix: [],
        binaries: { kind: join(bin, 'kind'), docker: join(bin, 'docker') },
      }).start();
      await cluster.stop();
      expect(fakes.lines()[0]).to.equal('kind version');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
