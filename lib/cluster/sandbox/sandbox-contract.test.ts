// The sandbox provider keeps the provider contract (the same suite the kind provider passes against its fakes):
// real namespaces and processes, so "leaves nothing behind" is checked on the machine itself — for the runs this
// fixture's providers made only (it names them), since other sandboxes may run on the machine meanwhile.
import { basename } from 'node:path';
import { describeProviderContract } from '../core/provider-contract.testing.ts';
import { Journal } from '../../faults/journal.ts';
import { listNamespaces, runIdOfNamespace } from '../../sandbox/network.ts';
import { processesOfRun } from '../../sandbox/testing/leftovers.ts';
import { newRunId } from '../core/workspace.ts';
import { SandboxProvider, type SandboxOptions } from './sandbox-provider.ts';

const isRoot = process.getuid?.() === 0;

/** What the fixture's runs left: their namespaces, processes and run folders (teardown removes its own). */
async function leftovers(runIds: ReadonlySet<string>): Promise<string[]> {
  const namespaces = (await listNamespaces()).filter((ns) => runIds.has(runIdOfNamespace(ns) ?? '')).map((ns) => `namespace ${ns}`);
  const processes = [...runIds].flatMap((runId) => processesOfRun(runId).map((pid) => `process ${pid} of run ${runId}`));
  const runs = Journal.listRunDirs()
    .filter((dir) => runIds.has(basename(dir)))
    .map((dir) => `run folder ${dir}`);
  return [...namespaces, ...processes, ...runs];
}

if (isRoot) {
  describeProviderContract<SandboxOptions>('sandbox (real namespaces and processes)', () => {
    const runIds = new Set<string>();
    const newRunIdOfFixture = (): string => {
      const runId = newRunId();
      runIds.add(runId);
      return runId;
    };
    const options: SandboxOptions = { topology: { controlPlanes: 1, workers: 1 } };
    return Promise.resolve({
      provider: new SandboxProvider({ newRunId: newRunIdOfFixture }),
      options,
      failingStart: {
        // Fails after its namespaces and processes exist: no Node can register within 1 ms.
        provider: new SandboxProvider({ newRunId: newRunIdOfFixture }),
        options: { ...options, readyTimeoutMs: 1 },
        isOriginalError: (error) =>
          error instanceof Error && /timed out after 1 ms waiting for the control-plane Nodes/.test(error.message),
      },
      leftovers: () => leftovers(runIds),
    });
  });
}
