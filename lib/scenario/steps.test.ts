import { expect } from 'chai';
import { parseScenario } from './loader.ts';
import { describeStep, scenarioFaults, stepFault } from './steps.ts';

describe('scenario/steps', () => {
  const scenario = parseScenario(
    [
      'name: s',
      'steps:',
      '  - kill: etcd-leader',
      '    as: victim',
      '  - partition: control-plane[0] | control-plane[1], worker[0]',
      '  - drop: control-plane[0] -> control-plane[1]',
      '  - delete-node:',
      '      target: $victim',
      '      forceFinalizers: true',
      '  - delete-node: control-plane[2]',
      '  - label:',
      '      target: worker[0]',
      '      labels: { zone: b, gone: null }',
      '  - annotate: { target: $victim, annotations: { harvesterhci.io/promote-status: null, note: "a b" } }',
      '  - hold: 1m30s',
      '  - wait: { node: $victim, ready: Unknown, timeout: 20s }',
      '  - check: { managementCount: 3, etcdMembers: 3 }',
      '  - heal: all',
    ].join('\n'),
    's.yaml',
  );

  it('maps steps to provider fault kinds', () => {
    expect(scenario.steps.map(stepFault)).to.deep.equal([
      'kill',
      'partition',
      'drop',
      'force-delete-node',
      'delete-node',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'heal',
    ]);
    expect([...scenarioFaults(scenario)].sort()).to.deep.equal(['delete-node', 'drop', 'force-delete-node', 'heal', 'kill', 'partition']);
  });

  it('describes steps in one line', () => {
    expect(scenario.steps.map(describeStep)).to.deep.equal([
      'kill etcd-leader as $victim',
      'partition control-plane[0] | control-plane[1], worker[0]',
      'drop control-plane[0] -> control-plane[1]',
      'delete-node $victim (force finalizers)',
      'delete-node control-plane[2]',
      'label worker[0] zone=b -gone',
      'annotate $victim -harvesterhci.io/promote-status note="a b"',
      'hold 1m30s',
      'wait node $victim ready=Unknown (timeout 20s)',
      'check managementCount = 3; etcdMembers = 3',
      'heal all',
    ]);
  });
});
