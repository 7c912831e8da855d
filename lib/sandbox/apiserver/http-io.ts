// Reading request bodies (bounded, with a deadline) and writing JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from './status.ts';

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.statusCode = code;
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.code, error.toStatus());
}

/** Plain-text-ish health replies (still labelled application/json, as every reply here). */
export function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = code;
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function readBody(req: IncomingMessage, signal: AbortSignal, limitBytes = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: unknown, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (body) resolve(body);
      else reject(error);
    };
    const onAbort = (): void => settle(badRequest('the request body did not arrive before the request deadline'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        settle(new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than ${limitBytes} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle(undefined, Buffer.concat(chunks)));
    req.on('error', (error) => settle(badRequest(`reading the request body failed: ${error.message}`, error)));
  });
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
