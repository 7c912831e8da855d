import { expect } from 'chai';
import { findResource, type ResourceInfo } from './resources.ts';
import { ApiError } from './status.ts';
import { checkNamespace, checkTypeMeta, nameForCreate, prepareForCreate, prepareForUpdate } from './strategy.ts';

const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;
const jobs = findResource('batch', 'v1', 'jobs') as ResourceInfo;
const configmaps = findResource('', 'v1', 'configmaps') as ResourceInfo;

describe('create/update strategy', () => {
  it('sets identity on create and keeps node status but not job status', () => {
    const node = prepareForCreate(
      nodes,
      { metadata: { name: 'n', resourceVersion: '9', uid: 'forged' }, status: { phase: 'x' } },
      'n',
      undefined,
      new Date('2024-05-01T10:00:00.123Z'),
    );
    const meta = node.metadata as Record<string, unknown>;
    expect(meta.uid).to.be.a('string').and.not.equal('forged');
    expect(meta.creationTimestamp).to.equal('2024-05-01T10:00:00Z');
    expect(meta).to.not.have.property('resourceVersion');
    expect(node).to.include({ apiVersion: 'v1', kind: 'Node' });
    expect(node.status).to.deep.equal({ phase: 'x' });
    const job = prepareForCreate(jobs, { metadata: { name: 'j' }, spec: {}, status: { succeeded: 1 } }, 'j', 'default');
    expect(job).to.not.have.property('status');
    expect((job.metadata as Record<string, unknown>).generation).to.equal(1);
    expect((job.metadata as Record<string, unknown>).namespace).to.equal('default');
  });

  it('keeps immutable metadata and status on update; bumps generation on spec change', () => {
    const old = prepareForCreate(jobs, { metadata: { name: 'j' }, spec: { parallelism: 1 } }, 'j', 'd');
    (old as Record<string, unknown>).status = { active: 1 };
    const next = prepareForUpdate(
      jobs,
      old,
      { metadata: { name: 'j', uid: 'other', labels: { a: 'b' } }, spec: { parallelism: 2 }, status: {} },
      undefined,
    );
    const meta = next.metadata as Record<string, unknown>;
    expect(meta.uid).to.equal((old.metadata as Record<string, unknown>).uid);
    expect(meta.labels).to.deep.equal({ a: 'b' });
    expect(meta.generation).to.equal(2);
    expect(next.status).to.deep.equal({ active: 1 });
    const same = prepareForUpdate(jobs, next, { ...next, metadata: { ...meta, labels: {} } }, undefined);
    expect((same.metadata as Record<string, unknown>).generation).to.equal(2);
  });

  it('takes only status through /status', () => {
    const old = prepareForCreate(nodes, { metadata: { name: 'n', labels: { a: '1' } }, spec: {} }, 'n', undefined);
    const next = prepareForUpdate(
      nodes,
      old,
      { metadata: { name: 'n', labels: {} }, spec: { unschedulable: true }, status: { phase: 'Running' } },
      'status',
    );
    expect(next.status).to.deep.equal({ phase: 'Running' });
    expect(next.spec).to.deep.equal({});
    expect((next.metadata as Record<string, unknown>).labels).to.deep.equal({ a: '1' });
  });

  it('validates names, generateName, kinds and namespaces', () => {
    expect(nameForCreate(configmaps, { metadata: { generateName: 'cm-' } })).to.match(/^cm-[a-z0-9]{5}$/);
    expect(() => nameForCreate(configmaps, { metadata: { name: 'Bad_Name' } })).to.throw(ApiError, /invalid/);
    expect(() => nameForCreate(configmaps, { metadata: {} })).to.throw(ApiError, /Required/);
    expect(() => checkTypeMeta(nodes, { kind: 'Pod', apiVersion: 'v1' })).to.throw(ApiError, /unrecognized/);
    expect(() => checkNamespace(configmaps, { metadata: { namespace: 'a' } }, 'b')).to.throw(ApiError, /does not match/);
  });
});
