// /openapi/v2 and /openapi/v3: the OpenAPI documents of the served resources, generated from resources.ts and the
// schemas of openapi-schemas.ts, shaped as kube-apiserver's (k8s.io/kube-openapi builder3 / handler3).
//
// What kubectl 1.32 reads from them:
// - /openapi/v3 is the index of group versions, each with its serverRelativeURL carrying a hash (client-go openapi
//   client.go Paths; kube-openapi handler3 OpenAPIV3Discovery); the group version's document is fetched as JSON
//   (client-go openapi3 root.go GVSpec).
// - kubectl apply's validation asks whether the PATCH operation of the object's GVK (x-kubernetes-group-version-kind)
//   takes the fieldValidation query parameter (cli-runtime pkg/resource/query_param_verifier_v3.go): it does here, so
//   kubectl leaves validation to the server (field-validation.ts) instead of validating against /openapi/v2, which it
//   reads only as protobuf (client-go discovery OpenAPISchema) and this server serves only as JSON.
// - kubectl apply's patch (kubectl pkg/cmd/apply/patcher.go): when the PATCH operation's requestBody takes
//   application/strategic-merge-patch+json, the three-way strategic merge patch is computed from the component schema
//   whose x-kubernetes-group-version-kind lists the GVK, with its x-kubernetes-patch-strategy/-merge-key
//   (apimachinery strategicpatch PatchMetaFromOpenAPIV3). Strategic merge patch is listed only for kinds described
//   field by field: for the others (and for custom resources, as for CRDs) kubectl falls back to its built-in types,
//   or to a JSON merge patch.
// - kubectl explain finds the GVK on an operation of /api(s)/<gv>/[namespaces/{namespace}/]<resource>[/{name}], then
//   the component schema with that GVK (kubectl pkg/explain/v2/templates/plaintext.tmpl).
import { createHash } from 'node:crypto';
import { SERVER_GIT_VERSION } from './discovery.ts';
import { RESOURCES, groupVersions, type ResourceInfo } from './resources.ts';
import { REF_PREFIX, componentSchemas, isBuiltIn, schemaNameOf, schemasReachableFrom, type Schema } from './openapi-schemas.ts';

type Doc = Record<string, unknown>;

const STATUS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const PATCH_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const JSON_TYPES = ['application/json'];

interface Param {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
}

const P = {
  name: { name: 'name', in: 'path', description: 'name of the object' },
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects' },
  dryRun: {
    name: 'dryRun',
    in: 'query',
    description: 'When present, indicates that modifications should not be persisted. The only valid value is All.',
  },
  fieldValidation: {
    name: 'fieldValidation',
    in: 'query',
    description: 'How the server treats unknown fields in the object: Ignore, Warn (the default) or Strict.',
  },
  labelSelector: {
    name: 'labelSelector',
    in: 'query',
    description: 'A selector to restrict the list of returned objects by their labels.',
  },
  fieldSelector: {
    name: 'fieldSelector',
    in: 'query',
    description: 'A selector to restrict the list of returned objects by their fields.',
  },
  limit: { name: 'limit', in: 'query', description: 'The maximum number of responses to return for a list call.' },
  continue: { name: 'continue', in: 'query', description: 'The continue token of a previous chunked list.' },
  resourceVersion: { name: 'resourceVersion', in: 'query', description: 'Which resource versions a request may be served from.' },
  resourceVersionMatch: { name: 'resourceVersionMatch', in: 'query', description: 'How resourceVersion is applied to list calls.' },
  watch: { name: 'watch', in: 'query', description: 'Watch for changes to the described resources.' },
} as const satisfies Record<string, Param>;

const LIST_PARAMS: readonly Param[] = [
  P.labelSelector,
  P.fieldSelector,
  P.limit,
  P.continue,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.watch,
];
const WRITE_PARAMS: readonly Param[] = [P.dryRun, P.fieldValidation];

/** The media types a PATCH of this kind is offered with (see the header). */
export function patchTypesOf(info: ResourceInfo, schemas: Readonly<Record<string, Schema>>): string[] {
  const types = ['application/json-patch+json', 'application/merge-patch+json'];
  if (isBuiltIn(info) && describedFieldByField(schemas[schemaNameOf(info)], schemas)) types.push('application/strategic-merge-patch+json');
  return types;
}

function resolve(schema: Schema | undefined, schemas: Readonly<Record<string, Schema>>): Schema | undefined {
  const target = schema?.allOf?.[0]?.$ref ?? schema?.$ref;
  return target ? schemas[target.slice(REF_PREFIX.length)] : schema;
}

/** A kind whose schema and whose top-level fields' schemas list their fields. */
function describedFieldByField(schema: Schema | undefined, schemas: Readonly<Record<string, Schema>>): boolean {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return false;
  return Object.values(schema.properties ?? {}).every((p) => !resolve(p, schemas)?.['x-kubernetes-preserve-unknown-fields']);
}

interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly action: string;
  readonly description: string;
  readonly params: readonly Param[];
  /** The request body's media types and schema name. */
  readonly body?: { readonly types: readonly string[]; readonly schema: string };
  /** The response's schema name. */
  readonly returns: string;
}

function operationId(op: Operation, info: ResourceInfo, namespaced: boolean, suffix: string): string {
  const group = (info.group === '' ? 'core' : (info.group.split('.')[0] ?? '')).replace(/^./, (c) => c.toUpperCase());
  const version = info.version.replace(/^./, (c) => c.toUpperCase());
  const verb = {
    list: 'list',
    get: 'read',
    post: 'create',
    put: 'replace',
    patch: 'patch',
    delete: 'delete',
    deletecollection: 'deleteCollection',
  }[op.action];
  return `${verb ?? op.action}${group}${version}${namespaced ? 'Namespaced' : ''}${info.kind}${suffix}`;
}

/** The paths of one resource: collection, object and (when it has one) status, as kube-apiserver installs them. */
function resourcePaths(info: ResourceInfo, schemas: Readonly<Record<string, Schema>>, v3: boolean): Record<string, Doc> {
  const prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const kind = schemaNameOf(info);
  const list = `${kind}List`;
  const scope = info.namespaced ? [P.namespace] : [];
  const base = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;
  const patchTypes = patchTypesOf(info, schemas);
  const collection: Operation[] = [
    {
      method: 'get',
      action: 'list',
      description: `list or watch objects of kind ${info.kind}`,
      params: [...scope, ...LIST_PARAMS],
      returns: list,
    },
    {
      method: 'post',
      action: 'post',
      description: `create a ${info.kind}`,
      params: [...scope, ...WRITE_PARAMS],
      body: { types: JSON_TYPES, schema: kind },
      returns: kind,
    },
    {
      method: 'delete',
      action: 'deletecollection',
      description: `delete collection of ${info.kind}`,
      params: [...scope, P.dryRun, P.labelSelector, P.fieldSelector],
      returns: STATUS_SCHEMA,
    },
  ];
  const object = (suffix: string, what: string): Operation[] => [
    { method: 'get', action: 'get', description: `read ${what} of the specified ${info.kind}`, params: [...scope, P.name], returns: kind },
    {
      method: 'put',
      action: 'put',
      description: `replace ${what} of the specified ${info.kind}`,
      params: [...scope, P.name, ...WRITE_PARAMS],
      body: { types: JSON_TYPES, schema: kind },
      returns: kind,
    },
    {
      method: 'patch',
      action: 'patch',
      description: `partially update ${what} of the specified ${info.kind}`,
      params: [...scope, P.name, ...WRITE_PARAMS],
      body: { types: patchTypes, schema: PATCH_SCHEMA },
      returns: kind,
    },
    ...(suffix === ''
      ? [
          {
            method: 'delete',
            action: 'delete',
            description: `delete a ${info.kind}`,
            params: [...scope, P.name, P.dryRun],
            returns: STATUS_SCHEMA,
          } as const,
        ]
      : []),
  ];
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const render = (ops: readonly Operation[], suffix: string): Doc =>
    Object.fromEntries(ops.map((op) => [op.method, renderOperation(op, operationId(op, info, info.namespaced, suffix), gvk, v3)]));
  const paths: Record<string, Doc> = {
    [base]: render(collection, ''),
    [`${base}/{name}`]: render(object('', info.kind), ''),
  };
  if (info.namespaced) {
    paths[`${prefix}/${info.resource}`] = render(
      [{ method: 'get', action: 'list', description: `list or watch objects of kind ${info.kind}`, params: LIST_PARAMS, returns: list }],
      'ForAllNamespaces',
    );
  }
  if (info.hasStatus) paths[`${base}/{name}/status`] = render(object('status', 'status'), 'Status');
  return paths;
}

const ref = (name: string, v3: boolean): Doc => ({ $ref: `${v3 ? REF_PREFIX : '#/definitions/'}${name}` });

function renderParam(p: Param, v3: boolean): Doc {
  const type = { type: 'string', uniqueItems: true };
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.in === 'path' ? { required: true } : {}),
    ...(v3 ? { schema: type } : type),
  };
}

function renderOperation(op: Operation, id: string, gvk: Doc, v3: boolean): Doc {
  const params = op.params.map((p) => renderParam(p, v3));
  const response = v3
    ? { description: 'OK', content: Object.fromEntries(JSON_TYPES.map((t) => [t, { schema: ref(op.returns, true) }])) }
    : { description: 'OK', schema: ref(op.returns, false) };
  const body = op.body;
  const v3Body = body
    ? { requestBody: { required: true, content: Object.fromEntries(body.types.map((t) => [t, { schema: ref(body.schema, true) }])) } }
    : {};
  const v2Body = body
    ? { consumes: [...body.types], parameters: [{ name: 'body', in: 'body', required: true, schema: ref(body.schema, false) }, ...params] }
    : { parameters: params };
  return {
    description: op.description,
    operationId: id,
    ...(v3 ? { parameters: params, ...v3Body } : { ...v2Body, produces: JSON_TYPES, schemes: ['https'] }),
    responses: { '200': response, ...(op.method === 'post' ? { '201': response } : {}) },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

/** List kinds (<Kind>List) of the served kinds, referring to their items' schema. */
function listSchemas(resources: readonly ResourceInfo[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const info of resources) {
    const item = schemaNameOf(info);
    out[`${item}List`] = {
      type: 'object',
      description: `${info.kind}List is a list of ${info.kind}.`,
      properties: {
        apiVersion: { type: 'string' },
        items: { type: 'array', items: { allOf: [{ $ref: `${REF_PREFIX}${item}` }], default: {} } },
        kind: { type: 'string' },
        metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
      required: ['items'],
      'x-kubernetes-group-version-kind': [{ group: info.group, version: info.version, kind: `${info.kind}List` }],
    };
  }
  return out;
}

let cachedSchemas: Record<string, Schema> | undefined;

/** The component schemas of every served kind and its list (RESOURCES is fixed, so built once). */
export function allSchemas(): Readonly<Record<string, Schema>> {
  return (cachedSchemas ??= { ...componentSchemas(RESOURCES), ...listSchemas(RESOURCES) });
}

function info(): Doc {
  return { title: 'Kubernetes', version: SERVER_GIT_VERSION };
}

/** The path of a group version under /openapi/v3: api/v1, apis/batch/v1. */
export function groupVersionPath(gv: { readonly group: string; readonly version: string }): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

/** The OpenAPI v3 document of one group version, or undefined when it is not served. */
export function openApiV3GroupVersion(path: string): Doc | undefined {
  const served = RESOURCES.filter((r) => groupVersionPath(r) === path);
  if (served.length === 0) return undefined;
  const schemas = allSchemas();
  const paths: Record<string, Doc> = {};
  for (const r of served) Object.assign(paths, resourcePaths(r, schemas, true));
  const roots = served.flatMap((r) => [schemaNameOf(r), `${schemaNameOf(r)}List`]);
  return {
    openapi: '3.0.0',
    info: info(),
    paths,
    components: { schemas: schemasReachableFrom([...roots, STATUS_SCHEMA, PATCH_SCHEMA], schemas) },
  };
}

/** The hash a group version's serverRelativeURL carries (kube-openapi handler3: the document's SHA-512, hex). */
export function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** /openapi/v3: every served group version and where its document is. */
export function openApiV3Index(): Doc {
  const paths: Record<string, Doc> = {};
  for (const gv of groupVersions()) {
    const path = groupVersionPath(gv);
    const doc = openApiV3GroupVersion(path);
    if (doc) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${documentHash(doc)}` };
  }
  return { paths };
}

/** /openapi/v2: one Swagger 2.0 document of every served resource. */
export function openApiV2(): Doc {
  const schemas = allSchemas();
  const paths: Record<string, Doc> = {};
  for (const r of RESOURCES) Object.assign(paths, resourcePaths(r, schemas, false));
  const definitions = JSON.parse(JSON.stringify(schemas).replaceAll(`"${REF_PREFIX}`, '"#/definitions/')) as Doc;
  return { swagger: '2.0', info: info(), paths, definitions };
}
