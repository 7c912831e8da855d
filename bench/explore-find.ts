// Benchmark: time for `explore` to find a violation of a faulty policy on the sandbox, confirm it and shrink it, and
// whether the minimal scenario it writes still fails the same invariant when run again on its own (as `cpchaos run
// minimal.yaml` would). Prints figures; asserts nothing. Run as root:
//   node --import tsx bench/explore-find.ts fixtures/policies/faulty-cordoned-and-worker-labelled.ts [budget-min=30] [seed=e1]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { explore } from '../lib/explore/explore.ts';
import { isFaultStep, isRecoveryStep } from '../lib/explore/shrink.ts';
import { runScenario } from '../lib/run/runner.ts';
import { sandboxTarget } from '../lib/run/targets/cluster-targets.ts';
import { parseScenario } from '../lib/scenario/loader.ts';

const policy = resolve(process.argv[2] ?? 'fixtures/policies/faulty-cordoned-and-worker-labelled.ts');
const budgetMs = Number(process.argv[3] ?? 30) * 60_000;
const seed = process.argv[4] ?? 'e1';
const out = await mkdtemp(join(tmpdir(), 'cpchaos-explore-find-'));
// Ctrl-C or SIGTERM ends the run in progress as `cpchaos explore` would (its cluster torn down), then stops.
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());
const started = performance.now();
let foundAtMs: number | undefined;
const summary = await explore({
  seed,
  outDir: out,
  budgetMs,
  maxFaultSteps: 4,
  confirmRuns: 2,
  promotionPolicy: policy,
  signal: interrupt.signal,
  onProgress: (line) => {
    if (foundAtMs === undefined && /confirmed; shrinking/.test(line)) foundAtMs = performance.now() - started;
    console.log(`  ${line}`);
  },
});
const totalMin = (performance.now() - started) / 60_000;
const finding = summary.finding;
console.log(`policy ${policy}, seed ${seed}`);
console.log(
  `  schedules tried: ${summary.schedulesTried}, runs: ${summary.runs}, unjudged: ${summary.unjudged}, total ${totalMin.toFixed(1)} min`,
);
if (finding === undefined) {
  console.log('  no violation found within the budget');
} else {
  const steps = finding.minimal.steps.filter((s) => isFaultStep(s) && !isRecoveryStep(s));
  const recoveries = finding.minimal.steps.filter(isRecoveryStep).map((s) => s.kind);
  console.log(`  found (first confirmation) after ${((foundAtMs ?? 0) / 60_000).toFixed(1)} min: ${finding.invariant}: ${finding.summary}`);
  console.log(
    `  shrink runs: ${finding.shrinkRuns}; minimal: ${steps.length} fault steps (${steps.map((s) => s.kind).join(', ')}); recoveries: ${recoveries.join(', ') || 'none'}`,
  );
  const text = await readFile(finding.minimalFile, 'utf8');
  const replay = await runScenario(parseScenario(text, finding.minimalFile), {
    seed: '1',
    target: sandboxTarget({ promotionPolicy: policy }),
    signal: interrupt.signal,
  });
  const same = replay.verdicts.find((v) => v.invariant === finding.invariant);
  console.log(`  minimal.yaml run again: ${replay.status}; ${finding.invariant}: ${same?.status ?? 'not judged'}`);
  console.log(text);
}
await rm(out, { recursive: true, force: true });
