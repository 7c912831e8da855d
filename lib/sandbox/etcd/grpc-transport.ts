// gRPC over HTTP/2 to one etcd member: etcd serves its v3 API as gRPC on every client listener, TCP or unix socket
// (etcd embed/serve.go, cmux matching HTTP/2 to the gRPC server). One HTTP/2 session per endpoint carries every call
// and watch as its own stream. The wire protocol is gRPC's PROTOCOL-HTTP2.md: POST to /<service>/<method>,
// content-type application/grpc, each message prefixed by a compressed flag and a 4-byte big-endian length, the
// outcome in the grpc-status/grpc-message trailers (or in the headers of a trailers-only reply).
// Errors come out raw (GrpcStatusError, a network error, or the abort reason); the client names them.
import http2 from 'node:http2';
import net from 'node:net';

export type EtcdEndpoint = { readonly socketPath: string } | { readonly url: string };

export function describeEndpoint(endpoint: EtcdEndpoint): string {
  return 'socketPath' in endpoint ? `unix:${endpoint.socketPath}` : endpoint.url;
}

/** A call etcd answered with a gRPC status other than OK (codes: grpc/codes, e.g. 14 UNAVAILABLE). */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    readonly grpcMessage: string,
  ) {
    super(`grpc status ${code}: ${grpcMessage}`);
    this.name = 'GrpcStatusError';
  }
}

/** A reply that breaks the gRPC framing (no status, an HTTP error, a compressed message we never asked for). */
export class GrpcFramingError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'GrpcFramingError';
  }
}

/** The 5-byte length-prefixed message of gRPC's framing. */
export function frameMessage(message: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

/** Splits a stream's DATA into gRPC messages, however the chunks fall. */
export class MessageDeframer {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds a chunk and returns the messages it completes. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + length) break;
      if (this.pending[0] !== 0) throw new GrpcFramingError('a compressed message (no compression was negotiated)');
      messages.push(this.pending.subarray(5, 5 + length));
      this.pending = this.pending.subarray(5 + length);
    }
    return messages;
  }

  /** Bytes of an incomplete message left over. */
  get leftover(): number {
    return this.pending.length;
  }
}

type Headers = http2.IncomingHttpHeaders;

/** The gRPC status of a reply, from its trailers or from the headers of a trailers-only reply. */
export function statusOf(headers: Headers | undefined, trailers: Headers | undefined): GrpcStatusError | 'ok' | undefined {
  const source = trailers?.['grpc-status'] !== undefined ? trailers : headers?.['grpc-status'] !== undefined ? headers : undefined;
  if (!source) return undefined;
  const code = Number(source['grpc-status']);
  if (code === 0) return 'ok';
  const raw = source['grpc-message'];
  let message = typeof raw === 'string' ? raw : '';
  try {
    message = decodeURIComponent(message);
  } catch {
    // not percent-encoded as the spec asks: keep it as sent
  }
  return new GrpcStatusError(code, message);
}

const LOCAL_WINDOW_BYTES = 8 << 20;

export class GrpcTransport {
  readonly label: string;
  private readonly authority: string;
  private readonly socketPath: string | undefined;
  private session: http2.ClientHttp2Session | undefined;
  private activeStreams = 0;
  private pinging = false;

  constructor(endpoint: EtcdEndpoint) {
    this.label = describeEndpoint(endpoint);
    if ('socketPath' in endpoint) {
      this.socketPath = endpoint.socketPath;
      this.authority = 'http://localhost';
    } else {
      const url = new URL(endpoint.url);
      if (url.protocol !== 'http:') throw new TypeError(`etcd endpoint ${endpoint.url}: only http:// is supported`);
      this.authority = `http://${url.host}`;
    }
  }

  /** One request message, one reply message. Resolves with the reply's bytes. */
  unary(path: string, request: Buffer, signal: AbortSignal, requireLeader: boolean, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.open(path, requireLeader, timeoutMs);
      } catch (error) {
        reject(error);
        return;
      }
      const chunks: Buffer[] = [];
      let headers: Headers | undefined;
      let trailers: Headers | undefined;
      let settled = false;
      const settle = (error: unknown, reply?: Buffer): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (reply) resolve(reply);
        else reject(error);
      };
      const onAbort = (): void => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        settle(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      stream.on('response', (h) => (headers = h));
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => settle(error));
      stream.on('close', () => {
        const status = statusOf(headers, trailers);
        if (status instanceof GrpcStatusError) return settle(status);
        if (status === undefined) return settle(noStatus(headers, stream.rstCode));
        const messages = new MessageDeframer();
        let replies: Buffer[];
        try {
          replies = messages.push(Buffer.concat(chunks));
        } catch (error) {
          return settle(error);
        }
        const reply = replies[0];
        if (replies.length !== 1 || !reply || messages.leftover > 0) {
          return settle(new GrpcFramingError(`expected one reply message, got ${replies.length} (+${messages.leftover} bytes)`));
        }
        settle(undefined, reply);
      });
      stream.end(frameMessage(request));
    });
  }

  /**
   * Opens a bidirectional stream (a watch). The caller writes framed messages and owns the stream; close it with
   * NGHTTP2_CANCEL to cancel.
   */
  openStream(path: string, requireLeader: boolean): http2.ClientHttp2Stream {
    return this.open(path, requireLeader);
  }

  /**
   * After a call ran out its deadline: pings the connection and drops it when the ping is not answered within
   * `timeoutMs`, so that a dead connection (a peer gone without a reset) does not hold up every later call.
   * A live connection answers even while etcd itself cannot (a minority member's read), and is kept.
   */
  checkConnection(timeoutMs: number): void {
    const session = this.session;
    if (!session || this.pinging || session.destroyed) return;
    this.pinging = true;
    const timer = setTimeout(() => {
      this.pinging = false;
      session.destroy(new Error(`connection to etcd ${this.label} did not answer a ping within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const answered = (error: Error | null): void => {
      clearTimeout(timer);
      this.pinging = false;
      if (error) session.destroy(error);
    };
    try {
      if (!session.ping(answered)) answered(null);
    } catch (error) {
      answered(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Closes the connection once its streams are done; a later call opens a new one. */
  close(): void {
    const session = this.session;
    this.session = undefined;
    session?.close();
  }

  private open(path: string, requireLeader: boolean, timeoutMs?: number): http2.ClientHttp2Stream {
    const session = this.connect();
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    };
    if (timeoutMs !== undefined) headers['grpc-timeout'] = `${Math.max(1, Math.ceil(timeoutMs))}m`;
    // etcd's "hasleader" metadata (rpctypes.MetadataRequireLeaderKey): fail fast with "no leader" instead of waiting.
    if (requireLeader) headers.hasleader = 'true';
    const stream = session.request(headers);
    if (this.activeStreams++ === 0) session.ref();
    stream.once('close', () => {
      if (--this.activeStreams === 0 && !session.destroyed) session.unref();
    });
    return stream;
  }

  private connect(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const socketPath = this.socketPath;
    const session = http2.connect(this.authority, {
      settings: { enablePush: false, initialWindowSize: LOCAL_WINDOW_BYTES },
      ...(socketPath !== undefined ? { createConnection: () => net.connect(socketPath) } : {}),
    });
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    // A connection's failure reaches each of its streams as their own error; the session's is only noted here.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    session.once('connect', () => {
      if (!session.destroyed) session.setLocalWindowSize(LOCAL_WINDOW_BYTES);
    });
    session.unref();
    this.session = session;
    return session;
  }
}

function noStatus(headers: Headers | undefined, rstCode: number | undefined): Error {
  const httpStatus = headers?.[':status'];
  if (typeof httpStatus === 'number' && httpStatus !== 200) {
    return new GrpcFramingError(`HTTP ${httpStatus} without a gRPC status`, httpStatus);
  }
  if (rstCode !== undefined && rstCode !== http2.constants.NGHTTP2_NO_ERROR) {
    return new Error(`stream reset by etcd (HTTP/2 error code ${rstCode})`);
  }
  return new Error(headers ? 'reply ended without a gRPC status' : 'connection closed before a reply');
}
