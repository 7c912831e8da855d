import { cleanupRuns } from '../cluster/cleanup.ts';
import { outcomesOf } from '../cluster/core/reaper.ts';
import { runsRoot } from '../faults/journal.ts';
import { parseOptions } from './options.ts';

export async function cleanupCommand(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, { all: { type: 'boolean', default: false } });
  const report = await cleanupRuns({ all: values.all === true });
  const outcomes = outcomesOf(report);
  const say = (line: string): void => void process.stdout.write(`cpchaos cleanup: ${line}\n`);
  for (const outcome of outcomes) for (const line of outcome.done) say(line);
  for (const outcome of outcomes) for (const line of outcome.failed) say(line);
  for (const outcome of outcomes) for (const line of outcome.leftForPerson) say(line);
  for (const outcome of outcomes) for (const line of outcome.skipped ?? []) say(line);
  for (const runId of report.keptRuns)
    say(`kept the journal of run ${runId} (${runsRoot()}/${runId}); run cleanup again once what is named above is undone`);
  const done = outcomes.reduce((n, o) => n + o.done.length, 0);
  const forPerson = outcomes.reduce((n, o) => n + o.leftForPerson.length, 0);
  const reapedRuns = report.runs.length - report.keptRuns.length;
  const leftNote = forPerson > 0 ? `; ${forPerson} thing(s) left for a person (above)` : '';
  say(
    done === 0 && reapedRuns === 0
      ? forPerson > 0
        ? `nothing removed${leftNote}`
        : 'nothing to clean up'
      : `removed ${reapedRuns} run folder(s); ${done} thing(s) undone, killed or deleted${leftNote}`,
  );
  if (report.skippedLiveRuns.length > 0) {
    say(`left ${report.skippedLiveRuns.length} live run(s) alone: ${report.skippedLiveRuns.join(', ')} (--all removes them too)`);
  }
  return report.keptRuns.length > 0 || outcomes.some((o) => o.failed.length > 0) ? 1 : 0;
}
