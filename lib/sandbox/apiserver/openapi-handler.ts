// GET /openapi/v2 and /openapi/v3[/<group version>]: the documents of openapi.ts, with an ETag (the document's hash,
// as kube-openapi's handlers send) and 304 for a matching If-None-Match. /openapi/v2 is served as JSON only: a client
// that accepts nothing but the protobuf encoding gets 406 (client-go's OpenAPISchema asks for protobuf; kubectl then
// uses /openapi/v3, see openapi.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-io.ts';
import { documentHash, openApiV2, openApiV3GroupVersion, openApiV3Index } from './openapi.ts';
import { ApiError, pathNotFound } from './status.ts';

export type OpenApiRoute = { readonly kind: 'openapiV2' } | { readonly kind: 'openapiV3'; readonly path: string };

/** Whether an Accept header admits JSON (no header, or application/json, application/*, * / *). */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const mediaType = part.split(';')[0]?.trim().toLowerCase();
    return mediaType === 'application/json' || mediaType === 'application/*' || mediaType === '*/*';
  });
}

function notAcceptable(): ApiError {
  return new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
}

let v2Cache: { doc: Record<string, unknown>; etag: string } | undefined;

export function serveOpenApi(req: IncomingMessage, res: ServerResponse, route: OpenApiRoute): void {
  let doc: Record<string, unknown> | undefined;
  let etag: string;
  if (route.kind === 'openapiV2') {
    if (!acceptsJson(req.headers.accept)) throw notAcceptable();
    v2Cache ??= (() => {
      const v2 = openApiV2();
      return { doc: v2, etag: `"${documentHash(v2)}"` };
    })();
    doc = v2Cache.doc;
    etag = v2Cache.etag;
  } else {
    doc = route.path === '' ? openApiV3Index() : openApiV3GroupVersion(route.path);
    if (!doc) throw pathNotFound();
    etag = `"${documentHash(doc)}"`;
  }
  res.setHeader('ETag', etag);
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  sendJson(res, 200, doc);
}
