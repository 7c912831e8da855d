import { expect } from 'chai';
import { parseQuantity } from './quantity.ts';

describe('parseQuantity', () => {
  it('reads plain, decimal-suffixed, binary-suffixed and exponent quantities', () => {
    expect(parseQuantity('4')).to.equal(4);
    expect(parseQuantity('250m')).to.equal(0.25);
    expect(parseQuantity('1G')).to.equal(1e9);
    expect(parseQuantity('16384Ki')).to.equal(16 * 1024 ** 2);
    expect(parseQuantity('100Mi')).to.equal(100 * 1024 ** 2);
    expect(parseQuantity('1Pi')).to.equal(1024 ** 5);
    expect(parseQuantity('1.5Gi')).to.equal(1.5 * 1024 ** 3);
    expect(parseQuantity('1e9')).to.equal(1e9);
  });

  it('refuses what is not a quantity', () => {
    for (const text of ['', 'Mi', '-1Gi', '1 Gi', '1GB', '10%', 'lots']) expect(parseQuantity(text), text).to.equal(undefined);
  });
});
