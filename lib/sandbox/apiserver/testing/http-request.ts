// Raw HTTP against the API server for tests (TCP or unix socket), and a line reader for watch streams.
import http from 'node:http';
import { DeadlineError } from '../../../util/errors.ts';

export type Target = { readonly url: string } | { readonly socketPath: string };

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  json(): Record<string, unknown>;
}

function options(target: Target, method: string, path: string, headers: Record<string, string>): http.RequestOptions {
  if ('socketPath' in target) return { socketPath: target.socketPath, method, path, headers };
  const url = new URL(path, target.url);
  return { host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers };
}

export function request(
  target: Target,
  method: string,
  path: string,
  init: { readonly body?: unknown; readonly headers?: Record<string, string>; readonly timeoutMs?: number } = {},
): Promise<Reply> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
    ...init.headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(
      { ...options(target, method, path, headers), signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface WatchEventLine {
  readonly type: string;
  readonly object: Record<string, unknown>;
}

/** A streaming GET whose body is read line by line. */
export class LineStream {
  readonly lines: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  private req: http.ClientRequest | undefined;
  private readonly opened: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(target: Target, path: string, headers: Record<string, string> = {}) {
    let buffer = '';
    this.opened = new Promise((resolve, reject) => {
      const req = http.request(options(target, 'GET', path, headers), (res) => {
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        resolve();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let i = buffer.indexOf('\n');
          while (i >= 0) {
            this.lines.push(buffer.slice(0, i));
            buffer = buffer.slice(i + 1);
            i = buffer.indexOf('\n');
          }
          this.wake();
        });
        const end = (): void => {
          if (buffer.length > 0) this.lines.push(buffer);
          buffer = '';
          this.ended = true;
          this.wake();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      });
      this.req = req;
      req.on('error', (error) => {
        this.ended = true;
        this.wake();
        reject(error);
      });
      req.end();
    });
    this.opened.catch(() => undefined);
  }

  async open(): Promise<this> {
    await this.opened;
    return this;
  }

  /** Parsed watch events so far (blank heartbeat lines skipped). */
  events(): WatchEventLine[] {
    return this.lines.filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as WatchEventLine);
  }

  /** Waits until `predicate` holds over the lines read so far, or the stream ends, or `timeoutMs` passes. */
  async waitFor(what: string, predicate: (s: this) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() >= deadline) throw new DeadlineError(`${what} (lines so far: ${JSON.stringify(this.lines).slice(0, 500)})`, timeoutMs);
      if (this.ended && !predicate(this))
        throw new Error(`stream ended before ${what} (lines: ${JSON.stringify(this.lines).slice(0, 500)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.req?.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
