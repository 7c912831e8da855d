import { expect } from 'chai';
import { parseGoDuration } from './go-duration.ts';

describe("Go durations (time.ParseDuration's syntax)", () => {
  it('reads what Go reads: units ns to h, fractions, several parts, a sign, a bare zero', () => {
    const cases: [string, number][] = [
      ['40s', 40_000],
      ['1m30s', 90_000],
      ['1.5s', 1500],
      ['300ms', 300],
      ['.5s', 500],
      ['1.s', 1000],
      ['0', 0],
      ['0s', 0],
      ['2h', 7_200_000],
      ['1500us', 1.5],
      ['1500µs', 1.5],
      ['1500μs', 1.5],
      ['2000000ns', 2],
      ['1h2m3s4ms', 3_723_004],
      ['-1s', -1000],
      ['+2s', 2000],
    ];
    for (const [text, ms] of cases) expect(parseGoDuration(text), text).to.deep.equal({ ok: true, ms });
  });

  it('refuses what Go refuses, saying why', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['-', /empty/],
      ['fast', /expected a number at "fast"/],
      ['40', /missing unit/],
      ['1.5', /missing unit/],
      ['1x', /unknown unit "x"/],
      ['1sm', /unknown unit "sm"/],
      ['s', /expected a number/],
      ['.s', /a number needs digits/],
      ['1 s', /unknown unit " s"/],
      ['3000000h', /out of range/],
    ];
    for (const [text, why] of cases) {
      const parsed = parseGoDuration(text);
      expect(parsed.ok, text).to.equal(false);
      if (!parsed.ok)
        expect(parsed.message, text)
          .to.match(why)
          .and.to.include(`invalid Go duration ${JSON.stringify(text)}`);
    }
  });
});
