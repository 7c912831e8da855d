// Durations in files (scenarios, topologies, executor configs) are strings with units: "500ms", "5s", "2m", "1m30s"; in code they are milliseconds.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** The JSON Schema pattern for a duration (also used to validate). */
export const DURATION_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

export type DurationParse = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

/** Parses a duration string to whole milliseconds. */
export function parseDuration(text: string): DurationParse {
  const compact = text.trim();
  if (!DURATION_RE.test(compact)) {
    const hint = /^[0-9.]+$/.test(compact)
      ? `; add a unit: "${compact}s" or "${compact}ms"`
      : '; units are ms, s, m, h written right after the number (e.g. "5s", "1m30s")';
    return { ok: false, message: `bad duration "${text}"${hint}` };
  }
  let ms = 0;
  for (const match of compact.matchAll(PART_RE)) {
    const unit = match[2] as keyof typeof UNIT_MS;
    ms += Number(match[1]) * UNIT_MS[unit];
  }
  return { ok: true, ms: Math.round(ms) };
}

/** Formats milliseconds the way a scenario would write them ("1m30s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  let seconds = ms / 1000;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(seconds / size);
    if (count > 0) parts.push(`${count}${unit}`);
    seconds -= count * size;
  }
  return parts.join('');
}
