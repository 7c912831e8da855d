// The sandbox provider keeps the provider contract (the same suite the kind provider passes against its fakes):
// real namespaces and processes, so "leaves nothing behind" is checked on the machine itself.
import { describeProviderContract } from '../core/provider-contract.testing.ts';
import { Journal } from '../../faults/journal.ts';
import { listNamespaces, NETNS_PREFIX } from '../../sandbox/network.ts';
import { SandboxProvider, type SandboxOptions } from './sandbox-provider.ts';

const isRoot = process.getuid?.() === 0;

/** What sandboxes of this process left: namespaces, and run folders (teardown removes its own). */
async function leftovers(): Promise<string[]> {
  const namespaces = (await listNamespaces()).filter((ns) => ns.startsWith(NETNS_PREFIX)).map((ns) => `namespace ${ns}`);
  const runs = Journal.listRunDirs().filter((dir) => {
    const run = Journal.read(dir).find((e) => e.type === 'run');
    return run?.type === 'run' && run.provider === 'sandbox' && run.ownerPid === process.pid;
  });
  return [...namespaces, ...runs.map((dir) => `run folder ${dir}`)];
}

if (isRoot) {
  describeProviderContract<SandboxOptions>('sandbox (real namespaces and processes)', () => {
    const options: SandboxOptions = { topology: { controlPlanes: 1, workers: 1 } };
    return Promise.resolve({
      provider: new SandboxProvider(),
      options,
      failingStart: {
        // Fails after its namespaces and processes exist: no Node can register within 1 ms.
        provider: new SandboxProvider(),
        options: { ...options, readyTimeoutMs: 1 },
        isOriginalError: (error) =>
          error instanceof Error && /timed out after 1 ms waiting for the control-plane Nodes/.test(error.message),
      },
      leftovers,
    });
  });
}
