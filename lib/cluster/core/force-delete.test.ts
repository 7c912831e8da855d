// A forced Node deletion against the sandbox API server (real etcd, real JSON patch): the strip only removes the
// finalizers the Node held before its DELETE; a controller that released one in between makes the fault inconclusive.
import { expect } from 'chai';
import { CoreV1Api } from '@kubernetes/client-node';
import { startApiFixture, type ApiFixture } from '../../sandbox/apiserver/testing/api-fixture.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { rejection } from '../../util/rejection.testing.ts';
import { forceDeleteNode, type SendNodeRequest } from './force-delete.ts';
import { InconclusiveFaultError } from './provider.ts';

const ETCD = 'wrangler.cattle.io/managed-etcd-controller';
const HARVESTER = 'wrangler.cattle.io/harvester-node-remove';

describe('force-delete-node: a DELETE, then a strip of the finalizers seen before it', function () {
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

  async function createHeld(name: string): Promise<void> {
    await core.createNode({ body: { metadata: { name, finalizers: [ETCD, HARVESTER] } } });
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

  /** Sends each request as is; after the DELETE, a controller releases `released` (its handler ran). */
  function releasingAfterDelete(name: string, released: readonly string[], sent: string[]): SendNodeRequest {
    return async (what, call, base) => {
      sent.push(what);
      const answer = await call(base);
      if (what.startsWith('deleting') && released.length > 0) {
        const node = await core.readNode({ name });
        const left = (node.metadata?.finalizers ?? []).filter((x) => !released.includes(x));
        await core.patchNode(
          { name, body: { metadata: { finalizers: left.length > 0 ? left : null, resourceVersion: node.metadata?.resourceVersion } } },
          mergePatch(),
        );
      }
      return answer;
    };
  }

  it('strips every finalizer when none was released: the Node is gone, no handler ran', async () => {
    await createHeld('fd-clean');
    const sent: string[] = [];
    await forceDeleteNode(core, 'fd-clean', 'sandbox', releasingAfterDelete('fd-clean', [], sent));
    expect(sent).to.deep.equal(['reading Node fd-clean', 'deleting Node fd-clean', 'removing the finalizers of Node fd-clean']);
    expect(await exists('fd-clean')).to.equal(false);
  });

  it('is inconclusive, naming the finalizer, when its controller released it between the DELETE and the strip; the rest is stripped', async () => {
    await createHeld('fd-raced');
    const error = await rejection(forceDeleteNode(core, 'fd-raced', 'sandbox', releasingAfterDelete('fd-raced', [ETCD], [])));
    expect(error).to.be.instanceOf(InconclusiveFaultError);
    expect((error as Error).message).to.contain(`Node fd-raced: ${ETCD} released by their controllers`);
    expect((error as Error).message).not.to.contain(HARVESTER);
    expect(await exists('fd-raced'), 'the remaining finalizer was stripped').to.equal(false);
  });

  it('is inconclusive when every finalizer was released first (the Node already gone at the strip)', async () => {
    await createHeld('fd-gone');
    const error = await rejection(forceDeleteNode(core, 'fd-gone', 'sandbox', releasingAfterDelete('fd-gone', [ETCD, HARVESTER], [])));
    expect(error).to.be.instanceOf(InconclusiveFaultError);
    expect((error as Error).message).to.contain(`${ETCD}, ${HARVESTER} released`);
  });

  it('a Node without finalizers is only deleted: nothing to strip', async () => {
    await core.createNode({ body: { metadata: { name: 'fd-bare' } } });
    const sent: string[] = [];
    await forceDeleteNode(core, 'fd-bare', 'sandbox', releasingAfterDelete('fd-bare', [], sent));
    expect(sent).to.deep.equal(['reading Node fd-bare', 'deleting Node fd-bare']);
    expect(await exists('fd-bare')).to.equal(false);
  });
});
