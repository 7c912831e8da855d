// Test helpers: the recording fakes in fixtures/bin and what they append to $CPCHAOS_RECORD (fake-common.sh: one
// JSON array per call, the tool's name first, then its argv).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES_BIN = fileURLToPath(new URL('../../../../../fixtures/bin/', import.meta.url));
export const RECORD_COMMAND = `${FIXTURES_BIN}record-command`;
export const FAKE_IPMITOOL = `${FIXTURES_BIN}ipmitool`;

export interface Recorded {
  readonly tool: string;
  readonly argv: readonly string[];
}

export function readRecord(path: string): Recorded[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [tool = '', ...argv] = JSON.parse(line) as string[];
      return { tool, argv };
    });
}
