import { expect } from 'chai';
import { levelOf, verbOf } from './audit-log.ts';
import { RESOURCES } from './resources.ts';

const info = (resource: string) => RESOURCES.find((r) => r.resource === resource) as (typeof RESOURCES)[number];
const at = (resource: string, name?: string, subresource?: string) => ({ info: info(resource), namespace: undefined, name, subresource });
const url = (q = '') => new URL(`http://x/api/v1/nodes${q}`);

describe('the sandbox audit log policy', () => {
  it("names verbs as kube-apiserver's request info does", () => {
    expect(verbOf('GET', at('nodes', 'n'), url(), false)).to.equal('get');
    expect(verbOf('GET', at('nodes'), url(), false)).to.equal('list');
    expect(verbOf('GET', at('nodes'), url('?watch=1'), false)).to.equal('watch');
    expect(verbOf('GET', at('nodes'), url(), true)).to.equal('watch');
    expect(verbOf('POST', at('nodes'), url(), false)).to.equal('create');
    expect(verbOf('PUT', at('nodes', 'n'), url(), false)).to.equal('update');
    expect(verbOf('PATCH', at('nodes', 'n', 'status'), url(), false)).to.equal('patch');
    expect(verbOf('DELETE', at('nodes', 'n'), url(), false)).to.equal('delete');
    expect(verbOf('DELETE', at('nodes'), url(), false)).to.equal('deletecollection');
  });

  it('logs Node and Job writes with their objects, other writes as metadata, reads not at all', () => {
    expect(levelOf('patch', at('nodes', 'n'))).to.equal('RequestResponse');
    expect(levelOf('update', at('nodes', 'n', 'status'))).to.equal('RequestResponse');
    expect(levelOf('create', at('jobs'))).to.equal('RequestResponse');
    expect(levelOf('update', at('configmaps', 'c'))).to.equal('Metadata');
    expect(levelOf('get', at('nodes', 'n'))).to.equal('None');
    expect(levelOf('watch', at('jobs'))).to.equal('None');
  });
});
