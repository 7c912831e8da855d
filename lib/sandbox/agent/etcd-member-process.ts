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
/** k3s pkg/etcd/etcd.go nameFile: the member's name, kept beside its data (<data-dir>/db/etcd/name on RKE2). */
export const MEMBER_NAME_FILE = 'name';

/**
 * The member's name (k3s pkg/etcd/etcd.go setName(false): the name file's content when there is one, so a restarted
 * member keeps its name). Without a name file the member is named after its node, as the plain sandbox names them;
 * a Harvester-profile host has one from the start (written when the host is created, RKE2's `<node>-<8 hex>`).
 */
export function memberNameOf(etcdDir: string, nodeName: string): string {
  try {
    const name = readFileSync(join(etcdDir, MEMBER_NAME_FILE), 'utf8').trim();
    return name === '' ? nodeName : name;
  } catch {
    return nodeName;
  }
}

/** Writes the member's name file (a new host's: RKE2 generates it at the first etcd start and keeps it). */
export function writeMemberName(etcdDir: string, name: string): void {
  mkdirSync(etcdDir, { recursive: true });
  writeFileSync(join(etcdDir, MEMBER_NAME_FILE), name);
}

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

/**
 * The plan with this member (its peer URL) under `name`: a joining member's plan names it after its node (the joiner
 * builds it from the member list, where a member added but not started has no name), as k3s join() names itself
 * e.name in the --initial-cluster it starts with.
 */
export function withMemberName(plan: EtcdMemberPlan, peerUrl: string, name: string): EtcdMemberPlan {
  if (plan.initialCluster.every((peer) => peer.peerUrl !== peerUrl || peer.name === name)) return plan;
  return { ...plan, initialCluster: plan.initialCluster.map((peer) => (peer.peerUrl === peerUrl ? { ...peer, name } : peer)) };
}

export function startEtcdMember(options: EtcdMemberProcessOptions, given: EtcdMemberPlan): ChildProcess {
  const name = memberNameOf(options.etcdDir, options.name);
  const peerUrl = etcdPeerUrl(options.address);
  const plan = withMemberName(given, peerUrl, name);
  savePlan(options.etcdDir, plan);
  // A SIGKILLed etcd leaves its unix socket behind; a restart must not trip over it.
  rmSync(join(options.etcdDir, ETCD_UNIX_SOCKET_FILE), { force: true });
  const args = etcdMemberArgs({
    name,
    dataDir: join(options.etcdDir, 'data'),
    peerUrl,
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
