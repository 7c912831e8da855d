// The import graph of lib/ runs one way (ARCHITECTURE.md): each module may import only the modules listed for it
// here, and production code never imports a test-only module (a `testing/` folder or a `*.testing.ts` file).
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = dirname(fileURLToPath(import.meta.url));

/** Module -> the modules it may import (besides itself). Lower layers come later in this list. */
export const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  cli: [
    'explore',
    'run',
    'cluster',
    'report',
    'oracles',
    'observe',
    'scenario',
    'sandbox',
    'faults',
    'harvester',
    'model',
    'schema',
    'util',
  ],
  index: [
    'explore',
    'run',
    'cluster',
    'report',
    'oracles',
    'observe',
    'scenario',
    'sandbox',
    'faults',
    'harvester',
    'model',
    'schema',
    'util',
  ],
  explore: ['run', 'cluster', 'report', 'oracles', 'observe', 'scenario', 'sandbox', 'faults', 'harvester', 'model', 'schema', 'util'],
  run: ['cluster', 'report', 'oracles', 'observe', 'scenario', 'sandbox', 'faults', 'harvester', 'model', 'schema', 'util'],
  cluster: ['sandbox', 'observe', 'faults', 'harvester', 'model', 'schema', 'util'],
  report: ['oracles', 'observe', 'scenario', 'faults', 'harvester', 'model', 'util'],
  oracles: ['observe', 'faults', 'harvester', 'model', 'util'],
  observe: ['faults', 'harvester', 'model', 'schema', 'util'],
  scenario: ['faults', 'harvester', 'model', 'schema', 'util'],
  sandbox: ['faults', 'harvester', 'model', 'schema', 'util'],
  faults: ['model', 'util'],
  harvester: ['model', 'util'],
  schema: ['util'],
  model: [],
  util: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

export function moduleOf(file: string): string {
  const first = relative(LIB, file).split('/')[0] ?? '';
  return first.replace(/(\.test)?\.ts$/, '');
}

export function isTestOnly(file: string): boolean {
  return file.endsWith('.test.ts') || file.endsWith('.testing.ts') || file.split('/').includes('testing');
}

export function relativeImports(source: string): string[] {
  const specs: string[] = [];
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s*'(\.[^']+)'/g)) specs.push(match[1] ?? '');
  for (const match of source.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) specs.push(match[1] ?? '');
  return specs;
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

function edges(): Edge[] {
  return sourceFiles(LIB).flatMap((file) =>
    relativeImports(readFileSync(file, 'utf8')).map((spec) => ({ from: file, to: resolve(dirname(file), spec) })),
  );
}

describe('architecture: the import graph of lib/', () => {
  const all = edges();

  it('finds the imports it checks (the scan is not empty)', () => {
    expect(all.length).to.be.greaterThan(300);
    expect(all.some((e) => moduleOf(e.from) === 'run' && moduleOf(e.to) === 'cluster')).to.equal(true);
  });

  it('names every folder of lib/ as a module', () => {
    const modules = readdirSync(LIB, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(modules.filter((m) => !(m in ALLOWED_IMPORTS))).to.deep.equal([]);
  });

  it('runs one way: no module imports one it is not allowed to', () => {
    const wrong = all
      .filter((e) => !e.from.endsWith('.test.ts') || moduleOf(e.to) !== 'util')
      .filter((e) => {
        const from = moduleOf(e.from);
        const to = moduleOf(e.to);
        if (from === to || from === 'architecture') return false;
        return !(ALLOWED_IMPORTS[from] ?? []).includes(to) && !(isTestOnly(e.from) && isTestOnly(e.to));
      })
      .map((e) => `${relative(LIB, e.from)} -> ${relative(LIB, e.to)}`);
    expect(wrong).to.deep.equal([]);
  });

  it('keeps test-only modules out of production code', () => {
    const wrong = all
      .filter((e) => !isTestOnly(e.from) && isTestOnly(e.to))
      .map((e) => `${relative(LIB, e.from)} -> ${relative(LIB, e.to)}`);
    expect(wrong).to.deep.equal([]);
  });

  it('would catch a lower layer importing a higher one', () => {
    expect(ALLOWED_IMPORTS['cluster']).to.not.include('run');
    expect(ALLOWED_IMPORTS['faults']).to.not.include('cluster');
    expect(ALLOWED_IMPORTS['observe']).to.not.include('cluster');
    expect(ALLOWED_IMPORTS['oracles']).to.not.include('cluster');
    expect(relativeImports("import { x } from '../cluster/core/provider.ts';\nexport { y } from './y.ts';")).to.deep.equal([
      '../cluster/core/provider.ts',
      './y.ts',
    ]);
  });
});
