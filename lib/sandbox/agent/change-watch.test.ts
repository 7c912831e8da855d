// The change watch against a real sandbox API server (single etcd): when a per-heartbeat loop lists again.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSilentServer, type SilentServer } from '../../util/silent-server.testing.ts';
import { sleepMs, waitFor } from '../../util/wait.ts';
import { FailoverApiClient } from './api-client.ts';
import { ChangeWatch } from './change-watch.ts';
import { startAgentApi, type AgentApiFixture } from './testing/agent-api.ts';

describe('the change watch of a polling loop (against a sandbox API server)', function () {
  this.timeout(30_000);
  let fixture: AgentApiFixture | undefined;
  const watches: ChangeWatch[] = [];

  before(async () => {
    fixture = await startAgentApi();
  });
  after(async () => {
    for (const w of watches) w.stop();
    await fixture?.close();
  });

  const createPod = (name: string, nodeName: string): Promise<unknown> =>
    (fixture as AgentApiFixture).api.call(`create pod ${name}`, (a) =>
      a.core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'i' }] } },
      }),
    );

  it('lists on every tick until its watch is open, then only after a change to its objects or the resync', async () => {
    const clock = { ms: 0 };
    const watch = new ChangeWatch(
      (fixture as AgentApiFixture).api,
      '/api/v1/pods',
      { fieldSelector: 'spec.nodeName=cw-node' },
      { resyncMs: 1000, retryMs: 50, connectDeadlineMs: 2000, nowMs: () => clock.ms },
    );
    watches.push(watch);
    expect(watch.listDue(), 'not open yet').to.equal(true);
    expect(watch.listDue(), 'still not open').to.equal(true);
    watch.start();
    await waitFor('the watch to open (no list due)', () => Promise.resolve(!watch.listDue()), { timeoutMs: 10_000, intervalMs: 20 });
    await createPod('cw-other', 'another-node');
    await sleepMs(300);
    expect(watch.listDue(), "another node's pod is no change of this list").to.equal(false);
    await createPod('cw-mine', 'cw-node');
    await waitFor('the event to make a list due', () => Promise.resolve(watch.listDue()), { timeoutMs: 10_000, intervalMs: 20 });
    expect(watch.listDue(), 'the list was taken').to.equal(false);
    watch.listAgain();
    expect(watch.listDue(), 'a failed list is due again').to.equal(true);
    expect(watch.listDue()).to.equal(false);
    clock.ms += 1000;
    expect(watch.listDue(), 'the resync').to.equal(true);
    expect(watch.listDue()).to.equal(false);
  });

  it('lists on every tick while it cannot watch (no server answers)', async () => {
    const watch = new ChangeWatch(
      {
        currentSet: () => undefined,
      } as unknown as AgentApiFixture['api'],
      '/api/v1/pods',
      {},
      { resyncMs: 60_000, retryMs: 20, connectDeadlineMs: 100 },
    );
    watches.push(watch);
    watch.start();
    await sleepMs(200);
    for (let i = 0; i < 3; i++) expect(watch.listDue()).to.equal(true);
  });

  describe('a watch whose response never begins (a server that does not answer)', () => {
    let silent: SilentServer | undefined;
    let dir = '';
    let client: FailoverApiClient | undefined;
    beforeEach(async () => {
      silent = await startSilentServer();
      dir = await mkdtemp(join(tmpdir(), 'cpchaos-change-watch-'));
      const endpointsFile = join(dir, 'api-endpoints.json');
      await writeFile(endpointsFile, JSON.stringify([silent.url]));
      client = new FailoverApiClient(endpointsFile, () => undefined, 2000);
    });
    afterEach(async () => {
      await silent?.close();
      await rm(dir, { recursive: true, force: true });
    });

    const watchSilentServer = (connectDeadlineMs: number): ChangeWatch => {
      // No retry within the test: the connection checked is the first one's.
      const watch = new ChangeWatch(
        client as FailoverApiClient,
        '/api/v1/pods',
        {},
        { resyncMs: 60_000, retryMs: 600_000, connectDeadlineMs },
      );
      watches.push(watch);
      watch.start();
      return watch;
    };
    const connected = async (): Promise<void> => {
      await waitFor('the watch to connect', () => Promise.resolve((silent as SilentServer).connections() > 0), {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
    };

    it('is closed at its connect deadline', async () => {
      watchSilentServer(200);
      await connected();
      expect(await (silent as SilentServer).allClosed(20_000), 'the server saw the connection closed').to.equal(true);
    });

    it('is closed when the watch stops', async () => {
      const watch = watchSilentServer(600_000);
      await connected();
      watch.stop();
      expect(await (silent as SilentServer).allClosed(20_000), 'the server saw the connection closed').to.equal(true);
    });
  });
});
