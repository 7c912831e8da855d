import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxProvider, isNodeReady } from '../cluster/sandbox/sandbox-provider.ts';
import type { StartedSandbox } from '../cluster/sandbox/sandbox-cluster.ts';
import { loadTopologyFile } from '../sandbox/topology-file.ts';
import type { SandboxTopologyOptions } from '../sandbox/topology.ts';
import { isOwnerAlive, Journal } from '../faults/journal.ts';
import { errorMessage, SetupError } from '../util/errors.ts';
import { stopProcesses } from '../util/process-exit.ts';
import { processesNaming } from '../cluster/sandbox/cleanup.ts';
import { parseOptions, UsageError } from './options.ts';
import { SandboxControlServer } from '../cluster/sandbox/control/control-server.ts';
import { controlSocketPath } from '../cluster/sandbox/control/protocol.ts';
import { isSandboxProfileName, SANDBOX_PROFILE_NAMES, type SandboxProfileName } from '../sandbox/profile.ts';

const SANDBOX_OPTIONS = {
  topology: { type: 'string' },
  'control-planes': { type: 'string' },
  workers: { type: 'string' },
  'promotion-policy': { type: 'string' },
  profile: { type: 'string' },
  'keep-run-dir': { type: 'boolean', default: false },
  'audit-log-dir': { type: 'string' },
  /** `sandbox down --run ID`: that sandbox only. */
  run: { type: 'string' },
} as const;

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected a whole number, got "${value}"`);
  return n;
}

function topologyFrom(values: Record<string, string | boolean | undefined>): SandboxTopologyOptions {
  const base = typeof values['topology'] === 'string' ? loadTopologyFile(values['topology']) : {};
  const controlPlanes = intOption('control-planes', values['control-planes'] as string | undefined);
  const workers = intOption('workers', values['workers'] as string | undefined);
  return {
    ...base,
    ...(controlPlanes !== undefined ? { controlPlanes } : {}),
    ...(workers !== undefined ? { workers } : {}),
  };
}

/** --profile plain|harvester (lib/sandbox/profile.ts). */
function profileFrom(values: Record<string, string | boolean | undefined>): SandboxProfileName | undefined {
  const value = values['profile'];
  if (typeof value !== 'string') return undefined;
  if (!isSandboxProfileName(value)) throw new UsageError(`--profile: expected one of ${SANDBOX_PROFILE_NAMES.join(', ')}, got "${value}"`);
  return value;
}

async function startSandbox(values: Record<string, string | boolean | undefined>, signal: AbortSignal): Promise<StartedSandbox> {
  const policy = values['promotion-policy'];
  const auditLogDir = values['audit-log-dir'];
  const profile = profileFrom(values);
  process.stderr.write(`cpchaos: starting sandbox cluster${profile ? ` (profile ${profile})` : ''}...\n`);
  const started = Date.now();
  const cluster = await new SandboxProvider().start(
    {
      topology: topologyFrom(values),
      ...(typeof policy === 'string' ? { promotionPolicy: policy } : {}),
      ...(profile ? { profile } : {}),
      ...(typeof auditLogDir === 'string' ? { auditLogDir } : {}),
      keepRunDir: values['keep-run-dir'] === true,
    },
    signal,
  );
  process.stderr.write(`cpchaos: sandbox ${cluster.runId} ready in ${Date.now() - started} ms\n`);
  return cluster;
}

async function printNodes(cluster: StartedSandbox): Promise<void> {
  const nodes = await cluster.listNodes();
  const rows = nodes.map((node) => {
    const labels = node.metadata?.labels ?? {};
    const roles = ['control-plane', 'etcd', 'master'].filter((r) => labels[`node-role.kubernetes.io/${r}`] === 'true');
    const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    return [node.metadata?.name ?? '', isNodeReady(node) ? 'Ready' : 'NotReady', roles.join(',') || '<none>', address];
  });
  const table = [['NAME', 'STATUS', 'ROLES', 'ADDRESS'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const row of table)
    process.stdout.write(
      row
        .map((cell, i) => cell.padEnd(widths[i]! + 2))
        .join('')
        .trimEnd() + '\n',
    );
  const membership = await cluster.etcdMembership();
  if (membership) {
    process.stdout.write(`etcd members: ${membership.members.map((m) => m.name).join(', ')}; leader: ${membership.leader ?? 'none'}\n`);
  }
}

function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function sandboxCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseOptions(rest, SANDBOX_OPTIONS);
  if (sub === 'down') return await sandboxDown(typeof values['run'] === 'string' ? values['run'] : undefined);
  if (sub !== 'up' && sub !== 'demo')
    throw new UsageError(`cpchaos sandbox: expected "up", "down", "demo", "fault", "undo" or "etcd", got "${sub ?? ''}"`);
  const interrupt = interruptSignal();
  try {
    const cluster = await startSandbox(values, interrupt.signal);
    try {
      await printNodes(cluster);
      if (sub === 'up') {
        const control = await SandboxControlServer.listen(cluster, controlSocketPath(cluster.runDir));
        process.stdout.write(`kubeconfig: ${cluster.endpoints.kubeconfigPath}\n`);
        process.stdout.write(`control: ${control.socketPath} (cpchaos sandbox fault|undo|etcd --run ${cluster.runId})\n`);
        process.stdout.write(`try: kubectl --kubeconfig ${cluster.endpoints.kubeconfigPath} get nodes\n`);
        process.stdout.write('Ctrl-C or `cpchaos sandbox down` stops it.\n');
        await new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(), { once: true }));
        await control.close();
      }
    } finally {
      process.stderr.write('cpchaos: tearing the sandbox down...\n');
      await cluster.stop();
      process.stderr.write('cpchaos: sandbox stopped\n');
    }
    return 0;
  } finally {
    interrupt.dispose();
  }
}

/** True when the process runs `cpchaos sandbox up` (or demo): not a test run or anything else that started a sandbox. */
function isSandboxUpCommand(pid: number): boolean {
  try {
    const argv = readFileSync(join('/proc', String(pid), 'cmdline'), 'utf8').split('\0');
    return argv.some((arg, i) => arg === 'sandbox' && (argv[i + 1] === 'up' || argv[i + 1] === 'demo'));
  } catch {
    return false;
  }
}

/** How long `sandbox down` waits for an `up` process to tear its sandbox down and exit (each node: SIGTERM, SIGKILL). */
const DOWN_OWNER_EXIT_MS = 120_000;
/** How long it then waits for the run's other processes (an `up` that tore down has none left). */
const DOWN_LEFTOVER_EXIT_MS = 10_000;

/**
 * Asks each running `sandbox up` to stop (SIGTERM, its Ctrl-C) and returns once that process and every process of
 * its run have exited; names any that outlived the deadline.
 */
async function sandboxDown(runId: string | undefined): Promise<number> {
  const stops: Promise<void>[] = [];
  for (const runDir of Journal.listRunDirs()) {
    const entries = Journal.read(runDir);
    const run = entries.find((e) => e.type === 'run');
    if (!run || run.type !== 'run' || !isOwnerAlive(run.ownerPid, run.ownerStartTicks)) continue;
    if (runId !== undefined && run.runId !== runId) continue;
    if (!isSandboxUpCommand(run.ownerPid)) continue;
    // The run's processes, known before its folder (and journal) goes: journaled ones, and those naming the folder.
    const journaled = entries.flatMap((e) => (e.type === 'process' ? [e.pid] : []));
    const others = [...new Set([...journaled, ...processesNaming(runDir)])]
      .filter((pid) => pid !== run.ownerPid)
      .map((pid) => ({ pid, what: `process ${pid} of sandbox ${run.runId}` }));
    const owner = { pid: run.ownerPid, what: `cpchaos sandbox up (run ${run.runId})` };
    process.stdout.write(`cpchaos: asked sandbox ${run.runId} (pid ${run.ownerPid}) to stop\n`);
    stops.push(
      (async () => {
        await stopProcesses([owner], [{ signal: 'SIGTERM', graceMs: DOWN_OWNER_EXIT_MS }]);
        await stopProcesses(others, [{ graceMs: DOWN_LEFTOVER_EXIT_MS }]);
        process.stdout.write(`cpchaos: sandbox ${run.runId} stopped\n`);
      })(),
    );
  }
  if (stops.length === 0)
    throw new SetupError(
      `no running sandbox${runId !== undefined ? ` ${runId}` : ''} found (cpchaos cleanup removes leftovers of killed ones)`,
    );
  const failures = (await Promise.allSettled(stops)).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw new Error(failures.map((f) => errorMessage(f)).join('; '), { cause: failures[0] });
  return 0;
}
