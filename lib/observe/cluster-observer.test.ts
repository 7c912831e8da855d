// The recorder's requests against an API server that never answers (an endpoint cut off): its lists fail past their
// deadline and its pending watches are closed when it stops, so no connection outlives the run (an open one keeps the
// harness's process alive).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../sandbox/apiserver/testing/api-fixture.ts';
import { DeadlineError } from '../util/errors.ts';
import { HUNG_MS, outcomeOrHung as outcome, startSilentServer, type SilentServer } from '../util/silent-server.testing.ts';
import { waitFor } from '../util/wait.ts';
import { ClusterObserver, type ObservedCluster } from './cluster-observer.ts';
import { Recorder } from './recorder.ts';

describe('observe/cluster-observer: requests to an API server that never answers', function () {
  this.timeout(60_000);
  let dir: string;
  let silent: SilentServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-observer-'));
  });
  afterEach(async () => {
    await silent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function observerOf(server: SilentServer): Promise<ClusterObserver> {
    const cluster: ObservedCluster = {
      endpoints: { kubeconfigPath: await writeKubeconfig(dir, server.url), nodeKubeconfigPaths: new Map() },
      runId: 'obs3rv',
    };
    return new ClusterObserver(cluster, new Recorder(), {
      vipSampleIntervalMs: 100,
      nodeSampleIntervalMs: 0,
      etcdSampleIntervalMs: 500,
      requestDeadlineMs: 200,
      listDeadlineMs: 200,
      writes: false,
    });
  }

  it('a list fails past its deadline (the start with it), and every connection is closed', async () => {
    silent = await startSilentServer();
    const observer = await observerOf(silent);
    const started = await outcome(observer.start());
    expect(started, 'the start returned').not.to.equal('hung');
    const error = (started as { error: unknown }).error;
    expect(error).to.be.instanceOf(DeadlineError);
    expect((error as Error).message).to.match(/timed out after 200 ms waiting for the (Node|Job|Event|Lease) list/);
    await observer.stop();
    expect(await silent.allClosed(), 'the server saw every connection closed').to.equal(true);
  });

  it('a watch whose response never began is closed when the recorder stops', async () => {
    // Lists are answered (empty), watches never are.
    let watches = 0;
    silent = await startSilentServer((req, res) => {
      if (req.url?.includes('watch=true')) {
        watches++;
        return false;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
      return true;
    });
    const observer = await observerOf(silent);
    // The start waits for its watches to open: it returns once the stop closes them.
    const started = outcome(observer.start());
    await waitFor('the four watches to be asked for', () => watches >= 4, { timeoutMs: HUNG_MS, intervalMs: 10 });
    await observer.stop();
    expect(await started, 'the start returned').not.to.equal('hung');
    expect(await silent.allClosed(), 'the server saw every connection closed').to.equal(true);
  });
});
