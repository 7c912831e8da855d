import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FileProblemsError } from '../schema/problems.ts';
import { SetupError } from '../util/errors.ts';
import { loadTopologyFile, parseTopology } from './topology-file.ts';
import { resolveTopology } from './topology.ts';

const TOPOLOGIES = fileURLToPath(new URL('../../fixtures/topologies/', import.meta.url));

/** The problem lines of a topology text that must be refused. */
function problems(text: string): string[] {
  try {
    parseTopology(text, 'topo.yaml');
  } catch (error) {
    expect(error).to.be.instanceOf(FileProblemsError);
    expect(error).to.be.instanceOf(SetupError);
    return (error as Error).message.split('\n');
  }
  expect.fail('expected the topology to be refused');
}

describe('sandbox topology files', () => {
  it('reads every topology under fixtures/topologies, with timers in milliseconds', () => {
    const files = readdirSync(TOPOLOGIES).filter((f) => f.endsWith('.yaml'));
    expect(files).to.include.members(['harvester-4.yaml', 'zones-5.yaml']);
    for (const file of files) expect(() => resolveTopology(loadTopologyFile(`${TOPOLOGIES}${file}`)), file).to.not.throw();
    expect(loadTopologyFile(`${TOPOLOGIES}harvester-4.yaml`)).to.deep.equal({
      controlPlanes: 3,
      workers: 1,
      timers: { kubeletHeartbeatMs: 250, nodeMonitorGraceMs: 2500, etcdHeartbeatMs: 100, etcdElectionTimeoutMs: 1000 },
    });
    expect(loadTopologyFile(`${TOPOLOGIES}zones-5.yaml`).nodes?.[0]).to.deep.equal({ name: 'cp-a', role: 'control-plane', zone: 'zone-a' });
  });

  it('keeps only what the file gives: no defaults are filled in here', () => {
    expect(parseTopology('workers: 0\n', 't.yaml')).to.deep.equal({ workers: 0 });
    expect(
      parseTopology('nodes:\n  - name: a\n    role: control-plane\n    labels: { x: "1" }\ntimers: { leaderLease: 2s }\n', 't.yaml'),
    ).to.deep.equal({
      nodes: [{ name: 'a', role: 'control-plane', labels: { x: '1' } }],
      timers: { leaderLeaseMs: 2000 },
    });
  });

  it('refuses an unknown key with file:line:col, the path and a did-you-mean', () => {
    expect(problems('controlPlane: 3\nworkers: 1\n')).to.deep.equal([
      'topo.yaml:1:1: controlPlane: unknown key "controlPlane" (did you mean "controlPlanes"?)',
    ]);
    expect(problems('nodes:\n  - { name: cp-0, role: control-plane, zome: a }\ntimers:\n  etcdHeartbat: 1s\n')).to.deep.equal([
      'topo.yaml:2:40: nodes[0].zome: unknown key "zome" (did you mean "zone"?)',
      'topo.yaml:4:3: timers.etcdHeartbat: unknown key "etcdHeartbat" (did you mean "etcdHeartbeat"?)',
    ]);
  });

  it('lists every problem of a file at once, in source order', () => {
    expect(
      problems(
        [
          'controlPlanes: 0',
          'workers: "2"',
          'nodes:',
          '  - { name: Bad_Name, role: master }',
          '  - { role: worker, labels: { a: 1 } }',
          'timers: { kubeletHeartbeat: 5 }',
        ].join('\n'),
      ),
    ).to.deep.equal([
      'topo.yaml:1:16: controlPlanes: 0 is out of range: expected an integer >= 1',
      'topo.yaml:2:10: workers: expected an integer >= 0, found a string ("2"); remove the quotes',
      'topo.yaml:4:13: nodes[0].name: "Bad_Name": a node name is a DNS label of at most 32 characters (lower-case letters, digits and "-")',
      'topo.yaml:4:29: nodes[0].role: unknown role "master"; expected one of "control-plane", "worker"',
      'topo.yaml:5:5: nodes[1]: missing required key "name"',
      'topo.yaml:5:34: nodes[1].labels.a: expected a string, found a number (1)',
      'topo.yaml:6:29: timers.kubeletHeartbeat: expected a duration like "30s", found a number (5); durations need a unit: "5s" or "5ms"',
    ]);
    expect(problems('nodes:\n  - { name: a, role: worker }\n  - { name: a, role: control-plane }\n')).to.deep.equal([
      'topo.yaml:3:13: nodes[1].name: duplicate node name "a"',
    ]);
  });

  it('refuses empty files, non-mappings, YAML errors and unreadable files in the same format', () => {
    expect(problems('')).to.deep.equal(['topo.yaml:1:1: (root): the topology file is empty']);
    expect(problems('- a\n')).to.deep.equal([
      'topo.yaml:1:1: (root): a topology is a mapping (controlPlanes:, workers:, nodes:, timers:), found a sequence',
    ]);
    expect(problems('workers: 1\nworkers: 2\n')[0]).to.match(/^topo\.yaml:2:1: workers: duplicate key "workers"/);
    expect(() => loadTopologyFile('/nonexistent/topo.yaml')).to.throw(
      FileProblemsError,
      /^\/nonexistent\/topo\.yaml: \(root\): no such file or directory$/,
    );
  });
});
