// Who owns a kind cluster: a small JSON file the provider writes into each node container once `kind create
// cluster` has returned, so that `cpchaos cleanup` in another workspace (another CPCHAOS_STATE_DIR, another user,
// another CI job on the same Docker host) can tell a live run's cluster from an abandoned one. The owner is the
// process the run's journal names (its `run` entry: pid and start time in clock ticks, faults/journal.ts), on this
// host (os.hostname()).
//
// The file goes into /kind/, the folder of kind's own files in the node image: kind reads the image's Kubernetes
// version from /kind/version (kubernetes-sigs/kind pkg/cluster/nodeutils/util.go KubeVersion) and writes each node's
// kubeadm configuration to /kind/kubeadm.conf at create (pkg/cluster/internal/create/actions/config/config.go
// writeKubeadmConfig). It is written the way kind writes files into nodes (nodeutils.WriteFile: `cp /dev/stdin
// <dest>` through `docker exec -i`) and read with `docker exec <node> cat`. kind's load balancer (the haproxy image)
// has no /kind/ and gets none. The file lives in the container's writable layer: it survives `docker kill` and
// `docker start`, and goes with the container.
import { hostname } from 'node:os';
import { errorMessage } from '../../util/errors.ts';
import type { DockerCli } from './docker-cli.ts';
import { isLoadBalancer } from './kind-config.ts';
import type { KindCli } from './kind-cli.ts';
import { ClusterCommandError } from './tools.ts';

export const OWNER_MARKER_PATH = '/kind/cpchaos-owner.json';
const WRITE_MARKER_COMMAND: readonly string[] = ['cp', '/dev/stdin', OWNER_MARKER_PATH];
const READ_MARKER_COMMAND: readonly string[] = ['cat', OWNER_MARKER_PATH];

export interface OwnerMarker {
  readonly runId: string;
  /** The state folder whose runs folder holds the run's journal (CPCHAOS_STATE_DIR). */
  readonly stateRoot: string;
  /** os.hostname() of the machine the owner runs on: its pid means nothing elsewhere. */
  readonly hostname: string;
  readonly ownerPid: number;
  readonly ownerStartTicks: number;
}

export function ownerMarkerOf(runId: string, stateRoot: string, owner: { ownerPid: number; ownerStartTicks: number }): OwnerMarker {
  return { runId, stateRoot, hostname: hostname(), ownerPid: owner.ownerPid, ownerStartTicks: owner.ownerStartTicks };
}

/** The marker in the text, or why the text is not one. */
export function parseOwnerMarker(text: string): OwnerMarker | { readonly invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { invalid: `not JSON: ${errorMessage(error)}` };
  }
  if (typeof value !== 'object' || value === null) return { invalid: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  for (const key of ['runId', 'stateRoot', 'hostname'] as const) {
    if (typeof v[key] !== 'string') return { invalid: `${key} is not a string` };
  }
  for (const key of ['ownerPid', 'ownerStartTicks'] as const) {
    if (!Number.isSafeInteger(v[key])) return { invalid: `${key} is not an integer` };
  }
  return {
    runId: v['runId'] as string,
    stateRoot: v['stateRoot'] as string,
    hostname: v['hostname'] as string,
    ownerPid: v['ownerPid'] as number,
    ownerStartTicks: v['ownerStartTicks'] as number,
  };
}

/** Writes the marker into each node container, in order; the first failure throws. */
export async function writeOwnerMarker(
  docker: DockerCli,
  nodes: readonly string[],
  marker: OwnerMarker,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal | undefined },
): Promise<void> {
  const text = `${JSON.stringify(marker)}\n`;
  for (const node of nodes) {
    await docker.execWithInput(node, WRITE_MARKER_COMMAND, text, {
      what: `writing the owner marker into node ${node}`,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  }
}

/** The first line of what a failed command said (its stderr), else of the error. */
function shortly(error: unknown): string {
  const text = error instanceof ClusterCommandError && error.stderr.trim() !== '' ? error.stderr : errorMessage(error);
  return text.trim().split('\n')[0] ?? '';
}

export type MarkerLookup =
  | { readonly marker: OwnerMarker; readonly node: string }
  /** Why no marker could be read: no node answered, none has one, or what one has is not a marker. */
  | { readonly unreadable: string };

/**
 * Reads the cluster's marker from the first node container that has one (a paused or killed node does not answer
 * `docker exec`; a deleted one is not listed). Every call gets what is left of `timeoutMs`, so the whole look-up
 * of one cluster ends within it. Failures are the answer's reason, never thrown (a cancelled `signal` is).
 */
export async function readOwnerMarker(
  kind: KindCli,
  docker: DockerCli,
  cluster: string,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal | undefined },
): Promise<MarkerLookup> {
  const deadline = Date.now() + options.timeoutMs;
  const left = (): number => deadline - Date.now();
  let nodes: string[];
  try {
    nodes = (await kind.getNodes(cluster, options.signal, options.timeoutMs)).filter((n) => !isLoadBalancer(cluster, n));
  } catch (error) {
    options.signal?.throwIfAborted();
    return { unreadable: `listing its nodes failed: ${shortly(error)}` };
  }
  if (nodes.length === 0) return { unreadable: 'kind lists no node containers for it' };
  const missing: string[] = [];
  const failures: string[] = [];
  for (const node of nodes) {
    if (left() <= 0) {
      failures.push(`${node}: not asked, the look-up's ${options.timeoutMs} ms were spent`);
      continue;
    }
    try {
      const text = await docker.exec(node, READ_MARKER_COMMAND, {
        what: `reading the owner marker of node ${node}`,
        timeoutMs: left(),
        signal: options.signal,
      });
      const parsed = parseOwnerMarker(text);
      if (!('invalid' in parsed)) return { marker: parsed, node };
      failures.push(`${node}: ${OWNER_MARKER_PATH} is not an owner marker (${parsed.invalid})`);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (error instanceof ClusterCommandError && /No such file or directory/.test(error.stderr)) missing.push(node);
      else failures.push(`${node}: ${shortly(error)}`);
    }
  }
  if (failures.length === 0) {
    return { unreadable: `no owner marker on its nodes: made by a cpchaos before markers, or its creation was cut short` };
  }
  const none = missing.length > 0 ? `; no marker on ${missing.join(', ')}` : '';
  return { unreadable: `no node gave its owner marker: ${failures.join('; ')}${none}` };
}
