// Raw requests to a Kubernetes API through a KubeConfig, for paths the generated clients do not cover (KubeVirt's
// subresources). The KubeConfig supplies the agent (CA, client certificate, proxy) and the Authorization header
// through applyToHTTPSOptions; node:http(s) carries the request, since the global fetch ignores agents.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeRequest {
  readonly method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** Path below the cluster's server URL: /apis/subresources.kubevirt.io/v1/... */
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly timeoutMs: number;
}

/** A non-2xx answer; `status` is the HTTP status, the message quotes the server's Status message. */
export class KubeRequestError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${method} ${url}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'KubeRequestError';
  }
}

/** The URL a request goes to (for messages and dry-run lines). */
export function requestUrl(kc: KubeConfig, path: string): string {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error(`kubeconfig context "${kc.getCurrentContext()}" has no cluster server`);
  return `${server.replace(/\/$/, '')}${path}`;
}

function statusMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not a Status object
  }
  return text.slice(0, 300);
}

/** Sends one request; resolves with the parsed JSON body (undefined when empty), rejects on non-2xx or timeout. */
export async function kubeRequest(kc: KubeConfig, request: KubeRequest): Promise<unknown> {
  const url = requestUrl(kc, request.path);
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const options: https.RequestOptions = {
    method: request.method,
    headers: {
      Accept: 'application/json',
      ...(body === undefined
        ? {}
        : { 'Content-Type': request.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) }),
    },
  };
  await kc.applyToHTTPSOptions(options);
  const client = url.startsWith('https:') ? https : http;
  return new Promise<unknown>((resolvePromise, reject) => {
    const req = client.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          reject(new KubeRequestError(request.method, url, status, statusMessage(text)));
          return;
        }
        try {
          resolvePromise(text.trim() === '' ? undefined : (JSON.parse(text) as unknown));
        } catch {
          resolvePromise(text);
        }
      });
    });
    req.setTimeout(request.timeoutMs, () => {
      req.destroy(new Error(`${request.method} ${url}: no answer within ${request.timeoutMs} ms`));
    });
    req.on('error', reject);
    req.end(body);
  });
}
