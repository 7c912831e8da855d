// Writes schema/scenario.schema.json from the scenario schema in code.
//   node --import tsx lib/scenario/write-json-schema.ts          write it
//   node --import tsx lib/scenario/write-json-schema.ts --check  exit 1 if the file is stale
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderScenarioJsonSchema } from './schema.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url));

async function main(check: boolean): Promise<void> {
  const text = renderScenarioJsonSchema();
  if (check) {
    const current = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${SCHEMA_FILE} is stale: run node --import tsx lib/scenario/write-json-schema.ts\n`);
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(SCHEMA_FILE, text);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.includes('--check'));
}
