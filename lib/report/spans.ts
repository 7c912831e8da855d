// Intervals of a value over run time, in ms from the start of the run.

export interface Span<V> {
  readonly fromMs: number;
  readonly toMs: number;
  readonly value: V;
}

/** Turns a sequence of (time, value) observations into spans of equal value; undefined = no span. */
export class SpanBuilder<V> {
  private readonly spans: Span<V>[] = [];
  private current: { fromMs: number; value: V } | undefined;

  constructor(private readonly same: (a: V, b: V) => boolean = (a, b) => a === b) {}

  set(atMs: number, value: V | undefined): void {
    if (this.current !== undefined && value !== undefined && this.same(this.current.value, value)) return;
    this.close(atMs);
    if (value !== undefined) this.current = { fromMs: atMs, value };
  }

  /** Closes the open span at endMs and returns all spans (zero-length ones dropped). */
  finish(endMs: number): Span<V>[] {
    this.close(endMs);
    return this.spans;
  }

  private close(atMs: number): void {
    if (this.current === undefined) return;
    if (atMs > this.current.fromMs) this.spans.push({ fromMs: this.current.fromMs, toMs: atMs, value: this.current.value });
    this.current = undefined;
  }
}
