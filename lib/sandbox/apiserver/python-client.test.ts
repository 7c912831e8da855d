// The API server driven by a client nobody here wrote: the official Kubernetes Python client (Debian's
// python3-kubernetes, installed by scripts/setup.sh) runs fixtures/python-client/conformance.py, which records what
// each call gave; this test judges it. It covers what broke for that client before: `watch=True` (Go's ParseBool),
// a watch from a resourceVersion, 410 on a compacted one, 409 on a stale update, and chunked lists.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { run } from '../../util/exec.ts';
import { startApiFixture, writeKubeconfig, type ApiFixture } from './testing/api-fixture.ts';

const SCRIPT = fileURLToPath(new URL('../../../fixtures/python-client/conformance.py', import.meta.url));
/** Debian's interpreter, where Debian's python3-kubernetes is installed (a pyenv python3 earlier on PATH has none). */
const PYTHON = '/usr/bin/python3';

interface Recorded {
  readonly nodes: string[];
  readonly get: Record<string, string>;
  readonly patched: Record<string, string>;
  readonly stale_update: number | null;
  readonly missing: number | null;
  readonly watch: [string, string][];
  readonly paged: string[];
  readonly chunks: number;
  readonly remaining_after_first: number | null;
  readonly too_old_watch: number | null;
}

describe('the official Python client (python3-kubernetes) against the API server', function () {
  this.timeout(90_000);
  let f: ApiFixture;
  let recorded: Recorded;

  before(async () => {
    f = await startApiFixture();
    const core = f.kubeConfig().makeApiClient(CoreV1Api);
    for (const name of ['py-n1', 'py-n2']) await core.createNode({ body: { metadata: { name } } });
    // Revision 2 is compacted away: the script's watch from it must get 410.
    const { revision } = await f.etcdClient.status();
    await f.etcdClient.compact(revision);
    const kubeconfig = await writeKubeconfig(f.dir, f.url);
    const out = await run(PYTHON, [SCRIPT, kubeconfig, 'python-client'], { timeoutMs: 60_000 });
    recorded = JSON.parse(out) as Recorded;
  });
  after(async () => {
    await f?.stop();
  });

  it('lists, gets and patches (merge patch), with 404 for what is not there', () => {
    expect(recorded.nodes).to.deep.equal(['py-n1', 'py-n2']);
    expect(recorded.get).to.deep.equal({ a: '1' });
    expect(recorded.patched).to.deep.equal({ a: '1', b: '2' });
    expect(recorded.missing).to.equal(404);
  });

  it('refuses an update with a stale resourceVersion (409 Conflict)', () => {
    expect(recorded.stale_update).to.equal(409);
  });

  it('watches (watch=True) from a resourceVersion: what came after it, nothing before', () => {
    expect(recorded.watch).to.deep.equal([['ADDED', 'py-2']]);
  });

  it('pages a list with limit and _continue until nothing remains', () => {
    expect(recorded.paged).to.deep.equal(['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'py-1', 'py-2']);
    expect(recorded.chunks).to.equal(3);
    expect(recorded.remaining_after_first).to.equal(4);
  });

  it('gets 410 for a watch from a compacted resourceVersion', () => {
    expect(recorded.too_old_watch).to.equal(410);
  });
});
