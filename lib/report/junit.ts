// JUnit XML for CI test reporters (Jenkins, GitHub Actions): one <testsuite> per scenario, one <testcase> per
// verdict. A failed verdict is a <failure> whose text lists the events that prove it; inconclusive is <skipped>.
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

function countsOf(result: ScenarioResult): Counts {
  const counts: Counts = { tests: result.verdicts.length, failures: 0, errors: 0, skipped: 0 };
  for (const v of result.verdicts) {
    if (v.status === 'fail') counts.failures += 1;
    else if (v.status === 'inconclusive') counts.skipped += 1;
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
  const element =
    verdict.status === 'fail'
      ? `<failure${attrs({ message: verdict.summary, type: verdict.invariant })}>${text}</failure>`
      : `<skipped${attrs({ message: `inconclusive: ${verdict.summary}` })}>${text}</skipped>`;
  return `${open}>\n      ${element}\n    </testcase>`;
}

function noVerdicts(result: ScenarioResult): string {
  const error = `<error${attrs({ message: 'the run produced no verdicts', type: 'no-verdicts' })}/>`;
  return `    <testcase${attrs({ classname: result.scenario.name, name: 'run', time: seconds(result.durationMs) })}>\n      ${error}\n    </testcase>`;
}

function testsuite(result: ScenarioResult, options: JUnitOptions): string {
  const counts = countsOf(result);
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
  const cases = result.verdicts.length === 0 ? [noVerdicts(result)] : result.verdicts.map((v) => testcase(result, v, zeroMs, options));
  return [head, '    <properties>', ...properties, '    </properties>', ...cases, '  </testsuite>'].join('\n');
}

export function renderJUnit(results: readonly ScenarioResult[], options: JUnitOptions = {}): string {
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  let durationMs = 0;
  for (const result of results) {
    const counts = countsOf(result);
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
