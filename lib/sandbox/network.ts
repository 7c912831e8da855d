// The sandbox's network: a hub namespace holding a bridge, and one namespace per node wired to it with a veth pair.
// Nothing is created in the root namespace; the cluster network is reachable only from the run's own namespaces.
// Every `ip` command runs where the run's host namespace says (directly as root, else in the run's user namespace).
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { run } from '../util/exec.ts';
import { CommandError, SetupError } from '../util/errors.ts';
import type { Journal } from '../faults/journal.ts';
import { assertUserNamespacesWork, HostNamespace, hostOfRun, wantsUserNamespace } from './host-namespace.ts';
import { KILL_AT_ONCE, stopProcesses } from '../util/process-exit.ts';

/** Every namespace cpchaos makes starts with this prefix, so cleanup can find leftovers. */
export const NETNS_PREFIX = 'cpc-';

/**
 * Where `ip netns add` bind-mounts a named namespace (iproute2's NETNS_RUN_DIR). stat() of `<dir>/<name>` shows
 * the namespace's own nsfs inode — the one /proc/PID/ns/net links to for every process inside it (`ip netns pids`
 * compares the same inode) — and that inode's mtime is when the namespace was created.
 */
export const NETNS_RUN_DIR = '/var/run/netns';

export function hubNamespace(runId: string): string {
  return `${NETNS_PREFIX}${runId}-hub`;
}

export function nodeNamespace(runId: string, nodeIndex: number): string {
  return `${NETNS_PREFIX}${runId}-n${nodeIndex}`;
}

/** The run a namespace of ours belongs to (`cpc-<run>-...`), or undefined for other names. */
export function runIdOfNamespace(ns: string): string | undefined {
  if (!ns.startsWith(NETNS_PREFIX)) return undefined;
  const rest = ns.slice(NETNS_PREFIX.length);
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? rest.slice(0, dash) : undefined;
}

/** Where commands about this namespace run: its run's user namespace, or the root namespaces. */
export function hostOfNamespace(ns: string): HostNamespace {
  const runId = runIdOfNamespace(ns);
  return runId === undefined ? HostNamespace.root : hostOfRun(runId);
}

const IP_TIMEOUT_MS = 10_000;

async function ip(host: HostNamespace, args: readonly string[]): Promise<string> {
  return host.run('ip', args, { timeoutMs: IP_TIMEOUT_MS });
}

/**
 * Runs `lines` as one `ip -n <ns> -batch -` (iproute2: one command per line, stopping at the first that fails, named
 * by its line): one process where a command each took one, a start's main cost in spawning processes.
 */
async function ipBatchIn(host: HostNamespace, ns: string, lines: readonly string[]): Promise<void> {
  await host.run('ip', ['-n', ns, '-batch', '-'], { timeoutMs: IP_TIMEOUT_MS, input: `${lines.join('\n')}\n` });
}

/**
 * Fails clearly when this process cannot create network namespaces: as root it needs `ip`; otherwise (or with
 * CPCHAOS_USERNS=1) also unshare and nsenter, and a kernel that lets it create a user namespace.
 */
export async function assertCanCreateNamespaces(): Promise<void> {
  try {
    await run('ip', ['-V'], { timeoutMs: IP_TIMEOUT_MS });
  } catch (error) {
    throw new SetupError('the sandbox needs the `ip` command (Debian package iproute2)', { cause: error });
  }
  if (wantsUserNamespace()) await assertUserNamespacesWork();
}

export async function createHub(journal: Journal, runId: string): Promise<string> {
  const hub = hubNamespace(runId);
  const host = hostOfRun(runId);
  journal.record({ type: 'netns', name: hub });
  await ip(host, ['netns', 'add', hub]);
  await ipBatchIn(host, hub, ['link set lo up', 'link add br0 type bridge', 'link set br0 up']);
  return hub;
}

/** Where a node's namespace is wired: its index (naming the namespace and its hub-side veth) and address. */
export interface NodeWiring {
  readonly index: number;
  readonly address: string;
}

/**
 * Creates the nodes' namespaces, each with eth0 on the hub's bridge and its address. The namespaces are added in one
 * `ip -batch` and their hub-side links in another: 3 + 50 nodes took 2.7 s at a command (and a process) each, most of
 * it spawning processes; each namespace's own side is one batch in it. Every namespace is in the journal before it is
 * made. Returns the namespaces, in the order of `nodes`.
 */
export async function createNodeNamespaces(
  journal: Journal,
  runId: string,
  nodes: readonly NodeWiring[],
  prefixLength: number,
): Promise<string[]> {
  const hub = hubNamespace(runId);
  const host = hostOfRun(runId);
  const namespaces = nodes.map((node) => nodeNamespace(runId, node.index));
  for (const ns of namespaces) journal.record({ type: 'netns', name: ns });
  await host.run('ip', ['-batch', '-'], { timeoutMs: IP_TIMEOUT_MS, input: namespaces.map((ns) => `netns add ${ns}\n`).join('') });
  await ipBatchIn(
    host,
    hub,
    nodes.flatMap((node, i) => [
      `link add p${node.index} type veth peer name eth0 netns ${namespaces[i] ?? ''}`,
      `link set p${node.index} master br0`,
      `link set p${node.index} up`,
    ]),
  );
  await Promise.all(
    nodes.map((node, i) =>
      ipBatchIn(host, namespaces[i] ?? '', ['link set lo up', `addr add ${node.address}/${prefixLength} dev eth0`, 'link set eth0 up']),
    ),
  );
  return namespaces;
}

/** Creates a node's namespace with eth0 on the hub's bridge and the given address. */
export async function createNodeNamespace(
  journal: Journal,
  runId: string,
  nodeIndex: number,
  address: string,
  prefixLength: number,
): Promise<string> {
  const [ns] = await createNodeNamespaces(journal, runId, [{ index: nodeIndex, address }], prefixLength);
  return ns ?? nodeNamespace(runId, nodeIndex);
}

/**
 * Named network namespaces in the root mount namespace (those of root-mode runs). A user-namespace run's namespaces
 * are named only inside its holder's mount namespace: pass that host to list them.
 */
export async function listNamespaces(host: HostNamespace = HostNamespace.root): Promise<string[]> {
  if (!host.alive) return [];
  const out = await ip(host, ['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.length > 0);
}

export async function namespacePids(ns: string): Promise<number[]> {
  const host = hostOfNamespace(ns);
  if (!host.alive) return [];
  if (host === HostNamespace.root) return namespacePidsFromProc(ns);
  try {
    const out = await ip(host, ['netns', 'pids', ns]);
    return out
      .split('\n')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

/**
 * What `ip netns pids` does, without starting `ip` (at a 3 + 50 teardown, 53 of them at once took seconds): every
 * process whose /proc/PID/ns/net links to the namespace's nsfs inode (iproute2 ip/ipnetns.c netns_pids). For the root
 * mount namespace only: a user-namespace run's names live in its holder's private /var/run/netns. A namespace that is
 * gone holds nobody.
 */
export function namespacePidsFromProc(ns: string): number[] {
  let inode: number;
  try {
    inode = statSync(`${NETNS_RUN_DIR}/${ns}`).ino;
  } catch {
    return [];
  }
  const link = `net:[${inode}]`;
  return processNetworkNamespaces().flatMap((view) => (view.netns === link ? [view.pid] : []));
}

/** A process and the network namespace it is in, as its /proc/PID/ns/net link reads ("net:[4026532301]"). */
export interface ProcessNetns {
  readonly pid: number;
  /** Undefined for a zombie (it has left its namespaces) or a process that exited meanwhile. */
  readonly netns: string | undefined;
}

/** Every process on the machine with its network namespace, read from /proc once. */
export function processNetworkNamespaces(): ProcessNetns[] {
  const views: ProcessNetns[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let netns: string | undefined;
    try {
      netns = readlinkSync(`/proc/${entry}/ns/net`);
    } catch {
      netns = undefined;
    }
    views.push({ pid: Number(entry), netns });
  }
  return views;
}

/**
 * Kills every process in the namespace, waits until they have exited, then deletes it. Missing namespaces are fine (idempotent), and so is a
 * user namespace whose holder is gone (its namespaces went with it once their processes were gone).
 */
export async function destroyNamespace(ns: string): Promise<void> {
  // Returns once they have exited (or throws naming those that would not).
  await stopProcesses(
    (await namespacePids(ns)).map((pid) => ({ pid, what: `process ${pid} in namespace ${ns}` })),
    KILL_AT_ONCE,
  );
  await deleteNamespace(ns);
}

/**
 * Deletes the namespace's name without touching any process: a process still inside keeps the namespace alive
 * (unnamed) until it exits, as `ip netns del` does. Missing namespaces are fine, as in destroyNamespace.
 */
export async function deleteNamespace(ns: string): Promise<void> {
  const host = hostOfNamespace(ns);
  if (!host.alive) return;
  try {
    await ip(host, ['netns', 'del', ns]);
  } catch (error) {
    if (error instanceof CommandError && /No such file|not found|Invalid netns/i.test(error.message)) return;
    throw error;
  }
}
