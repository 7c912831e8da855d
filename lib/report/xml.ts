// Escaping for XML 1.0 and HTML text and attributes. Characters XML cannot carry at all (most C0 controls, lone
// surrogates, U+FFFE/U+FFFF) are written as visible \uXXXX so the document stays well-formed and nothing is lost.
// Every helper redacts first: escaping turns quotes into references, which would hide "token": "..." from redact().
import { redact } from './redact.ts';

const INVALID_XML_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(char: string): string {
  return `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/** Redacts, then escapes text content. */
export function escapeText(text: string): string {
  return redact(text).replace(INVALID_XML_CHARS, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Redacts and escapes an attribute value (double-quoted); tabs and newlines survive attribute normalisation as references. */
export function escapeAttr(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** `name="value"` pairs; undefined values are left out. */
export function attrs(values: Readonly<Record<string, string | number | undefined>>): string {
  const out: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out.push(` ${name}="${escapeAttr(String(value))}"`);
  }
  return out.join('');
}
