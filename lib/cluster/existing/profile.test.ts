import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { describeAttachment } from './profile.ts';

function node(name: string, address: string, kubeletVersion?: string): V1Node {
  return {
    metadata: { name },
    status: {
      addresses: [{ type: 'InternalIP', address }],
      ...(kubeletVersion ? { nodeInfo: { kubeletVersion } as NonNullable<V1Node['status']>['nodeInfo'] } : {}),
    },
  };
}

describe('an attached cluster: profile, timers and measured endpoint', () => {
  const nodes = [node('hv-1', '10.0.0.1', 'v1.32.3+rke2r1'), node('hv-2', '10.0.0.2', 'v1.32.3+rke2r1')];

  it("reads the profile from the kubelets and says which endpoint it measures (Rancher's proxy)", () => {
    const a = describeAttachment({
      choice: 'auto',
      v1Nodes: nodes,
      vipAddresses: ['10.0.0.100'],
      server: 'https://10.0.0.100/k8s/clusters/local',
    });
    expect(a.timers).to.deep.equal({
      kubeletHeartbeatMs: 10_000,
      nodeMonitorGraceMs: 50_000,
      etcdHeartbeatMs: 500,
      etcdElectionTimeoutMs: 5000,
    });
    expect(a.endpoint.kind).to.equal('rancher-proxy');
    expect(a.notes).to.deep.equal([
      'profile harvester-1.5 (kubelet v1.32.3+rke2r1 on hv-1): kubelet 10 s, node-monitor grace 50 s, etcd heartbeat 500 ms / election 5 s; etcd members named <node>-<8 hex> (RKE2); at most 1 witness (etcd only)',
      `endpoint rancher-proxy: ${a.endpoint.describe}`,
    ]);
  });

  it("the executors file's timers win over the profile's, the caller's over both, and the notes say so", () => {
    const a = describeAttachment({
      choice: 'harvester-1.4',
      v1Nodes: nodes,
      vipAddresses: [],
      server: 'https://10.0.0.2:6443',
      fileTimers: { nodeMonitorGraceMs: 2500, etcdElectionTimeoutMs: 1000 },
      fileName: '/x/sandbox.yaml',
      optionTimers: { etcdElectionTimeoutMs: 2000 },
    });
    expect(a.timers).to.deep.equal({
      kubeletHeartbeatMs: 10_000,
      nodeMonitorGraceMs: 2500,
      etcdHeartbeatMs: 500,
      etcdElectionTimeoutMs: 2000,
    });
    expect(a.endpoint.kind).to.equal('node');
    expect(a.endpoint.failoverMs).to.equal(0);
    expect(a.notes).to.include('profile: kubelet v1.32.3+rke2r1 on hv-1 suggests harvester-1.5, not harvester-1.4');
    expect(a.notes).to.include(
      "timers given by the executors file /x/sandbox.yaml and the options win over the profile's: kubelet 10 s, node-monitor grace 2500 ms, etcd heartbeat 500 ms / election 2 s",
    );
  });
});
