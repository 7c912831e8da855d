// Keeps kubeconfig credentials and tokens out of every report and log line. Two layers: redact() on text (what
// is written), redactValue() on data before it is rendered (so escaping cannot hide a secret from the text pass).
// The text patterns never consume quotes, backslashes or markup characters, so redacted JSON, XML and HTML stay
// well-formed.
export const REDACTED = '[REDACTED]';

/** Key names whose values are credentials (compared without case, '-' and '_'). */
const SENSITIVE_KEYS = [
  'token',
  'idtoken',
  'accesstoken',
  'refreshtoken',
  'authtoken',
  'bearertoken',
  'bootstraptoken',
  'servicetoken',
  'apitoken',
  'clientkeydata',
  'clientcertificatedata',
  'password',
  'passwd',
  'authorization',
  'proxyauthorization',
  'apikey',
  'secretkey',
];

const KEY = String.raw`(?:(?:id|access|refresh|auth|bearer|bootstrap|service|api)[-_]?)?token|client[-_]?key[-_]?data|client[-_]?certificate[-_]?data|passw(?:or)?d|(?:proxy[-_]?)?authorization|api[-_]?key|secret[-_]?key`;
/** A value as far as it can go without touching syntax: no whitespace, quotes, backslashes, markup or separators. */
const VALUE = String.raw`(?!\[REDACTED)[^\s"'\\<>&,;{}\[\]]+`;
/** An optional auth scheme in front of a header value. */
const SCHEME = String.raw`(?:(?:Bearer|Basic|Digest|Negotiate|Token)\s+)?`;

interface Rule {
  readonly pattern: RegExp;
  readonly replace: string;
}

const RULES: readonly Rule[] = [
  // PEM private keys, also inside JSON strings (newlines escaped as \n).
  {
    pattern: /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    replace: `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`,
  },
  // "key": "quoted value", also inside escaped JSON (\"...\"): up to the closing quote on the same line.
  {
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_])(${KEY})(?![A-Za-z0-9_-])(\\?["']?\s*[:=]\s*)(\\?)(["'])(?!${SCHEME}\[REDACTED)(${SCHEME})(?:(?!\3\4)(?:\\.|[^\n<>\\]))+(?=\3\4)`,
      'gi',
    ),
    replace: `$1$2$3$4$5${REDACTED}`,
  },
  // key: value, key=value, --key=value (YAML, headers, flags, logs).
  {
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_])(${KEY})(?![A-Za-z0-9_-])(\\?["']?)(\s*[:=]\s*)(\\?["']?)(?!${SCHEME}\[REDACTED)(${SCHEME})${VALUE}`,
      'gi',
    ),
    replace: `$1$2$3$4$5${REDACTED}`,
  },
  // --key value (command lines).
  { pattern: new RegExp(String.raw`(--(?:${KEY}))\s+${VALUE}`, 'gi'), replace: `$1 ${REDACTED}` },
  // Bearer tokens anywhere.
  { pattern: /\b(Bearer)\s+(?!\[REDACTED)[A-Za-z0-9._~+/=-]{6,}/gi, replace: `$1 ${REDACTED}` },
  // JWTs (service account tokens, OIDC id tokens): header.payload.signature, base64url, header starting {".
  { pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replace: `${REDACTED}` },
  // RKE2/K3s join tokens: K10<ca hash>::<user>:<secret>.
  { pattern: /\bK10[0-9a-f]{16,}::[A-Za-z0-9._-]+:[A-Za-z0-9._-]+/g, replace: REDACTED },
  // user:password@ in URLs.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>\\]+:)(?!\[REDACTED)[^\s@/"'<>\\]+@/gi, replace: `$1${REDACTED}@` },
];

/** The text with every credential replaced by [REDACTED]. Idempotent. */
export function redact(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace);
  return out;
}

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.includes(key.toLowerCase().replace(/[-_]/g, ''));
}

/**
 * A deep copy with every string redacted and the value of every credential-named key replaced. Keeps the shape
 * (arrays stay arrays, numbers stay numbers), so a redacted history still validates.
 */
export function redactValue<T>(value: T): T {
  return redactAny(value) as T;
}

function redactAny(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactAny);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) && typeof inner === 'string' ? REDACTED : redactAny(inner);
  }
  return out;
}
