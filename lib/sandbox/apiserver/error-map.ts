// Any failure under a request, as the ApiError (and so the Status) a Kubernetes client expects.
import { EtcdCompactedError, EtcdRequestError, EtcdUnavailableError } from '../etcd/errors.ts';
import { SelectorParseError } from './label-selector.ts';
import { PatchError } from './patch-error.ts';
import { ApiError, badRequest, expired, internal, unavailable } from './status.ts';

export function toApiError(error: unknown, deadline?: { readonly expired: boolean; readonly deadlineMs: number }): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EtcdCompactedError) {
    return expired(`too old resource version: ${error.requestedRevision} (${error.compactRevision})`);
  }
  if (error instanceof EtcdUnavailableError) {
    const prefix = deadline?.expired ? `request deadline of ${deadline.deadlineMs} ms exceeded: ` : '';
    return unavailable(`${prefix}${error.message}`, error);
  }
  if (error instanceof EtcdRequestError) return internal(error.message, error);
  if (error instanceof SelectorParseError) return badRequest(error.message, error);
  if (error instanceof PatchError) {
    return error.kind === 'malformed'
      ? badRequest(error.message, error)
      : new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${error.message}`, undefined, {
          cause: error,
        });
  }
  return internal(error instanceof Error ? error.message : String(error), error);
}
