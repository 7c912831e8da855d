// Go's duration syntax, as kubeadm's configs and Kubernetes components' flags read it: "40s", "1m30s", "1.5s",
// "300ms", ".5s", "0". A port of time.ParseDuration (go/src/time/format.go): an optional sign, then one or more
// decimal numbers each with a unit (ns, us, µs, μs, ms, s, m, h), no spaces. The harness's own durations
// (lib/util/duration.ts) are a narrower syntax; kubeadm patches are written for Go, so they are read as Go reads them.

export type GoDurationParse = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

/** Go's unitMap (time/format.go), in milliseconds. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek small letter mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go durations are int64 nanoseconds: about 292 years. */
const MAX_GO_DURATION_MS = 9_223_372_036_854.775;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Parses a Go duration to milliseconds (fractions of a millisecond kept). */
export function parseGoDuration(text: string): GoDurationParse {
  const bad = (why: string): GoDurationParse => ({ ok: false, message: `invalid Go duration ${JSON.stringify(text)}: ${why}` });
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  // Special case: a bare zero needs no unit (time.ParseDuration).
  if (s === '0') return { ok: true, ms: 0 };
  if (s === '') return bad('empty');
  let ms = 0;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return bad(`expected a number at ${JSON.stringify(s)}`);
    let i = 0;
    while (isDigit(s[i])) i++;
    const whole = s.slice(0, i);
    let fraction = '';
    if (s[i] === '.') {
      let j = i + 1;
      while (isDigit(s[j])) j++;
      fraction = s.slice(i + 1, j);
      i = j;
    }
    if (whole === '' && fraction === '') return bad('a number needs digits');
    s = s.slice(i);
    // The unit is everything up to the next number (Go takes the same run and looks it up).
    let u = 0;
    while (u < s.length && !(s[u] === '.' || isDigit(s[u]))) u++;
    const unit = s.slice(0, u);
    if (unit === '') return bad('missing unit (ns, us, ms, s, m or h)');
    const size = UNIT_MS[unit];
    if (size === undefined) return bad(`unknown unit ${JSON.stringify(unit)} (ns, us, ms, s, m or h)`);
    ms += Number(`${whole || '0'}.${fraction || '0'}`) * size;
    s = s.slice(u);
  }
  if (!(ms <= MAX_GO_DURATION_MS)) return bad('out of range (Go durations end at about 292 years)');
  return { ok: true, ms: sign * ms };
}
