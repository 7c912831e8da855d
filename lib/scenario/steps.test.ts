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

describe('scenario/steps: rejoin', () => {
  it('parses rejoin (one fault kind, no "all"), binds it, describes it', () => {
    const s = parseScenario('name: s\nsteps:\n  - delete-node: worker[0]\n  - rejoin: worker[0]\n    as: back\n', 's.yaml');
    expect(s.steps[1]).to.deep.equal({ kind: 'rejoin', targets: [{ kind: 'index', role: 'worker', index: 0 }], as: 'back' });
    expect(s.steps.map(stepFault)).to.deep.equal(['delete-node', 'rejoin']);
    expect([...scenarioFaults(s)]).to.include('rejoin');
    expect(describeStep(s.steps[1] as Step)).to.equal('rejoin worker[0] (a new host under the same name) as $back');
  });

  it('reports a malformed rejoin as file:line:col: path: message', () => {
    const cases: [string, RegExp][] = [
      ['name: s\nsteps:\n  - rejoin: all\n', /^s\.yaml:3:13: steps\[0\]\.rejoin: "all" is not allowed here: name the nodes/],
      [
        'name: s\nsteps:\n  - rejoin: worker[3]\n',
        /^s\.yaml:3:13: steps\[0\]\.rejoin: unknown selector "worker\[3\]" \(cluster has 1 worker node/,
      ],
      [
        'name: s\nsteps:\n  - rejoin: { target: "worker[0]" }\n',
        /^s\.yaml:3:13: steps\[0\]\.rejoin: expected node selectors or a list of selectors, found a mapping/,
      ],
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

describe('scenario/steps: checks of a held deletion', () => {
  it('parses terminating and promotionsRunning (in checks and in expect) and describes them', () => {
    const s = parseScenario(
      [
        'name: s',
        'steps:',
        '  - delete-node: control-plane[2]',
        '    as: victim',
        '  - check: { terminating: $victim, promotionsRunning: 0, managementCount: 3 }',
        'expect: { promotionsRunning: 0 }',
      ].join('\n'),
      's.yaml',
    );
    const check = s.steps[1] as Step;
    expect(check).to.deep.equal({
      kind: 'check',
      assertions: [
        { kind: 'managementCount', count: 3 },
        { kind: 'terminating', nodes: [{ kind: 'ref', name: 'victim' }] },
        { kind: 'promotionsRunning', count: 0 },
      ],
    });
    expect(describeStep(check)).to.equal('check managementCount = 3; $victim terminating; promotionsRunning = 0');
    expect(s.expect.assertions).to.deep.equal([{ kind: 'promotionsRunning', count: 0 }]);
  });

  it('reports a malformed one as file:line:col: path: message', () => {
    let message = '';
    try {
      parseScenario('name: s\nsteps:\n  - check: { promotionsRunning: -1, terminating: all }\n', 's.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(/^s\.yaml:3:33: steps\[0\]\.check\.promotionsRunning: -1 is out of range/m);
    expect(message).to.match(/^s\.yaml:3:50: steps\[0\]\.check\.terminating: "all" is not allowed here/m);
  });
});

describe('scenario/steps: wait for a Node gone', () => {
  it('parses nodeGone with its timeout, describes it, and refuses one without a timeout', () => {
    const s = parseScenario(
      'name: s\nsteps:\n  - delete-node: control-plane[2]\n    as: gone\n  - wait: { nodeGone: $gone, timeout: 90s }\n',
      's.yaml',
    );
    expect(s.steps[1]).to.deep.equal({ kind: 'wait', until: { kind: 'nodeGone', node: { kind: 'ref', name: 'gone' } }, timeoutMs: 90_000 });
    expect(describeStep(s.steps[1] as Step)).to.match(/node \$gone gone/);
    expect(() => parseScenario('name: s\nsteps:\n  - wait: { nodeGone: $gone }\n', 's.yaml')).to.throw(
      /s\.yaml:3:.*a wait must have a timeout/,
    );
  });
});
