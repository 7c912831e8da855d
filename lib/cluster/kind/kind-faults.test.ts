// Faults on a kind cluster and their undos, checked through the exact command lines the recording fakes saw; and
// failures (non-zero exit, timeout, missing binary) that must give the right harness error and leave every applied
// fault undone.
import { expect } from 'chai';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { parse } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../faults/journal.ts';
import { InconclusiveFaultError } from '../core/provider.ts';
import { FORCE_DELETE_ROUNDS } from '../core/force-delete.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { DeadlineError, SetupError } from '../../util/errors.ts';
import type { StartedKindCluster } from './kind-cluster.ts';
import { KindProvider, type KindOptions } from './kind-provider.ts';
import { FIXTURES_BIN, startKindFakes, type KindFakes } from './testing/kind-fakes.ts';
import { ClusterCommandError, type ToolOptions } from './tools.ts';
import { rejection } from '../../util/rejection.testing.ts';

const C = 'cpchaos-abc123';
const CP1 = `${C}-control-plane`;
const CP2 = `${C}-control-plane2`;
const CP3 = `${C}-control-plane3`;
const W = `${C}-worker`;
const ADDRESS = 'docker inspect -f {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}';

const CHAINS =
  'set -e; iptables -w 5 -N CPCHAOS-IN 2>/dev/null || true; iptables -w 5 -C INPUT -j CPCHAOS-IN 2>/dev/null || iptables -w 5 -I INPUT 1 -j CPCHAOS-IN; ' +
  'iptables -w 5 -N CPCHAOS-OUT 2>/dev/null || true; iptables -w 5 -C OUTPUT -j CPCHAOS-OUT 2>/dev/null || iptables -w 5 -I OUTPUT 1 -j CPCHAOS-OUT';
const FLUSH =
  'sh -c set -e; for c in CPCHAOS-IN CPCHAOS-OUT; do if iptables -w 5 -S $c >/dev/null 2>&1; then iptables -w 5 -F $c; fi; done';
const ETCD_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ETCDCTL = `crictl exec ${ETCD_ID} etcdctl --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/peer.crt --key /etc/kubernetes/pki/etcd/peer.key`;
const FIND_ETCD = 'crictl ps --label io.kubernetes.container.name=etcd --state running -q';

/** A DROP rule spec with its fault's comment. */
const rule = (match: string, tag: string): string => `${match} -m comment --comment ${tag} -j DROP`;
/** The recorded line installing `rules` ([chain, spec]) on `node`, with their expiry after `ttl` s (900). */
function install(node: string, rules: readonly [string, string][], ttl = 900): string {
  const deletes = rules.map(([chain, spec]) => `iptables -w 5 -D ${chain} ${spec}`).join('; ');
  const adds = rules.map(([chain, spec]) => `iptables -w 5 -A ${chain} ${spec}`).join('; ');
  return `docker exec ${node} sh -c ${CHAINS}; (sleep ${ttl}; set +e; ${deletes}) >/dev/null 2>&1 & ${adds}`;
}
/** kind's load balancer in the fakes, and the rules cutting a node off it (both ways). */
const LB = `${C}-external-load-balancer`;
const LB_ADDRESS = '172.18.0.100';
const lbRules = (tag: string): [string, string][] => [
  ['CPCHAOS-IN', rule(`-s ${LB_ADDRESS}/32`, tag)],
  ['CPCHAOS-OUT', rule(`-d ${LB_ADDRESS}/32`, tag)],
];
/** The recorded lines rewriting kind's HAProxy config and reloading it. */
const LB_UPDATE = [`docker exec -i ${LB} cp /dev/stdin /usr/local/etc/haproxy/haproxy.cfg`, `docker exec ${LB} kill -s HUP 1`];
const remove = (node: string, chain: string, spec: string): string => `docker exec ${node} iptables -w 5 -D ${chain} ${spec}`;

describe('kind provider: faults and their undo', function () {
  let fakes: KindFakes;
  let cluster: StartedKindCluster;

  async function startCluster(options: KindOptions = {}, tools: Partial<ToolOptions> = {}): Promise<void> {
    cluster = await new KindProvider(fakes.providerOptions({}, tools)).start(options);
    fakes.clearCalls();
    fakes.api.requests.length = 0;
  }

  beforeEach(async () => {
    fakes = await startKindFakes();
  });

  afterEach(async () => {
    fakes.clearFailures();
    await cluster?.stop().catch(() => undefined);
    await fakes.close();
  });

  it('kill: docker kill; undo: docker start, then the address is read again', async () => {
    await startCluster();
    const fault = await cluster.inject({ kind: 'kill', nodes: [W, CP3] });
    expect(fakes.lines()).to.deep.equal([`docker kill ${W}`, `docker kill ${CP3}`]);
    expect(cluster.nodeState(W)).to.equal('killed');
    fakes.clearCalls();
    await fault.undo();
    await fault.undo();
    expect(fakes.lines()).to.deep.equal([`docker start ${CP3}`, `${ADDRESS} ${CP3}`, `docker start ${W}`, `${ADDRESS} ${W}`]);
    expect(cluster.nodeState(W)).to.equal('running');
    expect(cluster.notes).to.deep.equal([]);
  });

  it('notes a node that came back with another address, and uses the new one for later network faults', async () => {
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [CP3, W] });
    fakes.control({ CPCHAOS_DOCKER_ADDRESS_OFFSET: '50' });
    const error = await rejection(cluster.ledger.undoAll());
    expect(error).to.be.instanceOf(InconclusiveFaultError);
    expect(cluster.notes).to.deep.equal([
      `node ${CP3} came back with address 172.18.0.54 (was 172.18.0.4): its etcd member and certificates still name the old one, so it may not rejoin (kind issues #1689, #2045)`,
      `node ${W} came back with address 172.18.0.61 (was 172.18.0.11)`,
    ]);
    expect(readFileSync(cluster.endpoints.nodeKubeconfigPaths.get(CP3) as string, 'utf8'), 'per-node kubeconfig refreshed').to.include(
      'server: https://172.18.0.54:6443',
    );
    fakes.clearCalls();
    await cluster.inject({ kind: 'drop', from: [W], to: [CP1] });
    expect(fakes.lines()[0]).to.include('-A CPCHAOS-IN -s 172.18.0.61/32 ');
  });

  it('restart: docker kill then docker start, nothing to undo', async () => {
    await startCluster();
    const fault = await cluster.inject({ kind: 'restart', nodes: [CP3] });
    await fault.undo();
    expect(fakes.lines()).to.deep.equal([`docker kill ${CP3}`, `docker start ${CP3}`, `${ADDRESS} ${CP3}`]);
  });

  it('pause: docker pause; undo: docker unpause; resume unpauses, after which the undo has nothing left to do', async () => {
    await startCluster();
    const pause = await cluster.inject({ kind: 'pause', nodes: [CP2] });
    expect(fakes.lines()).to.deep.equal([`docker pause ${CP2}`]);
    await pause.undo();
    expect(fakes.lines()).to.deep.equal([`docker pause ${CP2}`, `docker unpause ${CP2}`]);

    fakes.clearCalls();
    const again = await cluster.inject({ kind: 'pause', nodes: [CP2] });
    await cluster.inject({ kind: 'resume', nodes: [CP2] });
    await again.undo();
    expect(fakes.lines()).to.deep.equal([`docker pause ${CP2}`, `docker unpause ${CP2}`]);
  });

  it('isolate: drops everything through eth0 both ways, with a self-expiring undo; undo deletes both rules', async () => {
    await startCluster();
    const tag = `cpchaos-${fakes.runId}-n1`;
    const fault = await cluster.inject({ kind: 'isolate', nodes: [CP2] });
    const input = rule('-i eth0', tag);
    const output = rule('-o eth0', tag);
    expect(fakes.lines()).to.deep.equal([
      install(CP2, [
        ['CPCHAOS-IN', input],
        ['CPCHAOS-OUT', output],
      ]),
    ]);
    fakes.clearCalls();
    await fault.undo();
    expect(fakes.lines()).to.deep.equal([remove(CP2, 'CPCHAOS-IN', input), remove(CP2, 'CPCHAOS-OUT', output)]);
  });

  it('partition: each side drops packets from the other, and the side without the most control planes loses the load balancer both ways; undo deletes exactly those rules', async () => {
    await startCluster({ faultTtlMs: 900_000 });
    const tag = `cpchaos-${fakes.runId}-n1`;
    const from = (address: string): string => rule(`-s ${address}/32`, tag);
    const fault = await cluster.inject({ kind: 'partition', groups: [[CP1], [CP2, CP3, W]] });
    expect(fakes.lines()).to.deep.equal([
      install(CP1, [
        ['CPCHAOS-IN', from('172.18.0.3')],
        ['CPCHAOS-IN', from('172.18.0.4')],
        ['CPCHAOS-IN', from('172.18.0.11')],
        // Its kubelet reached the API through kind's load balancer (controlPlaneEndpoint), which relayed it to
        // control-plane2 and 3 from the load balancer's address: cut off from it, it heartbeats no more.
        ...lbRules(tag),
      ]),
      install(CP2, [['CPCHAOS-IN', from('172.18.0.2')]]),
      install(CP3, [['CPCHAOS-IN', from('172.18.0.2')]]),
      install(W, [['CPCHAOS-IN', from('172.18.0.2')]]),
    ]);
    fakes.clearCalls();
    await fault.undo();
    expect(fakes.lines()).to.deep.equal([
      remove(CP1, 'CPCHAOS-IN', from('172.18.0.3')),
      remove(CP1, 'CPCHAOS-IN', from('172.18.0.4')),
      remove(CP1, 'CPCHAOS-IN', from('172.18.0.11')),
      remove(CP2, 'CPCHAOS-IN', from('172.18.0.2')),
      remove(CP3, 'CPCHAOS-IN', from('172.18.0.2')),
      remove(W, 'CPCHAOS-IN', from('172.18.0.2')),
      remove(CP1, 'CPCHAOS-IN', rule(`-s ${LB_ADDRESS}/32`, tag)),
      remove(CP1, 'CPCHAOS-OUT', rule(`-d ${LB_ADDRESS}/32`, tag)),
    ]);
  });

  it('drop: one way at the receiver, and the side with fewer control planes (the senders on a tie) loses the load balancer; the expiry follows faultTtlMs; each fault has its own tag', async () => {
    await startCluster({ faultTtlMs: 90_000 });
    await cluster.inject({ kind: 'drop', from: [W], to: [CP1] });
    const fault = await cluster.inject({ kind: 'drop', from: [CP1], to: [CP2, CP3] });
    const tag1 = `cpchaos-${fakes.runId}-n1`;
    const tag2 = `cpchaos-${fakes.runId}-n2`;
    const first = rule('-s 172.18.0.11/32', tag1);
    const second = rule('-s 172.18.0.2/32', tag2);
    expect(fakes.lines()).to.deep.equal([
      install(CP1, [['CPCHAOS-IN', first]], 90),
      install(W, lbRules(tag1), 90),
      install(CP2, [['CPCHAOS-IN', second]], 90),
      install(CP3, [['CPCHAOS-IN', second]], 90),
      install(CP1, lbRules(tag2), 90),
    ]);
    fakes.clearCalls();
    await fault.undo();
    expect(fakes.lines()).to.deep.equal([
      remove(CP2, 'CPCHAOS-IN', second),
      remove(CP3, 'CPCHAOS-IN', second),
      remove(CP1, 'CPCHAOS-IN', rule(`-s ${LB_ADDRESS}/32`, tag2)),
      remove(CP1, 'CPCHAOS-OUT', rule(`-d ${LB_ADDRESS}/32`, tag2)),
    ]);
  });

  it('isolate, partition and drop add no load balancer rule on a cluster without one (a single control plane)', async () => {
    await fakes.close();
    fakes = await startKindFakes({ controlPlanes: 1, workers: 1 });
    const configFile = join(fakes.dir, 'cp1-w1.yaml');
    writeFileSync(configFile, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n');
    await startCluster({ configFile, topology: { controlPlanes: 1, workers: 1 } });
    expect(cluster.loadBalancer).to.equal(undefined);
    await cluster.inject({ kind: 'partition', groups: [[CP1], [W]] });
    await cluster.inject({ kind: 'drop', from: [W], to: [CP1] });
    await cluster.inject({ kind: 'isolate', nodes: [W] });
    expect(fakes.lines()).to.have.length(4);
    expect(fakes.lines().join('\n')).not.to.include(LB_ADDRESS);
  });

  it('kill undo starts the containers in ascending order of their old addresses (not name or undo order), checking each', async () => {
    // kind created the nodes concurrently: control-plane2 got the lower address.
    fakes.control({ CPCHAOS_DOCKER_ADDRESSES: 'control-plane=172.18.0.3 control-plane2=172.18.0.2' });
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [CP2, CP1] });
    fakes.clearCalls();
    await cluster.ledger.undoAll();
    expect(fakes.lines()).to.deep.equal([`docker start ${CP2}`, `${ADDRESS} ${CP2}`, `docker start ${CP1}`, `${ADDRESS} ${CP1}`]);
    expect(cluster.notes).to.deep.equal([]);
  });

  it('nodes downed by separate kills are started in ascending order of their old addresses when the run undoes them (not newest first)', async () => {
    // control-plane2 (.2) killed first, then control-plane (.4), then the worker (.3): undone newest first, the
    // worker's undo must start control-plane2 before it, and control-plane's undo finds only itself left.
    fakes.control({ CPCHAOS_DOCKER_ADDRESSES: 'control-plane=172.18.0.4 control-plane2=172.18.0.2 worker=172.18.0.3' });
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [CP2] });
    await cluster.inject({ kind: 'kill', nodes: [CP1] });
    await cluster.inject({ kind: 'kill', nodes: [W] });
    fakes.clearCalls();
    await cluster.ledger.undoAll();
    expect(fakes.lines()).to.deep.equal([
      `docker start ${CP2}`,
      `${ADDRESS} ${CP2}`,
      `docker start ${W}`,
      `${ADDRESS} ${W}`,
      `docker start ${CP1}`,
      `${ADDRESS} ${CP1}`,
    ]);
    expect(cluster.notes).to.deep.equal([]);
    expect([CP1, CP2, W].map((name) => cluster.nodeState(name))).to.deep.equal(['running', 'running', 'running']);
  });

  it('a kill undo starts no node that a kill still on the ledger does not hold down (a removed host stays down)', async () => {
    fakes.control({ CPCHAOS_DOCKER_ADDRESSES: 'control-plane=172.18.0.4 control-plane2=172.18.0.2 worker=172.18.0.3' });
    await startCluster();
    const cp2 = await cluster.inject({ kind: 'kill', nodes: [CP2] });
    await cp2.undo();
    await cluster.killNode(CP2);
    await cluster.inject({ kind: 'kill', nodes: [CP1] });
    fakes.clearCalls();
    await cluster.ledger.undoAll();
    expect(fakes.lines()).to.deep.equal([`docker start ${CP1}`, `${ADDRESS} ${CP1}`]);
    expect(cluster.nodeState(CP2)).to.equal('killed');
  });

  it('restart of killed nodes starts them together in ascending order of their old addresses (majority-down)', async () => {
    fakes.control({ CPCHAOS_DOCKER_ADDRESSES: 'control-plane=172.18.0.3 control-plane2=172.18.0.2' });
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [CP1, CP2] });
    fakes.clearCalls();
    await cluster.inject({ kind: 'restart', nodes: [CP1, CP2] });
    expect(fakes.lines()).to.deep.equal([`docker start ${CP2}`, `${ADDRESS} ${CP2}`, `docker start ${CP1}`, `${ADDRESS} ${CP1}`]);
  });

  it('a restarted node whose address changed anyway makes the fault inconclusive, naming old and new address', async () => {
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [CP2] });
    fakes.control({ CPCHAOS_DOCKER_ADDRESSES: 'control-plane2=172.18.0.5' });
    const error = await rejection(cluster.ledger.undoAll());
    expect(error).to.be.instanceOf(InconclusiveFaultError);
    expect((error as InconclusiveFaultError).fault).to.equal('kill');
    expect((error as Error).message).to.equal(
      `kill on provider kind is inconclusive: node ${CP2} came back with address 172.18.0.5 (was 172.18.0.3): Docker gave the restarted container(s) other addresses, while etcd peer URLs and API server certificates keep the old ones`,
    );
    expect(cluster.member(CP2).address).to.equal('172.18.0.5');
    fakes.control({ CPCHAOS_DOCKER_ADDRESSES: 'control-plane3=172.18.0.9' });
    const restart = await rejection(cluster.inject({ kind: 'restart', nodes: [CP3] }));
    expect(restart).to.be.instanceOf(InconclusiveFaultError);
    expect((restart as InconclusiveFaultError).fault).to.equal('restart');
  });

  it('notes a network fault that outlived its TTL (the containers already removed it)', async () => {
    await startCluster({ faultTtlMs: 1000 });
    const fault = await cluster.inject({ kind: 'isolate', nodes: [W] });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await fault.undo();
    expect(cluster.notes).to.have.length(1);
    expect(cluster.notes[0]).to.match(
      new RegExp(
        `^the rules of cpchaos-${fakes.runId}-n1 expired inside the containers after 1 s, before the harness undid them 1\\.\\d s after installing them: raise faultTtlMs$`,
      ),
    );
  });

  it('heal: skips a paused node (no docker exec into it), says so, and flushes it once it is resumed', async () => {
    await startCluster();
    await cluster.inject({ kind: 'pause', nodes: [CP2] });
    fakes.clearCalls();
    await cluster.inject({ kind: 'heal' });
    expect(fakes.lines()).to.deep.equal([CP1, CP3, W].map((node) => `docker exec ${node} ${FLUSH}`));
    expect(cluster.notes).to.deep.equal([
      `heal: ${CP2} is paused (no docker exec into it): its packet-drop rules are flushed once it is resumed`,
    ]);
    fakes.clearCalls();
    await cluster.inject({ kind: 'resume', nodes: [CP2] });
    expect(fakes.lines()).to.deep.equal([`docker unpause ${CP2}`, `docker exec ${CP2} ${FLUSH}`]);
  });

  it("partition undone while a node is paused: the others' rules go at once, the paused node's exactly when it is resumed", async () => {
    await startCluster({ faultTtlMs: 900_000 });
    const tag = `cpchaos-${fakes.runId}-n1`;
    const from = (address: string): string => rule(`-s ${address}/32`, tag);
    const partition = await cluster.inject({ kind: 'partition', groups: [[CP1], [CP2, CP3, W]] });
    await cluster.inject({ kind: 'pause', nodes: [CP1] });
    fakes.clearCalls();
    await partition.undo();
    expect(fakes.lines(), 'no docker exec into the paused node').to.deep.equal([
      remove(CP2, 'CPCHAOS-IN', from('172.18.0.2')),
      remove(CP3, 'CPCHAOS-IN', from('172.18.0.2')),
      remove(W, 'CPCHAOS-IN', from('172.18.0.2')),
    ]);
    expect(cluster.notes).to.have.length(5);
    expect(cluster.notes[0]).to.equal(`undo: ${CP1} is paused (no docker exec into it): a packet-drop rule is deleted once it is resumed`);
    fakes.clearCalls();
    await cluster.inject({ kind: 'resume', nodes: [CP1] });
    expect(fakes.lines()).to.deep.equal([
      `docker unpause ${CP1}`,
      remove(CP1, 'CPCHAOS-IN', from('172.18.0.3')),
      remove(CP1, 'CPCHAOS-IN', from('172.18.0.4')),
      remove(CP1, 'CPCHAOS-IN', from('172.18.0.11')),
      remove(CP1, 'CPCHAOS-IN', rule(`-s ${LB_ADDRESS}/32`, tag)),
      remove(CP1, 'CPCHAOS-OUT', rule(`-d ${LB_ADDRESS}/32`, tag)),
    ]);
    // Nothing is left for a later resume.
    fakes.clearCalls();
    await cluster.inject({ kind: 'pause', nodes: [CP1] });
    await cluster.inject({ kind: 'resume', nodes: [CP1] });
    expect(fakes.lines()).to.deep.equal([`docker pause ${CP1}`, `docker unpause ${CP1}`]);
  });

  it('a paused node killed and started again: the rules left for its resume went with its network namespace', async () => {
    await startCluster({ faultTtlMs: 900_000 });
    const partition = await cluster.inject({ kind: 'partition', groups: [[CP1], [CP2, CP3, W]] });
    await cluster.inject({ kind: 'pause', nodes: [CP1] });
    await partition.undo();
    await cluster.inject({ kind: 'heal' });
    await cluster.inject({ kind: 'restart', nodes: [CP1] });
    // A new fault's rules on the restarted node: a later pause and resume must neither delete nor flush them.
    await cluster.inject({ kind: 'isolate', nodes: [CP1] });
    fakes.clearCalls();
    await cluster.inject({ kind: 'pause', nodes: [CP1] });
    await cluster.inject({ kind: 'resume', nodes: [CP1] });
    expect(fakes.lines()).to.deep.equal([`docker pause ${CP1}`, `docker unpause ${CP1}`]);
  });

  /** What the fakes saved from each `docker exec -i` stdin since the cluster started, oldest first. */
  const writtenFiles = (): string[] => {
    const files: string[] = [];
    for (let n = 1; existsSync(`${fakes.recordPath}.stdin.${n}`); n++) files.push(readFileSync(`${fakes.recordPath}.stdin.${n}`, 'utf8'));
    return files;
  };
  const READ_KUBELET_CONFIG = (node: string): string => `docker exec ${node} cat /var/lib/kubelet/config.yaml`;
  const WRITE_KUBELET_CONFIG = (node: string): string => `docker exec -i ${node} cp /dev/stdin /var/lib/kubelet/config.yaml`;
  const RESTART_KUBELET = (node: string): string => `docker exec ${node} systemctl restart kubelet`;

  it("memory-pressure: the node's kubelet configuration gets evictionHard memory.available 1Pi, kind's other thresholds and the rest kept, and the kubelet is restarted; undo writes the original text back and restarts it", async () => {
    await startCluster();
    const fault = await cluster.inject({ kind: 'memory-pressure', nodes: [W] });
    expect(fakes.lines()).to.deep.equal([READ_KUBELET_CONFIG(W), WRITE_KUBELET_CONFIG(W), RESTART_KUBELET(W)]);
    const [pressured] = writtenFiles() as [string];
    const config = parse(pressured) as Record<string, unknown>;
    expect(config['evictionHard']).to.deep.equal({
      'imagefs.available': '0%',
      'nodefs.available': '0%',
      'nodefs.inodesFree': '0%',
      'memory.available': '1Pi',
    });
    expect(config).to.include({
      kind: 'KubeletConfiguration',
      cgroupRoot: '/kubelet',
      failSwapOn: false,
      imageGCHighThresholdPercent: 100,
    });
    fakes.clearCalls();
    await fault.undo();
    await fault.undo();
    expect(fakes.lines()).to.deep.equal([WRITE_KUBELET_CONFIG(W), RESTART_KUBELET(W)]);
    const [, own] = writtenFiles() as [string, string];
    // The text as the node had it, byte for byte: the pressured one is it plus the one line.
    expect(pressured).to.equal(own.replace('  nodefs.inodesFree: 0%\n', '  nodefs.inodesFree: 0%\n  memory.available: 1Pi\n'));
    expect(own).to.match(/^apiVersion: kubelet\.config\.k8s\.io\/v1beta1\n/);
    // relieve of a node that is not under pressure: nothing to do.
    fakes.clearCalls();
    await cluster.inject({ kind: 'relieve', nodes: [W, CP1] });
    expect(fakes.lines()).to.deep.equal([]);
  });

  it("memory-pressure keeps kind's template as written (quotes, comments); a configuration without evictionHard keeps the kubelet's default thresholds", async () => {
    await startCluster();
    const template = [
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      'cgroupRoot: /kubelet',
      '# disable disk resource management by default',
      'evictionHard:',
      '  nodefs.available: "0%"',
      '  nodefs.inodesFree: "0%"',
      '  imagefs.available: "0%"',
      '',
    ].join('\n');
    fakes.control({ CPCHAOS_KIND_KUBELET_CONFIG: template });
    await cluster.inject({ kind: 'memory-pressure', nodes: [W] });
    fakes.control({ CPCHAOS_KIND_KUBELET_CONFIG: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n' });
    await cluster.inject({ kind: 'memory-pressure', nodes: [CP3] });
    const [kindNode, bare] = writtenFiles() as [string, string];
    expect(kindNode).to.equal(`${template}  memory.available: 1Pi\n`);
    expect((parse(bare) as Record<string, unknown>)['evictionHard']).to.deep.equal({
      'memory.available': '1Pi',
      'nodefs.available': '10%',
      'nodefs.inodesFree': '5%',
      'imagefs.available': '15%',
    });
  });

  it('memory-pressure whose kubelet restart fails writes the original configuration back and fails', async () => {
    await startCluster();
    fakes.failOn('systemctl restart kubelet', 'System has not been booted with systemd');
    const error = await rejection(cluster.inject({ kind: 'memory-pressure', nodes: [W] }));
    expect(error).to.be.instanceOf(ClusterCommandError);
    expect(fakes.lines()).to.deep.equal([
      READ_KUBELET_CONFIG(W),
      WRITE_KUBELET_CONFIG(W),
      RESTART_KUBELET(W),
      WRITE_KUBELET_CONFIG(W),
      RESTART_KUBELET(W),
    ]);
    const [pressured, own] = writtenFiles() as [string, string];
    expect(pressured).to.include('memory.available: 1Pi');
    expect(own).not.to.include('memory.available');
  });

  it('memory-pressure and relieve refuse a killed or paused node (no docker exec into it), naming node and state; a removed node has nothing to relieve', async () => {
    await startCluster();
    const message = async (step: Promise<unknown>): Promise<string> => ((await rejection(step)) as Error).message;
    await cluster.inject({ kind: 'memory-pressure', nodes: [W, CP2] });
    await cluster.inject({ kind: 'kill', nodes: [W] });
    await cluster.inject({ kind: 'pause', nodes: [CP2, CP3] });
    fakes.clearCalls();
    expect(await message(cluster.inject({ kind: 'relieve', nodes: [W] }))).to.equal(
      `cannot relieve node ${W} of memory pressure: it is killed (no docker exec into it); start it first`,
    );
    expect(await message(cluster.inject({ kind: 'relieve', nodes: [CP2] }))).to.equal(
      `cannot relieve node ${CP2} of memory pressure: it is paused (no docker exec into it); resume it first`,
    );
    expect(await message(cluster.inject({ kind: 'memory-pressure', nodes: [CP3] }))).to.equal(
      `cannot put node ${CP3} under memory pressure: it is paused (no docker exec into it)`,
    );
    await cluster.inject({ kind: 'kill', nodes: [CP1] });
    fakes.clearCalls();
    expect(await message(cluster.inject({ kind: 'memory-pressure', nodes: [CP1] }))).to.equal(
      `cannot put node ${CP1} under memory pressure: it is killed (no docker exec into it)`,
    );
    expect(fakes.lines(), 'no docker exec into a killed or paused node').to.deep.equal([]);
    // Resumed, the paused node is relieved; started, the killed one too (its configuration outlived the kill).
    await cluster.inject({ kind: 'resume', nodes: [CP2] });
    await cluster.startNode(W);
    fakes.clearCalls();
    await cluster.inject({ kind: 'relieve', nodes: [CP2, W] });
    expect(fakes.lines()).to.deep.equal([WRITE_KUBELET_CONFIG(CP2), RESTART_KUBELET(CP2), WRITE_KUBELET_CONFIG(W), RESTART_KUBELET(W)]);
    // A removed node took its kubelet configuration with its container.
    await cluster.inject({ kind: 'memory-pressure', nodes: [W] });
    await cluster.inject({ kind: 'delete-node', nodes: [W] });
    fakes.clearCalls();
    await cluster.inject({ kind: 'relieve', nodes: [W] });
    expect(fakes.lines()).to.deep.equal([]);
  });

  it('heal: flushes the chains on every node that has a network', async () => {
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [W] });
    fakes.clearCalls();
    await cluster.inject({ kind: 'heal' });
    expect(fakes.lines()).to.deep.equal([CP1, CP2, CP3].map((node) => `docker exec ${node} ${FLUSH}`));
  });

  it('delete-node of a worker: the Node through the API, then its container', async () => {
    await startCluster();
    await cluster.inject({ kind: 'delete-node', nodes: [W] });
    expect(fakes.api.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([`DELETE /api/v1/nodes/${W}`, `GET /api/v1/nodes/${W}`]);
    expect(fakes.lines()).to.deep.equal([`docker rm -f ${W}`]);
    expect(cluster.nodeState(W)).to.equal('removed');
  });

  it('delete-node of a control plane takes it out of the load balancer first, then removes its etcd member (hex ID, exact past 2^53) through a surviving control plane', async () => {
    await startCluster();
    await cluster.inject({ kind: 'delete-node', nodes: [CP2] });
    expect(fakes.lines()).to.deep.equal([
      ...LB_UPDATE,
      `docker exec ${CP1} ${FIND_ETCD}`,
      `docker exec ${CP1} ${ETCDCTL} member list -w json`,
      `docker exec ${CP1} ${ETCDCTL} member remove aaaaaaaaaaaaaaab`,
      `docker rm -f ${CP2}`,
    ]);
    expect(cluster.endpoints.nodeKubeconfigPaths.has(CP2)).to.equal(false);
    const config = readFileSync(`${fakes.recordPath}.stdin.1`, 'utf8');
    expect(config, 'the deleted control plane left the load balancer').not.to.include(CP2);
    expect(config).to.include(`  server ${CP3} ${CP3}:6443 check check-ssl verify none resolvers docker resolve-prefer ipv4\n`);
  });

  it('force-delete-node reads the finalizers first (a bare kind Node has none to strip), deletes at the resourceVersion read, and goes through another control plane when the first is down', async () => {
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [CP1] });
    fakes.clearCalls();
    const resourceVersion = fakes.api.node(CP3)?.metadata?.resourceVersion;
    await cluster.inject({ kind: 'force-delete-node', nodes: [CP3] });
    expect(fakes.api.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body ?? null)}`)).to.deep.equal([
      `GET /api/v1/nodes/${CP3} null`,
      `DELETE /api/v1/nodes/${CP3} {"preconditions":{"resourceVersion":"${resourceVersion}"}}`,
      `GET /api/v1/nodes/${CP3} null`,
    ]);
    expect(fakes.lines().slice(0, LB_UPDATE.length)).to.deep.equal(LB_UPDATE);
    expect(fakes.lines().slice(-2)).to.deep.equal([`docker exec ${CP2} ${ETCDCTL} member remove aaaaaaaaaaaaaaac`, `docker rm -f ${CP3}`]);
  });

  it('force-delete-node strips the finalizers, and a controller putting one back makes the DELETE a 409 and the round start again', async () => {
    await startCluster();
    const finalizers = ['wrangler.cattle.io/managed-etcd-controller'];
    fakes.api.setFinalizers(W, finalizers);
    fakes.api.readdFinalizersAfterStrip(W, finalizers, 1);
    fakes.clearCalls();
    await cluster.inject({ kind: 'force-delete-node', nodes: [W] });
    const sent = fakes.api.requests.map((r) => `${r.method} ${JSON.stringify(r.body ?? null)}`);
    const strip = JSON.stringify([
      { op: 'test', path: '/metadata/finalizers', value: finalizers },
      { op: 'remove', path: '/metadata/finalizers' },
    ]);
    const preconditions = sent.filter((line) => line.startsWith('DELETE')).map((line) => /"resourceVersion":"(\d+)"/.exec(line)?.[1]);
    expect(sent.map((line) => line.replace(/"resourceVersion":"\d+"/, '"resourceVersion":RV'))).to.deep.equal([
      'GET null',
      `PATCH ${strip}`,
      'DELETE {"preconditions":{"resourceVersion":RV}}',
      'GET null',
      `PATCH ${strip}`,
      'DELETE {"preconditions":{"resourceVersion":RV}}',
      'GET null',
    ]);
    expect(Number(preconditions[1]), 'the second round deletes at the later strip').to.be.greaterThan(Number(preconditions[0]));
    expect(fakes.api.node(W), 'gone, never Terminating').to.equal(undefined);
  });

  it('force-delete-node of a control plane its controllers keep a finalizer on in every round is inconclusive at once: the Node, its etcd member and its container are left, and it is back in the load balancer', async () => {
    await startCluster();
    const finalizers = ['wrangler.cattle.io/managed-etcd-controller'];
    fakes.api.setFinalizers(CP2, finalizers);
    fakes.api.readdFinalizersAfterStrip(CP2, finalizers, FORCE_DELETE_ROUNDS);
    fakes.clearCalls();
    const error = await rejection(cluster.inject({ kind: 'force-delete-node', nodes: [CP2] }));
    expect(error).to.be.instanceOf(InconclusiveFaultError);
    expect((error as Error).message).to.match(/in each of 5 rounds .* it is left as it was/);
    expect(fakes.api.node(CP2)?.metadata?.finalizers).to.deep.equal(finalizers);
    expect(fakes.api.node(CP2)?.metadata?.deletionTimestamp).to.equal(undefined);
    expect(
      fakes.api.requests.filter((r) => r.method === 'GET'),
      'no wait for a Node that is not being deleted',
    ).to.have.length(5);
    expect(fakes.lines().filter((line) => /member remove|docker rm/.test(line))).to.deep.equal([]);
    const configs: string[] = [];
    for (let n = 1; existsSync(`${fakes.recordPath}.stdin.${n}`); n++) configs.push(readFileSync(`${fakes.recordPath}.stdin.${n}`, 'utf8'));
    expect(configs.at(-2), 'out before the deletion').not.to.include(`server ${CP2} `);
    expect(configs.at(-1), 'back in once it stays').to.include(`server ${CP2} `);
    expect(cluster.nodeState(CP2)).to.equal('running');
  });

  it("a member removal etcd refuses (another member down) is inconclusive; the deleted node's container is left running", async () => {
    await startCluster();
    await cluster.inject({ kind: 'kill', nodes: [CP1] });
    fakes.failOn('member remove', 'Error: etcdserver: unhealthy cluster');
    fakes.clearCalls();
    const error = await rejection(cluster.inject({ kind: 'delete-node', nodes: [CP3] }));
    expect(error).to.be.instanceOf(InconclusiveFaultError);
    expect((error as Error).message).to.match(/etcd refused to remove .*unhealthy cluster.*container is left running/);
    expect(fakes.lines().filter((line) => line.includes('member remove'))).to.have.length(1);
    expect(fakes.lines().some((line) => line.startsWith('docker rm'))).to.equal(false);
  });

  it('reads etcd membership and the leader through etcdctl', async () => {
    await startCluster();
    expect(await cluster.etcdMembership()).to.deep.equal({
      members: [
        { name: CP1, id: 'aaaaaaaaaaaaaaaa' },
        { name: CP2, id: 'aaaaaaaaaaaaaaab' },
        { name: CP3, id: 'aaaaaaaaaaaaaaac' },
      ],
      leader: CP1,
    });
    expect(fakes.lines()).to.deep.equal([
      `docker exec ${CP1} ${FIND_ETCD}`,
      `docker exec ${CP1} ${ETCDCTL} member list -w json`,
      `docker exec ${CP1} ${ETCDCTL} endpoint status -w json`,
    ]);
  });

  it('journals every fault before applying it, even one that fails', async () => {
    await startCluster({ keepRunDir: true });
    await cluster.inject({ kind: 'pause', nodes: [W] });
    fakes.failOn(`docker kill ${CP1}`);
    await rejection(cluster.inject({ kind: 'kill', nodes: [CP1] }));
    fakes.clearFailures();
    await cluster.stop();
    const entries = Journal.read(cluster.runDir).map((e) =>
      e.type === 'fault-intent' ? `intent ${e.id} ${e.description}` : e.type === 'fault-undone' ? `undone ${e.id}` : e.type,
    );
    expect(entries).to.deep.equal(['run', `intent f1 pause ${W}`, `intent f2 kill ${CP1}`, 'undone f1', 'stopped']);
    rmSync(cluster.runDir, { recursive: true, force: true });
  });

  it('a fault that fails halfway undoes its own first part, and stop undoes every earlier fault newest first', async () => {
    await startCluster();
    await cluster.inject({ kind: 'pause', nodes: [W] });
    await cluster.inject({ kind: 'isolate', nodes: [CP3] });
    fakes.clearCalls();
    const stderr =
      'Error response from daemon: Cannot kill container: cpchaos-abc123-control-plane2: tried to kill container, but did not receive an exit event';
    fakes.failOn(`docker kill ${CP2}`, stderr);
    const error = await rejection(cluster.inject({ kind: 'kill', nodes: [CP1, CP2] }));
    expect(error).to.be.instanceOf(ClusterCommandError);
    expect((error as Error).message).to.equal(`killing node ${CP2} failed: \`docker kill ${CP2}\` exited with code 1:\n${stderr}`);
    expect(fakes.lines()).to.deep.equal([`docker kill ${CP1}`, `docker kill ${CP2}`, `docker start ${CP1}`, `${ADDRESS} ${CP1}`]);
    fakes.clearFailures();
    fakes.clearCalls();
    await cluster.stop();
    const tag = `cpchaos-${fakes.runId}-n1`;
    expect(fakes.lines()).to.deep.equal([
      remove(CP3, 'CPCHAOS-IN', rule('-i eth0', tag)),
      remove(CP3, 'CPCHAOS-OUT', rule('-o eth0', tag)),
      `docker unpause ${W}`,
      `kind delete cluster --name ${C} --kubeconfig ${join(fakes.runsRoot, fakes.runId, 'kubeconfig.yaml')}`,
    ]);
  });

  it('a rule install that fails on one node removes what it installed and rethrows', async () => {
    await startCluster();
    fakes.failOn(`docker exec ${CP2} sh -c`);
    const error = await rejection(cluster.inject({ kind: 'partition', groups: [[CP1], [CP2]] }));
    expect(error).to.be.instanceOf(ClusterCommandError);
    expect((error as ClusterCommandError).what).to.equal(`installing 3 packet-drop rule(s) on ${CP2}`);
    const tag = `cpchaos-${fakes.runId}-n1`;
    expect(fakes.lines().slice(2)).to.deep.equal([
      remove(CP1, 'CPCHAOS-IN', rule('-s 172.18.0.3/32', tag)),
      remove(CP2, 'CPCHAOS-IN', rule('-s 172.18.0.2/32', tag)),
      remove(CP2, 'CPCHAOS-IN', rule(`-s ${LB_ADDRESS}/32`, tag)),
      remove(CP2, 'CPCHAOS-OUT', rule(`-d ${LB_ADDRESS}/32`, tag)),
    ]);
    expect(cluster.ledger.activeCount).to.equal(0);
  });

  it('an undo of rules already gone (expired, healed) succeeds; another undo failure fails stop after all undos and the delete ran', async () => {
    await startCluster();
    const isolate = await cluster.inject({ kind: 'isolate', nodes: [W] });
    fakes.failOn('iptables -w 5 -D', 'iptables: Bad rule (does a matching rule exist in that chain?).');
    await isolate.undo();

    fakes.clearFailures();
    await cluster.inject({ kind: 'pause', nodes: [CP1] });
    await cluster.inject({ kind: 'pause', nodes: [CP2] });
    fakes.failOn(`docker unpause ${CP2}`, 'Error response from daemon: container is not paused');
    fakes.clearCalls();
    const error = await rejection(cluster.stop());
    expect(error).to.be.instanceOf(ClusterCommandError);
    expect(fakes.lines()).to.deep.equal([
      `docker unpause ${CP2}`,
      `docker unpause ${CP1}`,
      `kind delete cluster --name ${C} --kubeconfig ${join(fakes.runsRoot, fakes.runId, 'kubeconfig.yaml')}`,
    ]);
  });

  it('a command past its deadline is a DeadlineError naming it, and stop still undoes the earlier faults', async () => {
    await startCluster({}, { commandTimeoutMs: 1000 });
    await cluster.inject({ kind: 'pause', nodes: [W] });
    fakes.hangOn(`docker kill ${CP1}`);
    const error = await rejection(cluster.inject({ kind: 'kill', nodes: [CP1] }));
    expect(error).to.be.instanceOf(DeadlineError);
    expect((error as Error).message).to.equal(`timed out after 1000 ms waiting for \`docker kill ${CP1}\` to finish (killing node ${CP1})`);
    fakes.clearFailures();
    fakes.clearCalls();
    await cluster.stop();
    expect(fakes.lines()[0]).to.equal(`docker unpause ${W}`);
  });

  it('a docker binary gone after start is a SetupError naming it; the earlier faults are undone once it is back', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'cpchaos-kind-bin-'));
    try {
      const docker = join(bin, 'docker');
      const restore = (): void => {
        copyFileSync(join(FIXTURES_BIN, 'docker'), docker);
        chmodSync(docker, 0o755);
      };
      copyFileSync(join(FIXTURES_BIN, 'fake-common.sh'), join(bin, 'fake-common.sh'));
      restore();
      await startCluster({}, { binaries: { docker } });
      await cluster.inject({ kind: 'pause', nodes: [W] });
      rmSync(docker);
      const error = await rejection(cluster.inject({ kind: 'kill', nodes: [CP1] }));
      expect(error).to.be.instanceOf(SetupError);
      expect((error as Error).message).to.equal(
        `killing node ${CP1}: the kind provider needs \`docker\`, and "${docker}" was not found on PATH: install the Docker CLI and engine (https://docs.docker.com/engine/install/)`,
      );
      restore();
      fakes.clearCalls();
      await cluster.stop();
      expect(fakes.lines()[0]).to.equal(`docker unpause ${W}`);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('refuses faults on a removed node and deleting the last running control plane', async () => {
    await startCluster();
    await cluster.inject({ kind: 'delete-node', nodes: [W] });
    expect(((await rejection(cluster.inject({ kind: 'pause', nodes: [W] }))) as Error).message).to.match(
      /cannot pause node .*-worker: it is removed/,
    );
    await cluster.inject({ kind: 'kill', nodes: [CP2, CP3] });
    expect(((await rejection(cluster.inject({ kind: 'delete-node', nodes: [CP1] }))) as Error).message).to.match(
      /no other running control plane is left/,
    );
  });
});
