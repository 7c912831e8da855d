// `cpchaos validate`: checker self-validation — every faulty policy must be caught by its invariant.
import { runSelfValidation, trackRecordTable } from '../run/self-validation-run.ts';

export async function validateCommand(signal: AbortSignal): Promise<number> {
  const outcomes = await runSelfValidation((o) => {
    const why = o.caught ? '' : `: ${o.missed.join('; ')}`;
    process.stdout.write(
      `${o.caught ? 'caught ' : 'MISSED '} ${o.case.fault}: ${o.case.caughtBy} on ${o.case.scenario} (failed: ${o.failedInvariants.join(', ') || 'none'})${why}\n`,
    );
  }, signal);
  process.stdout.write(`\n${trackRecordTable(outcomes)}\n`);
  return outcomes.every((o) => o.caught) ? 0 : 1;
}
