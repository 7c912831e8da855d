// How much a metric may rise between two runs before `cpchaos compare` calls it a regression. Metrics are figures
// where lower is better (outage lengths, election counts, ...), each in its own unit.
//
// Default: no metric threshold. Metrics are always compared and shown, but only a metric given a threshold (by name,
// or by `*` for every metric without its own) can make a regression: a run's figures move from run to run, and how
// much movement is noise depends on the cluster, so the limit is the user's to set.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { SetupError } from '../util/errors.ts';
import { fileError, inputIssueMessage, ReportInputError, zodInputProblems } from './summary-read-problems.ts';

/**
 * The rise a metric may take (candidate minus base), in the metric's unit and/or in percent of the base. With both,
 * the larger allowance holds: a regression exceeds both (so `+20%` does not trip on a tiny base when `+100` is given).
 * From a base of 0, any rise exceeds a percentage.
 */
export interface MetricThreshold {
  readonly maxIncrease?: number;
  readonly maxIncreasePct?: number;
}

/** Metric name (or ANY_METRIC) -> its threshold. */
export type Thresholds = Readonly<Record<string, MetricThreshold>>;

/** The name that gives a threshold to every metric without its own. */
export const ANY_METRIC = '*';

export const DEFAULT_THRESHOLDS: Thresholds = {};

const AMOUNT = /^\+?(\d+(?:\.\d+)?|\.\d+)(%?)$/;

/** `+500` -> { maxIncrease: 500 }, `+20%` -> { maxIncreasePct: 20 } (the `+` is optional); undefined when malformed. */
export function parseThresholdAmount(text: string): MetricThreshold | undefined {
  const match = AMOUNT.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  return match[2] === '%' ? { maxIncreasePct: amount } : { maxIncrease: amount };
}

/** `--threshold NAME=+N` or `NAME=+N%`. */
export function parseThresholdFlag(flag: string): [string, MetricThreshold] {
  const at = flag.indexOf('=');
  const name = at < 0 ? '' : flag.slice(0, at).trim();
  const threshold = at < 0 ? undefined : parseThresholdAmount(flag.slice(at + 1));
  if (name === '' || threshold === undefined) {
    throw new SetupError(
      `--threshold ${JSON.stringify(flag)}: expected METRIC=+N (a rise in the metric's unit) or METRIC=+N% (a rise in percent of the base), e.g. longestWriteOutageMs=+500 or promotionLatencyMs=+20%`,
    );
  }
  return [name, threshold];
}

/** Later thresholds win, field by field: `--threshold M=+500 --threshold M=+20%` gives M both. */
export function mergeThresholds(...sources: readonly Thresholds[]): Thresholds {
  const out: Record<string, MetricThreshold> = {};
  for (const source of sources) for (const [name, t] of Object.entries(source)) out[name] = { ...out[name], ...t };
  return out;
}

export function thresholdsFromFlags(flags: readonly string[]): Thresholds {
  return mergeThresholds(...flags.map((flag) => Object.fromEntries([parseThresholdFlag(flag)])));
}

const nonNegative = z.number().nonnegative();
const thresholdValue = z.union(
  [
    nonNegative,
    z.string().refine((s) => parseThresholdAmount(s) !== undefined, { error: 'expected a rise such as +500 or "+20%"' }),
    z.strictObject(
      { maxIncrease: nonNegative.optional(), maxIncreasePct: nonNegative.optional() },
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; expected maxIncrease or maxIncreasePct`
            : undefined,
      },
    ),
  ],
  { error: 'expected a rise such as +500 or "+20%", or { maxIncrease: N, maxIncreasePct: N }' },
);
const thresholdsDocument = z.record(z.string().min(1), thresholdValue);

/**
 * A thresholds file, YAML or JSON: metric name -> `+500`, `"+20%"`, or `{ maxIncrease: 500, maxIncreasePct: 20 }`.
 *
 *     longestWriteOutageMs: +500
 *     promotionLatencyMs: +20%
 *     "*": { maxIncreasePct: 50 }
 */
export function parseThresholds(text: string, file: string): Thresholds {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true });
  } catch (error) {
    throw fileError(file, `not valid YAML or JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const parsed = thresholdsDocument.safeParse(raw ?? {}, { error: inputIssueMessage });
  if (!parsed.success) throw new ReportInputError(zodInputProblems(parsed.error, file, text));
  return Object.fromEntries(
    Object.entries(parsed.data).map(([name, value]) => [
      name,
      typeof value === 'number'
        ? { maxIncrease: value }
        : typeof value === 'string'
          ? (parseThresholdAmount(value) as MetricThreshold)
          : value,
    ]),
  );
}

export async function readThresholdsFile(file: string): Promise<Thresholds> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw fileError(file, `cannot read the thresholds file: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`, error);
  }
  return parseThresholds(text, file);
}

/** The metric's own threshold, else the `*` one; undefined when neither is given or neither sets a limit. */
export function thresholdFor(thresholds: Thresholds, metric: string): MetricThreshold | undefined {
  const t = thresholds[metric] ?? thresholds[ANY_METRIC];
  return t === undefined || (t.maxIncrease === undefined && t.maxIncreasePct === undefined) ? undefined : t;
}

/** Whether a rise from `base` by `delta` breaks the threshold (exceeds every limit it sets). */
export function exceedsThreshold(threshold: MetricThreshold, base: number, delta: number): boolean {
  if (delta <= 0) return false;
  const overAbsolute = threshold.maxIncrease === undefined || delta > threshold.maxIncrease;
  const overPct = threshold.maxIncreasePct === undefined || base <= 0 || (delta / base) * 100 > threshold.maxIncreasePct;
  return overAbsolute && overPct;
}

/** `+500`, `+20%`, `+500 and +20%`. */
export function formatThreshold(threshold: MetricThreshold): string {
  const parts: string[] = [];
  if (threshold.maxIncrease !== undefined) parts.push(`+${threshold.maxIncrease}`);
  if (threshold.maxIncreasePct !== undefined) parts.push(`+${threshold.maxIncreasePct}%`);
  return parts.join(' and ');
}
