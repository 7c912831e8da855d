// The kind configs under fixtures/kind/, the one image pin, the topology mapping, and the nightly workflow's pin.
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SetupError } from '../../util/errors.ts';
import type { SandboxTopologyOptions } from '../../sandbox/topology.ts';
import {
  DEFAULT_KIND_CONFIG_DIR,
  KIND_CONFIGS,
  kindNodeName,
  parseKindConfig,
  planKindCluster,
  type KindTopologyOptions,
} from './kind-config.ts';
import { KIND_NODE_IMAGE, KIND_NODE_IMAGES, KIND_VERSION, kubernetesVersionOf } from './node-image.ts';

const WORKFLOW = fileURLToPath(new URL('../../../.github/workflows/nightly-kind.yml', import.meta.url));

describe('kind configs', () => {
  it('has one config per listed shape, with those counts and no image of its own', () => {
    const files = readdirSync(DEFAULT_KIND_CONFIG_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(files).to.deep.equal(KIND_CONFIGS.map((c) => c.file).sort());
    for (const config of KIND_CONFIGS) {
      const path = join(DEFAULT_KIND_CONFIG_DIR, config.file);
      const text = readFileSync(path, 'utf8');
      expect(parseKindConfig(text, path)).to.deep.equal({ controlPlanes: config.controlPlanes, workers: config.workers });
      expect(text, `${config.file} must leave the image to KIND_NODE_IMAGE`).not.to.match(/^\s*-?\s*image:/m);
    }
  });

  it('pins a Kubernetes 1.31 node image by digest', () => {
    expect(KIND_NODE_IMAGE).to.match(/^kindest\/node:v1\.31\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it('the nightly workflow installs the pinned kind version and runs the smoke suites on kind', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as {
      jobs: Record<
        string,
        { env?: Record<string, string>; strategy?: { matrix?: { image?: string[] } }; steps: { run?: string; uses?: string }[] }
      >;
    };
    const job = Object.values(workflow.jobs)[0];
    expect(job?.env?.['KIND_VERSION']).to.equal(KIND_VERSION);
    const runs = (job?.steps ?? []).map((s) => s.run ?? '');
    expect(runs).to.include(
      'npx cpchaos run suites --tag smoke --provider kind --kind-image "${{ matrix.image }}" --kind-logs reports/kind-logs',
    );
    // A matrix on either side of Kubernetes 1.32's node-monitor grace change (40 s -> 50 s).
    const images = job?.strategy?.matrix?.image ?? [];
    expect(images).to.deep.equal([...KIND_NODE_IMAGES]);
    const minors = images.map((image) => kubernetesVersionOf(image).minor);
    expect(minors.some((m) => m <= 31) && minors.some((m) => m >= 32), `minors ${minors.join(', ')}`).to.equal(true);
    // kind's known issue for multi-node clusters: inotify limits, raised before any cluster is created.
    const sysctl = runs.findIndex(
      (r) => r.includes('fs.inotify.max_user_watches=524288') && r.includes('fs.inotify.max_user_instances=512'),
    );
    expect(sysctl, 'inotify limits raised').to.be.greaterThan(-1);
    expect(sysctl).to.be.lessThan(runs.findIndex((r) => r.startsWith('npx cpchaos run')));
    expect(runs.join('\n')).not.to.match(/kind create/);
    expect((job?.steps ?? []).some((s) => s.uses?.startsWith('actions/upload-artifact'))).to.equal(true);
  });

  it('names nodes as kind does', () => {
    expect([0, 1, 2].map((i) => kindNodeName('c', 'control-plane', i))).to.deep.equal([
      'c-control-plane',
      'c-control-plane2',
      'c-control-plane3',
    ]);
    expect(kindNodeName('c', 'worker', 0)).to.equal('c-worker');
  });

  it("takes the sandbox's topology options as they are (names and timers ignored)", () => {
    const sandbox: SandboxTopologyOptions = {
      nodes: [
        { name: 'cp-a', role: 'control-plane', zone: 'zone-a' },
        { name: 'cp-b', role: 'control-plane' },
        { name: 'cp-c', role: 'control-plane' },
        { name: 'worker-a', role: 'worker' },
        { name: 'witness-0', role: 'worker', labels: { 'node-role.harvesterhci.io/witness': 'true' } },
      ],
      timers: { kubeletHeartbeatMs: 250 },
    };
    const topology: KindTopologyOptions = sandbox;
    const plan = planKindCluster('c', topology);
    expect(plan.configFile).to.equal(join(DEFAULT_KIND_CONFIG_DIR, 'cp3-w2.yaml'));
    expect(plan.nodes[0]?.zone).to.equal('zone-a');
    expect(plan.nodes[4]?.labels).to.deep.equal({ 'harvesterhci.io/managed': 'true', 'node-role.harvesterhci.io/witness': 'true' });
  });

  it('takes counts from a topology and checks an explicit config against it', () => {
    expect(planKindCluster('c').configFile).to.equal(join(DEFAULT_KIND_CONFIG_DIR, 'cp3-w1.yaml'));
    expect(planKindCluster('c', { controlPlanes: 3, workers: 2 }).nodes.map((n) => n.name)).to.deep.equal([
      'c-control-plane',
      'c-control-plane2',
      'c-control-plane3',
      'c-worker',
      'c-worker2',
    ]);
    const explicit = join(DEFAULT_KIND_CONFIG_DIR, 'cp5-w0.yaml');
    expect(planKindCluster('c', {}, { configFile: explicit }).nodes).to.have.length(5);
    expect(() => planKindCluster('c', { controlPlanes: 3, workers: 1 }, { configFile: explicit })).to.throw(
      SetupError,
      /has 5 control plane\(s\) and 0 worker\(s\), the topology asks for 3 and 1/,
    );
  });

  it('reports a broken config naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpchaos-kind-config-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n  - role: witness\n');
      expect(() => planKindCluster('c', {}, { configFile: file })).to.throw(
        SetupError,
        `kind config ${file}: nodes[1].role: expected control-plane or worker, got "witness"`,
      );
      expect(() => planKindCluster('c', {}, { configFile: join(dir, 'missing.yaml') })).to.throw(SetupError, /cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
