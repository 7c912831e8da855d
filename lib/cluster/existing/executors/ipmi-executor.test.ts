import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../util/exec.ts';
import { applyPlan } from './action.ts';
import { parseExecutors } from './config-file.ts';
import { IpmiExecutor } from './ipmi-executor.ts';
import { FaultPlanner } from './planner.ts';
import { FAKE_IPMITOOL, readRecord } from './testing/recording.ts';

const SECRET = 's3cr3t-bmc-password';

describe('ipmi executor (fixtures/bin/ipmitool recording fake)', () => {
  let dir: string;
  let record: string;
  const saved = process.env['CPCHAOS_RECORD'];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-ipmi-'));
    record = join(dir, 'record.jsonl');
    process.env['CPCHAOS_RECORD'] = record;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['CPCHAOS_RECORD'];
    else process.env['CPCHAOS_RECORD'] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const config = parseExecutors(
    [
      'faults: {kill: ipmi, restart: ipmi}',
      'ipmi:',
      '  userEnv: RACK_BMC_USER',
      '  passwordEnv: RACK_BMC_PASSWORD',
      `  command: ${FAKE_IPMITOOL}`,
      '  timeout: 10s',
      'nodes:',
      '  hv-0: {bmc: 10.0.1.10}',
      '  hv-1: {bmc: 10.0.1.11}',
    ].join('\n'),
    '/rack/executors.yaml',
  );
  const env = { RACK_BMC_USER: 'admin', RACK_BMC_PASSWORD: SECRET };
  const facts = (name: string) => ({ name, bmc: config.nodes.get(name)?.bmc });

  it('powers off with -E (password from the environment, never in argv) and powers on to undo', async () => {
    const ipmi = new IpmiExecutor(config.ipmi!, { env });
    const planner = new FaultPlanner({ provider: 'existing', config, ipmi });
    const fault = await applyPlan(planner.plan({ kind: 'kill', nodes: ['hv-0', 'hv-1'] }, facts, []));
    await fault.undo();
    const calls = readRecord(record);
    expect(calls.map((c) => c.argv)).to.deep.equal([
      ['-I', 'lanplus', '-H', '10.0.1.10', '-U', 'admin', '-E', 'chassis', 'power', 'off'],
      ['-I', 'lanplus', '-H', '10.0.1.11', '-U', 'admin', '-E', 'chassis', 'power', 'off'],
      ['-I', 'lanplus', '-H', '10.0.1.11', '-U', 'admin', '-E', 'chassis', 'power', 'on'],
      ['-I', 'lanplus', '-H', '10.0.1.10', '-U', 'admin', '-E', 'chassis', 'power', 'on'],
    ]);
    // The fake fails a -E call without IPMI_PASSWORD in its environment, as ipmitool does: every call succeeded.
    expect(calls.every((c) => c.tool === 'ipmitool')).to.equal(true);
    expect(JSON.stringify(calls)).not.to.contain(SECRET);
    expect(planner.plan({ kind: 'kill', nodes: ['hv-0'] }, facts, []).steps[0]?.apply.describe).not.to.contain(SECRET);
  });

  it('power-cycles to restart, with nothing to undo', async () => {
    const planner = new FaultPlanner({ provider: 'existing', config, ipmi: new IpmiExecutor(config.ipmi!, { env }) });
    const plan = planner.plan({ kind: 'restart', nodes: ['hv-1'] }, facts, []);
    expect(plan.steps.map((s) => s.undo)).to.deep.equal([undefined]);
    await applyPlan(plan);
    expect(readRecord(record).map((c) => c.argv.slice(-3))).to.deep.equal([['chassis', 'power', 'cycle']]);
  });

  it('the fake refuses -E without IPMI_PASSWORD (so the tests above prove the handover)', async () => {
    const ipmi = new IpmiExecutor(config.ipmi!, {
      env,
      runner: (file, args, options) => run(file, args, { timeoutMs: options.timeoutMs, env: { IPMI_PASSWORD: '' } }),
    });
    let caught: unknown;
    try {
      await ipmi.power({ name: 'hv-0', bmc: '10.0.1.10' }, 'off').run();
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.contain('Unable to read password from environment');
  });

  it('names unset credential variables (never values), and a node without a BMC', () => {
    const ipmi = new IpmiExecutor(config.ipmi!, { env: { RACK_BMC_USER: 'admin' } });
    expect(ipmi.checkEnvironment()).to.deep.equal(['ipmi: environment variable RACK_BMC_PASSWORD (the BMC password) is not set']);
    expect(() => ipmi.power({ name: 'hv-0', bmc: '10.0.1.10' }, 'off')).to.throw(/RACK_BMC_PASSWORD/);
    expect(() => new IpmiExecutor(config.ipmi!, { env }).power({ name: 'hv-5' }, 'off')).to.throw(/node hv-5 has no bmc/);
    const dry = new IpmiExecutor(config.ipmi!, { env: {}, dryRun: true });
    expect(dry.power({ name: 'hv-0', bmc: '10.0.1.10' }, 'off').describe).to.equal(
      `${FAKE_IPMITOOL} -I lanplus -H 10.0.1.10 -U '$RACK_BMC_USER' -E chassis power off`,
    );
  });
});
