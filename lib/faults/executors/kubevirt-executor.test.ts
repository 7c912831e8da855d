import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { applyPlan } from './action.ts';
import { buildExecutors, preflightExecutors } from './build.ts';
import { parseExecutors } from './config-file.ts';
import { KubeRequestError } from './kube-request.ts';

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

/** A small stand-in for an outer KubeVirt API: serves VirtualMachines, records subresource calls. */
class FakeKubevirt {
  readonly calls: Call[] = [];
  /** Paths answered with 409 Conflict (KubeVirt's "already so"). */
  readonly conflicts = new Set<string>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  constructor(private readonly vms: ReadonlySet<string>) {}

  private answer(req: http.IncomingMessage, res: http.ServerResponse, text: string): void {
    const path = req.url ?? '';
    this.calls.push({ method: req.method ?? '', path, body: text === '' ? undefined : JSON.parse(text), authorization: req.headers.authorization });
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const vm = /^\/apis\/kubevirt\.io\/v1\/namespaces\/([^/]+)\/virtualmachines\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && vm) {
      const key = `${vm[1]}/${vm[2]}`;
      if (this.vms.has(key)) send(200, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { namespace: vm[1], name: vm[2] }, spec: { runStrategy: 'Always' } });
      else send(404, { kind: 'Status', status: 'Failure', message: `virtualmachines.kubevirt.io "${vm[2]}" not found`, code: 404 });
      return;
    }
    if (req.method === 'PUT' && path.startsWith('/apis/subresources.kubevirt.io/v1/')) {
      if (this.conflicts.has(path)) send(409, { kind: 'Status', status: 'Failure', message: 'VMI is not paused', code: 409 });
      else send(202, undefined);
      return;
    }
    send(404, { kind: 'Status', message: 'not found', code: 404 });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  subresourceCalls(): string[] {
    return this.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path} ${JSON.stringify(c.body)}`);
  }
}

function writeOuterKubeconfig(dir: string, server: string): string {
  const file = join(dir, 'outer.yaml');
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: outer', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: outer-admin', '  user: {token: outer-token}',
    'contexts:', '- name: outer', '  context: {cluster: outer, user: outer-admin}',
    'current-context: outer', '',
  ].join('\n'));
  return file;
}

describe('kubevirt executor (against a local KubeVirt-like API)', () => {
  let dir: string;
  let fake: FakeKubevirt;
  let url: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-kubevirt-'));
    fake = new FakeKubevirt(new Set(['nested/hv-0', 'nested/hv-1', 'other/vm-2']));
    url = await fake.listen();
    writeOuterKubeconfig(dir, url);
  });
  afterEach(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function setup(extra = '') {
    const config = parseExecutors([
      'faults: {kill: kubevirt, restart: kubevirt, pause: kubevirt, resume: kubevirt}',
      'kubevirt: {kubeconfig: outer.yaml, namespace: nested, stopGracePeriod: 0s, timeout: 5s}',
      'nodes:',
      '  hv-2: {vm: other/vm-2}',
      extra,
    ].join('\n'), join(dir, 'executors.yaml'));
    const target = new KubeConfig();
    target.loadFromFile(join(dir, 'outer.yaml')); // deletion is not used here
    return { config, built: buildExecutors(config, { provider: 'existing', target }) };
  }
  const facts = (name: string) => ({ name });

  it('kill stops the VM at once and start undoes it; restart restarts; pause/unpause go to the VMI', async () => {
    const { built } = setup();
    const kill = await applyPlan(built.planner.plan({ kind: 'kill', nodes: ['hv-0', 'hv-2'] }, facts, []));
    await applyPlan(built.planner.plan({ kind: 'restart', nodes: ['hv-1'] }, facts, []));
    const pause = await applyPlan(built.planner.plan({ kind: 'pause', nodes: ['hv-1'] }, facts, []));
    await pause.undo();
    await kill.undo();
    const sub = '/apis/subresources.kubevirt.io/v1/namespaces';
    expect(fake.subresourceCalls()).to.deep.equal([
      `PUT ${sub}/nested/virtualmachines/hv-0/stop {"gracePeriod":0}`,
      `PUT ${sub}/other/virtualmachines/vm-2/stop {"gracePeriod":0}`,
      `PUT ${sub}/nested/virtualmachines/hv-1/restart {}`,
      `PUT ${sub}/nested/virtualmachineinstances/hv-1/pause {}`,
      `PUT ${sub}/nested/virtualmachineinstances/hv-1/unpause {}`,
      `PUT ${sub}/other/virtualmachines/vm-2/start {}`,
      `PUT ${sub}/nested/virtualmachines/hv-0/start {}`,
    ]);
    expect(fake.calls.every((c) => c.authorization === 'Bearer outer-token'), 'the outer kubeconfig\'s credentials are used').to.equal(true);
  });

  it('an undo that finds the VM already so (409) counts as done; other errors are reported', async () => {
    const { built } = setup();
    const pause = await applyPlan(built.planner.plan({ kind: 'pause', nodes: ['hv-0'] }, facts, []));
    await applyPlan(built.planner.plan({ kind: 'resume', nodes: ['hv-0'] }, facts, []));
    fake.conflicts.add('/apis/subresources.kubevirt.io/v1/namespaces/nested/virtualmachineinstances/hv-0/unpause');
    await pause.undo();
    fake.conflicts.add('/apis/subresources.kubevirt.io/v1/namespaces/nested/virtualmachines/hv-1/restart');
    let caught: unknown;
    try {
      await applyPlan(built.planner.plan({ kind: 'restart', nodes: ['hv-1'] }, facts, []));
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(KubeRequestError);
    expect((caught as Error).message).to.equal(`PUT ${url}/apis/subresources.kubevirt.io/v1/namespaces/nested/virtualmachines/hv-1/restart: HTTP 409: VMI is not paused`);
  });

  it('checks before a run that every node\'s VM exists (one GET each), naming the missing ones', async () => {
    const { config, built } = setup();
    const problems = await preflightExecutors(config, built, ['hv-0', 'hv-2', 'hv-3'].map(facts));
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).to.deep.equal([
      'GET /apis/kubevirt.io/v1/namespaces/nested/virtualmachines/hv-0',
      'GET /apis/kubevirt.io/v1/namespaces/other/virtualmachines/vm-2',
      'GET /apis/kubevirt.io/v1/namespaces/nested/virtualmachines/hv-3',
    ]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^kubevirt: node hv-3: cannot read VirtualMachine nested\/hv-3 in the outer cluster: GET .*: HTTP 404: virtualmachines.kubevirt.io "hv-3" not found$/);
    expect(await preflightExecutors(config, built, ['hv-3'].map(facts), { dryRun: true })).to.deep.equal([]);
  });
});
