// `cpchaos validate`: checker self-validation — every faulty policy must be caught by its invariant.
import { parseArgs } from 'node:util';
import { runSelfValidation, trackRecordTable } from '../run/self-validation-run.ts';

const VALIDATE_USAGE = `usage: cpchaos validate

Runs each faulty promotion policy (fixtures/policies/faulty-*.ts) against the scenario that must catch it, on the
sandbox, and prints whether its invariant caught it. Exit 0: all caught; 1: one was missed; 2: a run errored.
`;

export async function validateCommand(args: readonly string[], signal: AbortSignal): Promise<number> {
  // Strict: an option it does not take (a --help, a typo) is refused before any cluster starts.
  const { values } = parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(VALIDATE_USAGE);
    return 0;
  }
  const outcomes = await runSelfValidation((o) => {
    const why = o.caught ? '' : `: ${o.missed.join('; ')}`;
    process.stdout.write(
      `${o.caught ? 'caught ' : 'MISSED '} ${o.case.fault}: ${o.case.caughtBy} on ${o.case.scenario} (failed: ${o.failedInvariants.join(', ') || 'none'})${why}\n`,
    );
  }, signal);
  process.stdout.write(`\n${trackRecordTable(outcomes)}\n`);
  if (outcomes.every((o) => o.caught)) return 0;
  // A case whose run errored (the harness or the machine broke) proves nothing about the checker: exit 2, not 1,
  // unless some case ran and really missed its faulty policy.
  const missed = outcomes.filter((o) => !o.caught && o.result.status !== 'error');
  return missed.length > 0 ? 1 : 2;
}
