import { expect } from 'chai';
import { asInt, asUint64, decodeKv, decodeMember, idToDecimal, idToHex, prefixRangeEnd } from './codec.ts';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('latin1');

describe('etcd gateway codec', () => {
  it('computes prefix range ends', () => {
    expect(unb64(prefixRangeEnd('/registry/nodes/'))).to.equal('/registry/nodes0');
    expect(unb64(prefixRangeEnd('a\xff'))).to.not.equal(''); // utf8-encoded, so no 0xff byte at the end
    expect(Buffer.from(prefixRangeEnd(''), 'base64')).to.deep.equal(Buffer.from([0]));
  });

  it('decodes int64 strings and omitted zeros', () => {
    expect(asInt('42')).to.equal(42);
    expect(asInt(undefined)).to.equal(0);
    expect(() => asInt('18446744073709551615')).to.throw(RangeError);
  });

  it('keeps uint64 ids exact and converts to and from hex', () => {
    const id = '18446744073709551615';
    expect(asUint64(id)).to.equal(id);
    expect(idToHex(id)).to.equal('ffffffffffffffff');
    expect(idToDecimal('ffffffffffffffff')).to.equal(id);
    expect(idToDecimal('0x2e1')).to.equal('737');
    expect(idToDecimal('737')).to.equal('737');
    expect(() => idToDecimal('zz')).to.throw(RangeError);
  });

  it('decodes key-values and members', () => {
    const kv = decodeKv({ key: b64('/a'), value: b64('{"x":1}'), create_revision: '2', mod_revision: '5', version: '3' });
    expect(kv).to.deep.equal({ key: '/a', value: '{"x":1}', createRevision: 2, modRevision: 5, version: 3, lease: '0' });
    const m = decodeMember({ ID: '3319814642761637952', name: 'a', peerURLs: ['http://p'], clientURLs: [] });
    expect(m.id).to.equal('3319814642761637952');
    expect(m.idHex).to.equal(BigInt('3319814642761637952').toString(16));
    expect(m.isLearner).to.equal(false);
  });
});
