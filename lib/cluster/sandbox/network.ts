// The sandbox's network: a hub namespace holding a bridge, and one namespace per node wired to it with a veth pair.
// Nothing is created in the root namespace; the cluster network is reachable only from the run's own namespaces.
import { run } from '../../util/exec.ts';
import { CommandError, SetupError } from '../../util/errors.ts';
import type { Journal } from '../../faults/journal.ts';

/** Every namespace cpchaos makes starts with this prefix, so cleanup can find leftovers. */
export const NETNS_PREFIX = 'cpc-';

export function hubNamespace(runId: string): string {
  return `${NETNS_PREFIX}${runId}-hub`;
}

export function nodeNamespace(runId: string, nodeIndex: number): string {
  return `${NETNS_PREFIX}${runId}-n${nodeIndex}`;
}

const IP_TIMEOUT_MS = 10_000;

async function ip(args: readonly string[]): Promise<string> {
  return run('ip', args, { timeoutMs: IP_TIMEOUT_MS });
}

/** Fails clearly when this process cannot create network namespaces. */
export async function assertCanCreateNamespaces(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new SetupError(
      'the sandbox needs to create network namespaces: run as root, or inside an unprivileged user namespace ' +
        '(for example: unshare -Urnm --propagation private npx cpchaos ...)',
    );
  }
  try {
    await run('ip', ['-V'], { timeoutMs: IP_TIMEOUT_MS });
  } catch (error) {
    throw new SetupError('the sandbox needs the `ip` command (Debian package iproute2)', { cause: error });
  }
}

export async function createHub(journal: Journal, runId: string): Promise<string> {
  const hub = hubNamespace(runId);
  journal.record({ type: 'netns', name: hub });
  await ip(['netns', 'add', hub]);
  await ip(['-n', hub, 'link', 'set', 'lo', 'up']);
  await ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
  await ip(['-n', hub, 'link', 'set', 'br0', 'up']);
  return hub;
}

/** Creates a node's namespace with eth0 on the hub's bridge and the given address. */
export async function createNodeNamespace(
  journal: Journal,
  runId: string,
  nodeIndex: number,
  address: string,
  prefixLength: number,
): Promise<string> {
  const hub = hubNamespace(runId);
  const ns = nodeNamespace(runId, nodeIndex);
  journal.record({ type: 'netns', name: ns });
  await ip(['netns', 'add', ns]);
  const hubSide = `p${nodeIndex}`;
  await ip(['-n', hub, 'link', 'add', hubSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await ip(['-n', hub, 'link', 'set', hubSide, 'master', 'br0']);
  await ip(['-n', hub, 'link', 'set', hubSide, 'up']);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  await ip(['-n', ns, 'addr', 'add', `${address}/${prefixLength}`, 'dev', 'eth0']);
  await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
  return ns;
}

export async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.length > 0);
}

export async function namespacePids(ns: string): Promise<number[]> {
  try {
    const out = await ip(['netns', 'pids', ns]);
    return out.split('\n').map(Number).filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

/** Kills every process in the namespace, then deletes it. Missing namespaces are fine (idempotent). */
export async function destroyNamespace(ns: string): Promise<void> {
  for (const pid of await namespacePids(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    await ip(['netns', 'del', ns]);
  } catch (error) {
    if (error instanceof CommandError && /No such file|not found|Invalid netns/i.test(error.message)) return;
    throw error;
  }
}
