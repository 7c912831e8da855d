// The Node finalizer controllers against a real sandbox API server on a real single etcd: the finalizers a Harvester
// Node carries, a deletion held Terminating until its hold ends, and a failing handler keeping only its own finalizer.
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { ETCD_ROLE_LABEL } from '../../harvester/contract.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import type { FailoverApiClient } from './api-client.ts';
import { ETCD_MEMBER_FINALIZER, type EtcdMemberOps } from './etcd-member-controller.ts';
import { harvesterNodeFinalizerController, harvesterNodeRemoveHandlers } from './harvester-node-finalizers.ts';
import { holdEndsMs, reconcileNodeFinalizers } from './node-finalizers.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

/** What a Harvester control-plane Node lists (harvester condition_annotations_test.go), in that order. */
const HARVESTER_NODE_FINALIZERS = [
  'wrangler.cattle.io/harvester-network-manager-node-controller',
  'wrangler.cattle.io/node',
  'wrangler.cattle.io/managed-etcd-controller',
  'wrangler.cattle.io/maintain-node-controller',
  'wrangler.cattle.io/node-remove-controller',
];

/** An etcd that knows one member per named node; memberRemove fails while `refusals` lasts. */
function fakeEtcd(names: string[]): EtcdMemberOps & { removed: string[]; refusals: number } {
  const members = names.map((name, i) => ({ id: `m${i}`, name }));
  const etcd = {
    removed: [] as string[],
    refusals: 0,
    memberList: () => Promise.resolve({ members: members.filter((m) => !etcd.removed.includes(m.id)) }),
    memberRemove: (id: string) => {
      if (etcd.refusals > 0) {
        etcd.refusals -= 1;
        return Promise.reject(new Error('etcdserver: unhealthy cluster'));
      }
      etcd.removed.push(id);
      return Promise.resolve({});
    },
  };
  return etcd;
}

describe('Node finalizer controllers against a sandbox API server (real etcd)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  let api: FailoverApiClient;

  before(async () => {
    fixture = await startAgentApi();
    api = fixture.api;
  });

  after(async () => {
    await fixture?.close();
  });

  const createNode = async (name: string, etcdRole: boolean): Promise<void> => {
    const labels: Record<string, string> = etcdRole ? { [ETCD_ROLE_LABEL]: 'true', 'node-role.kubernetes.io/control-plane': 'true' } : {};
    await api.call('create node', (a) => a.core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } } }));
  };
  const readNode = (name: string): Promise<V1Node> => api.call('read node', (a) => a.core.readNode({ name }));
  const deleteNode = (name: string): Promise<unknown> => api.call('delete node', (a) => a.core.deleteNode({ name }));
  const isGone = async (name: string): Promise<boolean> => {
    try {
      await readNode(name);
      return false;
    } catch (error) {
      if (statusCodeOf(error) === 404) return true;
      throw error;
    }
  };

  it('puts every Harvester finalizer on every Node not being deleted, workers too, in the order a Harvester Node lists them', async () => {
    await createNode('cp-a', true);
    await createNode('w-a', false);
    const pass = await reconcileNodeFinalizers(api, harvesterNodeRemoveHandlers(fakeEtcd(['cp-a'])));
    expect(pass.added).to.include.members([
      ...HARVESTER_NODE_FINALIZERS.map((f) => `cp-a ${f}`),
      ...HARVESTER_NODE_FINALIZERS.map((f) => `w-a ${f}`),
    ]);
    expect((await readNode('cp-a')).metadata?.finalizers).to.deep.equal(HARVESTER_NODE_FINALIZERS);
    expect((await readNode('w-a')).metadata?.finalizers).to.deep.equal(HARVESTER_NODE_FINALIZERS);
    const again = await reconcileNodeFinalizers(api, harvesterNodeRemoveHandlers(fakeEtcd(['cp-a'])));
    expect(again.added, 'nothing more to add').to.deep.equal([]);
  });

  it('holds a deleted control-plane Node Terminating, etcd member kept, until its hold ends; then removes the member and the Node goes', async () => {
    const holdMs = 20_000;
    const etcd = fakeEtcd(['cp-b']);
    const handlers = harvesterNodeRemoveHandlers(etcd);
    await createNode('cp-b', true);
    await reconcileNodeFinalizers(api, handlers, { holdMs });
    await deleteNode('cp-b');
    const terminating = await readNode('cp-b');
    const endsMs = holdEndsMs(terminating, holdMs) as number;
    expect(endsMs).to.be.a('number');

    const during = await reconcileNodeFinalizers(api, handlers, { holdMs, now: () => new Date(endsMs - 1) });
    expect(during.held).to.include('cp-b');
    expect(during.released.filter((r) => r.startsWith('cp-b '))).to.deep.equal([]);
    const held = await readNode('cp-b');
    expect(held.metadata?.deletionTimestamp, 'still Terminating').to.not.equal(undefined);
    expect(held.metadata?.finalizers).to.deep.equal(HARVESTER_NODE_FINALIZERS);
    expect(held.metadata?.labels?.[ETCD_ROLE_LABEL], 'labels kept: it still counts as management').to.equal('true');
    expect(etcd.removed, 'etcd member kept during the hold').to.deep.equal([]);

    const after = await reconcileNodeFinalizers(api, handlers, { holdMs, now: () => new Date(endsMs) });
    expect(after.released.filter((r) => r.startsWith('cp-b '))).to.deep.equal(HARVESTER_NODE_FINALIZERS.map((f) => `cp-b ${f}`));
    expect(etcd.removed).to.deep.equal(['m0']);
    expect(await isGone('cp-b'), 'the Node is gone once the last finalizer is released').to.equal(true);
  });

  it('releases at the next pass without a hold, and removes no etcd member for a worker', async () => {
    const etcd = fakeEtcd(['w-c']);
    const handlers = harvesterNodeRemoveHandlers(etcd);
    await createNode('w-c', false);
    await reconcileNodeFinalizers(api, handlers);
    await deleteNode('w-c');
    expect((await readNode('w-c')).metadata?.deletionTimestamp, 'finalizers hold a worker too').to.not.equal(undefined);
    await reconcileNodeFinalizers(api, handlers);
    expect(await isGone('w-c')).to.equal(true);
    expect(etcd.removed).to.deep.equal([]);
  });

  it('keeps only the finalizer of a handler that failed: the Node stays Terminating until a retry succeeds', async () => {
    const etcd = fakeEtcd(['cp-d']);
    etcd.refusals = 1;
    const controller = harvesterNodeFinalizerController(api, etcd);
    await createNode('cp-d', true);
    await controller.reconcile();
    await deleteNode('cp-d');
    let failure = '';
    await controller.reconcile().catch((error: unknown) => {
      failure = (error as Error).message;
    });
    expect(failure).to.match(/cp-d wrangler\.cattle\.io\/managed-etcd-controller: etcdserver: unhealthy cluster/);
    const stuck = await readNode('cp-d');
    expect(stuck.metadata?.finalizers, 'the others were released').to.deep.equal([ETCD_MEMBER_FINALIZER]);
    expect(etcd.removed).to.deep.equal([]);

    await controller.reconcile();
    expect(etcd.removed).to.deep.equal(['m0']);
    expect(await isGone('cp-d')).to.equal(true);
  });
});
