// A node's connectivity probe, for promotion policies that check a candidate before promoting it (Harvester's
// proposals: "verify a candidate's ... network connectivity"). A real Harvester runs no such probe: it stands for
// the probe DaemonSet an operator would deploy with such a policy, so the agent runs it only when the sandbox runs a
// policy other than the reference. Every period the node opens a TCP connection to each control plane's etcd peer
// port and API port and, when the result differs from what its Node says (or the record is older than the refresh),
// writes it into the Node's annotation cpchaos.io/reachability (lib/harvester/policy-context.ts).
import { connect } from 'node:net';
import { REACHABILITY_ANNOTATION, readReachability, type ReachabilityRecord } from '../../harvester/policy-context.ts';
import { mergePatch } from '../../util/patch-options.ts';
import type { FailoverApiClient } from './api-client.ts';
import { startPeriodic } from '../../util/periodic.ts';

export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
  readonly kind: 'etcdPeers' | 'api';
}

/** Whether a TCP connection to address:port opens within the deadline. */
export function tcpReachable(address: string, port: number, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(deadlineMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Probes every target; a kind with no target is reachable (nothing to reach). */
export async function probe(
  targets: readonly ProbeTarget[],
  reach: (address: string, port: number) => Promise<boolean>,
  now: Date,
): Promise<ReachabilityRecord> {
  const results = await Promise.all(targets.map(async (t) => ({ target: t, ok: await reach(t.address, t.port) })));
  const failed = results.filter((r) => !r.ok);
  return {
    etcdPeers: !failed.some((r) => r.target.kind === 'etcdPeers'),
    api: !failed.some((r) => r.target.kind === 'api'),
    unreachable: failed.map((r) => `${r.target.address}:${r.target.port}`),
    checkedAt: now.toISOString(),
  };
}

/** Whether the record on the Node needs rewriting: another result, or older than the refresh. */
export function needsWrite(previous: ReachabilityRecord | undefined, next: ReachabilityRecord, refreshMs: number): boolean {
  if (!previous) return true;
  if (previous.etcdPeers !== next.etcdPeers || previous.api !== next.api) return true;
  if (previous.unreachable.join(',') !== next.unreachable.join(',')) return true;
  return Date.parse(next.checkedAt) - Date.parse(previous.checkedAt) >= refreshMs;
}

export interface ReachabilityProbeOptions {
  readonly nodeName: string;
  readonly periodMs: number;
  readonly refreshMs: number;
  readonly connectDeadlineMs: number;
  /** The control planes' addresses and ports to probe now (the node's own excluded). */
  readonly targets: () => ProbeTarget[];
  readonly onError: (what: string, error: unknown) => void;
}

/** Starts the probe; returns how to stop it. */
export function startReachabilityProbe(api: FailoverApiClient, options: ReachabilityProbeOptions): () => void {
  let written: ReachabilityRecord | undefined;
  const tick = async (): Promise<void> => {
    const record = await probe(options.targets(), (address, port) => tcpReachable(address, port, options.connectDeadlineMs), new Date());
    if (written === undefined) {
      const node = await api.call('read own node for its reachability', (a, requestOptions) =>
        a.core.readNode({ name: options.nodeName }, requestOptions),
      );
      written = readReachability(node);
    }
    if (!needsWrite(written, record, options.refreshMs)) return;
    await api.call('annotate own node with its reachability', (a, requestOptions) =>
      a.core.patchNode(
        { name: options.nodeName, body: { metadata: { annotations: { [REACHABILITY_ANNOTATION]: JSON.stringify(record) } } } },
        mergePatch(requestOptions),
      ),
    );
    written = record;
  };
  return startPeriodic(options.periodMs, tick, (error) => options.onError('reachability probe', error));
}
