// Test setup for the kind provider without Docker: the recording fakes of fixtures/bin first on the children's
// PATH, a record file, a fake Node API the fake kind's kubeconfig points at, and a pinned run ID.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KindProviderOptions } from '../kind-provider.ts';
import { clusterNameFor, kindNodeName } from '../kind-config.ts';
import { startFakeNodeApi, type FakeNodeApi } from './fake-node-api.ts';

export const FIXTURES_BIN = fileURLToPath(new URL('../../../../fixtures/bin', import.meta.url));

export interface KindFakes {
  readonly dir: string;
  readonly recordPath: string;
  readonly runsRoot: string;
  readonly api: FakeNodeApi;
  readonly runId: string;
  readonly clusterName: string;
  /** Node (container) names the fakes answer with, load balancer excluded. */
  readonly nodeNames: readonly string[];
  /** Provider options for the fakes, with extra environment for the children (CPCHAOS_FAIL_ON, say). */
  providerOptions(env?: Record<string, string>, extra?: Partial<KindProviderOptions>): KindProviderOptions;
  /** Every recorded call (tool name first), oldest first. */
  calls(): string[][];
  /** Recorded calls as command lines (argv joined with spaces). */
  lines(): string[];
  clearCalls(): void;
  /** From now on, calls containing `substring` fail (exit 1) with `stderr`. */
  failOn(substring: string, stderr?: string): void;
  /** From now on, calls containing `substring` hang. */
  hangOn(substring: string): void;
  /** From now on, the fakes see these variables (replacing earlier failOn/hangOn/control settings). */
  control(variables: Readonly<Record<string, string>>): void;
  /** Calls succeed again. */
  clearFailures(): void;
  /** A file in a node container's file system as the fake docker keeps it (files under /kind/), or undefined. */
  containerFile(container: string, path: string): string | undefined;
  /** Puts a file into a node container's file system (as if written there before). */
  putContainerFile(container: string, path: string, text: string): void;
  /** Clusters created and not deleted since, and run folders still on disk. */
  leftovers(): string[];
  close(): Promise<void>;
}

export interface KindFakesOptions {
  readonly controlPlanes?: number;
  readonly workers?: number;
  readonly runId?: string;
}

export function nodeNamesFor(cluster: string, controlPlanes: number, workers: number): string[] {
  return [
    ...Array.from({ length: controlPlanes }, (_, i) => kindNodeName(cluster, 'control-plane', i)),
    ...Array.from({ length: workers }, (_, i) => kindNodeName(cluster, 'worker', i)),
  ];
}

export async function startKindFakes(options: KindFakesOptions = {}): Promise<KindFakes> {
  const controlPlanes = options.controlPlanes ?? 3;
  const workers = options.workers ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'cpchaos-kind-test-'));
  const recordPath = join(dir, 'calls.jsonl');
  writeFileSync(recordPath, '');
  const controlPath = join(dir, 'control.sh');
  const shellWord = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  const runsRoot = join(dir, 'runs');
  const containerFiles = join(dir, 'containers');
  const containerPath = (container: string, path: string): string => join(containerFiles, container, path);
  const runId = options.runId ?? 'abc123';
  const clusterName = clusterNameFor(runId);
  const nodeNames = nodeNamesFor(clusterName, controlPlanes, workers);
  const suffixes = [...nodeNames.map((n) => n.slice(clusterName.length + 1)), ...(controlPlanes > 1 ? ['external-load-balancer'] : [])];
  const api = await startFakeNodeApi();
  api.setNodes(nodeNames);
  const control = (variables: Readonly<Record<string, string>>): void =>
    writeFileSync(
      controlPath,
      Object.entries(variables)
        .map(([key, value]) => `${key}=${shellWord(value)}\n`)
        .join(''),
    );
  const calls = (): string[][] =>
    existsSync(recordPath)
      ? readFileSync(recordPath, 'utf8')
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l) as string[])
      : [];
  return {
    dir,
    recordPath,
    runsRoot,
    api,
    runId,
    clusterName,
    nodeNames,
    providerOptions: (env = {}, extra = {}) => ({
      pathPrefix: [FIXTURES_BIN],
      env: {
        CPCHAOS_RECORD: recordPath,
        CPCHAOS_CONTROL_FILE: controlPath,
        CPCHAOS_KIND_API: api.url,
        CPCHAOS_KIND_NODES: suffixes.join(' '),
        CPCHAOS_DOCKER_FILES: containerFiles,
        ...env,
      },
      runsRoot,
      newRunId: () => runId,
      ...extra,
    }),
    calls,
    lines: () => calls().map((argv) => argv.join(' ')),
    clearCalls: () => writeFileSync(recordPath, ''),
    failOn: (substring, stderr) => control({ CPCHAOS_FAIL_ON: substring, ...(stderr ? { CPCHAOS_FAIL_STDERR: stderr } : {}) }),
    hangOn: (substring) => control({ CPCHAOS_HANG_ON: substring }),
    control,
    clearFailures: () => rmSync(controlPath, { force: true }),
    containerFile: (container, path) =>
      existsSync(containerPath(container, path)) ? readFileSync(containerPath(container, path), 'utf8') : undefined,
    putContainerFile: (container, path, text) => {
      mkdirSync(dirname(containerPath(container, path)), { recursive: true });
      writeFileSync(containerPath(container, path), text);
    },
    leftovers: () => {
      const live = new Set<string>();
      for (const argv of calls()) {
        const name = argv[argv.indexOf('--name') + 1] ?? '';
        if (argv.slice(0, 3).join(' ') === 'kind create cluster') live.add(name);
        if (argv.slice(0, 3).join(' ') === 'kind delete cluster') live.delete(name);
      }
      const runDirs = existsSync(runsRoot) ? readdirSync(runsRoot).map((d) => `run folder ${join(runsRoot, d)}`) : [];
      return [...[...live].map((c) => `kind cluster ${c}`), ...runDirs];
    },
    close: async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
