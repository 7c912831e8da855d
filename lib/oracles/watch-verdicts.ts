// How a watched cluster (`cpchaos watch`) is judged: the oracles that need no scripted fault as they are (a Node
// that disappears was deleted by someone: the watch records an operator's delete-node for it), read availability
// under the failures the Nodes show (read-availability.ts), and the oracles that judge the harness's own faults or
// writes made inconclusive with the reason, keeping the oracle's words and status in the details.
import { runStartOf, type History } from '../observe/history.ts';
import { OracleContext, type OracleOptions } from './context.ts';
import { runOracles } from './index.ts';
import { readAvailability } from './read-availability.ts';
import type { Verdict } from './verdict.ts';

/** The scenario name a watch records in its run-start. */
export const WATCH_SCENARIO = 'watch';

/** Oracles whose intervals come from the harness's own faults: a watch injects none. */
const FAULT_ORACLES: readonly string[] = ['quorum-survives', 'quorum-lost'];
const WRITE_ORACLES: readonly string[] = ['no-lost-writes'];

/** Whether the history is a watch's (its run-start names the watch scenario). */
export function isWatchHistory(history: History): boolean {
  return runStartOf(history)?.scenario === WATCH_SCENARIO;
}

function inconclusive(v: Verdict, why: string): Verdict {
  if (v.status === 'inconclusive' || v.status === 'error') return { ...v, summary: `${v.summary} (${why})` };
  return {
    ...v,
    status: 'inconclusive',
    summary: `${why}; the oracle alone said: ${v.summary}`,
    details: { ...v.details, watch: { originalStatus: v.status } },
  };
}

/** Every verdict of a watched cluster's history; `probedWrites`: the watch wrote through the endpoint (--probe-writes). */
export function watchVerdicts(history: History, options: OracleOptions = {}): Verdict[] {
  const probedWrites = history.some((e) => e.kind === 'op' && (e.f === 'write' || e.f === 'cas'));
  const verdicts = runOracles(history, undefined, options).map((v) => {
    if (FAULT_ORACLES.includes(v.invariant))
      return inconclusive(v, 'a watch injects no faults: availability under the failures it saw is judged by read-availability');
    if (WRITE_ORACLES.includes(v.invariant) && !probedWrites)
      return inconclusive(v, 'the watch wrote nothing (--probe-writes measures writes)');
    return v;
  });
  return [...verdicts, readAvailability(new OracleContext(history, options))];
}
