// The iptables shell commands run for real by sh, against a stub iptables that logs its calls: the chains are
// hooked once, the rules added, the command returns at once, and the expiry deletes the rules after the TTL, also
// when adding failed halfway.
import { parsePortList } from '../../faults/ports.ts';
import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { run } from '../../util/exec.ts';
import { CommandError } from '../../util/errors.ts';
import { waitFor } from '../../util/wait.ts';
import {
  flushCommand,
  installCommand,
  isolateRules,
  oneWayLoadBalancerRules,
  oneWayRules,
  partitionLoadBalancerRules,
  partitionRules,
} from './packet-rules.ts';

const A = { name: 'a', address: '10.0.0.1' };
const B = { name: 'b', address: '10.0.0.2' };
const C = { name: 'c', address: '10.0.0.3' };

describe("kind packet rules: kind's external load balancer", () => {
  const LB = { name: 'lb', address: '10.0.0.100' };
  const cp = (name: string, address: string): { name: string; address: string; controlPlane: boolean } => ({
    name,
    address,
    controlPlane: true,
  });
  const [M1, M2, M3] = [cp('m1', '10.0.0.11'), cp('m2', '10.0.0.12'), cp('m3', '10.0.0.13')];
  const cutOff = (rules: readonly { node: string; chain: string; spec: readonly string[] }[]): string[] =>
    rules.map((r) => `${r.node} ${r.chain} ${r.spec.slice(0, 2).join(' ')}`);

  it('partition: the group with the most control planes keeps it (the first on a tie); the others lose it both ways', () => {
    expect(cutOff(partitionLoadBalancerRules([[M1], [M2, M3, A]], LB, 't'))).to.deep.equal([
      'm1 CPCHAOS-IN -s 10.0.0.100/32',
      'm1 CPCHAOS-OUT -d 10.0.0.100/32',
    ]);
    expect(cutOff(partitionLoadBalancerRules([[M1, A], [M2]], LB, 't'))).to.deep.equal([
      'm2 CPCHAOS-IN -s 10.0.0.100/32',
      'm2 CPCHAOS-OUT -d 10.0.0.100/32',
    ]);
    expect(partitionLoadBalancerRules([[A], [B, C]], LB, 't'), 'no control plane in any group: no relayed path crosses').to.deep.equal([]);
  });

  it('drop: the side with fewer control planes loses it (the senders on a tie); no control plane on either side: nothing', () => {
    expect(cutOff(oneWayLoadBalancerRules([M1], [M2, M3], LB, 't')).map((l) => l.split(' ')[0])).to.deep.equal(['m1', 'm1']);
    expect(cutOff(oneWayLoadBalancerRules([M2, M3], [M1], LB, 't')).map((l) => l.split(' ')[0])).to.deep.equal(['m1', 'm1']);
    expect(cutOff(oneWayLoadBalancerRules([A], [M1], LB, 't')).map((l) => l.split(' ')[0])).to.deep.equal(['a', 'a']);
    expect(oneWayLoadBalancerRules([A], [B], LB, 't')).to.deep.equal([]);
  });
});

describe('kind packet rules', function () {
  let dir: string;
  let log: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-iptables-'));
    log = join(dir, 'iptables.log');
    writeFileSync(log, '');
    const stub = [
      '#!/usr/bin/env bash',
      'echo "$*" >> "$IPT_LOG"',
      'case " $* " in *" -C "*) exit 1 ;; esac',
      'if [[ -n "${IPT_MISSING_CHAIN:-}" && "$*" == *"-S $IPT_MISSING_CHAIN"* ]]; then exit 1; fi',
      'if [[ -n "${IPT_FAIL:-}" && "$*" == *"$IPT_FAIL"* ]]; then echo "iptables: Resource temporarily unavailable." >&2; exit 4; fi',
      'exit 0',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'iptables'), stub);
    chmodSync(join(dir, 'iptables'), 0o755);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function sh(argv: readonly string[], env: Record<string, string> = {}): Promise<string> {
    return run(argv[0] as string, argv.slice(1), {
      timeoutMs: 5000,
      env: { PATH: `${dir}${delimiter}${process.env['PATH'] ?? ''}`, IPT_LOG: log, ...env },
    });
  }

  const calls = (): string[] =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);

  it('builds receiver-side rules: partition both ways, drop one way, isolate on the interface', () => {
    expect(partitionRules([[A], [B, C]], 't').map((r) => `${r.node} ${r.spec.join(' ')}`)).to.deep.equal([
      'a -s 10.0.0.2/32 -m comment --comment t -j DROP',
      'a -s 10.0.0.3/32 -m comment --comment t -j DROP',
      'b -s 10.0.0.1/32 -m comment --comment t -j DROP',
      'c -s 10.0.0.1/32 -m comment --comment t -j DROP',
    ]);
    expect(oneWayRules([A], [B, A], 't').map((r) => `${r.node} ${r.chain}`)).to.deep.equal(['b CPCHAOS-IN']);
    expect(isolateRules(A, 't').map((r) => `${r.chain} ${r.spec.slice(0, 2).join(' ')}`)).to.deep.equal([
      'CPCHAOS-IN -i eth0',
      'CPCHAOS-OUT -o eth0',
    ]);
  });

  it('limits every rule to the ports of a port-limited cut, one rule per port', () => {
    const ports = parsePortList(['etcd-peer', '8472/udp']);
    expect(oneWayRules([A], [B], 't', ports).map((r) => `${r.node} ${r.spec.join(' ')}`)).to.deep.equal([
      'b -s 10.0.0.1/32 -p tcp --dport 2380 -m comment --comment t -j DROP',
      'b -s 10.0.0.1/32 -p udp --dport 8472 -m comment --comment t -j DROP',
    ]);
    expect(isolateRules(A, 't', ports.slice(0, 1)).map((r) => `${r.chain} ${r.spec.join(' ')}`)).to.deep.equal([
      'CPCHAOS-IN -i eth0 -p tcp --dport 2380 -m comment --comment t -j DROP',
      'CPCHAOS-OUT -o eth0 -p tcp --dport 2380 -m comment --comment t -j DROP',
    ]);
    expect(partitionRules([[A], [B]], 't', ports.slice(0, 1)).map((r) => r.node)).to.deep.equal(['a', 'b']);
  });

  it('installs the rules, returns at once, and deletes them after the TTL', async () => {
    const rules = partitionRules([[A], [B, C]], 'cpchaos-x-n1').filter((r) => r.node === 'a');
    await sh(installCommand(rules, 5));
    // Returned before the expiry (5 s later) deleted anything: the rules were all there when it returned.
    expect(calls()).to.deep.equal([
      '-w 5 -N CPCHAOS-IN',
      '-w 5 -C INPUT -j CPCHAOS-IN',
      '-w 5 -I INPUT 1 -j CPCHAOS-IN',
      '-w 5 -N CPCHAOS-OUT',
      '-w 5 -C OUTPUT -j CPCHAOS-OUT',
      '-w 5 -I OUTPUT 1 -j CPCHAOS-OUT',
      '-w 5 -A CPCHAOS-IN -s 10.0.0.2/32 -m comment --comment cpchaos-x-n1 -j DROP',
      '-w 5 -A CPCHAOS-IN -s 10.0.0.3/32 -m comment --comment cpchaos-x-n1 -j DROP',
    ]);
    await waitFor('the expiry to delete both rules', () => calls().filter((c) => c.includes(' -D ')).length === 2, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    expect(calls().slice(-2)).to.deep.equal([
      '-w 5 -D CPCHAOS-IN -s 10.0.0.2/32 -m comment --comment cpchaos-x-n1 -j DROP',
      '-w 5 -D CPCHAOS-IN -s 10.0.0.3/32 -m comment --comment cpchaos-x-n1 -j DROP',
    ]);
  });

  it('fails when adding a rule fails, and the expiry still deletes every rule it might have added', async () => {
    const rules = partitionRules([[A], [B, C]], 'cpchaos-x-n2').filter((r) => r.node === 'a');
    let error: unknown;
    try {
      await sh(installCommand(rules, 1), { IPT_FAIL: '-A CPCHAOS-IN -s 10.0.0.3/32' });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(CommandError);
    expect((error as CommandError).detail.exitCode).to.equal(4);
    await waitFor('the expiry to try both deletions', () => calls().filter((c) => c.includes(' -D ')).length === 2, {
      timeoutMs: 5000,
      intervalMs: 100,
    });
  });

  it('heal flushes only the chains that exist', async () => {
    await sh(flushCommand(), { IPT_MISSING_CHAIN: 'CPCHAOS-OUT' });
    expect(calls()).to.deep.equal(['-w 5 -S CPCHAOS-IN', '-w 5 -F CPCHAOS-IN', '-w 5 -S CPCHAOS-OUT']);
  });

  it('refuses arguments that are not safe in a shell command', () => {
    expect(() => installCommand([{ node: 'a', chain: 'CPCHAOS-IN', spec: ['-s', '1.2.3.4/32; reboot'] }], 60)).to.throw(/not safe/);
    expect(() => installCommand(isolateRules(A, 't'), 0)).to.throw(/TTL/);
  });
});
