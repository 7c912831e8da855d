// One Kubernetes audit event (audit.k8s.io/v1 Event), as the API server's log backend writes it (one JSON object
// per line, --audit-log-format=json) and its webhook backend posts it (an EventList of them). Only the fields the
// importer reads are typed; requestObject and responseObject stay raw JSON, present only at the levels that carry
// them (Request: requestObject; RequestResponse: both; Metadata: neither). Field meanings from kubernetes/kubernetes
// staging/src/k8s.io/apiserver/pkg/apis/audit/v1/types.go (Event, ObjectReference, Stage, Level).
import { describeValue } from '../../schema/describe-value.ts';

export const AUDIT_API_VERSION = 'audit.k8s.io/v1';
export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];
/** Stages in the order a request passes them; Panic replaces the rest when the handler panicked. */
export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];

export interface AuditObjectRef {
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly apiGroup?: string;
  readonly apiVersion?: string;
  readonly resourceVersion?: string;
  readonly subresource?: string;
}

export interface AuditEvent {
  readonly level: AuditLevel;
  readonly auditID: string;
  readonly stage: AuditStage;
  readonly requestURI: string;
  readonly verb: string;
  readonly user: { readonly username?: string; readonly groups?: readonly string[] };
  readonly impersonatedUser?: { readonly username?: string };
  readonly objectRef?: AuditObjectRef;
  /** Absent at RequestReceived (no response yet). */
  readonly responseStatus?: { readonly code?: number; readonly status?: string; readonly reason?: string; readonly message?: string };
  readonly requestObject?: unknown;
  readonly responseObject?: unknown;
  /** Milliseconds since epoch. */
  readonly receivedMs: number;
  readonly stageMs: number;
}

/** Where an event came from: file and 1-based line (for problems and for a stable order of equal times). */
export interface AuditSource {
  readonly file: string;
  readonly line: number;
}

export interface SourcedAuditEvent {
  readonly event: AuditEvent;
  readonly source: AuditSource;
}

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field problem: the path inside the event and what was expected. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** RFC 3339 with optional fraction (metav1.MicroTime writes microseconds); NaN when it is not one. */
function parseTimestamp(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return Number.NaN;
  return Date.parse(value);
}

function requiredString(e: Fields, key: string, problems: FieldProblem[]): string {
  const value = e[key];
  if (typeof value === 'string' && value !== '') return value;
  problems.push({ path: key, message: `expected a non-empty string, found ${describeValue(value)}` });
  return '';
}

function oneOf<T extends string>(e: Fields, key: string, allowed: readonly T[], problems: FieldProblem[]): T {
  const value = e[key];
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ path: key, message: `expected one of ${allowed.join(', ')}, found ${describeValue(value)}` });
  return allowed[0] as T;
}

function timestamp(e: Fields, key: string, problems: FieldProblem[]): number {
  const ms = parseTimestamp(e[key]);
  if (Number.isNaN(ms)) problems.push({ path: key, message: `expected an RFC 3339 timestamp, found ${describeValue(e[key])}` });
  return ms;
}

function optionalObject(e: Fields, key: string, problems: FieldProblem[]): Fields | undefined {
  const value = e[key];
  if (value === undefined || value === null) return undefined;
  if (isFields(value)) return value;
  problems.push({ path: key, message: `expected an object, found ${describeValue(value)}` });
  return undefined;
}

function stringsOf(value: Fields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** True when the object looks like an audit Event at all (kind, or the fields only an Event has). */
export function looksLikeAuditEvent(value: unknown): boolean {
  return isFields(value) && (value['kind'] === 'Event' || (typeof value['auditID'] === 'string' && typeof value['stage'] === 'string'));
}

/** Reads one audit Event object; every field problem is listed (none: the event is usable). */
export function readAuditEvent(value: unknown): { event?: AuditEvent; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!isFields(value)) return { problems: [{ path: '', message: `expected an audit Event object, found ${describeValue(value)}` }] };
  if (value['kind'] !== undefined && value['kind'] !== 'Event')
    problems.push({ path: 'kind', message: `expected "Event", found ${describeValue(value['kind'])}` });
  if (value['apiVersion'] !== undefined && value['apiVersion'] !== AUDIT_API_VERSION)
    problems.push({ path: 'apiVersion', message: `expected "${AUDIT_API_VERSION}", found ${describeValue(value['apiVersion'])}` });
  const level = oneOf(value, 'level', AUDIT_LEVELS, problems);
  const auditID = requiredString(value, 'auditID', problems);
  const stage = oneOf(value, 'stage', AUDIT_STAGES, problems);
  const requestURI = requiredString(value, 'requestURI', problems);
  const verb = requiredString(value, 'verb', problems);
  const user = optionalObject(value, 'user', problems);
  if (user === undefined && !problems.some((p) => p.path === 'user'))
    problems.push({ path: 'user', message: 'expected the requesting user (an object with username), found nothing' });
  const receivedMs = timestamp(value, 'requestReceivedTimestamp', problems);
  const stageMs = timestamp(value, 'stageTimestamp', problems);
  const objectRef = optionalObject(value, 'objectRef', problems);
  const responseStatus = optionalObject(value, 'responseStatus', problems);
  const impersonated = optionalObject(value, 'impersonatedUser', problems);
  if (responseStatus !== undefined && responseStatus['code'] !== undefined && typeof responseStatus['code'] !== 'number')
    problems.push({
      path: 'responseStatus.code',
      message: `expected an HTTP status code (a number), found ${describeValue(responseStatus['code'])}`,
    });
  if (problems.length > 0) return { problems };
  const username = user?.['username'];
  const groups = user?.['groups'];
  const event: AuditEvent = {
    level,
    auditID,
    stage,
    requestURI,
    verb,
    user: {
      ...(typeof username === 'string' ? { username } : {}),
      ...(Array.isArray(groups) ? { groups: groups.filter((g): g is string => typeof g === 'string') } : {}),
    },
    ...(impersonated !== undefined && typeof impersonated['username'] === 'string'
      ? { impersonatedUser: { username: impersonated['username'] } }
      : {}),
    ...(objectRef !== undefined ? { objectRef: stringsOf(objectRef) } : {}),
    ...(responseStatus !== undefined
      ? {
          responseStatus: {
            ...stringsOf(responseStatus),
            ...(typeof responseStatus['code'] === 'number' ? { code: responseStatus['code'] } : {}),
          },
        }
      : {}),
    ...(value['requestObject'] !== undefined ? { requestObject: value['requestObject'] } : {}),
    ...(value['responseObject'] !== undefined ? { responseObject: value['responseObject'] } : {}),
    receivedMs,
    stageMs,
  };
  return { event, problems };
}

/** The user a request acted as: the impersonated user when there is one, else the authenticated user. */
export function actingUser(event: AuditEvent): string {
  return event.impersonatedUser?.username ?? event.user.username ?? '(unknown user)';
}

/** The request succeeded (a 2xx status); undefined when the event has no response status (RequestReceived). */
export function succeeded(event: AuditEvent): boolean | undefined {
  const code = event.responseStatus?.code;
  if (code === undefined) return undefined;
  return code >= 200 && code < 300;
}
