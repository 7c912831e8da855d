// The sandbox control channel over a real unix socket. The cluster behind it is a recording stand-in: what is
// under test is the channel (holding faults by key, undo finding them, errors reaching the caller); the real
// sandbox behind it is exercised end to end in lib/cluster/existing/existing-e2e.test.ts.
import type { AppliedFault, FaultRequest } from '../../../faults/catalogue.ts';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlEtcd, controlFault, findControlSocket } from './control-client.ts';
import { SandboxControlServer } from './control-server.ts';
import { faultKey } from './protocol.ts';
import { parseFaultRequest } from './request.ts';

describe('sandbox control channel', () => {
  let dir = '';
  let server: SandboxControlServer | undefined;
  const log: string[] = [];
  const cluster = {
    inject: async (request: FaultRequest): Promise<AppliedFault> => {
      if (request.kind === 'pause') throw new Error('cannot pause node cp-1: it is killed');
      const key = faultKey(request);
      log.push(`apply ${key}`);
      return { request, undo: async () => void log.push(`undo ${key}`) };
    },
    etcdMembership: async () => ({ members: [{ name: 'cp-0', id: '1' }], leader: 'cp-0' }),
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-control-'));
    log.length = 0;
    server = await SandboxControlServer.listen(cluster, join(dir, 'control.sock'));
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds each applied fault under its key until its undo comes; a second undo finds nothing', async () => {
    const socket = join(dir, 'control.sock');
    await controlFault(socket, 'fault', { kind: 'kill', nodes: ['cp-1'] });
    await controlFault(socket, 'fault', { kind: 'drop', from: ['cp-0'], to: ['cp-1'] });
    expect(await controlFault(socket, 'undo', { kind: 'kill', nodes: ['cp-1'] })).to.equal('undid kill:cp-1');
    expect(await controlFault(socket, 'undo', { kind: 'kill', nodes: ['cp-1'] })).to.match(/nothing held under kill:cp-1/);
    expect(log).to.deep.equal(['apply kill:cp-1', 'apply drop:cp-0>cp-1', 'undo kill:cp-1']);
    expect(await controlEtcd(socket)).to.deep.equal({ members: [{ name: 'cp-0', id: '1' }], leader: 'cp-0' });
  });

  it("hands the cluster's error and malformed requests back to the caller", async () => {
    const socket = join(dir, 'control.sock');
    let message = '';
    await controlFault(socket, 'fault', { kind: 'pause', nodes: ['cp-1'] }).catch((e: Error) => (message = e.message));
    expect(message).to.equal('sandbox fault pause failed (500): cannot pause node cp-1: it is killed');
    await controlFault(socket, 'fault', { kind: 'kill', nodes: [] } as FaultRequest).catch((e: Error) => (message = e.message));
    expect(message).to.match(/\(400\): nodes: expected a non-empty list of node names/);
  });

  it('names the sandbox it cannot find', () => {
    expect(() => findControlSocket('nosuch')).to.throw(/no running sandbox nosuch serves a control socket/);
  });

  it('keys requests independently of node order, and tells different requests apart', () => {
    expect(faultKey({ kind: 'kill', nodes: ['b', 'a'] })).to.equal(faultKey({ kind: 'kill', nodes: ['a', 'b'] }));
    expect(faultKey({ kind: 'drop', from: ['a'], to: ['b'] })).to.not.equal(faultKey({ kind: 'drop', from: ['b'], to: ['a'] }));
    expect(faultKey({ kind: 'kill', nodes: ['a'] })).to.not.equal(faultKey({ kind: 'pause', nodes: ['a'] }));
  });

  it('parses requests field by field', () => {
    expect(parseFaultRequest({ kind: 'partition', groups: [['a'], ['b', 'c']] })).to.deep.equal({
      kind: 'partition',
      groups: [['a'], ['b', 'c']],
    });
    expect(() => parseFaultRequest({ kind: 'explode' })).to.throw(/kind: expected one of kill, restart/);
    expect(() => parseFaultRequest({ kind: 'partition', groups: [['a']] })).to.throw(/at least two groups/);
    expect(() => parseFaultRequest({ kind: 'drop', from: ['a'] })).to.throw(/to: expected a non-empty list/);
  });
});
