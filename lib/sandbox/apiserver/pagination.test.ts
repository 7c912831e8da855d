import { expect } from 'chai';
import { ApiError } from './status.ts';
import { decodeContinue, encodeContinue, pageOf, parseLimit } from './pagination.ts';

const entries = ['a', 'b', 'c', 'd', 'e'].map((key, i) => ({ key, value: i }));

function refusal(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('API server: chunked lists (limit/continue)', () => {
  it('encodes continue tokens as kube-apiserver does and reads them back', () => {
    const token = encodeContinue({ rv: 42, start: 'default/cm-2\u0000' });
    expect(JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))).to.deep.equal({
      v: 'meta.k8s.io/v1',
      rv: 42,
      start: 'default/cm-2\u0000',
    });
    expect(token).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodeContinue(token)).to.deep.equal({ rv: 42, start: 'default/cm-2\u0000' });
  });

  it('refuses tokens that do not decode, of another version, or leaving the collection (400)', () => {
    const bad = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const token of [
      '%%%',
      bad({ v: 'v2', rv: 1, start: 'a' }),
      bad({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }),
      bad({ v: 'meta.k8s.io/v1', rv: 3, start: '../secrets/x' }),
    ]) {
      const { code, message } = refusal(() => decodeContinue(token));
      expect(code, token).to.equal(400);
      expect(message).to.match(/^continue key is not valid/);
    }
  });

  it('reads limit as a non-negative integer, 0 meaning none', () => {
    expect(parseLimit(null)).to.equal(undefined);
    expect(parseLimit('0')).to.equal(undefined);
    expect(parseLimit('500')).to.equal(500);
    expect(refusal(() => parseLimit('-1')).code).to.equal(400);
    expect(refusal(() => parseLimit('ten')).code).to.equal(400);
  });

  it('cuts chunks in key order, the next starting after the last key looked at; filters count only what they keep', () => {
    expect(pageOf(entries, { limit: 2 })).to.deep.equal({ items: [0, 1], remaining: 3, next: 'b\u0000' });
    expect(pageOf(entries, { limit: 2, start: 'b\u0000' })).to.deep.equal({ items: [2, 3], remaining: 1, next: 'd\u0000' });
    expect(pageOf(entries, { limit: 2, start: 'd\u0000' })).to.deep.equal({ items: [4], remaining: 0 });
    expect(pageOf(entries, { limit: 2, keep: (v) => v % 2 === 0 })).to.deep.equal({ items: [0, 2], remaining: 2, next: 'c\u0000' });
    expect(pageOf(entries, {})).to.deep.equal({ items: [0, 1, 2, 3, 4], remaining: 0 });
  });
});
