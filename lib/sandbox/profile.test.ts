import { expect } from 'chai';
import { KUBE_VIP_DEFAULT_LEASE, rke2Timers } from '../harvester/profiles.ts';
import { isSandboxProfileName, sandboxProfile } from './profile.ts';

describe('sandbox profiles', () => {
  it('plain (the default) changes nothing: the compressed timers, members named after nodes, the spreading VIP', () => {
    expect(sandboxProfile()).to.deep.equal({ name: 'plain', timers: {}, etcdMemberNames: 'node', vip: { kind: 'forwarder' } });
  });

  it("harvester: RKE2's etcd timers unscaled, RKE2 member names, kube-vip with kube-vip's default Lease timing", () => {
    const profile = sandboxProfile('harvester');
    const rke2 = rke2Timers(30);
    expect(profile.timers).to.deep.equal({ etcdHeartbeatMs: rke2.etcdHeartbeatMs, etcdElectionTimeoutMs: rke2.etcdElectionTimeoutMs });
    expect(profile.timers).to.deep.equal({ etcdHeartbeatMs: 500, etcdElectionTimeoutMs: 5000 });
    expect(profile.etcdMemberNames).to.equal('rke2');
    expect(profile.vip).to.deep.equal({ kind: 'kube-vip', lease: KUBE_VIP_DEFAULT_LEASE });
  });

  it('knows its names', () => {
    expect(['plain', 'harvester', 'rke2', ''].map(isSandboxProfileName)).to.deep.equal([true, true, false, false]);
  });
});
