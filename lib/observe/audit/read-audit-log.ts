// Reads audit log files: one JSON value per line. Accepted per line:
// - a plain audit.k8s.io/v1 Event, as the API server's log backend writes it (--audit-log-format=json);
// - an EventList (kind "EventList", items: Events), the body the webhook backend posts, stored as one line;
// - a log shipper's record holding the Event under `log` or `message`, as a JSON string (Docker's json-file log
//   driver, fluent-bit's tail input without a JSON parser) or as an object (a shipper that parsed it), or under
//   `_source` (an Elasticsearch / OpenSearch hit exported as JSON lines).
// Blank lines are skipped. A line that is not JSON (a truncated last line, a partial write), or JSON that holds no
// usable Event, becomes a problem naming file, line and what was expected; reading goes on with the next line.
import { describeValue } from '../../schema/describe-value.ts';
import type { Problem } from '../../schema/problems.ts';
import { looksLikeAuditEvent, readAuditEvent } from './audit-event.ts';
import type { SourcedAuditEvent } from './audit-event.ts';

export const AUDIT_WRAPPER_FIELDS = ['log', 'message', '_source'] as const;

export interface AuditFileRead {
  readonly events: SourcedAuditEvent[];
  /** One per unusable line (or item of an EventList); the rest of the file was read. */
  readonly problems: Problem[];
  /** Non-blank lines seen. */
  readonly lines: number;
}

type Candidate = { readonly value: unknown; readonly path: string };

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Event(s) a parsed line holds, each with its path in the line; undefined when the line holds none. */
function unwrap(value: unknown): Candidate[] | undefined {
  if (!isObject(value)) return undefined;
  if (value['kind'] === 'EventList') {
    const items = value['items'];
    return Array.isArray(items) ? items.map((item, i) => ({ value: item, path: `items[${i}]` })) : [];
  }
  if (looksLikeAuditEvent(value)) return [{ value, path: '' }];
  for (const field of AUDIT_WRAPPER_FIELDS) {
    let inner = value[field];
    if (typeof inner === 'string') {
      const text = inner.trim();
      if (!text.startsWith('{')) continue;
      try {
        inner = JSON.parse(text) as unknown;
      } catch {
        return [{ value: Symbol.for('truncated'), path: field }];
      }
    }
    if (looksLikeAuditEvent(inner)) return [{ value: inner, path: field }];
  }
  return undefined;
}

/** What JSON.parse said, without the echo of the input newer Node versions add. */
function jsonReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(line \d+ column \d+\)$/, '');
}

function describeLine(value: unknown): string {
  if (!isObject(value)) return describeValue(value);
  const keys = Object.keys(value).slice(0, 6);
  return keys.length === 0 ? 'an empty object' : `an object with ${keys.join(', ')}`;
}

export function readAuditLogText(text: string, file: string): AuditFileRead {
  const events: SourcedAuditEvent[] = [];
  const problems: Problem[] = [];
  const rows = text.split('\n');
  let lines = 0;
  const problem = (line: number, path: string, message: string): void => {
    problems.push({ file, line, column: 1, path, message });
  };
  rows.forEach((raw, index) => {
    const row = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const line = index + 1;
    if (row.trim() === '') return;
    lines += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(row);
    } catch (error) {
      const last = index === rows.length - 1 || (index === rows.length - 2 && rows[rows.length - 1] === '');
      const hint = last ? ' (the last line: a truncated write?)' : '';
      problem(line, '', `expected one JSON audit Event per line, but the line is not valid JSON${hint}: ${jsonReason(error)}`);
      return;
    }
    const candidates = unwrap(parsed);
    if (candidates === undefined) {
      problem(
        line,
        '',
        `expected an audit.k8s.io/v1 Event (kind "Event" with auditID and stage), an EventList, or a record holding one under ${AUDIT_WRAPPER_FIELDS.join(', ')}; found ${describeLine(parsed)}`,
      );
      return;
    }
    for (const { value, path } of candidates) {
      if (value === Symbol.for('truncated')) {
        problem(line, path, 'expected an audit Event serialized as JSON, but the string is not valid JSON (truncated?)');
        continue;
      }
      const { event, problems: fieldProblems } = readAuditEvent(value);
      for (const p of fieldProblems) problem(line, [path, p.path].filter((s) => s !== '').join('.'), p.message);
      if (event !== undefined) events.push({ event, source: { file, line } });
    }
  });
  return { events, problems, lines };
}
