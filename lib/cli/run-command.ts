// `cpchaos run <files or folders>`: runs scenarios, prints progress and verdicts, writes reports.
import { describeStep } from '../scenario/steps.ts';
import { loadScenarios } from '../scenario/loader.ts';
import { runSuite } from '../run/scheduler.ts';
import { isProviderName } from '../cluster/core/providers.ts';
import { targetFromFlags } from './run-target.ts';
import { UsageError, parseOptions } from './options.ts';
import { countsLine, writeReports } from './output.ts';
import { suiteExitCode } from '../report/result.ts';
import { readRunSummary } from '../report/summary-read.ts';
import { anyRepeated, passRateLines, passRates } from '../report/pass-rates.ts';
import { durationsFromSummary, parseShard, selectShard } from '../run/shard.ts';
import { longestFirst } from '../run/lane-order.ts';
import { TerminalReporter } from './terminal-reporter.ts';

const RUN_OPTIONS = {
  provider: { type: 'string', default: 'sandbox' },
  seed: { type: 'string' },
  repeat: { type: 'string', default: '1' },
  parallel: { type: 'string', default: '1' },
  'until-failure': { type: 'boolean', default: false },
  'fail-fast': { type: 'boolean', default: false },
  'allow-xpass': { type: 'boolean', default: false },
  shard: { type: 'string' },
  'shard-timings': { type: 'string' },
  timings: { type: 'string' },
  grep: { type: 'string' },
  tag: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean', default: false },
  reports: { type: 'string', default: 'reports' },
  'promotion-policy': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  executors: { type: 'string' },
  'allow-context': { type: 'string', multiple: true },
  'kill-switch': { type: 'string' },
  profile: { type: 'string' },
  'kind-image': { type: 'string' },
  'kind-logs': { type: 'string' },
  'kind-config-dir': { type: 'string' },
} as const;

export async function runCommand(args: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseOptions(args, RUN_OPTIONS);
  if (positionals.length === 0) throw new UsageError('cpchaos run: name at least one scenario file or folder (for example: suites)');
  const provider = values.provider ?? 'sandbox';
  if (!isProviderName(provider)) throw new UsageError(`--provider: expected sandbox, kind or existing, got "${provider}"`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`--repeat: expected a whole number >= 1, got "${values.repeat}"`);
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new UsageError(`--parallel: expected a whole number >= 1, got "${values.parallel}"`);
  if (values.seed !== undefined && !/^[0-9a-f]{1,8}$/i.test(values.seed))
    throw new UsageError(`--seed: expected up to 8 hex digits (as a run prints it), got "${values.seed}"`);
  const selected = await loadScenarios(positionals, {
    ...(values.tag ? { tags: values.tag } : {}),
    ...(values.grep ? { grep: values.grep } : {}),
  });
  if (selected.length === 0) throw new UsageError(`cpchaos run: no scenario matched in ${positionals.join(', ')}`);
  if (values['shard-timings'] !== undefined && values.shard === undefined) throw new UsageError('--shard-timings: only with --shard i/n');
  if (values['shard-timings'] !== undefined && values.timings !== undefined)
    throw new UsageError('--shard-timings and --timings: give one (--shard-timings is the older name of --timings)');
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const timings = values.timings ?? values['shard-timings'];
  const durations = timings === undefined ? undefined : durationsFromSummary(await readRunSummary(timings));
  const inShard = shard ? selectShard(selected, shard, durations) : selected;
  if (shard) process.stdout.write(`shard ${shard.index}/${shard.count}: ${inShard.length} of ${selected.length} scenarios\n`);
  // Several at once: the longest start first (lane-order.ts), so the run does not end on one long scenario alone.
  const scenarios = parallel > 1 ? longestFirst(inShard, durations) : inShard;
  // The kill switch of an existing cluster aborts the run as Ctrl-C does: faults are undone, no scenario follows.
  const run = new AbortController();
  const stopRun = (): void => run.abort(signal.reason);
  signal.addEventListener('abort', stopRun, { once: true });
  const target = targetFromFlags(provider, values, {
    onDryRunLine: (line) => process.stdout.write(`     ${line}\n`),
    onLog: (line) => process.stderr.write(`     ${line}\n`),
    onKillSwitch: (reason) => {
      process.stderr.write(`cpchaos: kill switch: ${reason}: undoing every fault and stopping\n`);
      run.abort(new Error(`kill switch: ${reason}`));
    },
  });
  if (values['dry-run'] && !target.dryRunPlansFaults) {
    for (const scenario of scenarios) {
      process.stdout.write(`${scenario.name} (${scenario.source.file}) [${scenario.tags.join(', ')}]\n`);
      scenario.steps.forEach((step, i) =>
        process.stdout.write(`  step ${i + 1} (line ${scenario.source.stepLines[i] ?? '?'}): ${describeStep(step)}\n`),
      );
    }
    return 0;
  }
  const results = await runSuite(scenarios, {
    target,
    seed: values.seed,
    repeat,
    untilFailure: values['until-failure'],
    failFast: values['fail-fast'],
    parallel,
    dryRun: values['dry-run'],
    signal: run.signal,
    reporters: [
      new TerminalReporter({
        parallel: parallel > 1,
        harnessLines: values['dry-run'] === true,
        rounds: repeat > 1 || values['until-failure'] === true,
      }),
    ],
  });
  const dir = await writeReports(values.reports ?? 'reports', results, {
    allowXpass: values['allow-xpass'] === true,
    ...(shard ? { shards: [shard] } : {}),
  });
  if (dir) process.stdout.write(`\nreport: ${dir}/index.html (junit.xml, summary.json and history files beside it)\n`);
  process.stdout.write(`${countsLine(results)}\n`);
  if (anyRepeated(results)) process.stdout.write(`\n${passRateLines(passRates(results)).join('\n')}\n`);
  for (const r of results.filter((r) => r.status === 'xpass')) process.stdout.write(`${r.scenario.name}: ${r.knownBug ?? ''}\n`);
  return suiteExitCode(
    results.map((r) => r.status),
    { allowXpass: values['allow-xpass'] === true },
  );
}
