import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../util/wait.ts';
import { KillSwitch } from './kill-switch.ts';

describe('kill switch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-killswitch-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('trips once when the file appears', async () => {
    const path = join(dir, 'killswitch');
    const trips: string[] = [];
    const ks = new KillSwitch({ path, signal: false, intervalMs: 20 });
    ks.watch((reason) => {
      trips.push(reason);
    });
    try {
      expect(ks.tripped).to.equal(false);
      writeFileSync(path, '');
      await waitFor('the kill switch to trip on its file', () => ks.tripped, { timeoutMs: 2000, intervalMs: 10 });
      await ks.settled();
      ks.trip('by hand');
      expect(trips).to.deep.equal([`kill switch file ${path} exists`]);
    } finally {
      ks.dispose();
    }
  });

  it('trips on SIGUSR1, waits for the handler, and stops listening when disposed', async () => {
    const ks = new KillSwitch({ path: join(dir, 'never'), intervalMs: 20 });
    let undone = false;
    ks.watch(async () => {
      await new Promise((r) => setTimeout(r, 30));
      undone = true;
    });
    const listeners = process.listenerCount('SIGUSR1');
    try {
      process.kill(process.pid, 'SIGUSR1');
      await waitFor('the kill switch to trip on SIGUSR1', () => ks.tripped, { timeoutMs: 2000, intervalMs: 10 });
      expect(ks.reason).to.equal('received SIGUSR1');
      await ks.settled();
      expect(undone).to.equal(true);
    } finally {
      ks.dispose();
    }
    expect(process.listenerCount('SIGUSR1')).to.equal(listeners - 1);
  });

  it("reports the handler's failure through settled()", async () => {
    const ks = new KillSwitch({ path: join(dir, 'never'), signal: false });
    ks.watch(() => Promise.reject(new Error('undo failed')));
    ks.trip('by hand');
    let caught: unknown;
    await ks.settled().catch((error: unknown) => {
      caught = error;
    });
    ks.dispose();
    expect((caught as Error).message).to.equal('undo failed');
  });
});
