// The sandbox's Harvester profile end to end (lib/sandbox/profile.ts): RKE2's etcd timers and member names, the
// etcd Node annotations, kube-vip's single holder behind the VIP with its Lease failover, and Harvester's VIP Service.
// kube-vip's Lease timing is shortened here (3 s / 2 s / 0.5 s) so the failover is quick; the profile's own is
// kube-vip's default (15 s / 10 s / 2 s), which the existing-cluster end-to-end test runs with.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../util/kubeconfig.ts';
import { waitFor } from '../../util/wait.ts';
import { namespacePids } from '../../sandbox/network.ts';
import { nodeOfEtcdMember, RKE2_ETCD_NODE_ADDRESS_ANNOTATION, RKE2_ETCD_NODE_NAME_ANNOTATION } from '../../harvester/etcd-members.ts';
import { HARVESTER_VIP_SERVICE, KUBE_VIP_SERVICES_LEASE } from '../../harvester/profiles.ts';
import { API_SERVER_HEADER } from '../../sandbox/apiserver/server.ts';
import { SERVER_GIT_VERSION } from '../../sandbox/apiserver/discovery.ts';
import { SandboxProvider } from './sandbox-provider.ts';
import type { StartedSandbox } from './sandbox-cluster.ts';

const isRoot = process.getuid?.() === 0;
const LEASE = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

/** Which API server answers a request through the VIP (the sandbox's API server names itself in a header). */
function answeredBy(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/default', agent: false, timeout: 3000 }, (res) => {
      res.resume();
      resolve(String(res.headers[API_SERVER_HEADER.toLowerCase()] ?? ''));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 3 s')));
    req.on('error', reject);
    req.end();
  });
}

describe('sandbox Harvester profile: RKE2 etcd, kube-vip VIP', function () {
  this.timeout(240_000);
  let cluster: StartedSandbox;
  let core: CoreV1Api;
  let coordination: CoordinationV1Api;
  let vipPort = 0;

  before(async function () {
    if (!isRoot) this.skip();
    cluster = await new SandboxProvider().start({ profile: 'harvester', kubeVipLease: LEASE, topology: { controlPlanes: 3, workers: 1 } });
    const kubeConfig = loadKubeConfig(cluster.endpoints.kubeconfigPath);
    core = kubeConfig.makeApiClient(CoreV1Api);
    coordination = kubeConfig.makeApiClient(CoordinationV1Api);
    vipPort = Number(new URL(kubeConfig.getCurrentCluster()?.server ?? '').port);
  });

  after(async () => {
    await cluster?.stop();
  });

  const holder = async (): Promise<string | undefined> =>
    (await coordination.readNamespacedLease({ ...KUBE_VIP_SERVICES_LEASE })).spec?.holderIdentity ?? undefined;

  it("runs etcd with RKE2's timers (500 ms / 5 s), unscaled", async () => {
    expect(cluster.timers).to.include({ etcdHeartbeatMs: 500, etcdElectionTimeoutMs: 5000 });
    const member = cluster.member('cp-0');
    const commandLines = (await namespacePids(member.processes.namespace)).map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
    });
    const etcd = commandLines.find((args) => args[0] === 'etcd');
    expect(etcd, 'the etcd process of cp-0').to.not.equal(undefined);
    expect(etcd).to.include.members(['--heartbeat-interval=500', '--election-timeout=5000']);
  });

  it('names etcd members <node>-<8 hex> and annotates each etcd Node with its member and address (as RKE2 does)', async () => {
    const membership = await cluster.etcdMembership();
    const names = (membership?.members ?? []).map((m) => m.name);
    expect(names).to.have.length(3);
    for (const name of names) expect(name).to.match(/^cp-[0-2]-[0-9a-f]{8}$/);
    const nodes = cluster.nodes.map((n) => n.name);
    expect(names.map((n) => nodeOfEtcdMember(n, nodes)).sort()).to.deep.equal(['cp-0', 'cp-1', 'cp-2']);
    await waitFor(
      'the etcd Nodes to carry their member annotations',
      async () => {
        const items = (await core.listNode()).items.filter((n) => n.metadata?.name?.startsWith('cp-'));
        return items.every((n) => {
          const a = n.metadata?.annotations ?? {};
          const address = n.status?.addresses?.find((x) => x.type === 'InternalIP')?.address;
          return names.includes(a[RKE2_ETCD_NODE_NAME_ANNOTATION] ?? '') && a[RKE2_ETCD_NODE_ADDRESS_ANNOTATION] === address;
        });
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const worker = await core.readNode({ name: 'worker-0' });
    expect(worker.metadata?.annotations?.[RKE2_ETCD_NODE_NAME_ANNOTATION], 'a worker runs no etcd member').to.equal(undefined);
  });

  it("exposes the VIP as Harvester's LoadBalancer Service; its kubelets report the API server's version", async () => {
    const service = await core.readNamespacedService({ name: HARVESTER_VIP_SERVICE.name, namespace: HARVESTER_VIP_SERVICE.namespace });
    expect(service.spec?.type).to.equal('LoadBalancer');
    expect(service.status?.loadBalancer?.ingress?.map((i) => i.ip)).to.deep.equal(['127.0.0.1']);
    const versions = (await core.listNode()).items.map((n) => n.status?.nodeInfo?.kubeletVersion ?? '');
    // lib/sandbox/agent/node-info.ts: the kubelet reports the version its API server serves (kubelet's VersionInfo setter).
    expect(new Set(versions)).to.deep.equal(new Set([SERVER_GIT_VERSION]));
  });

  it("reaches only the holder's API server through the VIP; when the holder dies, another control plane wins the Lease and takes the VIP over", async () => {
    const first = await waitFor('a VIP holder', holder, { timeoutMs: 20_000, intervalMs: 200 });
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) answers.add(await answeredBy(vipPort));
    expect([...answers]).to.deep.equal([first]);
    await cluster.killNode(first);
    const second = await waitFor(
      'another control plane to hold the VIP',
      async () => {
        const who = await answeredBy(vipPort).catch(() => undefined);
        return who && who !== first ? who : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(second).to.not.equal(first);
    expect(await holder()).to.equal(second);
    const lease = await coordination.readNamespacedLease({ ...KUBE_VIP_SERVICES_LEASE });
    expect(lease.spec?.leaseTransitions).to.be.at.least(1);
    await cluster.startNode(first);
  });
});
