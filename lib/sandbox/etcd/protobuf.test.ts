import { expect } from 'chai';
import { ProtoReader, ProtoWriter } from './protobuf.ts';

describe('protobuf wire format', () => {
  it('writes the encoding guide examples byte for byte', () => {
    // protobuf.dev/programming-guides/encoding: field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67.
    expect(new ProtoWriter().int(1, 150).finish().toString('hex')).to.equal('089601');
    expect(new ProtoWriter().bytes(2, 'testing').finish().toString('hex')).to.equal('120774657374696e67');
  });

  it('leaves zero values out, except a oneof member written as present', () => {
    expect(new ProtoWriter().int(1, 0).bool(2, false).bytes(3, '').finish()).to.have.length(0);
    expect(new ProtoWriter().intPresent(5, 0).finish().toString('hex')).to.equal('2800');
    expect(new ProtoWriter().message(1, Buffer.alloc(0)).finish().toString('hex')).to.equal('0a00');
  });

  it('round-trips revisions up to 2^53 and uint64 ids up to 2^64 - 1', () => {
    const max = '18446744073709551615';
    const bytes = new ProtoWriter().int(3, Number.MAX_SAFE_INTEGER).uint64(1, max).finish();
    const r = new ProtoReader(bytes);
    expect(r.key()).to.deep.equal([3, 0]);
    expect(r.varint()).to.equal(Number.MAX_SAFE_INTEGER);
    expect(r.key()).to.deep.equal([1, 0]);
    expect(r.uint64()).to.equal(max);
    expect(r.more()).to.equal(false);
    expect(() => new ProtoWriter().uint64(1, (1n << 64n).toString())).to.throw(RangeError);
    expect(() => new ProtoWriter().int(1, -1)).to.throw(RangeError);
  });

  it('refuses a varint beyond a safe integer where a number is expected', () => {
    // int64 -1 is ten bytes: ff ff ff ff ff ff ff ff ff 01.
    const minusOne = Buffer.from('08ffffffffffffffffff01', 'hex');
    const r = new ProtoReader(minusOne);
    r.key();
    expect(() => r.varint()).to.throw(RangeError);
    const asId = new ProtoReader(minusOne);
    asId.key();
    expect(asId.uint64()).to.equal('18446744073709551615');
  });

  it('skips unknown fields of every wire type and reads nested messages in bounds', () => {
    const inner = new ProtoWriter().bytes(1, 'k').finish();
    const bytes = Buffer.concat([
      Buffer.from('0d01020304', 'hex'), // field 1, fixed32
      Buffer.from('110102030405060708', 'hex'), // field 2, fixed64
      new ProtoWriter().int(3, 7).message(4, inner).bytes(5, 'after').finish(),
    ]);
    const r = new ProtoReader(bytes);
    const seen: string[] = [];
    while (r.more()) {
      const [field, wire] = r.key();
      if (field === 4) {
        const nested = r.message();
        nested.key();
        seen.push(`4:${nested.string()}:${String(nested.more())}`);
      } else if (field === 5) seen.push(`5:${r.string()}`);
      else r.skip(wire);
    }
    expect(seen).to.deep.equal(['4:k:false', '5:after']);
  });

  it('throws on a length running past the end and on a truncated varint', () => {
    expect(() => new ProtoReader(Buffer.from('0a05616263', 'hex')).bytes()).to.throw(RangeError);
    const truncated = new ProtoReader(Buffer.from('0a05616263', 'hex'));
    truncated.key();
    expect(() => truncated.string()).to.throw(RangeError);
    const r = new ProtoReader(Buffer.from('0896', 'hex'));
    r.key();
    expect(() => r.varint()).to.throw(RangeError);
  });
});
