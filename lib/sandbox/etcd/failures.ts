// Turning what went wrong under an etcd call into one of the client's typed errors.
import { asInt, asObject, asString } from './codec.ts';
import { EtcdCompactedError, EtcdProtocolError, EtcdRequestError, EtcdUnavailableError } from './errors.ts';
import type { GatewayReply } from './gateway-http.ts';

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

export interface CallContext {
  readonly endpoint: string;
  readonly operation: string;
  readonly deadlineMs: number;
  /** Whether the call's own deadline passed (as opposed to the caller aborting). */
  readonly expired: () => boolean;
  readonly requestedRevision?: number;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** A call that got no reply: timeout, abort, refused, reset. Always "unavailable". */
export function transportFailure(ctx: CallContext, error: unknown): EtcdUnavailableError {
  if (ctx.expired()) {
    return new EtcdUnavailableError(ctx.endpoint, ctx.operation, `no reply within ${ctx.deadlineMs} ms`, { cause: error });
  }
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new EtcdUnavailableError(ctx.endpoint, ctx.operation, `aborted by the caller (${error.message})`, { cause: error });
  }
  return new EtcdUnavailableError(ctx.endpoint, ctx.operation, describe(error), { cause: error });
}

/** An error object as the gateway sends it, in a reply body or inside a stream. */
export function gatewayError(ctx: CallContext, httpStatus: number, body: unknown): Error {
  const o = asObject(body);
  const message = asString(o.message) || asString(o.error) || `HTTP ${httpStatus}`;
  const code = o.code !== undefined ? asInt(o.code) : o.grpc_code !== undefined ? asInt(o.grpc_code) : undefined;
  const cause = new Error(message);
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_RESOURCE_EXHAUSTED) {
    return new EtcdUnavailableError(ctx.endpoint, ctx.operation, message, { cause });
  }
  if (message.includes('required revision has been compacted')) {
    return new EtcdCompactedError(ctx.endpoint, ctx.operation, ctx.requestedRevision ?? 0, 0, { cause });
  }
  if (code === undefined && (httpStatus === 503 || httpStatus === 504)) {
    return new EtcdUnavailableError(ctx.endpoint, ctx.operation, message, { cause });
  }
  return new EtcdRequestError(ctx.endpoint, ctx.operation, code, httpStatus, message, { cause });
}

/** Parses a reply; a non-200 becomes a typed error. */
export function parseReply(ctx: CallContext, reply: GatewayReply): Record<string, unknown> {
  let body: unknown;
  try {
    body = reply.text.length > 0 ? JSON.parse(reply.text) : {};
  } catch (error) {
    if (reply.status !== 200) return failWith(gatewayError(ctx, reply.status, { message: reply.text.slice(0, 200) }));
    throw new EtcdProtocolError(ctx.endpoint, ctx.operation, `not JSON: ${reply.text.slice(0, 200)}`, { cause: error });
  }
  if (reply.status !== 200) return failWith(gatewayError(ctx, reply.status, body));
  return asObject(body);
}

function failWith(error: Error): never {
  throw error;
}
