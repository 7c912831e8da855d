import { expect } from 'chai';
import { startPeriodic } from './periodic.ts';
import { sleepMs, waitFor } from './wait.ts';

describe('util/periodic', () => {
  it('never runs a tick while the previous one runs, reports failures, and stops', async () => {
    let running = 0;
    let overlapped = false;
    let ticks = 0;
    const errors: unknown[] = [];
    const stop = startPeriodic(
      5,
      async () => {
        running++;
        overlapped ||= running > 1;
        ticks++;
        await sleepMs(30);
        running--;
        if (ticks === 2) throw new Error('second tick failed');
      },
      (error) => errors.push(error),
    );
    await waitFor('three ticks', () => ticks >= 3, { timeoutMs: 10_000, intervalMs: 5 });
    stop();
    const stoppedAt = ticks;
    await sleepMs(100);
    expect(overlapped).to.equal(false);
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['second tick failed']);
    expect(ticks - stoppedAt).to.be.at.most(1); // a tick already running when stopped ends; none starts after
  });
});
