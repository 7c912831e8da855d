import { expect } from 'chai';
import { DEFAULT_TIMERS } from '../sandbox/topology.ts';
import { scaleBudgets } from './budgets.ts';
import { HARVESTER_TIMERS } from '../cluster/existing/existing-options.ts';

describe('scaleBudgets', () => {
  it('keeps a sandbox scenario\'s budgets (defaults for the rest)', () => {
    expect(scaleBudgets({ promotionMs: 60_000 }, { provider: 'sandbox', timers: DEFAULT_TIMERS })).to.deep.equal({
      promotionMs: 60_000, outageMs: 3000, recoveryMs: 120_000,
    });
  });

  it('floors budgets by what a real Harvester needs: promotion 15 min, outage election + 10 s, recovery 10 min', () => {
    expect(scaleBudgets({ promotionMs: 60_000, outageMs: 5000 }, { provider: 'existing', timers: HARVESTER_TIMERS })).to.deep.equal({
      promotionMs: 15 * 60_000, outageMs: 11_000, recoveryMs: 10 * 60_000,
    });
    expect(scaleBudgets({ promotionMs: 30 * 60_000 }, { provider: 'existing', timers: HARVESTER_TIMERS }).promotionMs).to.equal(30 * 60_000);
    // A slower election scales a scenario's outage budget.
    const slow = { ...HARVESTER_TIMERS, etcdElectionTimeoutMs: 5000 };
    expect(scaleBudgets({ outageMs: 4000 }, { provider: 'existing', timers: slow }).outageMs).to.equal(20_000);
  });

  it('lets budgets given for the cluster win', () => {
    expect(scaleBudgets({ promotionMs: 60_000 }, { provider: 'existing', timers: HARVESTER_TIMERS, overrides: { promotionMs: 8 * 60_000, recoveryMs: 60_000 } })).to.deep.equal({
      promotionMs: 8 * 60_000, outageMs: 11_000, recoveryMs: 60_000,
    });
  });
});
