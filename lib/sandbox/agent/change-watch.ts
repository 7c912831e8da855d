// When a polling loop of the agent needs to list again. The kubelet learns of its pods, and so of a promote Job's pod,
// through a watch (its apiserver pod source); the sandbox's kubelet pod sync and Job runner keep their lists — the
// list stays the truth they act on — but list only when a watch on the same objects saw an event since their last
// list, when that watch is not open (starting, ended, reconnecting: then on every tick, as without it), or when
// resyncMs has passed (as an informer's resync: a watch on a server cut off from the others stalls without ending).
import { Watch } from '@kubernetes/client-node';
import { closableWatchConfig } from '../../util/api-deadline.ts';
import type { FailoverApiClient, ListTrigger } from './api-client.ts';

export interface ChangeWatchOptions {
  /** List at least this often even without events. */
  readonly resyncMs: number;
  /** Wait this long before opening an ended watch again. */
  readonly retryMs: number;
  /** Give up on a watch whose response has not begun after this long (a server that does not answer). */
  readonly connectDeadlineMs: number;
  readonly onError?: (what: string, error: unknown) => void;
  /** Told of each event (after it made a list due): a loop that would rather not wait for its next tick. */
  readonly onEvent?: () => void;
  readonly nowMs?: () => number;
}

export class ChangeWatch implements ListTrigger {
  private stale = true;
  private open = false;
  private lastListMs = Number.NEGATIVE_INFINITY;
  /** Each opening gets a number; callbacks of an older one are ignored, and its late connection aborted. */
  private generation = 0;
  private abort: AbortController | undefined;
  /** Closes the connection of a watch whose response has not begun yet. */
  private closeOpening: (() => void) | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly api: FailoverApiClient,
    /** The collection's path, e.g. /api/v1/pods. */
    private readonly path: string,
    private readonly query: Readonly<Record<string, string>>,
    private readonly options: ChangeWatchOptions,
  ) {}

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.retry);
    this.abort?.abort();
    this.closeOpening?.();
  }

  /** Whether the loop should list now. A yes counts as the list: events from now on make the next one due. */
  listDue(): boolean {
    const now = (this.options.nowMs ?? Date.now)();
    if (this.open && !this.stale && now - this.lastListMs < this.options.resyncMs) return false;
    this.stale = false;
    this.lastListMs = now;
    return true;
  }

  /** The list failed or left work undone: list on the next tick again. */
  listAgain(): void {
    this.stale = true;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const set = this.api.currentSet();
    if (!set) return this.reconnectLater(generation);
    let abandoned = false;
    const ended = (error: unknown): void => {
      if (abandoned || generation !== this.generation) return;
      this.open = false;
      this.stale = true;
      if (error) this.options.onError?.(`watch of ${this.path}`, error);
      this.reconnectLater(generation);
    };
    const connection = closableWatchConfig(set.kubeConfig);
    this.closeOpening = connection.close;
    // From resourceVersion 0: its first events are the API server's cached objects (what a reflector lists first),
    // not a read of etcd; any of them only makes a list due, as the events after them do.
    const opening = new Watch(connection.config).watch(
      this.path,
      { resourceVersion: '0', ...this.query },
      () => {
        if (generation !== this.generation) return;
        this.stale = true;
        this.options.onEvent?.();
      },
      ended,
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.options.connectDeadlineMs);
    });
    const opened = await Promise.race([opening, deadline]);
    clearTimeout(timer);
    if (this.closeOpening === connection.close) this.closeOpening = undefined;
    if (opened === 'deadline') {
      // The response never began: close its connection (else it stays open as long as the server does not answer) and
      // try again (the current server may have changed). The closed request's own failure is no news.
      ended(new Error(`no answer within ${this.options.connectDeadlineMs} ms`));
      abandoned = true;
      connection.close();
      void opening.then((controller) => controller.abort());
      return;
    }
    if (generation !== this.generation) {
      opened.abort();
      return;
    }
    this.abort = opened;
    // watch() resolves after a failed request too (done already called): only a live one counts as open.
    if (!opened.signal.aborted) this.open = true;
  }

  private reconnectLater(generation: number): void {
    if (this.stopped || generation !== this.generation) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), this.options.retryMs);
  }
}
