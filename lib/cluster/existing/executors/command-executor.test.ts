import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedFaultError } from '../../core/provider.ts';
import { applyPlan } from './action.ts';
import { parseExecutors } from './config-file.ts';
import { FaultPlanner, type NodeFacts } from './planner.ts';
import type { FaultRequest } from '../../../faults/catalogue.ts';
import { parsePortList } from '../../../faults/ports.ts';
import { RECORD_COMMAND, readRecord } from './testing/recording.ts';

const FACTS: Record<string, NodeFacts> = {
  'hv-0': { name: 'hv-0', address: '10.0.0.10' },
  'hv-1': { name: 'hv-1', address: '10.0.0.11' },
  'hv-2': { name: 'hv-2', address: '10.0.0.12' },
};
const facts = (name: string): NodeFacts => FACTS[name] ?? { name };

function planner(yaml: string): FaultPlanner {
  return new FaultPlanner({ provider: 'existing', config: parseExecutors(yaml, '/test/executors.yaml') });
}

describe('command executor (recording fake command)', () => {
  let dir: string;
  let record: string;
  const saved = { record: process.env['CPCHAOS_RECORD'], fail: process.env['CPCHAOS_FAIL_ON'] };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-command-'));
    record = join(dir, 'record.jsonl');
    process.env['CPCHAOS_RECORD'] = record;
    delete process.env['CPCHAOS_FAIL_ON'];
  });
  afterEach(() => {
    for (const [key, value] of [
      ['CPCHAOS_RECORD', saved.record],
      ['CPCHAOS_FAIL_ON', saved.fail],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const killYaml = [
    'faults:',
    '  kill:',
    '    command:',
    `      run: ${RECORD_COMMAND} ssh {node.address} sudo /usr/local/bin/rke2-killall.sh`,
    `      undo: ${RECORD_COMMAND} ssh {node.address} sudo systemctl start rke2-server`,
    '      timeout: 10s',
  ].join('\n');

  it('runs the exact argv per node, and undoes newest first', async () => {
    const plan = planner(killYaml).plan({ kind: 'kill', nodes: ['hv-0', 'hv-1'] }, facts, []);
    const fault = await applyPlan(plan);
    await fault.undo();
    await fault.undo(); // idempotent
    expect(readRecord(record).map((r) => r.argv)).to.deep.equal([
      ['ssh', '10.0.0.10', 'sudo', '/usr/local/bin/rke2-killall.sh'],
      ['ssh', '10.0.0.11', 'sudo', '/usr/local/bin/rke2-killall.sh'],
      ['ssh', '10.0.0.11', 'sudo', 'systemctl', 'start', 'rke2-server'],
      ['ssh', '10.0.0.10', 'sudo', 'systemctl', 'start', 'rke2-server'],
    ]);
  });

  it('gives a cut its ports through {fault.ports} (all when not limited); refuses a port-limited cut through a command without it', () => {
    const cuts = (run: string) =>
      planner(['faults:', '  isolate:', '    command:', `      run: ${RECORD_COMMAND} ${run}`, '      timeout: 10s'].join('\n'));
    const withPorts = cuts('ssh {node.address} cut --ports {fault.ports}');
    const argv = (request: FaultRequest, p = withPorts) => p.plan(request, facts, []).steps.map((step) => step.apply.argv?.slice(1));
    expect(argv({ kind: 'isolate', nodes: ['hv-0'], ports: parsePortList(['etcd-peer', '8472/udp']) })).to.deep.equal([
      ['ssh', '10.0.0.10', 'cut', '--ports', '2380/tcp,8472/udp'],
    ]);
    expect(argv({ kind: 'isolate', nodes: ['hv-0'] })).to.deep.equal([['ssh', '10.0.0.10', 'cut', '--ports', 'all']]);
    const without = cuts('ssh {node.address} cut');
    expect(argv({ kind: 'isolate', nodes: ['hv-0'] }, without)).to.have.length(1);
    expect(() => argv({ kind: 'isolate', nodes: ['hv-0'], ports: parsePortList(['api']) }, without))
      .to.throw(UnsupportedFaultError)
      .with.property('message')
      .that.matches(/isolate executor for node hv-0 .* does not take \{fault\.ports\}, so it cannot cut only ports 6443\/tcp/);
    expect(() =>
      planner(
        ['faults:', '  kill:', '    command:', `      run: ${RECORD_COMMAND} kill --ports {fault.ports}`, '      timeout: 10s'].join('\n'),
      ),
    ).to.throw(/\{fault\.ports\} is only available in isolate, partition and drop commands/);
  });

  it('a failing step undoes the steps before it and reports the failure', async () => {
    process.env['CPCHAOS_FAIL_ON'] = '10.0.0.11 sudo /usr/local/bin/rke2-killall.sh';
    const plan = planner(killYaml).plan({ kind: 'kill', nodes: ['hv-0', 'hv-1', 'hv-2'] }, facts, []);
    let caught: unknown;
    try {
      await applyPlan(plan);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.match(
      /command failed \(exit code 1\): .*record-command ssh 10\.0\.0\.11 sudo \/usr\/local\/bin\/rke2-killall\.sh/,
    );
    expect(readRecord(record).map((r) => r.argv.slice(1).join(' '))).to.deep.equal([
      '10.0.0.10 sudo /usr/local/bin/rke2-killall.sh',
      '10.0.0.11 sudo /usr/local/bin/rke2-killall.sh',
      '10.0.0.10 sudo systemctl start rke2-server',
    ]);
  });

  it('runs partition per node pair across groups, drop per sender and receiver', async () => {
    const yaml = [
      'faults:',
      '  partition:',
      '    command:',
      `      run: ${RECORD_COMMAND} block {node.name} {peer.name}`,
      `      undo: ${RECORD_COMMAND} unblock {node.name} {peer.name}`,
      '  drop:',
      '    command:',
      `      run: ${RECORD_COMMAND} drop {node.address} '->' {peer.address}`,
    ].join('\n');
    const p = planner(yaml);
    const partition = await applyPlan(p.plan({ kind: 'partition', groups: [['hv-0'], ['hv-1', 'hv-2']] }, facts, []));
    await applyPlan(p.plan({ kind: 'drop', from: ['hv-0'], to: ['hv-1'] }, facts, []));
    await partition.undo();
    expect(readRecord(record).map((r) => r.argv.join(' '))).to.deep.equal([
      'block hv-0 hv-1',
      'block hv-0 hv-2',
      'block hv-1 hv-0',
      'block hv-2 hv-0',
      'drop 10.0.0.10 -> 10.0.0.11',
      'unblock hv-2 hv-0',
      'unblock hv-1 hv-0',
      'unblock hv-0 hv-2',
      'unblock hv-0 hv-1',
    ]);
  });

  it('plans nothing for a node it cannot serve: unsupported, or a missing fact, before anything runs', () => {
    const p = planner(`${killYaml}\nnodes:\n  hv-9:\n    faults:\n      restart: {command: {run: "${RECORD_COMMAND} x"}}\n`);
    expect(() => p.plan({ kind: 'restart', nodes: ['hv-9', 'hv-0'] }, facts, [])).to.throw(
      UnsupportedFaultError,
      /no executor for fault "restart" on node hv-0/,
    );
    expect(() => p.plan({ kind: 'kill', nodes: ['hv-0', 'hv-7'] }, facts, [])).to.throw(/node hv-7 has no address/);
    expect(readRecord(record)).to.deep.equal([]);
  });
});
