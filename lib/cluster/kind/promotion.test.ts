// Promotion on kind: the kubeadm command sequence, checked through the exact command lines the recording fakes saw.
// The live path (a real kubeadm join in a kind node) needs Docker and is not run here.
import { expect } from 'chai';
import type { StartedKindCluster } from './kind-cluster.ts';
import { KindProvider } from './kind-provider.ts';
import { parseCertificateKey, parseJoinCommand } from './promotion.ts';
import { startKindFakes, type KindFakes } from './testing/kind-fakes.ts';
import { ClusterCommandError } from './tools.ts';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../util/wait.ts';
import { rejection } from '../../util/rejection.testing.ts';

const C = 'cpchaos-abc123';
const CP1 = `${C}-control-plane`;
const W = `${C}-worker`;
const LB = `${C}-external-load-balancer`;
const TOKEN = 'abcdef.0123456789abcdef';
const CERT_KEY = '5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592';
const CA_HASH = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';

describe('kind promotion with kubeadm', function () {
  let fakes: KindFakes;
  let cluster: StartedKindCluster;

  beforeEach(async () => {
    fakes = await startKindFakes();
    cluster = await new KindProvider(fakes.providerOptions()).start();
    fakes.clearCalls();
    fakes.api.requests.length = 0;
  });

  afterEach(async () => {
    fakes.clearFailures();
    await cluster.stop().catch(() => undefined);
    await fakes.close();
  });

  it("takes a certificate key and join token from a control plane, resets the worker, waits for it to be NotReady, joins it as a control plane, labels it, and adds it to kind's load balancer", async () => {
    fakes.api.notReadyAfterReads(W, 1);
    await cluster.promoteToControlPlane(W);
    expect(fakes.lines()).to.deep.equal([
      `docker exec ${CP1} kubeadm init phase upload-certs --upload-certs`,
      `docker exec ${CP1} kubeadm token create --print-join-command --ttl 900s`,
      `docker exec ${W} kubeadm reset -f`,
      `docker exec ${W} kubeadm join ${C}-external-load-balancer:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${CA_HASH} --control-plane --certificate-key ${CERT_KEY} --apiserver-advertise-address 172.18.0.11 --ignore-preflight-errors all`,
      // kind's way of reconfiguring its HAProxy (distroless: cp from stdin, then SIGHUP to PID 1).
      `docker exec -i ${LB} cp /dev/stdin /usr/local/etc/haproxy/haproxy.cfg`,
      `docker exec ${LB} kill -s HUP 1`,
    ]);
    const servers = readFileSync(`${fakes.recordPath}.stdin.1`, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('  server '));
    expect(servers).to.deep.equal(
      [CP1, `${C}-control-plane2`, `${C}-control-plane3`, W].map(
        (n) => `  server ${n} ${n}:6443 check check-ssl verify none resolvers docker resolve-prefer ipv4`,
      ),
    );
    const reads = fakes.api.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(reads, 'polled the Node until it was not Ready').to.deep.equal([`/api/v1/nodes/${W}`, `/api/v1/nodes/${W}`]);
    expect(fakes.api.requests.at(-1)).to.deep.include({
      method: 'PATCH',
      path: `/api/v1/nodes/${W}`,
      body: {
        metadata: {
          labels: {
            'harvesterhci.io/managed': 'true',
            'node-role.kubernetes.io/control-plane': 'true',
            'node-role.kubernetes.io/etcd': 'true',
            'node-role.kubernetes.io/master': 'true',
          },
        },
      },
    });
    expect(cluster.member(W).role).to.equal('control-plane');
    expect(cluster.nodes.find((n) => n.name === W)?.role, 'nodes as they were at start').to.equal('worker');
    expect(cluster.endpoints.nodeKubeconfigPaths.has(W)).to.equal(true);
  });

  it('does not touch the worker when the control plane cannot give a certificate key', async () => {
    fakes.failOn('upload-certs', 'error execution phase upload-certs: error uploading certs: etcdserver: request timed out');
    const error = await rejection(cluster.promoteToControlPlane(W));
    expect(error).to.be.instanceOf(ClusterCommandError);
    expect((error as Error).message).to.include(`uploading control-plane certificates on ${CP1} for promoting ${W} failed`);
    expect(fakes.lines()).to.deep.equal([`docker exec ${CP1} kubeadm init phase upload-certs --upload-certs`]);
    expect(cluster.member(W).role).to.equal('worker');
  });

  it('a failed join quotes the command with the token and certificate key redacted', async () => {
    fakes.api.setReady(W, false);
    fakes.failOn('kubeadm join', 'error execution phase control-plane-prepare/download-certs: error downloading certs');
    const error = await rejection(cluster.promoteToControlPlane(W));
    expect(error).to.be.instanceOf(ClusterCommandError);
    const message = (error as Error).message;
    expect(message).to.include('--token <redacted>').and.include('--certificate-key <redacted>').and.include('error downloading certs');
    expect(message).not.to.include(TOKEN);
    expect(message).not.to.include(CERT_KEY);
    expect((error as Error).cause, 'no cause quoting the secrets').to.equal(undefined);
  });

  it('refuses to promote a control plane or a node that is not running', async () => {
    expect(((await rejection(cluster.promoteToControlPlane(CP1))) as Error).message).to.match(/it is a running control-plane/);
    await cluster.inject({ kind: 'kill', nodes: [W] });
    expect(((await rejection(cluster.promoteToControlPlane(W))) as Error).message).to.match(/it is a killed worker/);
  });

  it('a promotion during the deletion of control-plane[0] uploads certificates through a control plane that stays', async () => {
    // The Node's deletion triggers the promotion while the harness still removes its etcd member and container.
    fakes.control({ CPCHAOS_HANG_ON: 'member remove', CPCHAOS_HANG_SECONDS: '3' });
    fakes.api.notReadyAfterReads(W, 1);
    const deletion = cluster.inject({ kind: 'delete-node', nodes: [CP1] });
    await waitFor('the deletion to reach etcd', () => fakes.lines().some((l) => l.includes(' member remove ')), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    await cluster.promoteToControlPlane(W);
    await deletion;
    const uploads = fakes.lines().filter((l) => l.includes('upload-certs'));
    expect(uploads).to.deep.equal([`docker exec ${C}-control-plane2 kubeadm init phase upload-certs --upload-certs`]);
  });

  it('parses kubeadm output', () => {
    expect(parseCertificateKey(`[upload-certs] Using certificate key:\n${CERT_KEY}\n`)).to.equal(CERT_KEY);
    expect(() => parseCertificateKey('[upload-certs] nothing')).to.throw(/no certificate key/);
    expect(parseJoinCommand(`kubeadm join lb:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${CA_HASH} \n`)).to.deep.equal({
      endpoint: 'lb:6443',
      token: TOKEN,
      caCertHash: CA_HASH,
    });
    expect(() => parseJoinCommand('kubeadm join lb:6443 --token bad')).to.throw(/no join command/);
  });
});
