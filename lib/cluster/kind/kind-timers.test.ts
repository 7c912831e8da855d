// Timers from a kind config's kubeadmConfigPatches: both extraArgs shapes, kind's matching and merge order, which
// node's patches count, and bad input named by file, line, patch and field.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../../util/errors.ts';
import { DEFAULT_KIND_CONFIG_DIR, KIND_CONFIGS } from './kind-config.ts';
import { kindClusterTimers, mergePatch, parseKindConfigTimers } from './kind-timers.ts';
import {
  KIND_NODE_IMAGE,
  KIND_NODE_IMAGE_1_33,
  KIND_TIMERS,
  kindKubeadmApiVersion,
  kindTimersFor,
  kubernetesVersionOf,
} from './node-image.ts';

const V1BETA3 = { kubeadmApiVersion: 'kubeadm.k8s.io/v1beta3' };
const V1BETA4 = { kubeadmApiVersion: 'kubeadm.k8s.io/v1beta4' };
const HEAD = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n';
const NODES = 'nodes:\n  - role: control-plane\n  - role: control-plane\n  - role: control-plane\n  - role: worker\n';

/** A kind config with these patch strings at the top level (each indented as a block literal). */
function configWith(...patches: string[]): string {
  const items = patches.map((p) => `  - |\n${p.replace(/^(?=.)/gm, '    ')}`).join('');
  return `${HEAD}kubeadmConfigPatches:\n${items}${NODES}`;
}

const COMPRESSED_V1BETA3 = `kind: ClusterConfiguration
controllerManager:
  extraArgs:
    node-monitor-grace-period: "10s"
    node-monitor-period: "1s"
    leader-elect-lease-duration: "5s"
    leader-elect-renew-deadline: "3s"
    leader-elect-retry-period: "1s"
etcd:
  local:
    extraArgs:
      heartbeat-interval: "50"
      election-timeout: "500"
---
kind: KubeletConfiguration
nodeLeaseDurationSeconds: 8
`;

const COMPRESSED_V1BETA4 = `kind: ClusterConfiguration
controllerManager:
  extraArgs:
    - name: node-monitor-grace-period
      value: "10s"
    - name: node-monitor-period
      value: "1s"
    - name: leader-elect-lease-duration
      value: "5s"
    - name: leader-elect-renew-deadline
      value: "3s"
    - name: leader-elect-retry-period
      value: "1s"
etcd:
  local:
    extraArgs:
      - name: heartbeat-interval
        value: "50"
      - name: election-timeout
        value: "500"
---
kind: KubeletConfiguration
nodeLeaseDurationSeconds: 8
`;

const COMPRESSED = {
  nodeMonitorGraceMs: 10_000,
  nodeMonitorPeriodMs: 1000,
  controllerManagerLeaseMs: 5000,
  controllerManagerRenewDeadlineMs: 3000,
  controllerManagerRetryPeriodMs: 1000,
  etcdHeartbeatMs: 50,
  etcdElectionTimeoutMs: 500,
  nodeLeaseDurationSeconds: 8,
};

function setupError(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(SetupError);
    return (error as Error).message;
  }
  throw new Error('expected a SetupError');
}

describe('kind config timers (kubeadmConfigPatches)', () => {
  it('the configs under fixtures/kind/ set none: the image defaults stand', () => {
    for (const { file } of KIND_CONFIGS) {
      const path = join(DEFAULT_KIND_CONFIG_DIR, file);
      const text = readFileSync(path, 'utf8');
      expect(parseKindConfigTimers(text, path, V1BETA3)).to.deep.equal({});
      expect(kindClusterTimers(KIND_NODE_IMAGE, text, path)).to.deep.equal(KIND_TIMERS);
      expect(kindClusterTimers(KIND_NODE_IMAGE_1_33, text, path).nodeMonitorGraceMs).to.equal(50_000);
    }
  });

  it('kind v0.28.0 generates kubeadm v1beta3 for the pinned images (v1beta2 before Kubernetes 1.23)', () => {
    expect(kindKubeadmApiVersion(kubernetesVersionOf(KIND_NODE_IMAGE))).to.equal('kubeadm.k8s.io/v1beta3');
    expect(kindKubeadmApiVersion(kubernetesVersionOf(KIND_NODE_IMAGE_1_33))).to.equal('kubeadm.k8s.io/v1beta3');
    expect(kindKubeadmApiVersion(kubernetesVersionOf('kindest/node:v1.22.17'))).to.equal('kubeadm.k8s.io/v1beta2');
  });

  it('reads v1beta3 extraArgs (a map) and v1beta4 extraArgs (a list of {name, value}) alike', () => {
    expect(parseKindConfigTimers(configWith(COMPRESSED_V1BETA3), 'x.yaml', V1BETA3)).to.deep.equal(COMPRESSED);
    expect(parseKindConfigTimers(configWith(COMPRESSED_V1BETA4), 'x.yaml', V1BETA3)).to.deep.equal(COMPRESSED);
    expect(parseKindConfigTimers(configWith(COMPRESSED_V1BETA4), 'x.yaml', V1BETA4)).to.deep.equal(COMPRESSED);
  });

  it('gives the cluster timers the image defaults overridden: kubelet heartbeat a quarter of the node lease', () => {
    expect(kindClusterTimers(KIND_NODE_IMAGE_1_33, configWith(COMPRESSED_V1BETA3), 'x.yaml')).to.deep.equal({
      kubeletHeartbeatMs: 2000,
      nodeMonitorGraceMs: 10_000,
      etcdHeartbeatMs: 50,
      etcdElectionTimeoutMs: 500,
    });
    const onlyGrace = configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-grace-period: 1m30s\n');
    expect(kindClusterTimers(KIND_NODE_IMAGE, onlyGrace, 'x.yaml')).to.deep.equal({ ...KIND_TIMERS, nodeMonitorGraceMs: 90_000 });
  });

  it('counts a node status posted more often than the Lease renewal as the heartbeat', () => {
    const kubelet = (fields: string): number =>
      kindTimersFor(KIND_NODE_IMAGE, parseKindConfigTimers(configWith(`kind: KubeletConfiguration\n${fields}`), 'x.yaml', V1BETA3))
        .kubeletHeartbeatMs;
    // The report frequency follows an explicit update frequency (kubelet defaults.go), so status is posted every 1 s.
    expect(kubelet('nodeStatusUpdateFrequency: 1s\n')).to.equal(1000);
    // Posted unchanged only every 5 min: the Lease (40 s / 4) is the heartbeat.
    expect(kubelet('nodeStatusUpdateFrequency: 1s\nnodeStatusReportFrequency: 5m\n')).to.equal(10_000);
    expect(kubelet('nodeLeaseDurationSeconds: 4\nnodeStatusUpdateFrequency: 1s\nnodeStatusReportFrequency: 5m\n')).to.equal(1000);
    expect(kubelet('nodeLeaseDurationSeconds: 40\n')).to.equal(10_000);
  });

  it('skips a patch naming another apiVersion, as kind does, so a config may carry one per kubeadm version', () => {
    const v1beta3 = `apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-grace-period: 20s\n`;
    const v1beta4 = `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    - name: node-monitor-grace-period\n      value: 30s\n`;
    const text = configWith(v1beta3, v1beta4);
    expect(parseKindConfigTimers(text, 'x.yaml', V1BETA3)).to.deep.equal({ nodeMonitorGraceMs: 20_000 });
    expect(parseKindConfigTimers(text, 'x.yaml', V1BETA4)).to.deep.equal({ nodeMonitorGraceMs: 30_000 });
    const kubelet = configWith('apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\nnodeLeaseDurationSeconds: 8\n');
    expect(parseKindConfigTimers(kubelet, 'x.yaml', V1BETA3)).to.deep.equal({});
  });

  it("merges patches in kind's order (RFC 7386: a later value wins, null removes, a list replaces)", () => {
    const first =
      'kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-grace-period: 20s\n    node-monitor-period: 2s\n';
    const second =
      'kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-grace-period: 30s\n    node-monitor-period: null\n';
    expect(parseKindConfigTimers(configWith(first, second), 'x.yaml', V1BETA3)).to.deep.equal({ nodeMonitorGraceMs: 30_000 });
    const list = 'kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    - name: leader-elect-lease-duration\n      value: 7s\n';
    expect(parseKindConfigTimers(configWith(first, list), 'x.yaml', V1BETA3)).to.deep.equal({ controllerManagerLeaseMs: 7000 });
    expect(mergePatch({ a: { b: 1, c: 2 } }, { a: { b: null, d: 3 } })).to.deep.equal({ a: { c: 2, d: 3 } });
  });

  it("takes the first control plane's own patches after the cluster's; other nodes' do not count (kubeadm join reads the cluster's)", () => {
    const grace = (value: string): string =>
      `      - |\n        kind: ClusterConfiguration\n        controllerManager:\n          extraArgs:\n            node-monitor-grace-period: ${value}\n`;
    const text =
      `${HEAD}kubeadmConfigPatches:\n${grace('20s').replace(/^ {4}/gm, '')}` +
      `nodes:\n  - role: worker\n    kubeadmConfigPatches:\n${grace('11s')}` +
      `  - role: control-plane\n    kubeadmConfigPatches:\n${grace('30s')}` +
      `  - role: control-plane\n    kubeadmConfigPatches:\n${grace('12s')}`;
    expect(parseKindConfigTimers(text, 'x.yaml', V1BETA3)).to.deep.equal({ nodeMonitorGraceMs: 30_000 });
    // Not counted, but still checked.
    const broken = text.replace('node-monitor-grace-period: 12s', 'node-monitor-grace-period: soon');
    expect(setupError(() => parseKindConfigTimers(broken, 'x.yaml', V1BETA3))).to.equal(
      'kind config x.yaml:30: nodes[2].kubeadmConfigPatches[0]: controllerManager.extraArgs.node-monitor-grace-period: expected a Go duration such as 40s, got "soon"',
    );
  });

  it('passes over other kinds of documents (InitConfiguration, JoinConfiguration) and JSON 6902 patches of other fields', () => {
    const join = 'kind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n    node-labels: "a=b"\n';
    const json6902 =
      'kubeadmConfigPatchesJSON6902:\n  - group: kubeadm.k8s.io\n    version: v1beta3\n    kind: ClusterConfiguration\n    patch: |\n' +
      '      - op: add\n        path: /controllerManager/extraArgs/feature-gates\n        value: "A=true"\n';
    expect(parseKindConfigTimers(`${configWith(join)}${json6902}`, 'x.yaml', V1BETA3)).to.deep.equal({});
  });

  describe('bad input: a SetupError naming the file, the line, the patch and the field', () => {
    const parse = (text: string): string => setupError(() => parseKindConfigTimers(text, 'x.yaml', V1BETA3));

    it('a value that is no Go duration, in either extraArgs shape', () => {
      const map = configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-grace-period: fast\n');
      expect(parse(map)).to.equal(
        'kind config x.yaml:8: kubeadmConfigPatches[0]: controllerManager.extraArgs.node-monitor-grace-period: expected a Go duration such as 40s, got "fast"',
      );
      const list = configWith(
        'kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    - name: leader-elect-lease-duration\n      value: "15"\n',
      );
      expect(parse(list)).to.equal(
        'kind config x.yaml:9: kubeadmConfigPatches[0]: controllerManager.extraArgs[0].value: expected a Go duration such as 40s, got "15"',
      );
      const zero = configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-period: 0s\n');
      expect(parse(zero)).to.match(/node-monitor-period: expected a Go duration such as 40s of 1ms or more, got "0s"$/);
    });

    it('an unquoted number where kubeadm wants a string, an etcd flag with a unit', () => {
      expect(
        parse(configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-grace-period: 40\n')),
      ).to.equal(
        "kind config x.yaml:8: kubeadmConfigPatches[0]: controllerManager.extraArgs.node-monitor-grace-period: expected a string (kubeadm's extraArgs values are strings: quote it), got 40",
      );
      expect(parse(configWith('kind: ClusterConfiguration\netcd:\n  local:\n    extraArgs:\n      heartbeat-interval: 100ms\n'))).to.equal(
        `kind config x.yaml:9: kubeadmConfigPatches[0]: etcd.local.extraArgs.heartbeat-interval: expected a whole number of milliseconds as a string such as "100" (etcd's flag has no unit), got "100ms"`,
      );
      expect(parse(configWith('kind: ClusterConfiguration\netcd:\n  local:\n    extraArgs:\n      election-timeout: "60000"\n'))).to.match(
        /etcd\.local\.extraArgs\.election-timeout: etcd refuses an election timeout over 50000 ms, got 60000$/,
      );
    });

    it('extraArgs of the wrong shape, a section that is no map', () => {
      expect(parse(configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs: "--node-monitor-grace-period=5s"\n'))).to.equal(
        'kind config x.yaml:7: kubeadmConfigPatches[0]: controllerManager.extraArgs: expected a map of flag: value (kubeadm v1beta3) or a list of {name, value} (kubeadm v1beta4), got "--node-monitor-grace-period=5s"',
      );
      expect(
        parse(configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    - node-monitor-grace-period=5s\n')),
      ).to.equal(
        'kind config x.yaml:8: kubeadmConfigPatches[0]: controllerManager.extraArgs[0]: expected {name, value} (a kubeadm v1beta4 extraArgs item), got "node-monitor-grace-period=5s"',
      );
      expect(parse(configWith('kind: ClusterConfiguration\netcd:\n  local: yes\n'))).to.match(
        /:7: kubeadmConfigPatches\[0\]: etcd\.local: expected a map, got "yes"$/,
      );
    });

    it('KubeletConfiguration fields of the wrong type', () => {
      expect(parse(configWith('kind: KubeletConfiguration\nnodeLeaseDurationSeconds: "10"\n'))).to.equal(
        'kind config x.yaml:6: kubeadmConfigPatches[0]: nodeLeaseDurationSeconds: expected a whole number of seconds of 1 or more such as 40, got "10"',
      );
      expect(parse(configWith('kind: KubeletConfiguration\nnodeStatusUpdateFrequency: 10\n'))).to.equal(
        'kind config x.yaml:6: kubeadmConfigPatches[0]: nodeStatusUpdateFrequency: expected a Go duration such as 40s (a string), got 10',
      );
    });

    it('a patch that is not YAML, not a string, has no kind; the second document of a patch string', () => {
      expect(parse(configWith('kind: ClusterConfiguration\ncontrollerManager: [\n'))).to.match(
        /^kind config x\.yaml:\d+: kubeadmConfigPatches\[0\]: the patch is not YAML \(/,
      );
      expect(parse(`${HEAD}kubeadmConfigPatches:\n  - kind: ClusterConfiguration\n${NODES}`)).to.equal(
        'kind config x.yaml:4: kubeadmConfigPatches[0]: expected a YAML string holding the patch (write "- |" and the patch below it)',
      );
      expect(parse(`${HEAD}kubeadmConfigPatches: "kind: ClusterConfiguration"\n${NODES}`)).to.equal(
        'kind config x.yaml:3: kubeadmConfigPatches: expected a list of YAML strings (each a patch)',
      );
      expect(parse(configWith('controllerManager:\n  extraArgs:\n    node-monitor-grace-period: 5s\n'))).to.equal(
        'kind config x.yaml:5: kubeadmConfigPatches[0]: kind: expected the kind of document this patch applies to (e.g. ClusterConfiguration); kind applies a patch without one to nothing',
      );
      expect(parse(configWith('kind: InitConfiguration\n---\nkind: KubeletConfiguration\nnodeStatusReportFrequency: often\n'))).to.equal(
        'kind config x.yaml:8: kubeadmConfigPatches[0] (document 2): nodeStatusReportFrequency: expected a Go duration such as 40s, got "often"',
      );
    });

    it('a JSON 6902 patch that changes a timer (the harness reads them from merge patches only)', () => {
      const json6902 =
        'kubeadmConfigPatchesJSON6902:\n  - group: kubeadm.k8s.io\n    version: v1beta3\n    kind: ClusterConfiguration\n    patch: |\n' +
        '      - op: add\n        path: /controllerManager/extraArgs/node-monitor-grace-period\n        value: "5s"\n';
      expect(parse(`${HEAD}${json6902}${NODES}`)).to.equal(
        'kind config x.yaml:4: kubeadmConfigPatchesJSON6902[0]: add /controllerManager/extraArgs/node-monitor-grace-period: changes a timer of the ClusterConfiguration, which the harness reads from kubeadmConfigPatches only; set it there (a merge patch)',
      );
      const kubelet =
        'nodes:\n  - role: control-plane\n    kubeadmConfigPatchesJSON6902:\n      - kind: KubeletConfiguration\n        group: kubelet.config.k8s.io\n' +
        '        version: v1beta1\n        patch: |\n          - op: replace\n            path: /nodeLeaseDurationSeconds\n            value: 4\n';
      expect(parse(`${HEAD}${kubelet}`)).to.match(
        /^kind config x\.yaml:6: nodes\[0\]\.kubeadmConfigPatchesJSON6902\[0\]: replace \/nodeLeaseDurationSeconds: /,
      );
      const listItem = json6902.replace(
        'path: /controllerManager/extraArgs/node-monitor-grace-period\n        value: "5s"',
        'path: /controllerManager/extraArgs/-\n        value: {name: node-monitor-grace-period, value: 5s}',
      );
      expect(parse(`${HEAD}${listItem}${NODES}`)).to.match(/add \/controllerManager\/extraArgs\/-: changes a timer/);
    });

    it('timers that cannot work together: a grace under two heartbeats, a leader-election lease kcm refuses, an etcd election under five heartbeats', () => {
      const grace = configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-monitor-grace-period: 15s\n');
      expect(setupError(() => kindClusterTimers(KIND_NODE_IMAGE, grace, 'x.yaml'))).to.equal(
        'kind config x.yaml: kubelet heartbeat 10s, node-monitor grace 15s: the grace must be at least two heartbeats, or healthy nodes go NotReady between them ' +
          '(shorten KubeletConfiguration nodeLeaseDurationSeconds: the kubelet renews its Lease every quarter of it)',
      );
      const lease = configWith('kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    leader-elect-lease-duration: 5s\n');
      expect(setupError(() => kindClusterTimers(KIND_NODE_IMAGE, lease, 'x.yaml'))).to.equal(
        'kind config x.yaml: kube-controller-manager leader election: lease 5s, renew deadline 10s, retry period 2s: it starts only with ' +
          'lease > renew deadline > 1.2 x retry period (set leader-elect-renew-deadline and leader-elect-retry-period with a shorter leader-elect-lease-duration)',
      );
      const retry = lease.replace(
        'lease-duration: 5s',
        'lease-duration: 5s\n        leader-elect-renew-deadline: 3s\n        leader-elect-retry-period: 2.5s',
      );
      expect(setupError(() => kindClusterTimers(KIND_NODE_IMAGE, retry, 'x.yaml'))).to.match(/renew deadline 3s, retry period 2500ms: /);
      const etcd = configWith('kind: ClusterConfiguration\netcd:\n  local:\n    extraArgs:\n      heartbeat-interval: "250"\n');
      expect(setupError(() => kindClusterTimers(KIND_NODE_IMAGE, etcd, 'x.yaml'))).to.equal(
        'kind config x.yaml: etcd election-timeout 1000 ms is under 5 times heartbeat-interval 250 ms: etcd refuses to start',
      );
    });
  });
});
