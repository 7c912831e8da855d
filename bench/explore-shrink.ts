// Benchmark: shrinking a scenario that fails an invariant on the sandbox, alone (without the search before it): the
// candidates run, the time, and the minimal scenario's steps; then the minimal scenario run once more on its own. For
// a finding of `explore` (bench/explore-find.ts) whose shrink should be measured again after a change to the shrinker.
// Prints figures; asserts nothing. Run as root:
//   node --import tsx bench/explore-shrink.ts FAILING.yaml POLICY [confirm-runs=2] [seed=1]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { violatedInvariant } from '../lib/explore/explore.ts';
import { scenarioYaml } from '../lib/explore/render.ts';
import { isFaultStep, isRecoveryStep, shrinkSchedule } from '../lib/explore/shrink.ts';
import { runScenario } from '../lib/run/runner.ts';
import { sandboxTarget } from '../lib/run/targets/cluster-targets.ts';
import { loadScenarioFile, parseScenario } from '../lib/scenario/loader.ts';
import type { ScenarioSpec } from '../lib/scenario/types.ts';

const [file, policyArg, confirmArg, seedArg] = process.argv.slice(2);
if (file === undefined || policyArg === undefined) throw new Error('usage: explore-shrink.ts FAILING.yaml POLICY [confirm-runs] [seed]');
const policy = resolve(policyArg);
const confirmRuns = Number(confirmArg ?? 2);
const seed = seedArg ?? '1';
const target = sandboxTarget({ promotionPolicy: policy });
// Ctrl-C or SIGTERM ends the run in progress (its cluster torn down) and the shrinking with the smallest so far.
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());
const out = await mkdtemp(join(tmpdir(), 'cpchaos-explore-shrink-'));
const run = (spec: ScenarioSpec) =>
  runScenario(parseScenario(scenarioYaml(spec), join(out, 'candidate.yaml')), {
    seed,
    target,
    promotionPolicy: policy,
    signal: interrupt.signal,
  });

const loaded = await loadScenarioFile(resolve(file));
const failing: ScenarioSpec = { ...loaded };
const started = performance.now();
// A scenario found by explore may fail only most of the time (a race): up to three runs to see the violation.
const firsts: string[] = [];
let violation: ReturnType<typeof violatedInvariant>;
for (let i = 0; i < 3 && violation === undefined; i++) {
  const outcome = await run(failing);
  firsts.push(outcome.status);
  violation = violatedInvariant(failing, outcome);
}
console.log(`first runs: ${firsts.join(', ')}`);
if (violation === undefined) {
  console.log(`${file} did not fail an invariant in ${firsts.length} runs: nothing to shrink`);
} else {
  console.log(`${file}: ${violation.invariant}: ${violation.summary}`);
  let runs = firsts.length;
  const shrunk = await shrinkSchedule(failing, {
    stillFails: async (candidate) => {
      for (let i = 0; i < confirmRuns; i++) {
        runs++;
        const outcome = await run(candidate);
        if (outcome.status === 'error' || violatedInvariant(candidate, outcome)?.invariant !== violation.invariant) return false;
      }
      return true;
    },
    onProgress: (line) => console.log(`  ${line}`),
    finalChecks: 2,
    signal: interrupt.signal,
  });
  const minutes = (performance.now() - started) / 60_000;
  const faults = shrunk.minimal.steps.filter((s) => isFaultStep(s) && !isRecoveryStep(s)).map((s) => s.kind);
  const recoveries = shrunk.minimal.steps.filter(isRecoveryStep).map((s) => s.kind);
  console.log(
    `  ${shrunk.tests} candidates (${runs} runs, ${shrunk.invalid} invalid not run, ${shrunk.setAside ?? 0} set aside by the final checks) in ${minutes.toFixed(1)} min`,
  );
  console.log(
    `  ${failing.steps.length} -> ${shrunk.minimal.steps.length} steps; fault steps: ${faults.length} (${faults.join(', ')}); recoveries: ${recoveries.join(', ') || 'none'}`,
  );
  const replay = await run(shrunk.minimal);
  console.log(
    `  the minimal scenario run again: ${replay.status}; ${violation.invariant}: ${violatedInvariant(shrunk.minimal, replay) ? 'fail' : 'not failed'}`,
  );
  for (const v of replay.verdicts.filter((verdict) => verdict.status !== 'pass'))
    console.log(`    ${v.status} ${v.invariant}: ${v.summary}`);
  console.log(scenarioYaml(shrunk.minimal));
}
await rm(out, { recursive: true, force: true });
