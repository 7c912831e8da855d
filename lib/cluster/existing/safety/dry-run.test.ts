import { expect } from 'chai';
import { DryRun } from './dry-run.ts';
import type { FaultAction } from '../executors/action.ts';

function action(describe: string, ran: string[]): FaultAction {
  return {
    describe,
    run: async () => {
      ran.push(describe);
    },
  };
}

describe('dry-run', () => {
  it('prints every step and command, and later every undo, running none', async () => {
    const ran: string[] = [];
    const printed: string[] = [];
    const dry = new DryRun((line) => printed.push(line));
    const fault = await dry.apply({
      request: { kind: 'kill', nodes: ['hv-0', 'hv-1'] },
      steps: [
        {
          node: 'hv-0',
          apply: action('ipmitool -H 10.0.1.10 chassis power off', ran),
          undo: action('ipmitool -H 10.0.1.10 chassis power on', ran),
        },
        {
          node: 'hv-1',
          apply: action('ipmitool -H 10.0.1.11 chassis power off', ran),
          undo: action('ipmitool -H 10.0.1.11 chassis power on', ran),
        },
      ],
    });
    await dry.apply({
      request: { kind: 'restart', nodes: ['hv-2'] },
      steps: [{ node: 'hv-2', apply: action('PUT .../hv-2/restart {}', ran) }],
    });
    await fault.undo();
    await fault.undo();
    expect(ran).to.deep.equal([]);
    expect(printed).to.deep.equal(dry.lines);
    expect(dry.lines).to.deep.equal([
      '[dry-run] fault 1: kill hv-0,hv-1',
      '  would run (hv-0): ipmitool -H 10.0.1.10 chassis power off',
      '  would run (hv-1): ipmitool -H 10.0.1.11 chassis power off',
      '[dry-run] fault 2: restart hv-2',
      '  would run (hv-2): PUT .../hv-2/restart {}',
      '[dry-run] undo fault 1: kill hv-0,hv-1',
      '  would run: ipmitool -H 10.0.1.11 chassis power on',
      '  would run: ipmitool -H 10.0.1.10 chassis power on',
    ]);
  });
});
