// An API server on a fresh single-member etcd, on 127.0.0.1 (and a unix socket), for tests. stop() cleans up both.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { plainKubeConfig } from '../../../util/kubeconfig.ts';
import type { EtcdClient } from '../../etcd/gateway-client.ts';
import { startSingleEtcd, type SingleEtcd } from '../../etcd/testing/single-etcd.ts';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../server.ts';

export interface ApiFixture {
  readonly etcd: SingleEtcd;
  readonly etcdClient: EtcdClient;
  readonly server: RunningApiServer;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly socketPath: string;
  readonly dir: string;
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
}

/** A kubeconfig file for kubectl: the server, insecure-skip-tls-verify, a user without credentials. */
export async function writeKubeconfig(dir: string, server: string): Promise<string> {
  const file = path.join(dir, 'kubeconfig');
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sandbox',
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: tester',
    '  user: {}',
    'contexts:',
    '- name: sandbox',
    '  context: {cluster: sandbox, user: tester}',
    'current-context: sandbox',
    '',
  ].join('\n');
  await writeFile(file, text);
  return file;
}

export async function startApiFixture(options: Partial<Omit<ApiServerOptions, 'etcd' | 'listen'>> = {}): Promise<ApiFixture> {
  const etcd = await startSingleEtcd();
  const etcdClient = etcd.client(options.requestDeadlineMs ?? 2000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cpchaos-apiserver-'));
  const socketPath = path.join(dir, 'api.sock');
  let server: RunningApiServer;
  try {
    server = await startApiServer({
      etcd: etcdClient,
      listen: [{ host: '127.0.0.1', port: 0 }, { socketPath }],
      nodeName: 'test-node',
      ...options,
    });
  } catch (error) {
    etcdClient.close();
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = server.urls[0] ?? '';
  let stopped: Promise<void> | undefined;
  return {
    etcd,
    etcdClient,
    server,
    url,
    socketPath,
    dir,
    kubeConfig: () => plainKubeConfig(url),
    stop: () =>
      (stopped ??= (async () => {
        await server.close();
        etcdClient.close();
        await etcd.stop();
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}
