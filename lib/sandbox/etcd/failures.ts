// Turning what went wrong under an etcd call into one of the client's typed errors.
import { EtcdCompactedError, EtcdProtocolError, EtcdRequestError, EtcdUnavailableError } from './errors.ts';
import { GrpcFramingError, GrpcStatusError } from './grpc-transport.ts';

/** gRPC codes (google.golang.org/grpc/codes) that mean "try again": etcd's no leader, timeouts, overload. */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;
const RETRYABLE = new Set([GRPC_DEADLINE_EXCEEDED, GRPC_RESOURCE_EXHAUSTED, GRPC_UNAVAILABLE]);

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

/**
 * etcd's answer as a typed error. etcd's errors (etcd api/v3rpc/rpctypes/error.go): "etcdserver: no leader",
 * "request timed out", "leader changed" are UNAVAILABLE; "mvcc: required revision has been compacted" is
 * OUT_OF_RANGE; "too many requests" is RESOURCE_EXHAUSTED.
 */
export function statusFailure(ctx: CallContext, status: GrpcStatusError): Error {
  if (RETRYABLE.has(status.code)) {
    return new EtcdUnavailableError(ctx.endpoint, ctx.operation, status.grpcMessage, { cause: status });
  }
  if (status.grpcMessage.includes('required revision has been compacted')) {
    return new EtcdCompactedError(ctx.endpoint, ctx.operation, ctx.requestedRevision ?? 0, 0, { cause: status });
  }
  return new EtcdRequestError(ctx.endpoint, ctx.operation, status.code, status.grpcMessage, { cause: status });
}

/** Whatever a call failed with, as one of the client's errors. A call that got no answer is "unavailable". */
export function callFailure(ctx: CallContext, error: unknown): Error {
  if (error instanceof GrpcStatusError) return statusFailure(ctx, error);
  if (error instanceof GrpcFramingError) {
    // A proxy's or overloaded server's 502/503/504 says "not now", as gRPC maps them (http-grpc-status-mapping.md).
    if (error.httpStatus === 502 || error.httpStatus === 503 || error.httpStatus === 504) {
      return new EtcdUnavailableError(ctx.endpoint, ctx.operation, error.message, { cause: error });
    }
    return new EtcdProtocolError(ctx.endpoint, ctx.operation, error.message, { cause: error });
  }
  if (error instanceof RangeError) {
    return new EtcdProtocolError(ctx.endpoint, ctx.operation, `undecodable reply: ${error.message}`, { cause: error });
  }
  if (ctx.expired()) {
    return new EtcdUnavailableError(ctx.endpoint, ctx.operation, `no reply within ${ctx.deadlineMs} ms`, { cause: error });
  }
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new EtcdUnavailableError(ctx.endpoint, ctx.operation, `aborted by the caller (${error.message})`, { cause: error });
  }
  return new EtcdUnavailableError(ctx.endpoint, ctx.operation, describe(error), { cause: error });
}
