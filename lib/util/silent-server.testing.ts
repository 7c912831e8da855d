// For tests: an HTTP server on 127.0.0.1 that takes every request and never answers (an API server whose answers are
// dropped, or whose machine went away), or only some, and tells whether the connections made to it were closed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SilentServer {
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  /**
   * Whether every connection accepted so far is closed, waiting for that up to `waitMs` (generous: the closing itself
   * is what is tested, not how fast it is). A request that outlives its deadline holds its connection: then false.
   */
  allClosed(waitMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** `answers` answers the requests it takes (returning true); the others are never answered. */
export async function startSilentServer(
  answers: (req: http.IncomingMessage, res: http.ServerResponse) => boolean = () => false,
): Promise<SilentServer> {
  const closes: Promise<void>[] = [];
  const server = http.createServer((req, res) => void answers(req, res));
  server.on('connection', (socket) => closes.push(new Promise((resolve) => socket.once('close', () => resolve()))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => closes.length,
    allClosed: async (waitMs = 30_000) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), waitMs);
      });
      try {
        return await Promise.race([Promise.all(closes).then(() => true), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How long a call may hang before a test calls it hung: far past any deadline under test, so no timing bound. */
export const HUNG_MS = 20_000;

/** `promise`'s outcome, or 'hung' when it has none within HUNG_MS. */
export async function outcomeOrHung<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), HUNG_MS);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
