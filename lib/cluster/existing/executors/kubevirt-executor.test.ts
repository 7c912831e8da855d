import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiFixture, type ApiFixture } from '../../../sandbox/apiserver/testing/api-fixture.ts';
import { request as rawRequest } from '../../../sandbox/apiserver/testing/http-request.ts';
import { applyPlan } from './action.ts';
import { buildExecutors, preflightExecutors } from './build.ts';
import { parseExecutors } from './config-file.ts';
import { KubeRequestError, kubeRequest } from './kube-request.ts';
import type { KubeRequester } from './kubevirt-executor.ts';

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  /** The Authorization header kubeRequest sends with this kubeconfig. */
  readonly authorization: unknown;
  /** How the API server answered: 'ok' (2xx) or the HTTP status. */
  outcome?: string;
}

const TOKEN = 'outer-token';
const SUB = '/apis/subresources.kubevirt.io/v1/namespaces';
const KV = '/apis/kubevirt.io/v1/namespaces';

function writeOuterKubeconfig(dir: string, server: string): void {
  writeFileSync(
    join(dir, 'outer.yaml'),
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: outer',
      '  cluster:',
      `    server: ${server}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: outer-admin',
      `  user: {token: ${TOKEN}}`,
      'contexts:',
      '- name: outer',
      '  context: {cluster: outer, user: outer-admin}',
      'current-context: outer',
      '',
    ].join('\n'),
  );
}

describe("kubevirt executor (against the sandbox API server's VirtualMachines)", function () {
  this.timeout(60_000);
  let api: ApiFixture;
  let dir: string;
  let calls: Call[];

  /** The executor's requester seam: the real kubeRequest, recorded. */
  const recorder: KubeRequester = async (kc, request) => {
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const call: Call = {
      method: request.method,
      path: request.path,
      body: request.body,
      authorization: (options.headers as Record<string, unknown> | undefined)?.Authorization,
    };
    calls.push(call);
    try {
      const result = await kubeRequest(kc, request);
      call.outcome = 'ok';
      return result;
    } catch (error) {
      call.outcome = error instanceof KubeRequestError ? String(error.status) : 'no answer';
      throw error;
    }
  };
  const lines = (): string[] =>
    calls.map((c) => `${c.method} ${c.path}${c.body === undefined ? '' : ` ${JSON.stringify(c.body)}`} -> ${c.outcome ?? '?'}`);

  async function send(method: string, path: string, body?: unknown): Promise<Record<string, unknown> | undefined> {
    const reply = await rawRequest({ url: api.url }, method, path, body === undefined ? {} : { body });
    if (reply.status === 404 && method === 'GET') return undefined;
    expect(reply.status, `${method} ${path}: ${reply.text}`).to.be.within(200, 299);
    return reply.json();
  }
  const vmOf = (ns: string, name: string) => send('GET', `${KV}/${ns}/virtualmachines/${name}`);
  const vmiOf = (ns: string, name: string) => send('GET', `${KV}/${ns}/virtualmachineinstances/${name}`);
  const running = async (ns: string, name: string): Promise<unknown> => ((await vmOf(ns, name))?.spec as Record<string, unknown>).running;
  const uid = async (ns: string, name: string): Promise<unknown> =>
    ((await vmiOf(ns, name))?.metadata as Record<string, unknown> | undefined)?.uid;
  const paused = async (ns: string, name: string): Promise<boolean> => {
    const conditions = ((await vmiOf(ns, name))?.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
    return conditions.some((c) => c.type === 'Paused' && c.status === 'True');
  };

  /** A running VM (spec.running true) with its VMI, as a Harvester node VM is. */
  async function runningVm(ns: string, name: string): Promise<void> {
    await send('POST', `${KV}/${ns}/virtualmachines`, {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: { name },
      spec: { running: true, template: { spec: { domain: {} } } },
    });
    await send('POST', `${KV}/${ns}/virtualmachineinstances`, {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: { name },
      spec: { domain: {} },
      status: { phase: 'Running' },
    });
  }

  before(async () => {
    api = await startApiFixture();
  });
  after(async () => {
    await api?.stop();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-kubevirt-'));
    writeOuterKubeconfig(dir, api.url);
    calls = [];
    for (const ns of ['nested', 'other'])
      await send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await runningVm('nested', 'hv-0');
    await runningVm('nested', 'hv-1');
    await runningVm('other', 'vm-2');
  });
  afterEach(async () => {
    for (const ns of ['nested', 'other']) await send('DELETE', `/api/v1/namespaces/${ns}`);
    rmSync(dir, { recursive: true, force: true });
  });

  function setup() {
    const config = parseExecutors(
      [
        'faults: {kill: kubevirt, restart: kubevirt, pause: kubevirt, resume: kubevirt}',
        'kubevirt: {kubeconfig: outer.yaml, namespace: nested, stopGracePeriod: 0s, timeout: 5s}',
        'nodes:',
        '  hv-2: {vm: other/vm-2}',
      ].join('\n'),
      join(dir, 'executors.yaml'),
    );
    const target = new KubeConfig();
    target.loadFromFile(join(dir, 'outer.yaml')); // deletion is not used here
    return { config, built: buildExecutors(config, { provider: 'existing', target, kubeRequester: recorder }) };
  }
  const facts = (name: string) => ({ name });

  it('kill stops the VM at once and start undoes it; restart replaces the VMI; pause/unpause go to the VMI', async () => {
    const { built } = setup();
    const killPlan = built.planner.plan({ kind: 'kill', nodes: ['hv-0', 'hv-2'] }, facts, []);
    expect(killPlan.steps.map((s) => s.apply.describe)).to.deep.equal([
      `PUT ${api.url}${SUB}/nested/virtualmachines/hv-0/stop {"gracePeriod":0}`,
      `PUT ${api.url}${SUB}/other/virtualmachines/vm-2/stop {"gracePeriod":0}`,
    ]);
    const kill = await applyPlan(killPlan);
    expect([await running('nested', 'hv-0'), await running('other', 'vm-2'), await running('nested', 'hv-1')]).to.deep.equal([
      false,
      false,
      true,
    ]);
    expect([await vmiOf('nested', 'hv-0'), await vmiOf('other', 'vm-2')]).to.deep.equal([undefined, undefined]);

    const before = await uid('nested', 'hv-1');
    await applyPlan(built.planner.plan({ kind: 'restart', nodes: ['hv-1'] }, facts, []));
    const after = await uid('nested', 'hv-1');
    expect(after).to.be.a('string').and.not.equal(before);
    expect(await running('nested', 'hv-1')).to.equal(true);

    const pause = await applyPlan(built.planner.plan({ kind: 'pause', nodes: ['hv-1'] }, facts, []));
    expect(await paused('nested', 'hv-1')).to.equal(true);
    await pause.undo();
    expect(await paused('nested', 'hv-1')).to.equal(false);
    expect(await uid('nested', 'hv-1'), 'pause/unpause keep the VMI').to.equal(after);

    await kill.undo();
    expect([await running('nested', 'hv-0'), await running('other', 'vm-2')]).to.deep.equal([true, true]);
    expect((await vmiOf('nested', 'hv-0'))?.status).to.include({ phase: 'Running' });
    expect((await vmiOf('other', 'vm-2'))?.status).to.include({ phase: 'Running' });

    expect(lines()).to.deep.equal([
      `PUT ${SUB}/nested/virtualmachines/hv-0/stop {"gracePeriod":0} -> ok`,
      `PUT ${SUB}/other/virtualmachines/vm-2/stop {"gracePeriod":0} -> ok`,
      `PUT ${SUB}/nested/virtualmachines/hv-1/restart {} -> ok`,
      `PUT ${SUB}/nested/virtualmachineinstances/hv-1/pause {} -> ok`,
      `PUT ${SUB}/nested/virtualmachineinstances/hv-1/unpause {} -> ok`,
      `PUT ${SUB}/other/virtualmachines/vm-2/start {} -> ok`,
      `PUT ${SUB}/nested/virtualmachines/hv-0/start {} -> ok`,
    ]);
    expect(
      calls.every((c) => c.authorization === `Bearer ${TOKEN}`),
      "the outer kubeconfig's credentials are used",
    ).to.equal(true);
    const described = [killPlan, built.planner.plan({ kind: 'pause', nodes: ['hv-1'] }, facts, [])].flatMap((p) =>
      p.steps.flatMap((s) => [s.apply.describe, s.undo?.describe ?? '']),
    );
    expect(described.join('\n'), 'the token is not in describe lines').to.not.include(TOKEN);
  });

  it("an action that finds the VM already so (409) counts as done; restart's 409 and other errors are reported", async () => {
    const { built } = setup();
    const pause = await applyPlan(built.planner.plan({ kind: 'pause', nodes: ['hv-0'] }, facts, []));
    await applyPlan(built.planner.plan({ kind: 'resume', nodes: ['hv-0'] }, facts, []));
    await pause.undo(); // unpause of a VMI that is not paused: 409, done
    expect(await paused('nested', 'hv-0')).to.equal(false);
    await applyPlan(built.planner.plan({ kind: 'kill', nodes: ['hv-1'] }, facts, []));
    const kill = await applyPlan(built.planner.plan({ kind: 'kill', nodes: ['hv-1'] }, facts, [])); // already stopped: 409, done
    expect(await running('nested', 'hv-1')).to.equal(false);

    const failure = async (run: () => Promise<unknown>): Promise<Error> => {
      try {
        await run();
      } catch (error) {
        expect(error).to.be.instanceOf(KubeRequestError);
        return error as Error;
      }
      throw new Error('expected a failure');
    };
    const restart = await failure(() => applyPlan(built.planner.plan({ kind: 'restart', nodes: ['hv-1'] }, facts, [])));
    expect(restart.message).to.equal(
      `PUT ${api.url}${SUB}/nested/virtualmachines/hv-1/restart: HTTP 409: Operation cannot be fulfilled on virtualmachine.kubevirt.io "hv-1": Halted does not support manual restart requests`,
    );
    const noVmi = await failure(() => applyPlan(built.planner.plan({ kind: 'pause', nodes: ['hv-1'] }, facts, [])));
    expect(noVmi.message).to.equal(
      `PUT ${api.url}${SUB}/nested/virtualmachineinstances/hv-1/pause: HTTP 404: virtualmachineinstances.kubevirt.io "hv-1" not found`,
    );
    expect(`${restart.message}\n${noVmi.message}`, 'the token is not in error messages').to.not.include(TOKEN);

    await kill.undo();
    expect(await running('nested', 'hv-1')).to.equal(true);
    await kill.undo(); // idempotent: no second request
    expect(lines()).to.deep.equal([
      `PUT ${SUB}/nested/virtualmachineinstances/hv-0/pause {} -> ok`,
      `PUT ${SUB}/nested/virtualmachineinstances/hv-0/unpause {} -> ok`,
      `PUT ${SUB}/nested/virtualmachineinstances/hv-0/unpause {} -> 409`,
      `PUT ${SUB}/nested/virtualmachines/hv-1/stop {"gracePeriod":0} -> ok`,
      `PUT ${SUB}/nested/virtualmachines/hv-1/stop {"gracePeriod":0} -> 409`,
      `PUT ${SUB}/nested/virtualmachines/hv-1/restart {} -> 409`,
      `PUT ${SUB}/nested/virtualmachineinstances/hv-1/pause {} -> 404`,
      `PUT ${SUB}/nested/virtualmachines/hv-1/start {} -> ok`,
    ]);
  });

  it("checks before a run that every node's VM exists (one GET each), naming the missing ones", async () => {
    const { config, built } = setup();
    const problems = await preflightExecutors(config, built, ['hv-0', 'hv-2', 'hv-3'].map(facts));
    expect(lines()).to.deep.equal([
      `GET ${KV}/nested/virtualmachines/hv-0 -> ok`,
      `GET ${KV}/other/virtualmachines/vm-2 -> ok`,
      `GET ${KV}/nested/virtualmachines/hv-3 -> 404`,
    ]);
    expect(problems).to.deep.equal([
      `kubevirt: node hv-3: cannot read VirtualMachine nested/hv-3 in the outer cluster: GET ${api.url}${KV}/nested/virtualmachines/hv-3: HTTP 404: virtualmachines.kubevirt.io "hv-3" not found`,
    ]);
    calls = [];
    expect(await preflightExecutors(config, built, ['hv-3'].map(facts), { dryRun: true })).to.deep.equal([]);
    expect(calls, 'a dry run reads nothing').to.deep.equal([]);
  });
});
