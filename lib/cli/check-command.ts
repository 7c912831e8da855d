// `cpchaos check <history.json>`: re-runs the oracles over a saved history.
import { readFileSync } from 'node:fs';
import { loadHistory } from '../observe/history.ts';
import { runOracles } from '../oracles/index.ts';
import { isWatchHistory, watchVerdicts } from '../oracles/watch-verdicts.ts';
import { SetupError } from '../util/errors.ts';
import { UsageError, parseOptions } from './options.ts';

export function checkCommand(args: readonly string[]): number {
  const { values, positionals } = parseOptions(args, { invariant: { type: 'string', multiple: true } });
  if (positionals.length === 0) throw new UsageError('cpchaos check: name a history.json file');
  let failed = false;
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new SetupError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
    const history = loadHistory(text, file);
    // A watch's history is judged as the watch judged it (read availability; no scripted faults).
    const verdicts =
      values.invariant === undefined && isWatchHistory(history) ? watchVerdicts(history) : runOracles(history, values.invariant);
    process.stdout.write(`${file}:\n`);
    for (const v of verdicts) process.stdout.write(`  ${v.status.padEnd(12)} ${v.invariant}: ${v.summary}\n`);
    if (verdicts.some((v) => v.status === 'fail')) failed = true;
  }
  return failed ? 1 : 0;
}
