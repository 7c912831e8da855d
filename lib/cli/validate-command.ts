// `cpchaos validate`: checker self-validation — every faulty policy must be caught by its invariant.
import { parseArgs } from 'node:util';
import { judgementText, runSelfValidation, trackRecordTable } from '../run/self-validation-run.ts';

const VALIDATE_USAGE = `usage: cpchaos validate

Runs each faulty promotion policy (fixtures/policies/faulty-*.ts) against the scenario that must catch it, on the
sandbox, and prints whether its invariant caught it. A run that could not show the fault (a verdict it needs was
inconclusive, or the nodes left the faulty policy no other choice than Harvester's) is undecided and run again, up
to 3 runs. Exit 0: all caught; 1: one was missed; 2: a run errored, or a case stayed undecided.
`;

export async function validateCommand(args: readonly string[], signal: AbortSignal): Promise<number> {
  // Strict: an option it does not take (a --help, a typo) is refused before any cluster starts.
  const { values } = parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(VALIDATE_USAGE);
    return 0;
  }
  const outcomes = await runSelfValidation((o) => {
    process.stdout.write(
      `${o.case.fault}: ${o.case.caughtBy} on ${o.case.scenario}: ${judgementText(o)} (failed: ${o.failedInvariants.join(', ') || 'none'})\n`,
    );
  }, signal);
  process.stdout.write(`\n${trackRecordTable(outcomes)}\n`);
  if (outcomes.every((o) => o.judgement === 'caught')) return 0;
  // A case whose run errored (the harness or the machine broke), or whose every run could not show the fault (the
  // machine's load), proves nothing about the checker: exit 2, not 1, unless some case ran and really missed its
  // faulty policy.
  const missed = outcomes.filter((o) => o.judgement === 'missed' && o.result.status !== 'error');
  return missed.length > 0 ? 1 : 2;
}
