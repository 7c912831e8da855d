// kubectl 1.32 writing through the API server: apply (OpenAPI v3 for validation and the strategic merge patch),
// server-side dry run, explain, `get nodes -o wide`, and the long-running wait and get -w against watches.
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { run } from '../../util/exec.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { waitFor } from '../../util/wait.ts';
import { startApiFixture, writeKubeconfig, type ApiFixture } from './testing/api-fixture.ts';

/** A kubectl left running (wait, get -w): its output so far, its exit, and a kill. */
interface Background {
  output(): string;
  readonly exited: Promise<number | null>;
  /** Its exit code, or a rejection once timeoutMs pass first. */
  exitWithin(timeoutMs: number): Promise<number | null>;
  kill(): void;
}

describe('kubectl 1.32 writes against the API server', function () {
  this.timeout(90_000);
  let f: ApiFixture;
  let core: CoreV1Api;
  let baseArgs: string[];
  const children: ChildProcessWithoutNullStreams[] = [];
  const kubectl = (...args: string[]): Promise<string> => run('kubectl', [...baseArgs, ...args], { timeoutMs: 30_000 });
  const kubectlFails = async (...args: string[]): Promise<string> => {
    try {
      await kubectl(...args);
    } catch (error) {
      return String(error);
    }
    throw new Error(`kubectl ${args.join(' ')} succeeded`);
  };
  const background = (...args: string[]): Background => {
    const child = spawn('kubectl', [...baseArgs, ...args], { stdio: 'pipe' });
    children.push(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const exitWithin = (timeoutMs: number): Promise<number | null> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`kubectl ${args.join(' ')} still running after ${timeoutMs} ms: ${out}`)), timeoutMs);
      });
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    };
    return { output: () => out, exited, exitWithin, kill: () => child.kill('SIGKILL') };
  };
  const manifest = async (name: string, text: string): Promise<string> => {
    const file = path.join(f.dir, name);
    await writeFile(file, text);
    return file;
  };
  const configMap = (name: string, data: Record<string, string>, extra = ''): string =>
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: ${name}`,
      '  namespace: default',
      'data:',
      ...Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`),
      extra,
    ].join('\n');

  before(async () => {
    f = await startApiFixture();
    const kubeconfig = await writeKubeconfig(f.dir, f.url);
    baseArgs = ['--kubeconfig', kubeconfig, '--cache-dir', path.join(f.dir, 'kube-cache'), '--request-timeout=10s'];
    core = f.kubeConfig().makeApiClient(CoreV1Api);
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await f?.stop();
  });

  it('applies a ConfigMap: created, unchanged, configured (a three-way strategic merge patch)', async () => {
    const file = await manifest('cm.yaml', configMap('applied', { a: '1', b: '2' }));
    expect(await kubectl('apply', '-f', file)).to.equal('configmap/applied created');
    expect(await kubectl('apply', '-f', file)).to.equal('configmap/applied unchanged');
    await writeFile(file, configMap('applied', { a: '10' }));
    expect(await kubectl('apply', '-f', file)).to.equal('configmap/applied configured');
    const cm = await core.readNamespacedConfigMap({ name: 'applied', namespace: 'default' });
    expect(cm.data, 'b left the manifest, so the patch removed it').to.deep.equal({ a: '10' });
    expect(cm.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).to.include('"a":"10"');
  });

  it('validates on the server: an unknown field fails apply (fieldValidation=Strict)', async () => {
    const file = await manifest('bad.yaml', configMap('bad', { a: '1' }, 'color: blue'));
    expect(await kubectlFails('apply', '-f', file)).to.include('unknown field "color"');
    expect(await kubectlFails('get', 'configmap', 'bad', '-n', 'default')).to.include('NotFound');
  });

  it('apply --dry-run=server stores nothing, neither a create nor a change', async () => {
    const file = await manifest('dry.yaml', configMap('dry', { a: '1' }));
    expect(await kubectl('apply', '-f', file, '--dry-run=server')).to.equal('configmap/dry created (server dry run)');
    expect(await kubectlFails('get', 'configmap', 'dry', '-n', 'default')).to.include('NotFound');
    const changed = await manifest('applied-dry.yaml', configMap('applied', { a: '99' }));
    expect(await kubectl('apply', '-f', changed, '--dry-run=server')).to.equal('configmap/applied configured (server dry run)');
    expect(await kubectl('delete', 'configmap', 'applied', '-n', 'default', '--dry-run=server')).to.equal(
      'configmap "applied" deleted (server dry run)',
    );
    expect((await core.readNamespacedConfigMap({ name: 'applied', namespace: 'default' })).data).to.deep.equal({ a: '10' });
  });

  it('explains the served kinds from OpenAPI v3', async () => {
    const out = await kubectl('explain', 'nodes.status.nodeInfo');
    expect(out).to.match(/^KIND:\s+Node$/m);
    expect(out).to.include('kubeletVersion').and.include('osImage');
    expect(await kubectl('explain', 'configmap')).to.match(/^FIELDS:$/m);
  });

  it('gets nodes -o wide with INTERNAL-IP, VERSION and the nodeInfo columns filled', async () => {
    await core.createNode({
      body: {
        metadata: { name: 'k-wide' },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [
            { type: 'InternalIP', address: '10.9.8.7' },
            { type: 'Hostname', address: 'k-wide' },
          ],
          nodeInfo: {
            kubeletVersion: 'v1.30.0-cpchaos',
            osImage: 'Debian GNU/Linux 12 (bookworm)',
            kernelVersion: '6.1.0-test',
            containerRuntimeVersion: 'cpchaos://1.30.0-cpchaos',
          } as never,
        },
      },
    });
    const [header, row] = (await kubectl('get', 'node', 'k-wide', '-o', 'wide')).split('\n');
    expect(header?.split(/\s{2,}/)).to.deep.equal([
      'NAME',
      'STATUS',
      'ROLES',
      'AGE',
      'VERSION',
      'INTERNAL-IP',
      'EXTERNAL-IP',
      'OS-IMAGE',
      'KERNEL-VERSION',
      'CONTAINER-RUNTIME',
    ]);
    const cells = row?.split(/\s{2,}/) ?? [];
    expect(cells[0]).to.equal('k-wide');
    expect(cells.slice(4)).to.deep.equal([
      'v1.30.0-cpchaos',
      '10.9.8.7',
      '<none>',
      'Debian GNU/Linux 12 (bookworm)',
      '6.1.0-test',
      'cpchaos://1.30.0-cpchaos',
    ]);
  });

  it('waits for a node to turn Ready (kubectl wait --for=condition=Ready)', async () => {
    await core.createNode({ body: { metadata: { name: 'k-wait' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } } });
    const waiting = background('wait', '--for=condition=Ready', 'node/k-wait', '--timeout=20s');
    await core.patchNodeStatus(
      { name: 'k-wait', body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } } },
      mergePatch(),
    );
    const code = await waiting.exitWithin(30_000);
    expect(code, waiting.output()).to.equal(0);
    expect(waiting.output()).to.include('node/k-wait condition met');
  });

  it('watches nodes (get -w) and prints a change made after it started', async () => {
    await core.createNode({ body: { metadata: { name: 'k-listed' } } });
    const watching = background('get', 'nodes', '-w');
    try {
      await waitFor('get -w to list the nodes there', () => watching.output().includes('k-listed'), { timeoutMs: 20_000, intervalMs: 50 });
      await core.createNode({ body: { metadata: { name: 'k-watched', labels: { 'node-role.kubernetes.io/worker': 'true' } } } });
      const line = await waitFor(
        'get -w to print the new node',
        () =>
          watching
            .output()
            .split('\n')
            .find((l) => l.startsWith('k-watched')),
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      expect(line.split(/\s+/).slice(0, 3)).to.deep.equal(['k-watched', 'Unknown', 'worker']);
    } finally {
      watching.kill();
      await watching.exitWithin(10_000);
    }
  });
});
