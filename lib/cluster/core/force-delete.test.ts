// A forced Node deletion against the sandbox API server (real etcd, real JSON patch, real delete preconditions): the
// finalizers are stripped first and the Node deleted at the strip's resourceVersion, so it is never Terminating with a
// finalizer on it (no removal handler can run); a controller that puts its finalizer back in between costs a round.
import { expect } from 'chai';
import { CoreV1Api, Watch, type V1Node } from '@kubernetes/client-node';
import { startApiFixture, type ApiFixture } from '../../sandbox/apiserver/testing/api-fixture.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { rejection } from '../../util/rejection.testing.ts';
import { waitFor } from '../../util/wait.ts';
import { FORCE_DELETE_ROUNDS, ForceDeleteInconclusiveError, forceDeleteNode, type SendNodeRequest } from './force-delete.ts';
import { InconclusiveFaultError } from './provider.ts';

const ETCD = 'wrangler.cattle.io/managed-etcd-controller';
const HARVESTER = 'wrangler.cattle.io/harvester-node-remove';

describe('force-delete-node: the finalizers stripped, then a DELETE at the resourceVersion the strip left', function () {
  this.timeout(30_000);
  let f: ApiFixture | undefined;
  let core: CoreV1Api;

  before(async () => {
    f = await startApiFixture();
    core = f.kubeConfig().makeApiClient(CoreV1Api);
  });
  after(async () => {
    await f?.stop();
  });

  /** Creates the Node with both finalizers; its resourceVersion at creation. */
  async function createHeld(name: string): Promise<string> {
    const created = await core.createNode({ body: { metadata: { name, finalizers: [ETCD, HARVESTER] } } });
    return created.metadata?.resourceVersion ?? '';
  }

  async function exists(name: string): Promise<boolean> {
    return core.readNode({ name }).then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: number }).code === 404) return false;
        throw error;
      },
    );
  }

  /** The Node's events since `resourceVersion` (a watch replays them), until its DELETED one. */
  async function eventsSince(name: string, resourceVersion: string): Promise<{ type: string; node: V1Node }[]> {
    const events: { type: string; node: V1Node }[] = [];
    const request = await new Watch(f!.kubeConfig()).watch(
      '/api/v1/nodes',
      { resourceVersion, fieldSelector: `metadata.name=${name}` },
      (type: string, node: V1Node) => events.push({ type, node }),
      () => undefined,
    );
    try {
      await waitFor(`the DELETED event of Node ${name}`, () => events.some((e) => e.type === 'DELETED'), { timeoutMs: 10_000 });
    } finally {
      request.abort();
    }
    return events;
  }

  /** A controller (wrangler's addFinalizer) that puts `finalizer` back after the first `rounds` strips. */
  function readdingAfterStrip(name: string, finalizer: string, rounds: number, sent: string[]): SendNodeRequest {
    let strips = 0;
    return async (what, call, base) => {
      sent.push(what.replace(/resourceVersion \d+/, 'resourceVersion N'));
      const answer = await call(base);
      if (what.startsWith('removing the finalizers') && strips++ < rounds) {
        await core.patchNode({ name, body: { metadata: { finalizers: [finalizer] } } }, mergePatch());
      }
      return answer;
    };
  }

  it('strips, then deletes: the Node is gone and was never Terminating (no removal handler could run)', async () => {
    const createdAt = await createHeld('fd-clean');
    const sent: string[] = [];
    await forceDeleteNode(core, 'fd-clean', 'sandbox', readdingAfterStrip('fd-clean', ETCD, 0, sent));
    expect(sent).to.deep.equal([
      'reading Node fd-clean',
      'removing the finalizers of Node fd-clean',
      'deleting Node fd-clean at resourceVersion N',
    ]);
    expect(await exists('fd-clean')).to.equal(false);
    const events = await eventsSince('fd-clean', createdAt);
    expect(events.map((e) => e.type)).to.deep.equal(['MODIFIED', 'DELETED']);
    expect(
      events.filter((e) => e.node.metadata?.deletionTimestamp !== undefined && (e.node.metadata?.finalizers ?? []).length > 0),
    ).to.deep.equal([]);
  });

  it('starts a round again when a controller puts its finalizer back between the strip and the DELETE (409)', async () => {
    await createHeld('fd-readded');
    const sent: string[] = [];
    await forceDeleteNode(core, 'fd-readded', 'sandbox', readdingAfterStrip('fd-readded', ETCD, 1, sent));
    expect(sent).to.deep.equal([
      'reading Node fd-readded',
      'removing the finalizers of Node fd-readded',
      'deleting Node fd-readded at resourceVersion N',
      'reading Node fd-readded',
      'removing the finalizers of Node fd-readded',
      'deleting Node fd-readded at resourceVersion N',
    ]);
    expect(await exists('fd-readded')).to.equal(false);
  });

  it(`is inconclusive when the controller wins all ${FORCE_DELETE_ROUNDS} rounds; the Node stays, not Terminating, its finalizer back`, async () => {
    await createHeld('fd-lost');
    const sent: string[] = [];
    const error = await rejection(
      forceDeleteNode(core, 'fd-lost', 'sandbox', readdingAfterStrip('fd-lost', ETCD, FORCE_DELETE_ROUNDS, sent)),
    );
    expect(error).to.be.instanceOf(ForceDeleteInconclusiveError);
    expect((error as ForceDeleteInconclusiveError).nodeDeleting, 'the Node is left as it was').to.equal(false);
    expect((error as Error).message).to.contain(`Node fd-lost: in each of ${FORCE_DELETE_ROUNDS} rounds it changed`);
    expect(sent.filter((what) => what.startsWith('deleting'))).to.have.length(FORCE_DELETE_ROUNDS);
    const node = await core.readNode({ name: 'fd-lost' });
    expect(node.metadata?.deletionTimestamp).to.equal(undefined);
    expect(node.metadata?.finalizers).to.deep.equal([ETCD]);
  });

  it('reads again when the finalizers changed between the read and the strip (the JSON patch test fails: 422)', async () => {
    await createHeld('fd-changed');
    const sent: string[] = [];
    let reads = 0;
    const send: SendNodeRequest = async (what, call, base) => {
      sent.push(what.replace(/resourceVersion \d+/, 'resourceVersion N'));
      const answer = await call(base);
      if (what.startsWith('reading') && reads++ === 0) {
        await core.patchNode({ name: 'fd-changed', body: { metadata: { finalizers: [HARVESTER] } } }, mergePatch());
      }
      return answer;
    };
    await forceDeleteNode(core, 'fd-changed', 'sandbox', send);
    expect(sent).to.deep.equal([
      'reading Node fd-changed',
      'removing the finalizers of Node fd-changed',
      'reading Node fd-changed',
      'removing the finalizers of Node fd-changed',
      'deleting Node fd-changed at resourceVersion N',
    ]);
    expect(await exists('fd-changed')).to.equal(false);
  });

  it('is inconclusive for a Node already Terminating (its handlers may have run); what is left is stripped', async () => {
    await createHeld('fd-terminating');
    await core.deleteNode({ name: 'fd-terminating' });
    const error = await rejection(forceDeleteNode(core, 'fd-terminating', 'sandbox'));
    expect(error).to.be.instanceOf(InconclusiveFaultError);
    expect((error as ForceDeleteInconclusiveError).nodeDeleting, 'the Node goes all the same').to.equal(true);
    expect((error as Error).message).to.match(
      /fd-terminating was already being deleted \(Terminating since .*left: .*managed-etcd-controller/,
    );
    expect(await exists('fd-terminating'), 'the remaining finalizers were stripped').to.equal(false);
  });

  it('a Node without finalizers is only deleted, at the resourceVersion read: nothing to strip', async () => {
    await core.createNode({ body: { metadata: { name: 'fd-bare' } } });
    const sent: string[] = [];
    await forceDeleteNode(core, 'fd-bare', 'sandbox', readdingAfterStrip('fd-bare', ETCD, 0, sent));
    expect(sent).to.deep.equal(['reading Node fd-bare', 'deleting Node fd-bare at resourceVersion N']);
    expect(await exists('fd-bare')).to.equal(false);
  });

  it("a missing Node is the caller's 404", async () => {
    const error = await rejection(forceDeleteNode(core, 'fd-missing', 'sandbox'));
    expect((error as { code?: number }).code).to.equal(404);
  });
});
