import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { parseQuantity, policyContext, readReachability, REACHABILITY_ANNOTATION } from './policy-context.ts';

const NOW = new Date('2026-01-01T00:10:00Z');
const node: V1Node = {
  metadata: {
    name: 'w1',
    annotations: { [REACHABILITY_ANNOTATION]: '{"etcdPeers":false,"api":true,"unreachable":["10.0.0.1:2380"],"checkedAt":"x"}' },
  },
  status: {
    allocatable: { cpu: '3500m', memory: '16Gi' },
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-01-01T00:09:00Z') },
      { type: 'DiskPressure', status: 'True' },
      { type: 'MemoryPressure', status: 'False' },
    ],
  },
};

describe('harvester/policy-context: what a promotion policy may look at', () => {
  it('tells how long a condition has held, its pressure conditions and its allocatable resources', () => {
    const context = policyContext([node], NOW);
    expect(context.conditionHeldMs('w1', 'Ready', 'True')).to.equal(60_000);
    expect(context.conditionHeldMs('w1', 'Ready', 'False')).to.equal(undefined);
    expect(context.conditionHeldMs('w1', 'DiskPressure', 'True')).to.equal(undefined); // no transition time
    expect(context.pressure('w1')).to.deep.equal(['DiskPressure']);
    expect(context.allocatable('w1')).to.deep.equal({ cpuMillis: 3500, memoryBytes: 16 * 1024 ** 3 });
  });

  it("reads the node's probe record, and nothing from a missing or malformed one", () => {
    expect(policyContext([node], NOW).reachability('w1')).to.deep.include({ etcdPeers: false, api: true, unreachable: ['10.0.0.1:2380'] });
    expect(readReachability({ metadata: { name: 'x' } })).to.equal(undefined);
    expect(readReachability({ metadata: { name: 'x', annotations: { [REACHABILITY_ANNOTATION]: '{"etcdPeers":"no"}' } } })).to.equal(
      undefined,
    );
    expect(readReachability({ metadata: { name: 'x', annotations: { [REACHABILITY_ANNOTATION]: 'not json' } } })).to.equal(undefined);
  });

  it('names a node it was not given (a policy bug, not a quiet no)', () => {
    expect(() => policyContext([node], NOW).pressure('w9')).to.throw(/no node "w9" in the list the policy was given/);
  });

  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('4')).to.equal(4);
    expect(parseQuantity('250m')).to.equal(0.25);
    expect(parseQuantity('1G')).to.equal(1e9);
    expect(parseQuantity('16384Ki')).to.equal(16 * 1024 ** 2);
    expect(parseQuantity('lots')).to.equal(undefined);
  });
});
