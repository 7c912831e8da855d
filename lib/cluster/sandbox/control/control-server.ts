// Serves a started sandbox's fault operations and etcd view on a unix socket (see protocol.ts). Each applied fault
// is held until its undo arrives or the server closes; closing undoes nothing itself: the cluster's stop does.
import type { AppliedFault, FaultRequest } from '../../../faults/catalogue.ts';
import type { EtcdMembership } from '../../../model/cluster.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import { errorMessage } from '../../../util/errors.ts';
import { faultKey, type ControlReply } from './protocol.ts';
import { parseFaultRequest } from './request.ts';

/** The part of a started cluster the control server uses. */
export interface ControlledCluster {
  inject(request: FaultRequest): Promise<AppliedFault>;
  etcdMembership?(): Promise<EtcdMembership | undefined>;
}

const MAX_BODY_BYTES = 64 * 1024;

export class SandboxControlServer {
  private readonly held = new Map<string, AppliedFault[]>();
  private readonly server: Server;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly cluster: ControlledCluster,
    readonly socketPath: string,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => reply(res, 500, { ok: false, message: errorMessage(error) }));
    });
  }

  static async listen(cluster: ControlledCluster, socketPath: string): Promise<SandboxControlServer> {
    const control = new SandboxControlServer(cluster, socketPath);
    rmSync(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      control.server.once('error', reject);
      control.server.listen(socketPath, () => {
        control.server.off('error', reject);
        resolve();
      });
    });
    return control;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/etcd') {
      const membership = await this.cluster.etcdMembership?.();
      if (!membership) return reply(res, 503, { ok: false, message: 'etcd membership is not available' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(membership));
      return;
    }
    if (req.method !== 'POST' || (url !== '/fault' && url !== '/undo')) {
      return reply(res, 404, { ok: false, message: `no such operation: ${req.method ?? ''} ${url} (POST /fault, POST /undo, GET /etcd)` });
    }
    let request: FaultRequest;
    try {
      request = parseFaultRequest(JSON.parse(await readBody(req)) as unknown);
    } catch (error) {
      return reply(res, 400, { ok: false, message: errorMessage(error) });
    }
    const key = faultKey(request);
    if (url === '/fault') {
      const applied = await this.cluster.inject(request);
      this.held.set(key, [...(this.held.get(key) ?? []), applied]);
      return reply(res, 200, { ok: true, message: `applied ${key}` });
    }
    const faults = this.held.get(key) ?? [];
    this.held.delete(key);
    for (const fault of faults.reverse()) await fault.undo();
    return reply(res, 200, { ok: true, message: faults.length > 0 ? `undid ${key}` : `nothing held under ${key} (already undone)` });
  }

  /** Stops serving. Held faults stay applied: stopping the cluster undoes them. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    }).finally(() => rmSync(this.socketPath, { force: true }));
    return this.closing;
  }
}

function reply(res: ServerResponse, status: number, body: ControlReply): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
