import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleepMs } from '../../util/wait.ts';
import { waitForFile } from './start-gate.ts';

describe('the agent start gate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-gate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens only once the file exists, told by the folder watch (its poll is an hour away)', async () => {
    const path = join(dir, 'control-planes-registered');
    let opened = false;
    const gate = waitForFile(path, 3_600_000).then(() => {
      opened = true;
    });
    writeFileSync(join(dir, 'another-file'), '');
    await sleepMs(200);
    expect(opened, 'another file does not open it').to.equal(false);
    writeFileSync(path, '');
    await gate;
    expect(opened).to.equal(true);
  });

  it('is open at once when the file is there already, and polls a folder it cannot watch', async () => {
    const there = join(dir, 'there');
    writeFileSync(there, '');
    await waitForFile(there, 3_600_000);
    const later = join(dir, 'not-yet', 'gate');
    const gate = waitForFile(later, 20);
    await sleepMs(100);
    mkdirSync(join(dir, 'not-yet'));
    writeFileSync(later, '');
    await gate;
  });
});
