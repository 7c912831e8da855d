import { expect } from 'chai';
import { decodeKv, decodeMember, idToDecimal, idToHex, prefixRangeEnd } from './codec.ts';
import { ProtoReader } from './protobuf.ts';

describe('etcd message codec', () => {
  it('computes prefix range ends', () => {
    expect(prefixRangeEnd('/registry/nodes/').toString('latin1')).to.equal('/registry/nodes0');
    expect(prefixRangeEnd('a\xff').toString('hex')).to.equal('61c3c0'); // "ÿ" is c3 bf in UTF-8: the last byte goes up
    expect(prefixRangeEnd('')).to.deep.equal(Buffer.from([0]));
  });

  it('keeps uint64 ids exact and converts to and from hex', () => {
    const id = '18446744073709551615';
    expect(idToHex(id)).to.equal('ffffffffffffffff');
    expect(idToDecimal('ffffffffffffffff')).to.equal(id);
    expect(idToDecimal('0x2e1')).to.equal('737');
    expect(idToDecimal('737')).to.equal('737');
    expect(() => idToDecimal('zz')).to.throw(RangeError);
  });

  it('decodes a KeyValue as etcd encodes it (mvccpb field numbers)', () => {
    // key "/a" (1), create_revision 2 (2), mod_revision 5 (3), version 3 (4), value '{"x":1}' (5), lease 0x2a (6)
    const bytes = Buffer.concat([
      Buffer.from('0a022f61', 'hex'),
      Buffer.from('100218052003', 'hex'),
      Buffer.from('2a07', 'hex'),
      Buffer.from('{"x":1}'),
      Buffer.from('302a', 'hex'),
    ]);
    expect(decodeKv(new ProtoReader(bytes))).to.deep.equal({
      key: '/a',
      value: '{"x":1}',
      createRevision: 2,
      modRevision: 5,
      version: 3,
      lease: '42',
    });
  });

  it('decodes a Member with a full uint64 id and its URLs', () => {
    // ID 2e1 (1), name "a" (2), peerURLs "http://p" (3), isLearner true (5)
    const bytes = Buffer.concat([
      Buffer.from('08e105', 'hex'),
      Buffer.from('120161', 'hex'),
      Buffer.from('1a08', 'hex'),
      Buffer.from('http://p'),
      Buffer.from('2801', 'hex'),
    ]);
    const m = decodeMember(new ProtoReader(bytes));
    expect(m).to.deep.equal({ id: '737', idHex: '2e1', name: 'a', peerUrls: ['http://p'], clientUrls: [], isLearner: true });
  });
});
