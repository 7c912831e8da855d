// Kubernetes list-watch, as client-node's informer does it, with what a recorder needs on top: every (re)list is
// reported as a sync (so deletions missed while blind are recovered), the blind time between losing a watch and the
// next successful list is reported as a gap, a 410 Gone relists at once, and other errors relist after a delay.
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { closableWatchConfig } from '../util/api-deadline.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListResult<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

export interface ListWatchOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** API path to watch, e.g. /api/v1/nodes. */
  readonly path: string;
  readonly list: () => Promise<ListResult<T>>;
  readonly onSync: (items: readonly T[]) => void;
  readonly onEvent: (type: WatchEventType, object: T) => void;
  readonly onGap: (fromMs: number, toMs: number, reason: string) => void;
  /** Delay before relisting after an error (injectable for tests). */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
}

export class ListWatcher<T extends KubernetesObject> {
  private abort: AbortController | undefined;
  /** Closes the connection of a watch whose response has not begun yet (stop: else it stays open, unanswered). */
  private closeOpening: (() => void) | undefined;
  private stopped = false;
  private blindSinceMs: number | undefined;
  private blindReason = '';
  private timer: NodeJS.Timeout | undefined;
  private firstList: Promise<void> | undefined;

  constructor(private readonly options: ListWatchOptions<T>) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Resolves after the first successful list (or rejects with its error). */
  start(): Promise<void> {
    this.firstList = this.listAndWatch(true);
    return this.firstList;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
    this.closeOpening?.();
  }

  private blind(reason: string): void {
    if (this.blindSinceMs === undefined) {
      this.blindSinceMs = this.now();
      this.blindReason = reason;
    }
  }

  private scheduleRelist(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.listAndWatch(false).catch(() => undefined), delayMs);
  }

  private async listAndWatch(first: boolean): Promise<void> {
    if (this.stopped) return;
    let listed: ListResult<T>;
    try {
      listed = await this.options.list();
    } catch (error) {
      this.blind(`list failed: ${messageOf(error)}`);
      this.scheduleRelist(this.options.retryDelayMs ?? 500);
      if (first) throw error;
      return;
    }
    if (this.stopped) return;
    if (this.blindSinceMs !== undefined) {
      this.options.onGap(this.blindSinceMs, this.now(), this.blindReason);
      this.blindSinceMs = undefined;
    }
    this.options.onSync(listed.items);
    await this.watchFrom(listed.resourceVersion);
  }

  private async watchFrom(resourceVersion: string): Promise<void> {
    if (this.stopped) return;
    let lastVersion = resourceVersion;
    const connection = closableWatchConfig(this.options.kubeConfig);
    this.closeOpening = connection.close;
    const watch = new Watch(connection.config);
    let ended = false;
    const done = (error: unknown): void => {
      if (ended) return;
      ended = true;
      if (this.stopped) return;
      if (isGone(error)) {
        // The version we would resume from is compacted: only a relist can tell what happened meanwhile.
        this.blind('watch expired (410 Gone)');
        this.scheduleRelist(0);
        return;
      }
      // Any other end (an error, a server closing the stream, a dead connection): resume from the last version
      // seen, as a reflector does. Resuming replays every change since, so nothing is missed unless it fails.
      this.blind(error ? `watch failed: ${messageOf(error)}` : 'watch closed by the server');
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.watchFrom(lastVersion), error ? (this.options.retryDelayMs ?? 100) : 0);
    };
    try {
      this.abort = await watch.watch(
        this.options.path,
        { resourceVersion, allowWatchBookmarks: true },
        (phase, object: T) => {
          if (phase === 'ERROR') {
            done(object);
            return;
          }
          const version = object?.metadata?.resourceVersion;
          if (version) lastVersion = version;
          if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') this.options.onEvent(phase, object);
        },
        done,
      );
      // Connected again from a version the server still has: the changes in between are replayed, no gap.
      if (!ended) this.blindSinceMs = undefined;
    } catch (error) {
      done(error);
    } finally {
      if (this.closeOpening === connection.close) this.closeOpening = undefined;
    }
    // Stopped while the watch was opening: it is open now (its response began), and nothing else would end it.
    if (this.stopped) this.abort?.abort();
  }
}

function isGone(error: unknown): boolean {
  const e = error as { code?: unknown; statusCode?: unknown; reason?: unknown } | undefined;
  return e?.code === 410 || e?.statusCode === 410 || e?.reason === 'Expired' || e?.reason === 'Gone';
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? '';
  const e = error as { message?: unknown } | undefined;
  return typeof e?.message === 'string' ? e.message : String(error);
}
