// Test helpers: the recording fakes in fixtures/bin and the JSON lines they append to $CPCHAOS_RECORD.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES_BIN = fileURLToPath(new URL('../../../../fixtures/bin/', import.meta.url));
export const RECORD_COMMAND = `${FIXTURES_BIN}record-command`;
export const FAKE_IPMITOOL = `${FIXTURES_BIN}ipmitool`;

export interface Recorded {
  readonly tool: string;
  readonly argv: readonly string[];
  readonly passwordFromEnv?: boolean;
}

export function readRecord(path: string): Recorded[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Recorded);
}
