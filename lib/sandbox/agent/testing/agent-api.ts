// For agent tests: a sandbox API server on a real single etcd, reached the way agents reach it (FailoverApiClient
// over an endpoints file).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../apiserver/server.ts';
import type { EtcdClient } from '../../etcd/gateway-client.ts';
import { startSingleEtcd } from '../../etcd/testing/single-etcd.ts';
import { FailoverApiClient } from '../api-client.ts';

export interface AgentApiFixture {
  readonly api: FailoverApiClient;
  /** The API server's URLs (for clients of a test's own). */
  readonly urls: readonly string[];
  readonly etcdClient: EtcdClient;
  close(): Promise<void>;
}

export interface AgentApiOptions {
  /**
   * The API server's watch cache capacity (0: off, every read from etcd). A test that checks what an agent decides
   * on a state it has just written turns it off: the agents' `resourceVersion: "0"` reads come from the cache, which
   * may lag a write by one delivery (as an informer does); watch-cache.test.ts tests the cache itself.
   */
  readonly watchCacheSize?: number;
}

export async function startAgentApi(options: AgentApiOptions = {}): Promise<AgentApiFixture> {
  const etcd = await startSingleEtcd();
  const etcdClient = etcd.client(2000);
  const server = await startApiServer({
    etcd: etcdClient,
    listen: [{ host: '127.0.0.1', port: 0 }],
    nodeName: 'test',
    ...(options.watchCacheSize === undefined ? {} : { watchCacheSize: options.watchCacheSize }),
  });
  const dir = await mkdtemp(join(tmpdir(), 'cpchaos-agent-api-'));
  const close = async (): Promise<void> => {
    await server.close();
    etcdClient.close();
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (!(await server.namespacesReady)) throw new Error('the API server did not create its namespaces');
    const endpointsFile = join(dir, 'api-endpoints.json');
    await writeFile(endpointsFile, JSON.stringify(server.urls));
    return { api: new FailoverApiClient(endpointsFile, () => undefined, 2000), urls: server.urls, etcdClient, close };
  } catch (error) {
    await close();
    throw error;
  }
}
