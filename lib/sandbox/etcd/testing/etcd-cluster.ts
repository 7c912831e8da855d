// A multi-member etcd cluster on 127.0.0.1 for tests: members can be killed and restarted (same data dir).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EtcdClient, type EtcdEndpoint } from '../gateway-client.ts';
import { etcdMemberArgs, type EtcdPeer } from '../member-args.ts';
import { EtcdProcess } from './etcd-process.ts';
import { freePorts } from './free-port.ts';

export interface TestEtcdMember {
  readonly name: string;
  readonly dir: string;
  readonly url: string;
  readonly peerUrl: string;
  /** Unix-socket endpoint of this member. */
  readonly endpoint: EtcdEndpoint;
  readonly running: boolean;
}

export interface EtcdClusterOptions {
  readonly size?: number;
  readonly heartbeatMs?: number;
  readonly electionTimeoutMs?: number;
  readonly startDeadlineMs?: number;
}

export interface TestEtcdCluster {
  readonly members: readonly TestEtcdMember[];
  /** A new client on member `index`'s unix socket. */
  client(index: number, deadlineMs?: number): EtcdClient;
  /** SIGKILLs member `index` and waits for it to exit. */
  kill(index: number): Promise<void>;
  /** Starts member `index` again on its data dir; waits until it serves a serializable read. */
  restart(index: number): Promise<void>;
  /** Waits until a linearizable read through member `index` succeeds. */
  waitQuorum(index: number, deadlineMs?: number): Promise<void>;
  /** Kills every member and removes the directories. Idempotent. */
  stop(): Promise<void>;
}

interface MemberState {
  readonly name: string;
  readonly dir: string;
  readonly url: string;
  readonly peerUrl: string;
  readonly args: readonly string[];
  proc: EtcdProcess;
}

export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<TestEtcdCluster> {
  const size = options.size ?? 3;
  const startDeadlineMs = options.startDeadlineMs ?? 30_000;
  const root = await mkdtemp(path.join(os.tmpdir(), 'cpchaos-etcd-cluster-'));
  const ports = await freePorts(size * 2);
  const peers: EtcdPeer[] = [];
  for (let i = 0; i < size; i++) peers.push({ name: `m${i}`, peerUrl: `http://127.0.0.1:${ports[2 * i + 1] ?? 0}` });
  const states: MemberState[] = [];
  for (let i = 0; i < size; i++) {
    const peer = peers[i];
    if (!peer) throw new Error('unreachable');
    const dir = path.join(root, peer.name);
    await mkdir(dir);
    const url = `http://127.0.0.1:${ports[2 * i] ?? 0}`;
    const args = etcdMemberArgs({
      name: peer.name,
      dataDir: path.join(dir, 'data'),
      peerUrl: peer.peerUrl,
      clientUrls: [url],
      advertiseClientUrl: url,
      initialCluster: peers,
      initialClusterState: 'new',
      heartbeatMs: options.heartbeatMs ?? 50,
      electionTimeoutMs: options.electionTimeoutMs ?? 500,
    });
    states.push({ name: peer.name, dir, url, peerUrl: peer.peerUrl, args, proc: EtcdProcess.start(`${peer.name} (${url})`, dir, args) });
  }

  const member = (index: number): MemberState => {
    const state = states[index];
    if (!state) throw new RangeError(`no etcd member ${index} (cluster of ${size})`);
    return state;
  };
  const endpointOf = (state: MemberState): EtcdEndpoint => ({ socketPath: state.proc.socketPath });

  const waitServing = async (state: MemberState, linearizable: boolean, deadlineMs: number): Promise<void> => {
    const probe = new EtcdClient({ endpoint: endpointOf(state), deadlineMs: 1000 });
    try {
      const what = `etcd member ${state.name} at ${state.url} to serve a ${linearizable ? 'linearizable' : 'serializable'} read`;
      await state.proc.waitUntil(
        what,
        async () => {
          await probe.range('/cpchaos/health', { serializable: !linearizable });
          return true;
        },
        deadlineMs,
      );
    } finally {
      probe.close();
    }
  };

  let stopped: Promise<void> | undefined;
  const cluster: TestEtcdCluster = {
    get members() {
      return states.map((s) => ({
        name: s.name,
        dir: s.dir,
        url: s.url,
        peerUrl: s.peerUrl,
        endpoint: endpointOf(s),
        running: s.proc.running,
      }));
    },
    client: (index, deadlineMs = 2000) => new EtcdClient({ endpoint: endpointOf(member(index)), deadlineMs }),
    kill: (index) => member(index).proc.kill(),
    async restart(index) {
      const state = member(index);
      await state.proc.kill();
      state.proc = EtcdProcess.start(`${state.name} (${state.url})`, state.dir, state.args);
      await waitServing(state, false, startDeadlineMs);
    },
    waitQuorum: (index, deadlineMs = startDeadlineMs) => waitServing(member(index), true, deadlineMs),
    stop: () =>
      (stopped ??= (async () => {
        await Promise.all(states.map((s) => s.proc.kill()));
        await rm(root, { recursive: true, force: true });
      })()),
  };
  try {
    await Promise.all(states.map((s) => waitServing(s, true, startDeadlineMs)));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
