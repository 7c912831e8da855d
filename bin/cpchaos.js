#!/usr/bin/env node
// The cpchaos command. Runs the TypeScript sources directly through tsx, so a checkout needs no build step.
import { register } from 'tsx/esm/api';

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

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
