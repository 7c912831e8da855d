// Moves files and rewrites every relative import that names them (development tool for reorganising lib/).
// Usage: node scripts/move-modules.mjs MAPFILE   (lines "old/path.ts new/path.ts"; a folder moves with everything in it)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, normalize } from 'node:path';

const root = process.cwd();
const lines = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const moves = new Map(); // old abs -> new abs (files)
for (const line of lines) {
  const [from, to] = line.split(/\s+/);
  const absFrom = resolve(root, from);
  if (existsSync(absFrom) && statSync(absFrom).isDirectory()) {
    for (const f of tracked) {
      const a = resolve(root, f);
      if (a.startsWith(absFrom + '/') && !moves.has(a)) moves.set(a, resolve(root, to, relative(absFrom, a)));
    }
  } else moves.set(absFrom, resolve(root, to));
}
const sources = tracked.filter((f) => /\.(ts|mjs|js)$/.test(f) && !f.startsWith('node_modules/')).map((f) => resolve(root, f));
const newLoc = (a) => moves.get(a) ?? a;
const rewrites = new Map();
for (const file of sources) {
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  const out = text.replace(/((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\2/g, (m, pre, q, spec) => {
    const target = normalize(join(dirname(file), spec));
    const moved = newLoc(target);
    const fromDir = dirname(newLoc(file));
    if (moved === target && fromDir === dirname(file)) return m;
    let rel = relative(fromDir, moved);
    if (!rel.startsWith('.')) rel = './' + rel;
    return `${pre}${q}${rel}${q}`;
  });
  if (out !== text) rewrites.set(file, out);
}
for (const [file, text] of rewrites) writeFileSync(file, text);
for (const [from, to] of moves) {
  mkdirSync(dirname(to), { recursive: true });
  execFileSync('git', ['mv', relative(root, from), relative(root, to)]);
}
console.log(`moved ${moves.size} files, rewrote imports in ${rewrites.size}`);
