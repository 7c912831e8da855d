import { expect } from 'chai';
import { parseScenario } from './loader.ts';
import { describeStep, scenarioFaults, stepFault } from './steps.ts';
import type { Step } from './types.ts';

describe('scenario/steps: remove-host', () => {
  it('parses remove-host (one fault kind, no "all"), binds it, describes its steps', () => {
    const s = parseScenario('name: s\nsteps:\n  - remove-host: control-plane[0]\n    as: gone\n', 's.yaml');
    expect(s.steps).to.deep.equal([{ kind: 'remove-host', targets: [{ kind: 'index', role: 'control-plane', index: 0 }], as: 'gone' }]);
    expect(s.steps.map(stepFault)).to.deep.equal(['remove-host']);
    expect(describeStep(s.steps[0] as Step)).to.equal(
      'remove-host control-plane[0] (maintenance, uninstall, shutdown, delete-node) as $gone',
    );
  });

  it('reports a malformed remove-host as file:line:col: path: message', () => {
    const cases: [string, RegExp][] = [
      ['name: s\nsteps:\n  - remove-host: all\n', /^s\.yaml:3:18: steps\[0\]\.remove-host: "all" is not allowed here: name the nodes/],
      [
        'name: s\nsteps:\n  - remove-host: { target: "control-plane[0]" }\n',
        /^s\.yaml:3:18: steps\[0\]\.remove-host: expected node selectors or a list of selectors, found a mapping/,
      ],
      ['name: s\nsteps:\n  - remove-host: control-plane[0]\n    force: true\n', /^s\.yaml:4:5: steps\[0\]\.force: /],
    ];
    for (const [text, expected] of cases) {
      let message = '';
      try {
        parseScenario(text, 's.yaml');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, text).to.match(expected);
    }
  });
});

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
