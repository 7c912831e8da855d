// The kind provider keeps the provider contract, run against the recording fakes of fixtures/bin.
import { describeProviderContract } from '../core/provider-contract.testing.ts';
import { KindProvider, type KindOptions } from './kind-provider.ts';
import { startKindFakes } from './testing/kind-fakes.ts';
import { ClusterCommandError } from './tools.ts';

describeProviderContract<KindOptions>('kind (recorded fakes)', async () => {
  const fakes = await startKindFakes();
  return {
    provider: new KindProvider(fakes.providerOptions()),
    options: {},
    failingStart: {
      // Fails after the cluster was created: the node addresses cannot be read.
      provider: new KindProvider(fakes.providerOptions({ CPCHAOS_FAIL_ON: 'docker inspect' })),
      options: {},
      isOriginalError: (error) => error instanceof ClusterCommandError && error.command.startsWith('docker inspect'),
    },
    leftovers: () => Promise.resolve(fakes.leftovers()),
    close: () => fakes.close(),
  };
});
