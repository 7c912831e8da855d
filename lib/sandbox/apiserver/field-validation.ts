// Server-side field validation (the fieldValidation parameter), checked against the schemas this server publishes
// (openapi-schemas.ts). kube-apiserver's semantics (apiserver pkg/endpoints/handlers create.go, update.go, patch.go,
// rest.go fieldValidation): Strict fails a write whose object has unknown fields with a 400, Warn (the default when the
// parameter is absent) writes it and answers with a `Warning: 299 - "unknown field \"spec.foo\""` header per field,
// Ignore says nothing. Any other value is a 422 from ValidateFieldValidation (apimachinery meta/v1/validation).
// Field paths are sigs.k8s.io/json's strict-decoding ones: spec.foo, spec.items[0].foo.
// Not checked: duplicate fields (this server parses JSON keeping the last of duplicated keys).
import type { ServerResponse } from 'node:http';
import { isPlainObject, type KubeObject } from './object-meta.ts';
import type { OptionsKind } from './dry-run.ts';
import { allSchemas } from './openapi.ts';
import { REF_PREFIX, schemaNameOf, type Schema } from './openapi-schemas.ts';
import type { ResourceInfo } from './resources.ts';
import { ApiError, badRequest } from './status.ts';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

const ALLOWED = ['', 'Ignore', 'Strict', 'Warn'] as const;

/** The request's directive; absent or empty is Warn. */
export function fieldValidationOf(params: URLSearchParams, kind: OptionsKind): FieldValidation {
  const value = params.get('fieldValidation') ?? '';
  if (!(ALLOWED as readonly string[]).includes(value)) {
    const body = `Unsupported value: ${JSON.stringify(value)}: supported values: ${ALLOWED.map((v) => JSON.stringify(v)).join(', ')}`;
    throw new ApiError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: fieldValidation: ${body}`, {
      group: 'meta.k8s.io',
      kind,
      causes: [{ reason: 'FieldValueNotSupported', message: body, field: 'fieldValidation' }],
    });
  }
  return value === '' ? 'Warn' : (value as FieldValidation);
}

function resolved(schema: Schema, schemas: Readonly<Record<string, Schema>>): Schema {
  const target = schema.allOf?.[0]?.$ref ?? schema.$ref;
  if (!target) return schema;
  return schemas[target.slice(REF_PREFIX.length)] ?? { 'x-kubernetes-preserve-unknown-fields': true };
}

function walk(value: unknown, schema: Schema, schemas: Readonly<Record<string, Schema>>, path: string, out: string[]): void {
  const s = resolved(schema, schemas);
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => walk(item, s.items as Schema, schemas, `${path}[${i}]`, out));
    return;
  }
  if (!isPlainObject(value)) return;
  const properties = s.properties;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const known = properties?.[key];
    if (known) walk(child, known, schemas, childPath, out);
    else if (s.additionalProperties) walk(child, s.additionalProperties, schemas, childPath, out);
    else if (properties && !s['x-kubernetes-preserve-unknown-fields']) out.push(childPath);
  }
}

/** The fields of `obj` its kind's schema does not declare, in document order. */
export function unknownFields(info: ResourceInfo, obj: KubeObject): string[] {
  const schemas = allSchemas();
  const schema = schemas[schemaNameOf(info)];
  const out: string[] = [];
  if (schema) walk(obj, schema, schemas, '', out);
  return out;
}

/**
 * Applies the directive to an object about to be written: throws the Strict 400, or sets the Warn headers on `res`.
 */
export function checkFields(info: ResourceInfo, obj: KubeObject, directive: FieldValidation, res: ServerResponse): void {
  if (directive === 'Ignore') return;
  const unknown = unknownFields(info, obj);
  if (unknown.length === 0) return;
  const messages = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (directive === 'Strict') {
    throw badRequest(
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${messages.join(', ')}`,
    );
  }
  // Set, not appended: a patch's object is checked again on each retry of its read-modify-write.
  res.setHeader(
    'Warning',
    messages.map((m) => `299 - ${JSON.stringify(m)}`),
  );
}
