// The node's etcd member, run by the agent as its child so that it lives and dies with the node.
// A node gets a member at the start (control-plane nodes) or later from a promotion, which leaves the plan in
// etcd/member.json; a restarted node finds its plan there and its data beside it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EtcdMemberPlan } from './config.ts';
import { etcdMemberArgs, ETCD_UNIX_SOCKET_FILE } from '../etcd/member-args.ts';

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
const PLAN_FILE = 'member.json';

export function etcdPeerUrl(address: string): string {
  return `http://${address}:${ETCD_PEER_PORT}`;
}

export function etcdClientUrl(address: string): string {
  return `http://${address}:${ETCD_CLIENT_PORT}`;
}

export function savePlan(etcdDir: string, plan: EtcdMemberPlan): void {
  mkdirSync(etcdDir, { recursive: true });
  writeFileSync(join(etcdDir, PLAN_FILE), JSON.stringify(plan));
}

export function loadPlan(etcdDir: string): EtcdMemberPlan | undefined {
  const path = join(etcdDir, PLAN_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as EtcdMemberPlan) : undefined;
}

export interface EtcdMemberProcessOptions {
  readonly name: string;
  readonly address: string;
  readonly etcdDir: string;
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
}

export function startEtcdMember(options: EtcdMemberProcessOptions, plan: EtcdMemberPlan): ChildProcess {
  savePlan(options.etcdDir, plan);
  // A SIGKILLed etcd leaves its unix socket behind; a restart must not trip over it.
  rmSync(join(options.etcdDir, ETCD_UNIX_SOCKET_FILE), { force: true });
  const args = etcdMemberArgs({
    name: options.name,
    dataDir: join(options.etcdDir, 'data'),
    peerUrl: etcdPeerUrl(options.address),
    clientUrls: [`http://127.0.0.1:${ETCD_CLIENT_PORT}`, etcdClientUrl(options.address)],
    advertiseClientUrl: etcdClientUrl(options.address),
    initialCluster: plan.initialCluster,
    initialClusterState: plan.state,
    heartbeatMs: options.heartbeatMs,
    electionTimeoutMs: options.electionTimeoutMs,
  });
  // etcd writes to the agent's stderr, which is the node's log.
  return spawn('etcd', args, { cwd: options.etcdDir, stdio: ['ignore', 'ignore', 'inherit'] });
}
