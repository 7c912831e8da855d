import { expect } from 'chai';
import { documentHash, groupVersionPath, openApiV2, openApiV3GroupVersion, openApiV3Index, patchTypesOf, allSchemas } from './openapi.ts';
import { acceptsJson } from './openapi-handler.ts';
import { listStrategy } from './strategic-merge-patch.ts';
import { REF_PREFIX, schemaNameOf, type Schema } from './openapi-schemas.ts';
import { RESOURCES, findResource, groupVersions, type ResourceInfo } from './resources.ts';
import { startApiFixture, type ApiFixture } from './testing/api-fixture.ts';
import { request } from './testing/http-request.ts';

type Doc = Record<string, unknown>;
const resource = (group: string, plural: string): ResourceInfo => {
  const found = RESOURCES.find((r) => r.group === group && r.resource === plural);
  if (!found) throw new Error(`no ${plural}`);
  return found;
};
const pathsOf = (doc: Doc | undefined): Record<string, Record<string, Doc>> => (doc?.paths ?? {}) as Record<string, Record<string, Doc>>;
const schemasOf = (doc: Doc | undefined): Record<string, Schema> =>
  ((doc?.components as Doc | undefined)?.schemas ?? {}) as Record<string, Schema>;

/** The schema at a field path, following allOf/$ref and array items as strategicpatch's PatchMetaFromOpenAPIV3 does. */
function fieldSchema(root: Schema, path: readonly string[], schemas: Record<string, Schema>): Schema | undefined {
  const resolve = (s: Schema): Schema => {
    const target = s.allOf?.[0]?.$ref ?? s.$ref;
    return target ? (schemas[target.slice(REF_PREFIX.length)] as Schema) : s;
  };
  let current: Schema | undefined = root;
  for (const key of path) {
    if (!current) return undefined;
    const resolved = resolve(current);
    const base: Schema | undefined = resolved.type === 'array' && resolved.items ? resolve(resolved.items) : resolved;
    current = base.properties?.[key];
  }
  return current;
}

describe('OpenAPI documents', () => {
  it('the v3 index names every served group version with a hashed serverRelativeURL', () => {
    const index = openApiV3Index() as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths).sort()).to.deep.equal(groupVersions().map(groupVersionPath).sort());
    const core = openApiV3GroupVersion('api/v1');
    expect(index.paths['api/v1']?.serverRelativeURL).to.equal(`/openapi/v3/api/v1?hash=${documentHash(core)}`);
    expect(openApiV3GroupVersion('apis/apps/v1')).to.equal(undefined);
  });

  it('every served kind has its paths with GVK-tagged operations and a component schema with its GVK', () => {
    for (const info of RESOURCES) {
      const doc = openApiV3GroupVersion(groupVersionPath(info));
      const prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
      const base = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;
      const gvk = { group: info.group, version: info.version, kind: info.kind };
      const object = pathsOf(doc)[`${base}/{name}`];
      expect(Object.keys(object ?? {}), info.resource).to.have.members(['get', 'put', 'patch', 'delete']);
      expect(object?.patch?.['x-kubernetes-group-version-kind'], info.resource).to.deep.equal(gvk);
      expect(pathsOf(doc)[base]?.get?.['x-kubernetes-action']).to.equal('list');
      if (info.hasStatus) expect(pathsOf(doc)[`${base}/{name}/status`]?.patch, info.resource).to.not.equal(undefined);
      const schema = schemasOf(doc)[schemaNameOf(info)];
      expect(schema?.['x-kubernetes-group-version-kind'], info.resource).to.deep.equal([gvk]);
    }
  });

  it('PATCH takes dryRun and fieldValidation; strategic merge patch only where the schema drives it', () => {
    const cm = resource('', 'configmaps');
    const patchOp = pathsOf(openApiV3GroupVersion('api/v1'))['/api/v1/namespaces/{namespace}/configmaps/{name}']?.patch;
    const params = (patchOp?.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(params).to.include.members(['dryRun', 'fieldValidation']);
    const content = (patchOp?.requestBody as { content: Record<string, unknown> }).content;
    expect(Object.keys(content)).to.include('application/strategic-merge-patch+json');
    expect(patchTypesOf(cm, allSchemas())).to.include('application/strategic-merge-patch+json');
    expect(patchTypesOf(resource('', 'nodes'), allSchemas())).to.include('application/strategic-merge-patch+json');
    // Stored as given (not described field by field) and custom resources: no strategic merge patch from the schema.
    expect(patchTypesOf(resource('', 'services'), allSchemas())).to.not.include('application/strategic-merge-patch+json');
    expect(patchTypesOf(resource('kubevirt.io', 'virtualmachines'), allSchemas())).to.deep.equal([
      'application/json-patch+json',
      'application/merge-patch+json',
    ]);
  });

  it('patch strategies and merge keys are the ones this server merges by', () => {
    const doc = openApiV3GroupVersion('api/v1');
    const schemas = schemasOf(doc);
    const node = schemas[schemaNameOf(resource('', 'nodes'))] as Schema;
    for (const path of [
      ['metadata', 'finalizers'],
      ['metadata', 'ownerReferences'],
      ['status', 'conditions'],
      ['status', 'addresses'],
    ]) {
      const field = fieldSchema(node, path, schemas);
      const server = listStrategy(path);
      expect(field?.['x-kubernetes-patch-strategy'], path.join('.')).to.equal('merge');
      expect(field?.['x-kubernetes-patch-merge-key'], path.join('.')).to.equal(server.kind === 'key' ? server.key : undefined);
    }
    expect(fieldSchema(node, ['spec', 'taints'], schemas)?.['x-kubernetes-patch-strategy']).to.equal(undefined);
    expect(listStrategy(['spec', 'taints']).kind).to.equal('replace');
    // Every $ref resolves within the document.
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const r of refs) expect(schemas[r.slice(REF_PREFIX.length + 1, -1)], r).to.not.equal(undefined);
  });

  it('v2 is one Swagger 2.0 document with definitions and the same operations', () => {
    const v2 = openApiV2() as { swagger: string; paths: Record<string, Record<string, Doc>>; definitions: Record<string, unknown> };
    expect(v2.swagger).to.equal('2.0');
    const patchOp = v2.paths['/api/v1/nodes/{name}']?.patch;
    expect(patchOp?.['x-kubernetes-group-version-kind']).to.deep.equal({ group: '', version: 'v1', kind: 'Node' });
    expect(patchOp?.consumes).to.include('application/strategic-merge-patch+json');
    expect(JSON.stringify(v2)).to.not.include('#/components/');
    expect(v2.definitions['io.k8s.api.coordination.v1.Lease']).to.not.equal(undefined);
    expect(findResource('coordination.k8s.io', 'v1', 'leases')).to.not.equal(undefined);
  });

  it('accepts JSON unless a client asks only for another encoding', () => {
    expect(acceptsJson(undefined)).to.equal(true);
    expect(acceptsJson('application/json, */*')).to.equal(true);
    expect(acceptsJson('application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).to.equal(false);
  });
});

describe('OpenAPI over HTTP (real etcd)', function () {
  this.timeout(60_000);
  let f: ApiFixture;
  let target: { url: string };
  before(async () => {
    f = await startApiFixture();
    target = { url: f.url };
  });
  after(async () => {
    await f?.stop();
  });

  it('serves /openapi/v3, the group versions it names (with an ETag, 304 on a match) and /openapi/v2', async () => {
    const index = (await request(target, 'GET', '/openapi/v3')).json() as { paths: Record<string, { serverRelativeURL: string }> };
    const url = index.paths['apis/coordination.k8s.io/v1']?.serverRelativeURL ?? '';
    const doc = await request(target, 'GET', url);
    expect(doc.status).to.equal(200);
    expect(doc.headers['content-type']).to.equal('application/json');
    expect(Object.keys(doc.json().paths as object)).to.include('/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}');
    const etag = doc.headers.etag ?? '';
    expect((await request(target, 'GET', url, { headers: { 'If-None-Match': etag } })).status).to.equal(304);
    expect((await request(target, 'GET', '/openapi/v3/apis/apps/v1')).status).to.equal(404);
    const v2 = await request(target, 'GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
    expect(v2.json().swagger).to.equal('2.0');
    const proto = await request(target, 'GET', '/openapi/v2', {
      headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    expect(proto.status).to.equal(406);
    expect((await request(target, 'POST', '/openapi/v3', { body: {} })).status).to.equal(405);
  });
});
