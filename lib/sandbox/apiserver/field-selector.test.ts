import { expect } from 'chai';
import { matchesFields, parseFieldSelector, pinnedName } from './field-selector.ts';
import { SelectorParseError } from './label-selector.ts';
import { findResource, type ResourceInfo } from './resources.ts';

const events = findResource('', 'v1', 'events') as ResourceInfo;
const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;
const configmaps = findResource('', 'v1', 'configmaps') as ResourceInfo;

describe('field selectors', () => {
  const event = { metadata: { name: 'e1', namespace: 'default' }, involvedObject: { name: 'node-a', kind: 'Node' }, reason: 'Ready' };

  it('matches metadata.name and metadata.namespace on every resource', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=e1', configmaps), event)).to.equal(true);
    expect(matchesFields(parseFieldSelector('metadata.name==e2', configmaps), event)).to.equal(false);
    expect(matchesFields(parseFieldSelector('metadata.namespace!=default', configmaps), event)).to.equal(false);
    expect(matchesFields(parseFieldSelector('metadata.name=e1,metadata.namespace=default', configmaps), event)).to.equal(true);
  });

  it('matches involvedObject fields on events only', () => {
    expect(matchesFields(parseFieldSelector('involvedObject.name=node-a', events), event)).to.equal(true);
    expect(matchesFields(parseFieldSelector('involvedObject.kind=Pod', events), event)).to.equal(false);
    expect(() => parseFieldSelector('involvedObject.name=node-a', configmaps)).to.throw(SelectorParseError, /not supported/);
  });

  it('treats an unset spec.unschedulable as false', () => {
    expect(matchesFields(parseFieldSelector('spec.unschedulable=false', nodes), { spec: {} })).to.equal(true);
    expect(matchesFields(parseFieldSelector('spec.unschedulable=true', nodes), { spec: { unschedulable: true } })).to.equal(true);
  });

  it('unescapes values and finds a pinned name', () => {
    const reqs = parseFieldSelector('metadata.name=a\\,b', configmaps);
    expect(reqs[0]?.value).to.equal('a,b');
    expect(pinnedName(parseFieldSelector('metadata.name=x', configmaps))).to.equal('x');
    expect(pinnedName(parseFieldSelector('metadata.name!=x', configmaps))).to.equal(undefined);
  });

  it('rejects requirements without an operator', () => {
    expect(() => parseFieldSelector('metadata.name', configmaps)).to.throw(SelectorParseError);
  });
});
