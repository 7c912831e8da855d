import { expect } from 'chai';
import { scaleBudgets } from './budgets.ts';
import { HARVESTER_TIMERS } from '../cluster/existing/existing-options.ts';

describe('scaleBudgets', () => {
  it('floors budgets by what a real Harvester needs: promotion 15 min, outage scaled by the election timeout and at least election + 10 s, recovery 10 min', () => {
    expect(scaleBudgets({ promotionMs: 60_000, outageMs: 5000 }, { timers: HARVESTER_TIMERS })).to.deep.equal({
      promotionMs: 15 * 60_000,
      outageMs: 25_000,
      recoveryMs: 10 * 60_000,
    });
    expect(scaleBudgets({ promotionMs: 30 * 60_000 }, { timers: HARVESTER_TIMERS }).promotionMs).to.equal(30 * 60_000);
    // RKE2's election timeout (5 s, the sandbox's is 1 s) scales a scenario's outage budget; the floor is election + 10 s.
    expect(scaleBudgets({ outageMs: 4000 }, { timers: HARVESTER_TIMERS }).outageMs).to.equal(20_000);
    expect(scaleBudgets({ outageMs: 1000 }, { timers: HARVESTER_TIMERS }).outageMs).to.equal(15_000);
  });

  it("floors the outage budget by the measured endpoint's failover (kube-vip: lease 15 s + retry 2 s) when it is longer than the election", () => {
    expect(scaleBudgets({ outageMs: 1000 }, { timers: HARVESTER_TIMERS, endpointFailoverMs: 17_000 }).outageMs).to.equal(27_000);
    // A node's own API server has no failover: the election decides.
    expect(scaleBudgets({ outageMs: 1000 }, { timers: HARVESTER_TIMERS, endpointFailoverMs: 0 }).outageMs).to.equal(15_000);
  });

  it('lets budgets given for the cluster win', () => {
    expect(
      scaleBudgets({ promotionMs: 60_000 }, { timers: HARVESTER_TIMERS, overrides: { promotionMs: 8 * 60_000, recoveryMs: 60_000 } }),
    ).to.deep.equal({
      promotionMs: 8 * 60_000,
      outageMs: 15_000,
      recoveryMs: 60_000,
    });
  });
});
