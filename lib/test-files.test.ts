// package.json's test:unit names the spec files in the order mocha's workers take them (two at a time): the kind
// twin's file first, as it is the longest (the smoke scenarios on the twin, 5-11 minutes), so the other worker runs
// the rest beside it. mocha does not drop a file named twice, so the globs must list every test file exactly once.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'glob';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function testFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFilesUnder(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The spec arguments of a mocha command line: what is not an option or an option's value. */
function specArguments(command: string): string[] {
  const words = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
  expect(words[0]).to.equal('mocha');
  const specs: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '--jobs') i++;
    else if (!word.startsWith('-')) specs.push(word);
  }
  return specs;
}

describe("package.json's test:unit", () => {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['test:unit'];

  it('runs every test file exactly once, two files at a time, the kind twin first', () => {
    expect(script).to.match(/^mocha --parallel --jobs 2 /);
    const specs = specArguments(script ?? '');
    expect(specs[0]).to.equal('fixtures/kind-twin/twin.test.ts');
    const run = specs.flatMap((spec) => globSync(spec, { cwd: ROOT, nodir: true }).map((f) => relative('.', f)));
    const everyFile = ['lib', 'fixtures', 'suites', 'bench'].flatMap((dir) => testFilesUnder(dir)).sort();
    expect([...run].sort()).to.deep.equal(everyFile);
  });
});
