// The kill switch: creating a file (default $CPCHAOS_STATE_DIR/killswitch) or sending SIGUSR1 to the harness stops
// fault injection and undoes every fault. The file is polled for as long as the run lasts (no deadline: it waits
// for a person); the handler runs once.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stateRoot } from '../../../faults/journal.ts';

export interface KillSwitchOptions {
  /** The file whose existence trips the switch (default: killswitch in the state folder). */
  readonly path?: string;
  /** The signal that trips it (default SIGUSR1); false for none. */
  readonly signal?: NodeJS.Signals | false;
  /** How often the file is looked for (default 500 ms). */
  readonly intervalMs?: number;
}

export function defaultKillSwitchPath(): string {
  return join(stateRoot(), 'killswitch');
}

export class KillSwitch implements Disposable {
  readonly path: string;
  readonly signal: NodeJS.Signals | false;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private signalHandler: (() => void) | undefined;
  private onTrip: ((reason: string) => void | Promise<void>) | undefined;
  private reasonText: string | undefined;
  private handled: Promise<void> | undefined;

  constructor(options: KillSwitchOptions = {}) {
    this.path = options.path ?? defaultKillSwitchPath();
    this.signal = options.signal ?? 'SIGUSR1';
    this.intervalMs = options.intervalMs ?? 500;
  }

  /** Why it tripped, or undefined while it has not. */
  get reason(): string | undefined {
    return this.reasonText;
  }

  get tripped(): boolean {
    return this.reasonText !== undefined;
  }

  /** Whether the file is there now (a left-over file should stop a run before it starts). */
  fileExists(): boolean {
    return existsSync(this.path);
  }

  /** Starts watching; `onTrip` runs once, when the file appears or the signal arrives. */
  watch(onTrip: (reason: string) => void | Promise<void>): void {
    if (this.onTrip) throw new Error('the kill switch is already being watched');
    this.onTrip = onTrip;
    this.timer = setInterval(() => {
      if (this.fileExists()) this.trip(`kill switch file ${this.path} exists`);
    }, this.intervalMs);
    this.timer.unref();
    if (this.signal) {
      const signal = this.signal;
      this.signalHandler = () => this.trip(`received ${signal}`);
      process.on(signal, this.signalHandler);
    }
  }

  /** Trips the switch (also by hand); later trips do nothing. */
  trip(reason: string): void {
    if (this.reasonText !== undefined) return;
    this.reasonText = reason;
    // The file need not be polled any more; the signal handler stays until dispose(), so a second SIGUSR1 does not
    // fall through to Node's default (starting the inspector).
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const onTrip = this.onTrip;
    this.handled = (async () => {
      await onTrip?.(reason);
    })();
    // The outcome is awaited through settled(); an unhandled rejection must not crash the harness meanwhile.
    this.handled.catch(() => undefined);
  }

  /** Resolves when the trip handler has finished (at once if it never tripped); rejects with its error. */
  settled(): Promise<void> {
    return this.handled ?? Promise.resolve();
  }

  private stopWatching(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.signal && this.signalHandler) process.off(this.signal, this.signalHandler);
    this.signalHandler = undefined;
  }

  /** Stops watching (the file and the signal); idempotent. */
  dispose(): void {
    this.stopWatching();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
