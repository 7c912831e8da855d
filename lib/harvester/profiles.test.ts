import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import {
  classifyEndpoint,
  detectProfile,
  HARVESTER_PROFILE_NAMES,
  HARVESTER_PROFILES,
  isProfileChoice,
  KUBE_VIP_DEFAULT_LEASE,
  kubeVipFailoverMs,
  parseVersion,
  profileForHarvesterVersion,
  profileForKubernetesMinor,
} from './profiles.ts';
import { WITNESS_LABEL } from './contract.ts';

function node(name: string, kubeletVersion?: string, labels: Record<string, string> = {}): V1Node {
  return {
    metadata: { name, labels },
    status: {
      ...(kubeletVersion ? { nodeInfo: { kubeletVersion } as NonNullable<V1Node['status']>['nodeInfo'] } : {}),
      addresses: [{ type: 'InternalIP', address: `10.0.0.${name.slice(-1)}` }],
    },
  };
}

describe('harvester profiles', () => {
  describe('each profile', () => {
    const expected = {
      'harvester-1.4': { harvester: '1.4', kubernetesMinor: 30, grace: 40_000 },
      'harvester-1.5': { harvester: '1.5', kubernetesMinor: 32, grace: 50_000 },
      'harvester-1.6': { harvester: '1.6', kubernetesMinor: 33, grace: 50_000 },
    } as const;
    for (const name of HARVESTER_PROFILE_NAMES) {
      it(`${name}: RKE2 timers, member names, witness, kube-vip VIP`, () => {
        const p = HARVESTER_PROFILES[name];
        expect(p.name).to.equal(name);
        expect(p.harvester).to.equal(expected[name].harvester);
        expect(p.kubernetesMinor).to.equal(expected[name].kubernetesMinor);
        expect(p.timers).to.deep.equal({
          kubeletHeartbeatMs: 10_000,
          nodeMonitorGraceMs: expected[name].grace,
          etcdHeartbeatMs: 500,
          etcdElectionTimeoutMs: 5000,
        });
        expect(p.etcdMemberNames).to.equal('rke2');
        expect(p.witness).to.deep.equal({ max: 1, etcdOnly: true, taint: 'node-role.kubernetes.io/etcd=true:NoExecute' });
        expect(p.vip.servicePorts).to.deep.equal([443, 80]);
        expect(p.vip.lease).to.deep.equal({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 });
      });
    }
    it('kube-vip fails over after its lease plus one retry (17 s with its defaults)', () => {
      expect(kubeVipFailoverMs(KUBE_VIP_DEFAULT_LEASE)).to.equal(17_000);
    });
  });

  describe('versions', () => {
    it('parses kubelet and Harvester versions', () => {
      expect(parseVersion('v1.32.3+rke2r1')).to.deep.equal({ major: 1, minor: 32, patch: 3 });
      expect(parseVersion('v1.5.1-rc2')).to.deep.equal({ major: 1, minor: 5, patch: 1 });
      expect(parseVersion('1.30')).to.deep.equal({ major: 1, minor: 30, patch: 0 });
      expect(parseVersion('master-head')).to.equal(undefined);
      expect(parseVersion(undefined)).to.equal(undefined);
    });
    it('maps Harvester versions to their line, newer lines to the newest profile, older ones to none', () => {
      expect(profileForHarvesterVersion('v1.4.3')).to.equal('harvester-1.4');
      expect(profileForHarvesterVersion('v1.5.0')).to.equal('harvester-1.5');
      expect(profileForHarvesterVersion('v1.6.1')).to.equal('harvester-1.6');
      expect(profileForHarvesterVersion('v1.7.0')).to.equal('harvester-1.6');
      expect(profileForHarvesterVersion('v1.3.2')).to.equal(undefined);
      expect(profileForHarvesterVersion('dev')).to.equal(undefined);
    });
    it('maps Kubernetes minors: up to 1.31 -> 1.4, 1.32 -> 1.5, 1.33 on -> 1.6', () => {
      expect([30, 31, 32, 33, 34].map(profileForKubernetesMinor)).to.deep.equal([
        'harvester-1.4',
        'harvester-1.4',
        'harvester-1.5',
        'harvester-1.6',
        'harvester-1.6',
      ]);
    });
    it('accepts the --profile choices only', () => {
      expect(['harvester-1.4', 'harvester-1.5', 'harvester-1.6', 'auto'].every(isProfileChoice)).to.equal(true);
      expect(isProfileChoice('harvester-1.3')).to.equal(false);
    });
  });

  describe('detectProfile', () => {
    it('auto: Harvester version first', () => {
      const d = detectProfile('auto', { nodes: [node('n1', 'v1.32.3+rke2r1')], harvesterVersion: 'v1.5.1' });
      expect(d.profile.name).to.equal('harvester-1.5');
      expect(d.source).to.equal('Harvester v1.5.1 (setting server-version)');
      expect(d.fallback).to.equal(false);
      expect(d.timers.nodeMonitorGraceMs).to.equal(50_000);
      expect(d.remarks).to.deep.equal([]);
    });
    it('auto: the kubelet version when Harvester does not say (v1.32.3+rke2r1 -> harvester-1.5, grace 50 s)', () => {
      const d = detectProfile('auto', { nodes: [node('n1', 'v1.32.3+rke2r1'), node('n2', 'v1.32.3+rke2r1')] });
      expect(d.profile.name).to.equal('harvester-1.5');
      expect(d.source).to.equal('kubelet v1.32.3+rke2r1 on n1');
      expect(d.kubernetesMinor).to.equal(32);
      expect(d.timers.nodeMonitorGraceMs).to.equal(50_000);
    });
    it('auto: a 1.31 kubelet gives harvester-1.4 and 40 s', () => {
      const d = detectProfile('auto', { nodes: [node('n1', 'v1.31.4+rke2r1')] });
      expect(d.profile.name).to.equal('harvester-1.4');
      expect(d.timers.nodeMonitorGraceMs).to.equal(40_000);
    });
    it('auto: nothing readable falls back to harvester-1.4 and says so', () => {
      const d = detectProfile('auto', { nodes: [node('n1')] });
      expect(d.profile.name).to.equal('harvester-1.4');
      expect(d.fallback).to.equal(true);
      expect(d.source).to.match(/falling back to harvester-1\.4's/);
      expect(d.timers).to.deep.equal(HARVESTER_PROFILES['harvester-1.4'].timers);
    });
    it('mixed kubelets (mid-upgrade): timers follow the oldest, and it says so', () => {
      const d = detectProfile('auto', { nodes: [node('n1', 'v1.32.3+rke2r1'), node('n2', 'v1.31.7+rke2r1')] });
      expect(d.profile.name).to.equal('harvester-1.4');
      expect(d.timers.nodeMonitorGraceMs).to.equal(40_000);
      expect(d.remarks[0]).to.match(/different Kubernetes minors \(1\.31, 1\.32\)/);
    });
    it('an explicit profile wins, and a kubelet that disagrees is remarked on', () => {
      const d = detectProfile('harvester-1.6', { nodes: [node('n1', 'v1.32.3+rke2r1')], harvesterVersion: 'v1.5.0' });
      expect(d.profile.name).to.equal('harvester-1.6');
      expect(d.source).to.equal('--profile harvester-1.6');
      expect(d.timers.nodeMonitorGraceMs).to.equal(50_000);
      expect(d.remarks).to.deep.equal(['kubelet v1.32.3+rke2r1 on n1 suggests harvester-1.5, not harvester-1.6']);
    });
    it('an explicit profile without kubelet versions uses the Kubernetes it ships', () => {
      expect(detectProfile('harvester-1.5', { nodes: [node('n1')] }).timers.nodeMonitorGraceMs).to.equal(50_000);
      expect(detectProfile('harvester-1.4', { nodes: [node('n1')] }).timers.nodeMonitorGraceMs).to.equal(40_000);
    });
    it('more witnesses than Harvester allows are remarked on', () => {
      const w = { [WITNESS_LABEL]: 'true' };
      const d = detectProfile('auto', { nodes: [node('w1', 'v1.32.1', w), node('w2', 'v1.32.1', w)] });
      expect(d.remarks).to.deep.equal(['2 witness nodes (w1, w2): Harvester allows 1']);
    });
  });

  describe('classifyEndpoint', () => {
    const evidence = { nodeAddresses: new Map([['hv-1', ['10.0.0.1', 'hv-1']]]), vipAddresses: ['10.0.0.100'] };
    it("Rancher's /k8s/clusters/local proxy", () => {
      const e = classifyEndpoint('https://10.0.0.100/k8s/clusters/local', evidence);
      expect(e.kind).to.equal('rancher-proxy');
      expect(e.failoverMs).to.equal(17_000);
      expect(e.describe).to.match(/Rancher's proxy/);
    });
    it('the VIP on 6443 reaches only the holder', () => {
      const e = classifyEndpoint('https://10.0.0.100:6443', evidence);
      expect(e.kind).to.equal('vip');
      expect(e.failoverMs).to.equal(17_000);
      expect(e.describe).to.match(/only the VIP holder's API server/);
    });
    it("one node's API server has no failover", () => {
      const e = classifyEndpoint('https://10.0.0.1:6443', evidence);
      expect(e.kind).to.equal('node');
      expect(e.failoverMs).to.equal(0);
      expect(e.describe).to.match(/node hv-1's API server/);
    });
    it('anything else is unknown and assumed to be a VIP', () => {
      const e = classifyEndpoint('https://harvester.example.com:6443', evidence);
      expect(e.kind).to.equal('unknown');
      expect(e.failoverMs).to.equal(17_000);
    });
  });
});
