// JUnit XML for CI test reporters (Jenkins, GitHub Actions): one <testsuite> per scenario, one <testcase> per
// verdict. A failed verdict is a <failure> whose text lists the events that prove it; an error (the harness or its
// environment broke) is an <error>; inconclusive is <skipped>. A known bug reproduced as described (xfail) shows its
// failed verdicts as <skipped> with the bug's link; one that did not reproduce (xpass) adds a `known-bug` testcase
// with a <failure> (or <skipped> under --allow-xpass).
import type { ScenarioResult } from './result.ts';
import type { Verdict } from '../oracles/verdict.ts';
import { describeEvent, runZeroMs } from './describe.ts';
import { attrs, escapeText } from './xml.ts';

export interface JUnitOptions {
  /** Name of the <testsuites> element (default 'cpchaos'). */
  readonly name?: string;
  readonly hostname?: string;
  /** Longest JSON of a verdict's details put in the failure text (default 4000 characters). */
  readonly maxDetailsChars?: number;
  /** A known bug that did not reproduce is reported as skipped, not failed (--allow-xpass). */
  readonly allowXpass?: boolean;
}

type CaseKind = 'pass' | 'failure' | 'error' | 'skipped';

/** How a verdict of this result is written. */
function caseKind(result: ScenarioResult, verdict: Verdict): CaseKind {
  if (verdict.status === 'pass') return 'pass';
  if (verdict.status === 'error') return 'error';
  if (verdict.status === 'inconclusive') return 'skipped';
  return result.status === 'xfail' && result.scenario.knownBug?.fails.includes(verdict.invariant) ? 'skipped' : 'failure';
}

/** The extra testcase of a known bug that did not reproduce. */
function xpassCase(result: ScenarioResult, options: JUnitOptions): string | undefined {
  if (result.status !== 'xpass') return undefined;
  const message = result.knownBug ?? 'the known bug did not reproduce';
  const element = options.allowXpass
    ? `<skipped${attrs({ message: `allowed (--allow-xpass): ${message}` })}/>`
    : `<failure${attrs({ message, type: 'known-bug' })}>${escapeText(message)}</failure>`;
  return `    <testcase${attrs({ classname: result.scenario.name, name: 'known-bug', time: '0', file: result.scenario.source.file })}>\n      ${element}\n    </testcase>`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function seconds(durationMs: number): string {
  return (Math.max(0, durationMs) / 1000).toFixed(3);
}

/** ISO 8601 in UTC to the second, as JUnit timestamps are usually written. */
function timestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function countsOf(result: ScenarioResult, options: JUnitOptions): Counts {
  const counts: Counts = { tests: result.verdicts.length, failures: 0, errors: 0, skipped: 0 };
  for (const v of result.verdicts) {
    const kind = caseKind(result, v);
    if (kind === 'failure') counts.failures += 1;
    else if (kind === 'error') counts.errors += 1;
    else if (kind === 'skipped') counts.skipped += 1;
  }
  if (result.status === 'xpass') {
    counts.tests += 1;
    if (options.allowXpass) counts.skipped += 1;
    else counts.failures += 1;
  }
  if (result.verdicts.length === 0) Object.assign(counts, { tests: 1, errors: 1 });
  return counts;
}

/** The summary, then the evidence one event a line (`#seq +t description`), then the details. */
export function verdictText(verdict: Verdict, zeroMs: number, maxDetailsChars = 4000): string {
  const lines = [verdict.summary];
  if (verdict.evidence.length > 0) {
    lines.push('', `Evidence (${verdict.evidence.length} events; #seq, time from run start):`);
    for (const event of verdict.evidence) lines.push(`  ${describeEvent(event, zeroMs)}`);
  }
  if (verdict.details !== undefined && Object.keys(verdict.details).length > 0) {
    const json = JSON.stringify(verdict.details);
    lines.push('', `Details: ${json.length > maxDetailsChars ? `${json.slice(0, maxDetailsChars)}... (truncated)` : json}`);
  }
  return lines.join('\n');
}

function testcase(result: ScenarioResult, verdict: Verdict, zeroMs: number, options: JUnitOptions): string {
  const open = `    <testcase${attrs({ classname: result.scenario.name, name: verdict.invariant, time: '0', file: result.scenario.source.file })}`;
  if (verdict.status === 'pass') return `${open}/>`;
  const text = escapeText(verdictText(verdict, zeroMs, options.maxDetailsChars));
  const kind = caseKind(result, verdict);
  const skipped = verdict.status === 'fail' ? `known bug (${result.scenario.knownBug?.url ?? ''}), expected failure` : 'inconclusive';
  const element =
    kind === 'failure'
      ? `<failure${attrs({ message: verdict.summary, type: verdict.invariant })}>${text}</failure>`
      : kind === 'error'
        ? `<error${attrs({ message: verdict.summary, type: verdict.invariant })}>${text}</error>`
        : `<skipped${attrs({ message: `${skipped}: ${verdict.summary}` })}>${text}</skipped>`;
  return `${open}>\n      ${element}\n    </testcase>`;
}

function noVerdicts(result: ScenarioResult): string {
  const error = `<error${attrs({ message: 'the run produced no verdicts', type: 'no-verdicts' })}/>`;
  return `    <testcase${attrs({ classname: result.scenario.name, name: 'run', time: seconds(result.durationMs) })}>\n      ${error}\n    </testcase>`;
}

function testsuite(result: ScenarioResult, options: JUnitOptions): string {
  const counts = countsOf(result, options);
  const zeroMs = runZeroMs(result.history, result.startedAt);
  const head = `  <testsuite${attrs({
    name: result.scenario.name,
    tests: counts.tests,
    failures: counts.failures,
    errors: counts.errors,
    skipped: counts.skipped,
    time: seconds(result.durationMs),
    timestamp: timestamp(result.startedAt),
    hostname: options.hostname,
    file: result.scenario.source.file,
  })}>`;
  const properties = [
    ['seed', result.seed],
    ['runId', result.runId],
    ['file', result.scenario.source.file],
    ['status', result.status],
    ['tags', result.scenario.tags.join(',')],
  ].map(([name, value]) => `      <property${attrs({ name, value })}/>`);
  const xpass = xpassCase(result, options);
  const cases =
    result.verdicts.length === 0
      ? [noVerdicts(result)]
      : [...result.verdicts.map((v) => testcase(result, v, zeroMs, options)), ...(xpass === undefined ? [] : [xpass])];
  return [head, '    <properties>', ...properties, '    </properties>', ...cases, '  </testsuite>'].join('\n');
}

export function renderJUnit(results: readonly ScenarioResult[], options: JUnitOptions = {}): string {
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  let durationMs = 0;
  for (const result of results) {
    const counts = countsOf(result, options);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
    durationMs += result.durationMs;
  }
  const head = `<testsuites${attrs({ name: options.name ?? 'cpchaos', ...total, time: seconds(durationMs) })}>`;
  const suites = results.map((r) => testsuite(r, options));
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites, '</testsuites>', ''].join('\n');
}
