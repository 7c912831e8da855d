// The recorder: one typed, timestamped, append-only history for a whole run. Listeners (progress output, live
// oracles, reporters) see each event as it is recorded.
import type { History, HistoryEvent } from './history.ts';

type Distribute<T> = T extends unknown ? Omit<T, 'seq' | 't'> & { t?: number } : never;
export type NewHistoryEvent = Distribute<HistoryEvent>;

export type HistoryListener = (event: HistoryEvent) => void;

export class Recorder {
  private readonly events: HistoryEvent[] = [];
  private readonly listeners = new Set<HistoryListener>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  record(event: NewHistoryEvent): HistoryEvent {
    const last = this.events.at(-1)?.t ?? 0;
    // t never goes backwards, so "before" by seq and by t agree.
    const full = { ...event, seq: this.seq++, t: Math.max(event.t ?? this.now(), last) } as HistoryEvent;
    this.events.push(full);
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A listener's failure must not lose the event for the others.
      }
    }
    return full;
  }

  subscribe(listener: HistoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get history(): History {
    return this.events;
  }
}
