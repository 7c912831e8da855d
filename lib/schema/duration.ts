// The duration descriptor every file format shares ("500ms", "5s", "2m").
import { DURATION_PATTERN, parseDuration } from '../util/duration.ts';
import { parsedString, ref } from './descriptors.ts';
import type { Desc } from './descriptors.ts';

export const duration: Desc<number> = ref(
  'duration',
  parsedString<number>({
    expected: 'a duration like "30s"',
    pattern: DURATION_PATTERN,
    parse: (text, path, ctx) => {
      const parsed = parseDuration(text);
      if (!parsed.ok) return ctx.report(path, parsed.message);
      return parsed.ms > 0 ? parsed.ms : ctx.report(path, `a duration must be positive, found "${text}"`);
    },
    numberHint: (n) => `durations need a unit: "${n}s" or "${n}ms"`,
  }).doc('Duration', 'A duration with a unit: ms, s, m or h ("500ms", "5s", "2m", "1m30s").', ['500ms', '5s', '2m']),
);
