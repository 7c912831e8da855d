// `cpchaos watch --kubeconfig F [--context C] [--until DURATION] [--reports DIR] [--profile P] [--probe-writes]`:
// judges a cluster nobody may inject faults into, live (lib/run/watch.ts). Prints each verdict that starts or stops
// failing as it happens, then the final verdicts, and writes the usual report. Ctrl-C ends the watch (not a failure).
// Exit 0/1 as `cpchaos run`; 2 when the cluster cannot be attached to.
import { isProfileChoice, PROFILE_CHOICES } from '../harvester/profiles.ts';
import { OPERATOR_DELETION_NOTE } from '../observe/operator-deletions.ts';
import { suiteExitCode } from '../report/result.ts';
import { watchCluster } from '../run/watch.ts';
import { parseDuration } from '../util/duration.ts';
import { UsageError, parseOptions } from './options.ts';
import { resultLines, writeReports } from './output.ts';

export const WATCH_USAGE = `usage: cpchaos watch [--kubeconfig FILE] [--context NAME] [--until DURATION] [--reports DIR]
                     [--profile harvester-1.4|harvester-1.5|harvester-1.6|auto] [--probe-writes]
  --until D        stop after this long (e.g. 30m); default: at Ctrl-C
  --probe-writes   also write through the endpoint (two ConfigMaps in default, deleted at the end)`;

export async function watchCommand(args: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    until: { type: 'string' },
    reports: { type: 'string', default: 'reports' },
    profile: { type: 'string', default: 'auto' },
    'probe-writes': { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`cpchaos watch takes no files (got ${positionals.join(' ')})\n${WATCH_USAGE}`);
  const profile = values.profile;
  if (!isProfileChoice(profile)) throw new UsageError(`--profile: expected ${PROFILE_CHOICES.join(', ')}, got "${profile}"`);
  let untilMs: number | undefined;
  if (values.until !== undefined) {
    const parsed = parseDuration(values.until);
    if (!parsed.ok) throw new UsageError(`--until: ${parsed.message}`);
    untilMs = parsed.ms;
  }
  const stamp = (): string => new Date().toISOString().slice(11, 19);
  process.stdout.write(
    `watch: attaching${values.context ? ` to context ${values.context}` : ''} (read-only${values['probe-writes'] ? ', probing writes' : ''}); Ctrl-C ends it\n`,
  );
  const result = await watchCluster({
    kubeconfigPath: values.kubeconfig,
    context: values.context,
    profile,
    untilMs,
    probeWrites: values['probe-writes'],
    signal,
    onEvent: (event) => {
      if (event.kind === 'note' && event.message.endsWith(OPERATOR_DELETION_NOTE)) process.stdout.write(`${stamp()} ${event.message}\n`);
    },
    onVerdictChange: (verdict, change) => {
      const what = change === 'failing' ? 'VIOLATION' : 'no longer failing';
      process.stdout.write(`${stamp()} ${what} ${verdict.invariant}: ${verdict.summary}\n`);
    },
  });
  process.stdout.write(`${resultLines(result).join('\n')}\n`);
  const dir = await writeReports(values.reports, [result]);
  if (dir !== undefined) process.stdout.write(`reports: ${dir} (history.json: cpchaos check ${dir}/history.json)\n`);
  return suiteExitCode([result.status]);
}
