// The client side of the sandbox control channel: finds a running sandbox's socket and sends it requests.
import type { EtcdMembership } from '../../../model/cluster.ts';
import type { FaultRequest } from '../../../faults/catalogue.ts';
import { request as httpRequest } from 'node:http';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { isOwnerAlive, Journal } from '../../../faults/journal.ts';
import { SetupError } from '../../../util/errors.ts';
import { controlSocketPath, type ControlReply } from './protocol.ts';

export const CONTROL_TIMEOUT_MS = 60_000;

/** The variable naming the sandbox when --run is not given. */
export const SANDBOX_RUN_ENV = 'CPCHAOS_SANDBOX_RUN';

/** The control socket of the sandbox `runId` (default $CPCHAOS_SANDBOX_RUN), else of the only running one. */
export function findControlSocket(runId: string | undefined = process.env[SANDBOX_RUN_ENV] || undefined): string {
  const live = Journal.listRunDirs().filter((dir) => {
    const run = Journal.read(dir).find((e) => e.type === 'run');
    return run?.type === 'run' && isOwnerAlive(run.ownerPid, run.ownerStartTicks) && existsSync(controlSocketPath(dir));
  });
  if (runId !== undefined) {
    const dir = live.find((d) => basename(d) === runId);
    if (!dir)
      throw new SetupError(
        `no running sandbox ${runId} serves a control socket (running: ${live.map((d) => basename(d)).join(', ') || 'none'}); start one with \`cpchaos sandbox up\``,
      );
    return controlSocketPath(dir);
  }
  if (live.length === 0) throw new SetupError('no running sandbox serves a control socket: start one with `cpchaos sandbox up`');
  if (live.length > 1)
    throw new SetupError(`${live.length} sandboxes are running (${live.map((d) => basename(d)).join(', ')}): name one with --run`);
  return controlSocketPath(live[0] as string);
}

function send(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      { socketPath, method, path, headers: payload ? { 'content-type': 'application/json' } : {}, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`the sandbox control socket ${socketPath} did not answer ${method} ${path} within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function replyOf(text: string): ControlReply {
  try {
    return JSON.parse(text) as ControlReply;
  } catch {
    return { ok: false, message: text };
  }
}

/** Applies (`fault`) or undoes (`undo`) a fault in the sandbox behind socketPath; returns its message. */
export async function controlFault(
  socketPath: string,
  op: 'fault' | 'undo',
  request: FaultRequest,
  timeoutMs = CONTROL_TIMEOUT_MS,
): Promise<string> {
  const { status, text } = await send(socketPath, 'POST', `/${op}`, request, timeoutMs);
  const reply = replyOf(text);
  if (status !== 200 || !reply.ok) throw new Error(`sandbox ${op} ${request.kind} failed (${status}): ${reply.message}`);
  return reply.message;
}

export async function controlEtcd(socketPath: string, timeoutMs = CONTROL_TIMEOUT_MS): Promise<EtcdMembership> {
  const { status, text } = await send(socketPath, 'GET', '/etcd', undefined, timeoutMs);
  if (status !== 200) throw new Error(`sandbox etcd membership failed (${status}): ${replyOf(text).message}`);
  return JSON.parse(text) as EtcdMembership;
}
