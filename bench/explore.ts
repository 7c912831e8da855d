// Benchmark: how many generated schedules per minute the explorer runs on the sandbox (reference policy, so
// normally nothing is found). Prints figures; asserts nothing. Run as root:
//   node --import tsx bench/explore.ts [count=3] [max-steps=4]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore } from '../lib/explore/explore.ts';

const count = Number(process.argv[2] ?? 3);
const maxFaultSteps = Number(process.argv[3] ?? 4);
const out = await mkdtemp(join(tmpdir(), 'cpchaos-explore-bench-'));
const started = performance.now();
const summary = await explore({
  seed: 'be4c',
  outDir: out,
  maxSchedules: count,
  maxFaultSteps,
  onProgress: (line) => console.log(`  ${line}`),
});
const minutes = (performance.now() - started) / 60_000;
console.log(
  `${summary.schedulesTried} schedules, ${summary.runs} runs in ${minutes.toFixed(2)} min: ` +
    `${(summary.runs / minutes).toFixed(2)} runs/min; ${summary.unjudged} not judged; finding: ${summary.finding?.invariant ?? 'none'}`,
);
await rm(out, { recursive: true, force: true });
