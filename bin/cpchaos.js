#!/usr/bin/env node
// The cpchaos command. Runs the compiled package (dist/, built by `npm run build` and by `npm pack`) when there is
// one, without tsx and faster to start; else the TypeScript sources through tsx, so a checkout needs no build step.
// In a checkout that has a build, a source newer than the build wins: an edited lib/ never runs stale JavaScript.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMPILED = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const SOURCES = fileURLToPath(new URL('../lib/', import.meta.url));

/** Whether any TypeScript module under dir changed after `time` (tests do not count: they are not built). */
function changedSince(dir, time) {
  return readdirSync(dir, { withFileTypes: true }).some((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return changedSince(path, time);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && statSync(path).mtimeMs > time;
  });
}

function compiledIsCurrent() {
  if (!existsSync(COMPILED)) return false;
  if (!existsSync(SOURCES)) return true; // the installed package: only dist/ ships
  return !changedSince(SOURCES, statSync(COMPILED).mtimeMs);
}

// Output piped into `head` and the like: once the reader is gone, output stops quietly and the command is
// interrupted as by Ctrl-C, so a run still undoes its faults and tears its cluster down.
let readerGone = false;
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  if (readerGone) return;
  readerGone = true;
  process.stdout.write = () => true;
  if (process.listenerCount('SIGINT') > 0) process.kill(process.pid, 'SIGINT');
});

let main;
if (compiledIsCurrent()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../lib/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
