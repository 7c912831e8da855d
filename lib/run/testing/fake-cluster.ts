// For tests of the run layer: a StartedCluster that is only its kubeconfig, its nodes and an inject() (a kind-like
// cluster with sandbox timers); it starts and stops nothing.
import type { ClusterNode } from '../../model/cluster.ts';
import type { StartedCluster } from '../../cluster/core/provider.ts';
import type { FaultKind, FaultRequest } from '../../faults/catalogue.ts';

export interface FakeClusterParts {
  readonly runId: string;
  readonly kubeconfigPath: string;
  readonly nodes: readonly ClusterNode[];
  readonly supportedFaults?: readonly FaultKind[];
  readonly inject?: (request: FaultRequest) => Promise<never>;
}

export function fakeStartedCluster(parts: FakeClusterParts): StartedCluster {
  return {
    provider: 'kind',
    runId: parts.runId,
    endpoints: { kubeconfigPath: parts.kubeconfigPath, nodeKubeconfigPaths: new Map() },
    nodes: parts.nodes,
    supportedFaults: new Set(parts.supportedFaults ?? []),
    onHarnessMachine: true,
    timers: { nodeMonitorGraceMs: 2500, kubeletHeartbeatMs: 500 } as StartedCluster['timers'],
    inject: parts.inject ?? (() => Promise.reject(new Error('no faults here'))),
    stop: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  } as unknown as StartedCluster;
}
