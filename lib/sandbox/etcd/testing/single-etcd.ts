// A single-member etcd on 127.0.0.1 (free ports, fresh temp dir) for tests. stop() kills it and removes the dir.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EtcdClient, type EtcdEndpoint } from '../gateway-client.ts';
import { etcdMemberArgs } from '../member-args.ts';
import { EtcdProcess } from './etcd-process.ts';
import { freePorts } from './free-port.ts';

export interface SingleEtcd {
  /** The unix-socket endpoint (what the API server uses in the sandbox). */
  readonly endpoint: EtcdEndpoint;
  readonly socketPath: string;
  /** http://127.0.0.1:PORT client URL. */
  readonly url: string;
  readonly dir: string;
  readonly process: EtcdProcess;
  /** A new client on the unix socket. */
  client(deadlineMs?: number): EtcdClient;
  /** Kills etcd and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface SingleEtcdOptions {
  readonly startDeadlineMs?: number;
}

export async function startSingleEtcd(options: SingleEtcdOptions = {}): Promise<SingleEtcd> {
  const startDeadlineMs = options.startDeadlineMs ?? 20_000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cpchaos-etcd-'));
  const [clientPort, peerPort] = await freePorts(2);
  const url = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = etcdMemberArgs({
    name: 'solo',
    dataDir: path.join(dir, 'data'),
    peerUrl,
    clientUrls: [url],
    advertiseClientUrl: url,
    initialCluster: [{ name: 'solo', peerUrl }],
    initialClusterState: 'new',
    heartbeatMs: 50,
    electionTimeoutMs: 500,
  });
  const proc = EtcdProcess.start(`solo (${url})`, dir, args);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await proc.kill();
      await rm(dir, { recursive: true, force: true });
    })());
  const endpoint = { socketPath: proc.socketPath };
  const probe = new EtcdClient({ endpoint, deadlineMs: 1000 });
  try {
    await proc.waitUntil(
      `single etcd at ${url} to serve a linearizable read`,
      async () => {
        await probe.range('/cpchaos/health');
        return true;
      },
      startDeadlineMs,
    );
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.close();
  }
  return {
    endpoint,
    socketPath: proc.socketPath,
    url,
    dir,
    process: proc,
    client: (deadlineMs = 2000) => new EtcdClient({ endpoint, deadlineMs }),
    stop,
  };
}
