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
  if (outcomes.every((o) => o.caught)) return 0;
  // A case whose run errored (the harness or the machine broke) proves nothing about the checker: exit 2, not 1,
  // unless some case ran and really missed its faulty policy.
  const missed = outcomes.filter((o) => !o.caught && o.result.status !== 'error');
  return missed.length > 0 ? 1 : 2;
}
