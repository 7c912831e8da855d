// The node agent as one bundled file. A sandbox starts one agent per node; importing @kubernetes/client-node
// unbundled costs most of a second of CPU per process, the tree-shaken bundle a fraction of that. The bundle is
// built from the agent's entry beside this module: lib/sandbox/agent/main.ts from source, dist/sandbox/agent/main.js
// in the compiled package. It is rebuilt when any of those modules changes (keyed by their sizes and times) or the
// installed dependencies do, and cached in node_modules/.cache (the installing project's, when cpchaos is an
// installed package), or, for a user who cannot write there, in the state folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateRoot } from '../faults/journal.ts';

/** '.ts' when running from source, '.js' when compiled. */
const EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** lib/ from source, dist/ compiled: both one level below the package root. */
const LIB = fileURLToPath(new URL('../', import.meta.url));
const ROOT = join(LIB, '..');
const ENTRY = join(LIB, `sandbox/agent/main${EXTENSION}`);
/** The folder of the installed packages the bundle is built from: the package's own, or the one it is installed in. */
const NODE_MODULES = basename(dirname(ROOT)) === 'node_modules' ? dirname(ROOT) : join(ROOT, 'node_modules');

function isModule(name: string): boolean {
  return name.endsWith(EXTENSION) && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');
}

function sourceKey(dir: string, hash: ReturnType<typeof createHash>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceKey(path, hash);
    else if (isModule(entry.name)) {
      const stat = statSync(path);
      hash.update(`${path}:${stat.size}:${stat.mtimeMs}\n`);
    }
  }
}

let cached: Promise<string | undefined> | undefined;

/** Path of the bundled agent, building it if needed; undefined when bundling is not possible (run from source). */
export function agentBundle(): Promise<string | undefined> {
  cached ??= build().catch(() => undefined);
  return cached;
}

async function build(): Promise<string | undefined> {
  const hash = createHash('sha256');
  sourceKey(LIB, hash);
  // npm rewrites node_modules/.package-lock.json on every install: a changed dependency means a new bundle.
  for (const lock of [join(ROOT, 'package-lock.json'), join(NODE_MODULES, '.package-lock.json')]) {
    if (existsSync(lock)) hash.update(`${lock}:${statSync(lock).mtimeMs}\n`);
  }
  const name = `agent-${hash.digest('hex').slice(0, 16)}.mjs`;
  const dirs = [join(NODE_MODULES, '.cache', 'cpchaos'), join(stateRoot(), 'cache')];
  for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  let lastError: unknown;
  for (const dir of dirs) {
    try {
      return await buildInto(join(dir, name));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function buildInto(out: string): Promise<string> {
  mkdirSync(join(out, '..'), { recursive: true });
  const { build: esbuild } = await import('esbuild');
  await esbuild({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'silent',
    // Whitespace and syntax only (names kept, for readable stack traces): 2.6 MB instead of 5.6 MB, mostly
    // @kubernetes/client-node's generated models, and each agent loads in about 0.33 s of wall time instead of 0.41 s
    // (measured on an idle core, node 20; with names mangled too, 1.9 MB and no faster).
    minifyWhitespace: true,
    minifySyntax: true,
    // Bundled CommonJS dependencies still call require().
    banner: {
      js: "import { createRequire as __cpchaosCreateRequire } from 'node:module'; const require = __cpchaosCreateRequire(import.meta.url);",
    },
  });
  return out;
}
