import { expect } from 'chai';
import { checkFields, fieldValidationOf, unknownFields } from './field-validation.ts';
import { RESOURCES, type ResourceInfo } from './resources.ts';
import { ApiError } from './status.ts';
import { startApiFixture, type ApiFixture } from './testing/api-fixture.ts';
import { request } from './testing/http-request.ts';

const resource = (group: string, plural: string): ResourceInfo => {
  const found = RESOURCES.find((r) => r.group === group && r.resource === plural);
  if (!found) throw new Error(`no ${plural}`);
  return found;
};

describe('field validation', () => {
  it('finds fields a closed schema does not declare, with strict-decoding paths', () => {
    const nodes = resource('', 'nodes');
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n', labels: { any: 'thing' }, bogus: 1 },
      spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule', extra: true }] },
      status: { nodeInfo: { kubeletVersion: 'v1', osImage: 'x' }, config: { anything: { goes: 1 } } },
      top: 'level',
    };
    expect(unknownFields(nodes, node)).to.deep.equal(['metadata.bogus', 'spec.taints[0].extra', 'top']);
  });

  it('accepts anything inside what it stores as given (custom resources, undescribed specs)', () => {
    expect(
      unknownFields(resource('kubevirt.io', 'virtualmachines'), { metadata: { name: 'vm' }, spec: { running: true, x: {} } }),
    ).to.deep.equal([]);
    expect(unknownFields(resource('', 'services'), { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } })).to.deep.equal([]);
  });

  it('reads the directive: absent is Warn; other values are a 422', () => {
    expect(fieldValidationOf(new URLSearchParams(), 'CreateOptions')).to.equal('Warn');
    expect(fieldValidationOf(new URLSearchParams('fieldValidation=Strict'), 'CreateOptions')).to.equal('Strict');
    expect(() => fieldValidationOf(new URLSearchParams('fieldValidation=strict'), 'PatchOptions')).to.throw(
      ApiError,
      'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
    );
  });

  it('Strict throws the 400 of a strict decoding error', () => {
    const cms = resource('', 'configmaps');
    expect(() => checkFields(cms, { data: {}, foo: 1 }, 'Strict', undefined as never)).to.throw(
      ApiError,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "foo"',
    );
  });
});

describe('field validation over HTTP (real etcd)', function () {
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

  it('Strict refuses, Warn (the default) writes and warns, Ignore writes silently', async () => {
    const base = '/api/v1/namespaces/default/configmaps';
    const body = (name: string): Record<string, unknown> => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: {},
      extra: 1,
    });
    const strict = await request(target, 'POST', `${base}?fieldValidation=Strict`, { body: body('s') });
    expect(strict.status).to.equal(400);
    expect(strict.json().message).to.include('strict decoding error: unknown field "extra"');
    const warned = await request(target, 'POST', base, { body: body('w') });
    expect(warned.status).to.equal(201);
    expect(warned.headers.warning).to.equal('299 - "unknown field \\"extra\\""');
    const ignored = await request(target, 'POST', `${base}?fieldValidation=Ignore`, { body: body('i') });
    expect(ignored.status).to.equal(201);
    expect(ignored.headers.warning).to.equal(undefined);
    const patched = await request(target, 'PATCH', `${base}/w?fieldValidation=Strict`, {
      body: { metadata: { labels: { a: 'b' } } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patched.status, 'the stored unknown field fails a strict patch too').to.equal(400);
    expect((await request(target, 'POST', `${base}?fieldValidation=Nope`, { body: body('n') })).status).to.equal(422);
  });
});
