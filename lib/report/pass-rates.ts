// Pass rates over repeated runs (--repeat N, --until-failure): per scenario and per invariant, how many runs passed
// and failed, the rate with a 95% Wilson score interval, and whether the outcome was flaky (both passed and failed).
//
// passRate = pass / (pass + fail). Inconclusive runs (a precondition was not met) and errors (the harness or its
// environment broke) say nothing about the system under test, so they are counted but left out of the rate. For a
// known-bug scenario, xpass (the system behaved) counts with pass and xfail (the bug reproduced) with fail: the rate
// is the system's, not the bug report's.
import type { ScenarioResult, ScenarioStatus } from './result.ts';

export interface PassRate {
  readonly scenario: string;
  /** The scenario file (two scenarios may share a name). */
  readonly file: string;
  /** The verdict's invariant; absent for the scenario as a whole. */
  readonly invariant?: string;
  /** Runs of the scenario (for an invariant: runs that produced its verdict). */
  readonly runs: number;
  readonly pass: number;
  readonly fail: number;
  readonly inconclusive: number;
  readonly error: number;
  /** Known-bug scenarios: counted in pass (xpass) and fail (xfail) too. Always 0 for an invariant. */
  readonly xfail: number;
  readonly xpass: number;
  /** pass / (pass + fail); absent when no run passed or failed. */
  readonly passRate?: number;
  /** 95% Wilson score interval of the pass rate; absent with passRate. */
  readonly wilson95?: { readonly low: number; readonly high: number };
  /** Both passed and failed. */
  readonly flaky: boolean;
}

/** The normal quantile for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval (Wilson 1927) of `successes` out of `trials` at quantile z: unlike the normal
 * approximation it stays inside [0, 1] and is not empty at 0 or n successes.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

interface Counts {
  runs: number;
  pass: number;
  fail: number;
  inconclusive: number;
  error: number;
  xfail: number;
  xpass: number;
}

const emptyCounts = (): Counts => ({ runs: 0, pass: 0, fail: 0, inconclusive: 0, error: 0, xfail: 0, xpass: 0 });

function count(counts: Counts, status: ScenarioStatus): void {
  counts.runs += 1;
  if (status === 'xpass') counts.xpass += 1;
  else if (status === 'xfail') counts.xfail += 1;
  else counts[status] += 1;
}

function rate(scenario: string, file: string, invariant: string | undefined, c: Counts): PassRate {
  const passed = c.pass + c.xpass;
  const failed = c.fail + c.xfail;
  const judged = passed + failed;
  return {
    scenario,
    file,
    ...(invariant === undefined ? {} : { invariant }),
    runs: c.runs,
    pass: passed,
    fail: failed,
    inconclusive: c.inconclusive,
    error: c.error,
    xfail: c.xfail,
    xpass: c.xpass,
    ...(judged === 0 ? {} : { passRate: passed / judged, wilson95: wilsonInterval(passed, judged) }),
    flaky: passed > 0 && failed > 0,
  };
}

interface ScenarioGroup {
  /** The first result: the scenario's name and file. */
  readonly result: ScenarioResult;
  readonly scenario: Counts;
  readonly invariants: Map<string, Counts>;
}

/** The results' scenarios by name and file, in the order first run, each with its invariants in the order first seen. */
function group(results: readonly ScenarioResult[]): Map<string, ScenarioGroup> {
  const groups = new Map<string, ScenarioGroup>();
  for (const result of results) {
    const key = `${result.scenario.source.file}\u0000${result.scenario.name}`;
    let entry = groups.get(key);
    if (entry === undefined) groups.set(key, (entry = { scenario: emptyCounts(), invariants: new Map(), result }));
    count(entry.scenario, result.status);
    for (const verdict of result.verdicts) {
      let counts = entry.invariants.get(verdict.invariant);
      if (counts === undefined) entry.invariants.set(verdict.invariant, (counts = emptyCounts()));
      count(counts, verdict.status);
    }
  }
  return groups;
}

/** Per scenario: its own rate, then one per invariant (verdict name), scenarios in the order first run. */
export function passRates(results: readonly ScenarioResult[]): PassRate[] {
  const out: PassRate[] = [];
  for (const { scenario, invariants, result } of group(results).values()) {
    const { name, source } = result.scenario;
    out.push(rate(name, source.file, undefined, scenario));
    for (const [invariant, counts] of invariants) out.push(rate(name, source.file, invariant, counts));
  }
  return out;
}

/** True when some scenario ran more than once (then pass rates say something). */
export function anyRepeated(results: readonly ScenarioResult[]): boolean {
  for (const { scenario } of group(results).values()) if (scenario.runs > 1) return true;
  return false;
}

function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${Math.round(value * 100)}%`;
}

/**
 * A compact table for the terminal: one row per scenario, its invariants indented below it, flaky rows marked.
 * inconclusive and error runs are shown but not counted in the rate.
 */
export function passRateLines(rates: readonly PassRate[]): string[] {
  const header = ['scenario / invariant', 'runs', 'pass', 'fail', 'inconcl', 'error', 'rate', '95% interval', ''];
  const rows = rates.map((r) => [
    r.invariant === undefined ? r.scenario : `  ${r.invariant}`,
    String(r.runs),
    String(r.pass),
    String(r.fail),
    String(r.inconclusive),
    String(r.error),
    percent(r.passRate),
    r.wilson95 === undefined ? '-' : `${percent(r.wilson95.low)}-${percent(r.wilson95.high)}`,
    r.flaky ? 'FLAKY' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return ['pass rates (rate = pass / (pass + fail); inconclusive and error runs are not counted)', line(header), ...rows.map(line)];
}
