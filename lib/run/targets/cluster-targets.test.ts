// What the sandbox and existing targets take from a scenario before any cluster starts.
import { expect } from 'chai';
import { ExistingClusterProvider } from '../../cluster/existing/existing-provider.ts';
import { parseScenario } from '../../scenario/loader.ts';
import { existingTarget, sandboxNodeRemoval } from './cluster-targets.ts';

const scenario = (extra: string) => parseScenario(`name: s\n${extra}steps:\n  - delete-node: control-plane[2]\n`, 's.yaml');

describe('cluster targets: scenario options', () => {
  it("passes cluster.sandbox.nodeFinalizerHoldMs to the sandbox's node agents as nodeRemoval.finalizerHoldMs", () => {
    expect(sandboxNodeRemoval(scenario('cluster: { sandbox: { nodeFinalizerHoldMs: 8000 } }\n'))).to.deep.equal({ finalizerHoldMs: 8000 });
    expect(sandboxNodeRemoval(scenario(''))).to.deep.equal({});
  });

  it('leaves a sandboxOnly scenario unrun on an existing cluster (inconclusive), and runs the others', () => {
    const target = existingTarget(ExistingClusterProvider.fromFile(undefined), {});
    expect(target.unsupported?.(scenario('sandboxOnly: true\n'))).to.match(/sandboxOnly/);
    expect(target.unsupported?.(scenario(''))).to.equal(undefined);
  });
});
