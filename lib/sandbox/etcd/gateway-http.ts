// The HTTP transport under the etcd client: JSON POSTs to the gRPC gateway over TCP or a unix socket,
// on one keep-alive agent. Errors come out raw (network error or the abort reason); the client names them.
import http from 'node:http';

export type EtcdEndpoint = { readonly socketPath: string } | { readonly url: string };

export function describeEndpoint(endpoint: EtcdEndpoint): string {
  return 'socketPath' in endpoint ? `unix:${endpoint.socketPath}` : endpoint.url;
}

export interface GatewayReply {
  readonly status: number;
  readonly text: string;
}

interface Target {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
}

function targetOf(endpoint: EtcdEndpoint): Target {
  if ('socketPath' in endpoint) return { socketPath: endpoint.socketPath };
  const url = new URL(endpoint.url);
  if (url.protocol !== 'http:') throw new TypeError(`etcd endpoint ${endpoint.url}: only http:// is supported`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 80 };
}

const RETRY = Symbol('retry on a fresh socket');

export class GatewayHttp {
  readonly label: string;
  private readonly target: Target;
  private readonly agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' });

  constructor(endpoint: EtcdEndpoint) {
    this.label = describeEndpoint(endpoint);
    this.target = targetOf(endpoint);
  }

  /** POSTs `body` as JSON and reads the whole reply. Retries once when a kept-alive socket was reset under us. */
  async post(path: string, body: unknown, signal: AbortSignal, requireLeader: boolean): Promise<GatewayReply> {
    const payload = JSON.stringify(body);
    const first = await this.postOnce(path, payload, signal, requireLeader);
    if (first !== RETRY) return first;
    const second = await this.postOnce(path, payload, signal, requireLeader);
    if (second === RETRY) throw new Error('connection reset twice');
    return second;
  }

  /** Opens a streaming POST and resolves with the response once its headers arrive. The caller owns `req`. */
  stream(
    path: string,
    body: unknown,
    signal: AbortSignal,
    requireLeader: boolean,
  ): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const req = this.request(path, requireLeader);
      const onAbort = (): void => {
        req.destroy();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      });
      req.once('response', (res) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ req, res });
      });
      req.end(JSON.stringify(body));
    });
  }

  /** Closes idle sockets; requests in flight are not affected. */
  close(): void {
    this.agent.destroy();
  }

  private request(path: string, requireLeader: boolean): http.ClientRequest {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    // grpc-gateway forwards Grpc-Metadata-* as gRPC metadata; "hasleader" makes etcd fail fast without a leader.
    if (requireLeader) headers['Grpc-Metadata-Hasleader'] = 'true';
    return http.request({ ...this.target, agent: this.agent, method: 'POST', path, headers });
  }

  private postOnce(path: string, payload: string, signal: AbortSignal, requireLeader: boolean): Promise<GatewayReply | typeof RETRY> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const req = this.request(path, requireLeader);
      let settled = false;
      const settle = (error: unknown, reply?: GatewayReply | typeof RETRY): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (reply !== undefined) resolve(reply);
        else reject(error);
      };
      const onAbort = (): void => {
        req.destroy();
        settle(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        settle(error, stale ? RETRY : undefined);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => settle(undefined, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => settle(error));
        res.on('close', () => settle(new Error('connection closed before the reply was complete')));
      });
      req.end(payload);
    });
  }
}
