import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePlainKubeconfig } from '../../util/kubeconfig.ts';
import { DeadlineError } from '../../util/errors.ts';
import { NodeApi } from './node-api.ts';
import { startFakeNodeApi, type FakeNodeApi } from './testing/fake-node-api.ts';

describe('kind NodeApi requests through a load balancer that holds a connection', () => {
  let api: FakeNodeApi;
  let dir: string;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await startFakeNodeApi();
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-node-api-'));
    kubeconfig = join(dir, 'kubeconfig');
    writePlainKubeconfig(kubeconfig, api.url, 'kind-test');
  });

  afterEach(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops a request that gets no answer (closing its connection) and says what it waited for', async () => {
    api.setNodes(['w']);
    api.holdNextConnections(1);
    const nodes = new NodeApi(kubeconfig, 1_000, 200);
    let failure: unknown;
    await nodes.list().catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(DeadlineError);
    expect(String((failure as Error).message)).to.match(/listing Nodes \(kind API\)/);
    // The held connection was closed by the client, not left to the load balancer's timeouts.
    await api.heldConnectionsClosed(1);
  });

  it('a wait goes on with a new connection after one was held, and sees the node not Ready', async () => {
    api.setNodes(['w'], ['w']);
    api.holdNextConnections(1);
    const nodes = new NodeApi(kubeconfig, 1_000, 200);
    await nodes.waitNotReady('w', 60_000);
    await api.heldConnectionsClosed(1);
    const reads = api.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/nodes/w');
    expect(reads.length).to.be.greaterThan(0);
  });

  it('keeps the content type of a merge patch', async () => {
    api.setNodes(['w']);
    await new NodeApi(kubeconfig, 1_000, 5_000).labelNode('w', { role: 'x' });
    const patch = api.requests.find((r) => r.method === 'PATCH');
    expect(patch?.contentType).to.equal('application/merge-patch+json');
    expect(api.node('w')?.metadata?.labels).to.include({ role: 'x' });
  });
});
