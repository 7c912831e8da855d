import { expect } from 'chai';
import type { Step } from '../scenario/types.ts';
import { durationCosts, holdTimeMs, longestFirst } from './lane-order.ts';

const hold = (holdMs: number): Step => ({ kind: 'hold', holdMs });
const cordon: Step = { kind: 'cordon', targets: [{ kind: 'index', role: 'worker', index: 0 }] };
const scenario = (name: string, steps: Step[]) => ({ name, steps });

const selection = [
  scenario('a-short', [cordon, hold(3_000)]),
  scenario('b-no-hold', [cordon]),
  scenario('c-long', [hold(10_000), cordon, hold(65_000)]),
  scenario('d-middle', [hold(12_000)]),
  scenario('e-middle-too', [hold(12_000)]),
];
const names = (xs: readonly { name: string }[]): string[] => xs.map((x) => x.name);

describe('run/lane-order', () => {
  it("sums a scenario's hold steps only", () => {
    expect(holdTimeMs(scenario('x', [hold(10_000), cordon, hold(65_000)]))).to.equal(75_000);
    expect(holdTimeMs(scenario('y', [cordon]))).to.equal(0);
  });

  it('without durations, starts the longest holds first, equal ones by name', () => {
    expect(names(longestFirst(selection))).to.deep.equal(['c-long', 'd-middle', 'e-middle-too', 'a-short', 'b-no-hold']);
    expect(names(longestFirst([...selection].reverse()))).to.deep.equal(names(longestFirst(selection)));
  });

  it("with an earlier run's durations, orders by them; a scenario it lacks counts as their median", () => {
    const durations = new Map([
      ['a-short', 90_000],
      ['b-no-hold', 20_000],
      ['c-long', 100_000],
      ['d-middle', 30_000],
    ]);
    // median of 20, 30, 90, 100 s (the upper middle): 90 s for e-middle-too, after a-short by name
    expect(names(longestFirst(selection, durations))).to.deep.equal(['c-long', 'a-short', 'e-middle-too', 'd-middle', 'b-no-hold']);
  });

  it('falls back to hold time when the durations name none of the selection', () => {
    expect(names(longestFirst(selection, new Map([['other', 5_000]])))).to.deep.equal(names(longestFirst(selection)));
  });

  it('ignores durations that are not finite non-negative numbers', () => {
    const costs = durationCosts(
      ['x', 'y', 'z'],
      new Map([
        ['x', Number.NaN],
        ['y', -1],
        ['z', 40],
      ]),
    );
    expect(costs.anyKnown).to.equal(true);
    expect([costs.cost('x'), costs.cost('y'), costs.cost('z')]).to.deep.equal([40, 40, 40]);
    expect(durationCosts(['x'], new Map([['x', Number.NaN]])).anyKnown).to.equal(false);
  });
});
