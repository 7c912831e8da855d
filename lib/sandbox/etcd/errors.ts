// Errors raised by the etcd gateway client. Each names the endpoint and the operation, and carries its cause.

/** etcd could not answer in time, refused the connection, or reported itself unavailable (no leader, timeout). */
export class EtcdUnavailableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly operation: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`etcd ${endpoint}: ${operation} failed: ${detail}`, options);
    this.name = 'EtcdUnavailableError';
  }
}

/** The revision asked for has been compacted away; `compactRevision` is the oldest revision still kept. */
export class EtcdCompactedError extends Error {
  constructor(
    readonly endpoint: string,
    readonly operation: string,
    readonly requestedRevision: number,
    readonly compactRevision: number,
    options?: { cause?: unknown },
  ) {
    super(
      `etcd ${endpoint}: ${operation} failed: revision ${requestedRevision} has been compacted` +
        (compactRevision > 0 ? ` (compacted up to ${compactRevision})` : ''),
      options,
    );
    this.name = 'EtcdCompactedError';
  }
}

/** etcd answered with an error that is not about availability (bad request, future revision, ...). */
export class EtcdRequestError extends Error {
  constructor(
    readonly endpoint: string,
    readonly operation: string,
    readonly grpcCode: number | undefined,
    readonly httpStatus: number,
    readonly etcdMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`etcd ${endpoint}: ${operation} failed (HTTP ${httpStatus}, grpc code ${grpcCode ?? '?'}): ${etcdMessage}`, options);
    this.name = 'EtcdRequestError';
  }
}

/** A reply that does not look like the gateway's JSON. */
export class EtcdProtocolError extends Error {
  constructor(
    readonly endpoint: string,
    readonly operation: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`etcd ${endpoint}: ${operation}: unexpected reply: ${detail}`, options);
    this.name = 'EtcdProtocolError';
  }
}
