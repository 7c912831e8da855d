import { expect } from 'chai';
import { matchesLabels, parseLabelSelector, SelectorParseError } from './label-selector.ts';

const match = (selector: string, labels: Record<string, string>): boolean => matchesLabels(parseLabelSelector(selector), labels);

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'node-role.kubernetes.io/control-plane': 'true', n: '5' };

  it('matches everything when empty', () => {
    expect(match('', {})).to.equal(true);
    expect(parseLabelSelector(undefined)).to.deep.equal([]);
  });

  it('supports =, == and !=', () => {
    expect(match('app=web', labels)).to.equal(true);
    expect(match('app==web', labels)).to.equal(true);
    expect(match('app=db', labels)).to.equal(false);
    expect(match('app!=db', labels)).to.equal(true);
    expect(match('missing!=x', labels)).to.equal(true);
    expect(match('app!=web', labels)).to.equal(false);
    expect(match('app = web', labels)).to.equal(true);
  });

  it('supports in and notin', () => {
    expect(match('app in (web, db)', labels)).to.equal(true);
    expect(match('app in (db)', labels)).to.equal(false);
    expect(match('missing in (x)', labels)).to.equal(false);
    expect(match('app notin (db,cache)', labels)).to.equal(true);
    expect(match('app notin (web)', labels)).to.equal(false);
    expect(match('missing notin (x)', labels)).to.equal(true);
  });

  it('supports exists and !key, with prefixed keys', () => {
    expect(match('node-role.kubernetes.io/control-plane', labels)).to.equal(true);
    expect(match('!node-role.kubernetes.io/control-plane', labels)).to.equal(false);
    expect(match('!missing', labels)).to.equal(true);
    expect(match('missing', labels)).to.equal(false);
  });

  it('ANDs requirements, commas inside sets included', () => {
    expect(match('app in (web,db),tier=front,!missing', labels)).to.equal(true);
    expect(match('app in (web,db),tier=back', labels)).to.equal(false);
  });

  it('supports numeric > and <', () => {
    expect(match('n>4', labels)).to.equal(true);
    expect(match('n<5', labels)).to.equal(false);
    expect(match('app>1', labels)).to.equal(false);
  });

  it('accepts an empty value', () => {
    expect(match('app=', { app: '' })).to.equal(true);
  });

  it('rejects malformed selectors', () => {
    for (const bad of ['app in ()', 'a b', '=x', 'app=we b', 'app in (a', 'x/y/z=1', 'n>x', ',']) {
      expect(() => parseLabelSelector(bad), bad).to.throw(SelectorParseError);
    }
  });
});
