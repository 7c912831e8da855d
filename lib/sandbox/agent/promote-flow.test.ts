// One promotion through real parts, without network namespaces: a single etcd and its API server are the cluster's
// control plane; the promote controller creates w1's Job; w1's job runner adds w1's etcd member through the control
// plane's etcd as a learner, starts that member, which the etcd leader's learner manager promotes to a voting member
// (k3s manageLearners), then an API server on a loopback address of its own, labels w1 and marks the Job succeeded;
// the controller completes the promotion.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { fakeNode } from '../../harvester/fake-node.ts';
import type { FakeNodeSpec } from '../../harvester/fake-node.ts';
import { selectPromoteNode } from '../../harvester/promotion.ts';
import { CONTROL_PLANE_ROLE_LABEL, PROMOTE_STATUS_ANNOTATION } from '../../harvester/contract.ts';
import { startSingleEtcd, type SingleEtcd } from '../etcd/testing/single-etcd.ts';
import { EtcdProcess } from '../etcd/testing/etcd-process.ts';
import { freePort } from '../etcd/testing/free-port.ts';
import { etcdMemberArgs } from '../etcd/member-args.ts';
import { EtcdClient } from '../etcd/gateway-client.ts';
import { startApiServer, type RunningApiServer } from '../apiserver/server.ts';
import type { EtcdMemberPlan } from './config.ts';
import { FailoverApiClient } from './api-client.ts';
import { etcdClientUrl, etcdPeerUrl } from './etcd-member-process.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { PromoteController, batchApiOf } from './promote-controller.ts';
import { PromoteJobRunner, promoteJobApi } from './promote-job-runner.ts';
import { manageLearners } from './etcd-learner-manager.ts';
import { waitFor } from '../../util/wait.ts';

/** A loopback address of its own, so w1's etcd can take the fixed ports 2379/2380 without clashing. */
function loopbackAddress(): string {
  const octet = (): number => 1 + Math.floor(Math.random() * 250);
  return `127.${100 + Math.floor(Math.random() * 100)}.${octet()}.${octet()}`;
}

describe('promotion flow: controller + job runner on real etcd and API servers', function () {
  this.timeout(90_000);
  const address = loopbackAddress();
  const clients: EtcdClient[] = [];
  const servers: RunningApiServer[] = [];
  const logs: string[] = [];
  const errors: string[] = [];
  let solo: SingleEtcd;
  let joined: EtcdProcess | undefined;
  let dir: string;
  let api: FailoverApiClient;

  const client = (url: string): EtcdClient => {
    const c = new EtcdClient({ endpoint: { url }, deadlineMs: 2000 });
    clients.push(c);
    return c;
  };

  before(async () => {
    solo = await startSingleEtcd();
    const soloClient = solo.client(2000);
    clients.push(soloClient);
    const server = await startApiServer({ etcd: soloClient, listen: [{ host: '127.0.0.1', port: 0 }], nodeName: 'm1' });
    servers.push(server);
    expect(await server.namespacesReady).to.equal(true);
    dir = await mkdtemp(join(tmpdir(), 'cpchaos-promote-flow-'));
    const endpointsFile = join(dir, 'api-endpoints.json');
    await writeFile(endpointsFile, JSON.stringify(server.urls));
    api = new FailoverApiClient(endpointsFile, () => undefined, 2000);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    for (const c of clients) c.close();
    await joined?.kill();
    await solo?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function createNode(name: string, spec: FakeNodeSpec): Promise<void> {
    const { metadata, status } = fakeNode(name, spec);
    await api.call('create node', (a) =>
      a.core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: metadata?.labels ?? {} } } }),
    );
    await api.call('post node status', (a) => a.core.patchNodeStatus({ name, body: { status } }, mergePatch()));
  }
  const readNode = (name: string): Promise<V1Node> => api.call('read node', (a) => a.core.readNode({ name }));

  it('promotes w1 end to end', async () => {
    await createNode('m1', { management: true });
    await createNode('m2', { management: true });
    await createNode('w1', {});
    const controller = new PromoteController(api, { selectPromoteNode }, { log: (m) => logs.push(m) });
    await controller.reconcile();
    expect((await readNode('w1')).metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('running');

    const apiPort = await freePort();
    const plans: EtcdMemberPlan[] = [];
    const runner = new PromoteJobRunner(promoteJobApi(api), {
      nodeName: 'w1',
      address,
      periodMs: 60_000,
      attemptDeadlineMs: 30_000,
      apiServerUrl: `http://${address}:${apiPort}`,
      controlPlaneEtcdUrls: () => [solo.url],
      etcdFor: client,
      hasEtcdMember: () => joined !== undefined,
      becomeControlPlane: async (plan) => {
        plans.push(plan);
        const etcdDir = join(dir, 'w1-etcd');
        await mkdir(etcdDir, { recursive: true });
        const args = etcdMemberArgs({
          name: 'w1',
          dataDir: join(etcdDir, 'data'),
          peerUrl: etcdPeerUrl(address),
          clientUrls: [etcdClientUrl(address)],
          advertiseClientUrl: etcdClientUrl(address),
          initialCluster: plan.initialCluster,
          initialClusterState: plan.state,
          heartbeatMs: 50,
          electionTimeoutMs: 500,
        });
        joined = EtcdProcess.start(`w1 (${address})`, etcdDir, args);
        const local = client(etcdClientUrl(address));
        await waitFor('w1 to be a voting member', async () => (await local.status().catch(() => undefined))?.isLearner === false, {
          timeoutMs: 20_000,
          intervalMs: 100,
        });
        servers.push(
          await startApiServer({ etcd: client(etcdClientUrl(address)), listen: [{ host: address, port: apiPort }], nodeName: 'w1' }),
        );
      },
      log: (m) => logs.push(m),
      onError: (what, error) => errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`),
    });
    const learners: string[] = [];
    const manager = setInterval(() => {
      void manageLearners(client(solo.url))
        .then((pass) => learners.push(pass.kind))
        .catch(() => undefined);
    }, 200);
    try {
      await runner.tick();
    } finally {
      clearInterval(manager);
    }
    expect(errors, `${logs.join('\n')}\n${joined?.logTail() ?? ''}`).to.deep.equal([]);
    expect(learners, 'the learner was promoted by the etcd leader').to.include('promoted');
    expect(plans).to.have.length(1);
    expect(plans[0]?.state).to.equal('existing');
    expect(plans[0]?.initialCluster.map((p) => p.name).sort()).to.deep.equal(['solo', 'w1']);

    const members = (await client(solo.url).memberList()).members;
    expect(members.map((m) => m.name).sort()).to.deep.equal(['solo', 'w1']);
    expect(members.map((m) => m.isLearner)).to.deep.equal([false, false]);
    const job = await api.call('read job', (a) =>
      batchApiOf(a).readNamespacedJob({ name: 'harvester-promote-w1', namespace: 'harvester-system' }),
    );
    expect(job.status?.succeeded).to.equal(1);
    expect((await readNode('w1')).metadata?.labels?.[CONTROL_PLANE_ROLE_LABEL]).to.equal('true');

    await controller.reconcile();
    const w1 = await readNode('w1');
    expect(w1.metadata?.annotations?.[PROMOTE_STATUS_ANNOTATION]).to.equal('complete');
    expect(w1.spec?.unschedulable).to.equal(false);

    // A restarted agent would see the finished Job and leave it alone.
    await runner.tick();
    expect(errors).to.deep.equal([]);
  });
});
