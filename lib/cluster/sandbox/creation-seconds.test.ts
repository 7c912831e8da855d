// The sandbox's distinctCreationSeconds start: the nodes after the control planes are created one second apart at
// least, in topology order (Harvester ranks promotion candidates by creation time, which the API keeps in seconds).
import { expect } from 'chai';
import { CoreV1Api } from '@kubernetes/client-node';
import { createdAtMs } from '../../harvester/contract.ts';
import { loadKubeConfig } from '../../util/kubeconfig.ts';
import { SandboxProvider } from './sandbox-provider.ts';
import type { StartedSandbox } from './sandbox-cluster.ts';

const isRoot = process.getuid?.() === 0;

describe('sandbox start with distinctCreationSeconds', function () {
  this.timeout(240_000);
  let cluster: StartedSandbox | undefined;

  after(async () => {
    await cluster?.stop();
  });

  it('creates each worker in a later second than the one before it, in topology order', async function () {
    if (!isRoot) this.skip();
    cluster = await new SandboxProvider().start({ topology: { controlPlanes: 1, workers: 2 }, distinctCreationSeconds: true });
    const core = loadKubeConfig(cluster.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
    const nodes = (await core.listNode()).items;
    const second = (name: string): number => {
      const node = nodes.find((n) => n.metadata?.name === name);
      expect(node, name).to.not.equal(undefined);
      return Math.floor(createdAtMs(node ?? {}) / 1000);
    };
    const [first, next] = ['worker-0', 'worker-1'].map(second);
    expect(next, `creation seconds ${first}, ${next}`).to.be.greaterThan(first as number);
  });
});
