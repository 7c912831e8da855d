import { expect } from 'chai';
import { route } from './router.ts';

function resource(
  path: string,
): { resource: string; namespace?: string; name?: string; subresource?: string; legacyWatch: boolean } | string {
  const r = route(path);
  if (r.kind !== 'resource') return r.kind;
  return {
    resource: r.info.resource,
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
    legacyWatch: r.legacyWatch,
  };
}

describe('router', () => {
  it('routes cluster-scoped resources and subresources', () => {
    expect(resource('/api/v1/nodes')).to.deep.equal({ resource: 'nodes', legacyWatch: false });
    expect(resource('/api/v1/nodes/n1')).to.deep.equal({ resource: 'nodes', name: 'n1', legacyWatch: false });
    expect(resource('/api/v1/nodes/n1/status')).to.deep.equal({ resource: 'nodes', name: 'n1', subresource: 'status', legacyWatch: false });
  });

  it('tells namespace objects from namespaced collections', () => {
    expect(resource('/api/v1/namespaces')).to.deep.equal({ resource: 'namespaces', legacyWatch: false });
    expect(resource('/api/v1/namespaces/default')).to.deep.equal({ resource: 'namespaces', name: 'default', legacyWatch: false });
    expect(resource('/api/v1/namespaces/default/status')).to.deep.equal({
      resource: 'namespaces',
      name: 'default',
      subresource: 'status',
      legacyWatch: false,
    });
    expect(resource('/api/v1/namespaces/default/configmaps')).to.deep.equal({
      resource: 'configmaps',
      namespace: 'default',
      legacyWatch: false,
    });
    expect(resource('/api/v1/namespaces/default/configmaps/c%2Fd')).to.deep.equal({
      resource: 'configmaps',
      namespace: 'default',
      name: 'c/d',
      legacyWatch: false,
    });
    expect(resource('/api/v1/configmaps')).to.deep.equal({ resource: 'configmaps', legacyWatch: false });
    expect(resource('/api/v1/configmaps/x')).to.equal('notFound');
  });

  it('routes group resources and the legacy watch prefix', () => {
    expect(resource('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1')).to.deep.equal({
      resource: 'leases',
      namespace: 'kube-node-lease',
      name: 'n1',
      legacyWatch: false,
    });
    expect(resource('/apis/batch/v1/namespaces/d/jobs/j/status')).to.deep.equal({
      resource: 'jobs',
      namespace: 'd',
      name: 'j',
      subresource: 'status',
      legacyWatch: false,
    });
    expect(resource('/api/v1/watch/namespaces/d/events')).to.deep.equal({ resource: 'events', namespace: 'd', legacyWatch: true });
    expect(resource('/apis/batch/v2/jobs')).to.equal('notFound');
    expect(resource('/api/v1/namespaces/d/leases')).to.deep.equal({
      resource: 'namespaces',
      name: 'd',
      subresource: 'leases',
      legacyWatch: false,
    });
  });

  it('routes health, version and discovery', () => {
    expect(route('/healthz')).to.deep.equal({ kind: 'health', check: 'healthz' });
    expect(route('/readyz/etcd')).to.deep.equal({ kind: 'health', check: 'readyz' });
    expect(route('/version')).to.deep.equal({ kind: 'version' });
    expect(route('/api')).to.deep.equal({ kind: 'apiVersions' });
    expect(route('/api/v1')).to.deep.equal({ kind: 'resourceList', group: '', version: 'v1' });
    expect(route('/apis')).to.deep.equal({ kind: 'apiGroupList' });
    expect(route('/apis/batch')).to.deep.equal({ kind: 'apiGroup', group: 'batch' });
    expect(route('/apis/batch/v1')).to.deep.equal({ kind: 'resourceList', group: 'batch', version: 'v1' });
    expect(route('/openapi/v2')).to.deep.equal({ kind: 'openapiV2' });
    expect(route('/openapi/v3')).to.deep.equal({ kind: 'openapiV3', path: '' });
    expect(route('/openapi/v3/apis/batch/v1')).to.deep.equal({ kind: 'openapiV3', path: 'apis/batch/v1' });
    expect(route('/openapi/v2/extra')).to.deep.equal({ kind: 'notFound' });
    expect(route('/openapi/v1')).to.deep.equal({ kind: 'notFound' });
    expect(route('/api/v2/nodes')).to.deep.equal({ kind: 'notFound' });
  });
});
