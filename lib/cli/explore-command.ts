// `cpchaos explore`: generated fault schedules on the sandbox (or kind) until one violates an invariant, shrunk to a
// minimal scenario. Exit 0 when nothing was found, 1 with minimal.yaml written, 2 on bad input.
import { join } from 'node:path';
import { explore } from '../explore/explore.ts';
import { coverageLines } from '../explore/explore-report.ts';
import { isProviderName } from '../cluster/core/providers.ts';
import { randomSeed } from '../scenario/random.ts';
import { parseDuration } from '../util/duration.ts';
import { UsageError, parseOptions } from './options.ts';
import { targetFromFlags } from './run-target.ts';

export const EXPLORE_USAGE = `usage: cpchaos explore [--budget 10m] [--count N] [--seed HEX] [--max-steps N] [--promotion-policy MODULE]
                       [--confirm K] [--force-deletions] [--out DIR]
                       [--provider sandbox|kind [--kind-image IMAGE] [--kind-config-dir DIR] [--kind-logs DIR]]
  --budget D            stop starting schedules after this long (default 10m)
  --count N             stop after N schedules
  --seed HEX            replay an exploration (up to 8 hex digits; default: a new one, printed)
  --max-steps N         fault steps per schedule (default 4)
  --promotion-policy M  the promotion policy module the sandbox (or kind's harness-side promote loop) runs
                        (default: Harvester's reference)
  --confirm K           re-runs that must each fail the same invariant (default 2)
  --force-deletions     let deletions of a down control plane force-remove its finalizers (off by default: that
                        reproduces Harvester's known bug #8968 every time, see suites/regression)
  --out DIR             where failing schedules and minimal.yaml go (default reports/explore-<seed>)
  --provider P          where each schedule runs: sandbox (default) or kind (a kind cluster per run, as cpchaos run
                        --provider kind makes them, with its --kind-* flags). Not an existing cluster: explore
                        chooses each schedule's cluster shape (3 control planes, 1-2 workers) and starts it.
`;

function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag}: expected a whole number >= ${min}, got "${text}"`);
  return n;
}

export async function exploreCommand(args: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    budget: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    'max-steps': { type: 'string', default: '4' },
    'promotion-policy': { type: 'string' },
    confirm: { type: 'string', default: '2' },
    'force-deletions': { type: 'boolean' },
    out: { type: 'string' },
    provider: { type: 'string', default: 'sandbox' },
    'kind-image': { type: 'string' },
    'kind-logs': { type: 'string' },
    'kind-config-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    process.stdout.write(EXPLORE_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`cpchaos explore: unexpected argument "${positionals[0]}"\n\n${EXPLORE_USAGE}`);
  if (values.seed !== undefined && !/^[0-9a-f]{1,8}$/i.test(values.seed))
    throw new UsageError(`--seed: expected up to 8 hex digits (as explore prints it), got "${values.seed}"`);
  let budgetMs: number | undefined;
  if (values.budget !== undefined) {
    const parsed = parseDuration(values.budget);
    if (!parsed.ok) throw new UsageError(`--budget: ${parsed.message}`);
    budgetMs = parsed.ms;
  }
  const count = values.count === undefined ? undefined : wholeNumber('count', values.count, 1);
  const maxFaultSteps = wholeNumber('max-steps', values['max-steps'] ?? '4', 1);
  const confirmRuns = wholeNumber('confirm', values.confirm ?? '2', 1);
  if (budgetMs === undefined && count === undefined) budgetMs = 10 * 60_000;
  const provider = values.provider ?? 'sandbox';
  if (!isProviderName(provider)) throw new UsageError(`--provider: expected sandbox or kind, got "${provider}"`);
  if (provider === 'existing') {
    throw new UsageError(
      '--provider existing: explore starts a cluster of its own shape for every schedule; it cannot explore a cluster that exists (use sandbox or kind)',
    );
  }
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  const target = targetFromFlags(provider, values, {
    onDryRunLine: () => undefined,
    onKillSwitch: () => undefined,
    onLog: (line) => void process.stderr.write(`     ${line}\n`),
  });
  // A broken environment (no etcd; no kind or Docker daemon) or a bad policy module stops it before the first schedule.
  await target.prepare();
  await target.preflight?.(signal);
  const seed = (values.seed ?? randomSeed()).toLowerCase();
  const out = values.out ?? `reports/explore-${seed}`;
  write(`cpchaos explore --seed ${seed} (${provider}; out ${out})`);
  const summary = await explore({
    seed,
    outDir: out,
    ...(budgetMs === undefined ? {} : { budgetMs }),
    ...(count === undefined ? {} : { maxSchedules: count }),
    maxFaultSteps,
    confirmRuns,
    forceDeletions: values['force-deletions'] === true,
    target,
    ...(values['promotion-policy'] === undefined ? {} : { promotionPolicy: values['promotion-policy'] }),
    signal,
    onProgress: (line) => write(`  ${line}`),
  });
  write(`${summary.schedulesTried} schedules, ${summary.runs} runs, ${summary.unjudged} not judged (error or inconclusive)`);
  write(`fault combinations covered (${summary.faultCombinations.length}): ${summary.faultCombinations.join(', ')}`);
  for (const line of coverageLines(summary.coverage)) write(line);
  for (const u of summary.unconfirmed) write(`not confirmed (flaky?): schedule ${u.scheduleSeed}, ${u.invariant}`);
  write(`summary: ${join(out, 'explore.md')} (explore.json beside it)`);
  if (!summary.finding) {
    write('no violation found');
    return 0;
  }
  write(`VIOLATION: ${summary.finding.invariant}: ${summary.finding.summary}`);
  write(`minimal scenario: ${summary.finding.minimalFile} (replay: cpchaos run ${summary.finding.minimalFile})`);
  if (summary.finding.minimalReport) write(`its failing run: ${summary.finding.minimalReport}/index.html`);
  return 1;
}
