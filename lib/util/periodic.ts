// A task run every period that never overlaps itself: a tick still running when the next is due makes that one skip.

/** Starts `tick` every `periodMs` (the first after one period); its failures go to `onError`. Returns how to stop. */
export function startPeriodic(periodMs: number, tick: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch(onError)
      .finally(() => {
        busy = false;
      });
  }, periodMs);
  return () => clearInterval(timer);
}
