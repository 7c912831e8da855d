import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError, checkScenario, formatProblem, loadScenarioFile, loadScenarios, parseScenario } from './loader.ts';
import type { Scenario, Step } from './types.ts';
import { describeStep } from './steps.ts';

const INVALID_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/scenarios-invalid');

/** Runs `fn`, which must throw a ScenarioError, and returns it. */
function scenarioError(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

async function scenarioErrorAsync(promise: Promise<unknown>): Promise<ScenarioError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

const minimal = (extra = '') => `name: minimal\nsteps:\n  - hold: 1s\n${extra}`;

describe('scenario/loader', () => {
  describe('invalid fixtures (fixtures/scenarios-invalid)', () => {
    const files = readdirSync(INVALID_DIR)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();

    it('has at least 15 fixtures, each starting with an expectation', async () => {
      expect(files.length).to.be.at.least(15);
      for (const file of files) {
        expect(await readFile(join(INVALID_DIR, file), 'utf8'), file).to.match(/^# expect: \d+:\d+: \S+: ./);
      }
    });

    for (const file of files) {
      it(file, async () => {
        const path = join(INVALID_DIR, file);
        const text = await readFile(path, 'utf8');
        const expected = [...text.matchAll(/^# expect: (\d+):(\d+): (\S+): (.+)$/gm)].map((m) => ({
          line: Number(m[1]),
          column: Number(m[2]),
          path: m[3] === '(root)' ? '' : m[3],
          fragment: m[4] ?? '',
        }));
        const error = await scenarioErrorAsync(loadScenarioFile(path));
        expect(error.problems.map(formatProblem), 'problems').to.have.length(expected.length);
        expected.forEach((want, i) => {
          const got = error.problems[i];
          expect(got, `problem ${i}`).to.not.equal(undefined);
          expect({ line: got?.line, column: got?.column, path: got?.path }).to.deep.equal({
            line: want.line,
            column: want.column,
            path: want.path,
          });
          expect(got?.message).to.contain(want.fragment);
          expect(got?.file).to.equal(path);
        });
        // The message has one line per problem, compiler style.
        const lines = error.message.split('\n');
        expect(lines).to.have.length(expected.length);
        expected.forEach((want, i) => expect(lines[i]).to.match(new RegExp(`^${escape(path)}:${want.line}:${want.column}: `)));
      });
    }
  });

  describe('valid scenarios', () => {
    it('fills defaults', () => {
      const s = parseScenario(minimal(), 'minimal.yaml');
      expect(s.name).to.equal('minimal');
      expect(s.description).to.equal(undefined);
      expect(s.tags).to.deep.equal([]);
      expect(s.cluster).to.deep.equal({ controlPlanes: 3, workers: 1, witnesses: 0 });
      expect(s.budgets).to.deep.equal({});
      expect(s.sandboxOnly).to.equal(false);
      expect(s.allowQuorumLoss).to.equal(false);
      expect(s.expect).to.deep.equal({ assertions: [] });
      expect(s.invariants.map((i) => i.name)).to.deep.equal([
        'promotion-only-after-deletion',
        'promotion-after-deletion',
        'management-count',
        'quorum-survives',
        'no-lost-writes',
        'promote-status-lifecycle',
      ]);
      expect(s.source).to.deep.equal({ file: 'minimal.yaml', stepLines: [3] });
    });

    it('swaps quorum-survives for quorum-lost by default when quorum loss is allowed', () => {
      const s = parseScenario(minimal('allowQuorumLoss: true\n'), 'x.yaml');
      expect(s.invariants.map((i) => i.name))
        .to.include('quorum-lost')
        .and.not.include('quorum-survives');
      const explicit = parseScenario(minimal('allowQuorumLoss: true\ninvariants: all\n'), 'x.yaml');
      expect(explicit.invariants).to.deep.equal(s.invariants);
    });

    it('converts durations to milliseconds', () => {
      const s = parseScenario(
        [
          'name: durations',
          'budgets: { promotion: 2m, outage: 1m30s }',
          'steps:',
          '  - hold: 500ms',
          '  - hold: 1.5s',
          '  - wait: { api: readable, timeout: 1h }',
        ].join('\n'),
        'd.yaml',
      );
      expect(s.budgets).to.deep.equal({ promotionMs: 120_000, outageMs: 90_000 });
      expect(s.steps).to.deep.equal([
        { kind: 'hold', holdMs: 500 },
        { kind: 'hold', holdMs: 1500 },
        { kind: 'wait', until: { kind: 'api', state: 'readable' }, timeoutMs: 3_600_000 },
      ]);
    });

    it('parses every step kind', () => {
      const s = parseScenario(EVERY_STEP, 'every-step.yaml');
      const cp = (index: number) => ({ kind: 'index', role: 'control-plane', index });
      const worker = (index: number) => ({ kind: 'index', role: 'worker', index });
      const victim = { kind: 'ref', name: 'victim' };
      expect(s.steps).to.deep.equal([
        { kind: 'kill', targets: [{ kind: 'etcd-leader' }], as: 'victim' },
        { kind: 'hold', holdMs: 5000 },
        { kind: 'wait', until: { kind: 'node', node: victim, ready: 'Unknown' }, timeoutMs: 20_000 },
        { kind: 'restart', targets: [victim] },
        { kind: 'wait', until: { kind: 'node', node: victim, ready: 'True' }, timeoutMs: 30_000 },
        { kind: 'isolate', targets: [cp(1)] },
        { kind: 'partition', groups: [[cp(0)], [cp(1), cp(2), worker(0)]] },
        { kind: 'partition', groups: [[cp(0)], [cp(1), worker(0)]] },
        { kind: 'drop', from: [cp(0)], to: [cp(1)] },
        { kind: 'drop', from: [cp(0)], to: [cp(1), cp(2)] },
        { kind: 'heal' },
        { kind: 'pause', targets: [worker(0)] },
        { kind: 'resume', targets: [worker(0)] },
        { kind: 'kill', targets: [cp(0), cp(1)], as: 'pair' },
        { kind: 'restart', targets: [{ kind: 'all' }] },
        { kind: 'delete-node', targets: [cp(2)], forceFinalizers: false },
        { kind: 'delete-node', targets: [cp(2)], forceFinalizers: true, as: 'gone' },
        { kind: 'cordon', targets: [worker(0)] },
        { kind: 'uncordon', targets: [{ kind: 'random', roles: ['control-plane', 'worker'] }] },
        { kind: 'label', targets: [worker(0)], labels: { zone: 'b', 'topology.kubernetes.io/region': null } },
        { kind: 'annotate', targets: [worker(0)], annotations: { 'harvesterhci.io/promote-status': null, note: '1' } },
        { kind: 'wait', until: { kind: 'promotion', node: { kind: 'promotion-candidate' }, status: 'complete' }, timeoutMs: 60_000 },
        { kind: 'wait', until: { kind: 'etcdMembers', count: 3 }, timeoutMs: 30_000 },
        { kind: 'wait', until: { kind: 'managementCount', count: 3 }, timeoutMs: 60_000 },
        { kind: 'wait', until: { kind: 'api', state: 'writable' }, timeoutMs: 10_000 },
        { kind: 'check', assertions: [{ kind: 'managementCount', count: 3 }] },
        {
          kind: 'check',
          assertions: [
            { kind: 'etcdMembers', count: 3 },
            { kind: 'nodeReady', node: { kind: 'ref', name: 'gone' }, ready: 'False' },
            { kind: 'promoteStatus', node: worker(0), status: 'complete' },
            {
              kind: 'roles',
              roles: [
                { node: cp(0), role: 'control-plane' },
                { node: victim, role: 'control-plane' },
                { node: worker(0), role: 'control-plane' },
              ],
            },
          ],
        },
      ]);
      expect(s.source.stepLines.slice(0, 4)).to.deep.equal([12, 14, 15, 16]);
      expect(s.expect).to.deep.equal({ assertions: [{ kind: 'managementCount', count: 3 }], promoted: [worker(0)] });
      expect(s.cluster).to.deep.equal({ controlPlanes: 3, workers: 1, witnesses: 0, sandbox: { promotionJobMs: 1500 } });
      expect(s.tags).to.deep.equal(['smoke', 'quorum']);
    });

    it('parses ports on isolate, partition and drop (names, numbers, number/protocol; repeats dropped)', () => {
      const s = parseScenario(
        [
          'name: ports',
          'steps:',
          '  - isolate: worker[0]',
          '    ports: [etcd-peer, etcd-client, 2380]',
          '  - partition: control-plane[0] | control-plane[1]',
          '    ports: [api]',
          '  - drop: control-plane[0] -> control-plane[1]',
          '    ports: [8472/udp]',
          '  - isolate: worker[0]',
        ].join('\n'),
        'ports.yaml',
      );
      const tcp = (port: number) => ({ port, protocol: 'tcp' });
      expect(s.steps.map((step) => ('ports' in step ? step.ports : undefined))).to.deep.equal([
        [tcp(2380), tcp(2379)],
        [tcp(6443)],
        [{ port: 8472, protocol: 'udp' }],
        undefined,
      ]);
      expect(describeStep(s.steps[0] as Step)).to.equal('isolate worker[0] (ports 2380/tcp,2379/tcp)');
    });

    it('parses invariant names and options', () => {
      const s = parseScenario(
        minimal(
          [
            'invariants:',
            '  - promotion-only-after-deletion',
            '  - promotion-after-deletion: { budget: 90s }',
            '  - management-count: { expected: 3 }',
            '  - quorum-survives: { budget: 4s }',
            '  - no-lost-writes:',
            '  - promote-status-lifecycle: {}',
            '',
          ].join('\n'),
        ),
        'i.yaml',
      );
      expect(s.invariants).to.deep.equal([
        { name: 'promotion-only-after-deletion' },
        { name: 'promotion-after-deletion', budgetMs: 90_000 },
        { name: 'management-count', expected: 3 },
        { name: 'quorum-survives', budgetMs: 4000 },
        { name: 'no-lost-writes' },
        { name: 'promote-status-lifecycle' },
      ]);
      expect(parseScenario(minimal('invariants: []\n'), 'i.yaml').invariants).to.deep.equal([]);
    });

    it('accepts promoted: none and list forms', () => {
      expect(parseScenario(minimal('expect: { promoted: none }\n'), 'p.yaml').expect).to.deep.equal({ assertions: [], promoted: [] });
      expect(
        parseScenario(
          minimal('expect:\n  promoted: ["worker[0]", $x]\n').replace('  - hold: 1s', '  - kill: worker[0]\n    as: x'),
          'p.yaml',
        ).expect.promoted,
      ).to.deep.equal([
        { kind: 'index', role: 'worker', index: 0 },
        { kind: 'ref', name: 'x' },
      ]);
    });

    it('accepts booleans for readiness', () => {
      const s = parseScenario('name: r\nsteps:\n  - wait: { node: cp-0, ready: true, timeout: 5s }\n', 'r.yaml');
      expect(s.steps[0]).to.deep.include({ until: { kind: 'node', node: { kind: 'name', name: 'cp-0' }, ready: 'True' } });
    });

    it('resolves the topology file relative to the scenario file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cpchaos-topology-'));
      try {
        await mkdir(join(dir, 'scenarios'));
        await mkdir(join(dir, 'topologies'));
        await writeFile(join(dir, 'topologies', 'zones.yaml'), 'zones: []\n');
        const file = join(dir, 'scenarios', 't.yaml');
        await writeFile(file, minimal().replace('steps:', 'cluster: { topology: ../topologies/zones.yaml }\nsteps:'));
        const s = await loadScenarioFile(file);
        expect(s.cluster.topology).to.equal(join(dir, 'topologies', 'zones.yaml'));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("checks node names when the cluster's names are known", () => {
      const text = 'name: n\nsteps:\n  - kill: cp-1\n  - kill: cp-9\n';
      expect(() => parseScenario(text, 'n.yaml')).to.not.throw();
      const error = scenarioError(() => parseScenario(text, 'n.yaml', { nodeNames: ['cp-0', 'cp-1', 'w-0'] }));
      expect(error.problems.map((p) => [p.line, p.path])).to.deep.equal([[4, 'steps[1].kill']]);
      expect(error.problems[0]?.message).to.contain('unknown node "cp-9"');
    });
  });

  describe('problems', () => {
    it('collects every problem, in source order, without cascades', () => {
      const error = scenarioError(() =>
        parseScenario(
          [
            'name: Many', // 1 bad name
            'cluster: { workers: -1, masters: 3 }', // 2 out of range; unknown key
            'steps:',
            '  - kill: control-plane[3]', // 4 out of range
            '  - hold: 5', // 5 no unit
            '  - wait: { api: writable }', // 6 no timeout
            '  - restart: $victim', // 7 undefined binding
            '  - kill: worker[5]', // 8 workers unknown (invalid): not checked
            'invariants: [quorum-lost, nope]', // 9 needs allowQuorumLoss; unknown invariant
            'extra: 1', // 10 unknown key
          ].join('\n'),
          'many.yaml',
        ),
      );
      expect(error.problems.map((p) => `${p.line}:${p.column} ${p.path}`)).to.deep.equal([
        '1:7 name',
        '2:21 cluster.workers',
        '2:25 cluster.masters',
        '4:11 steps[0].kill',
        '5:11 steps[1].hold',
        '6:5 steps[2].wait',
        '7:14 steps[3].restart',
        '9:27 invariants[1]',
        '10:1 extra',
      ]);
      // quorum-lost is only judged once the list parses; "nope" is reported instead.
      expect(error.problems[7]?.message).to.contain('unknown invariant "nope"');
    });

    it('never throws anything but a ScenarioError for garbage', () => {
      const inputs = [
        '',
        ' ',
        '\n\n',
        '---',
        '~',
        '42',
        '"just a string"',
        '[1, 2',
        '{',
        '}',
        ']]]',
        'a: [}',
        ':',
        '- - -',
        '&a [*a]',
        '*nope',
        '!!binary AAAA',
        '\u0000',
        'name: x\nsteps: {}',
        'name: x\nsteps: [[]]',
        'name: x\nsteps: [{}]',
        'name: x\nsteps: [null]',
        'name: x\nsteps:\n  - wait: null',
        'name: x\nsteps:\n  - wait: { node: {}, timeout: [] }',
        'name: x\nsteps:\n  - check: { roles: { "": worker } }',
        'name: x\nsteps:\n  - label: { target: worker[0] }',
        'name: 1\nsteps: 2\ncluster: 3\nbudgets: 4\nexpect: 5\ninvariants: 6\ntags: 7\nsandboxOnly: 8\nallowQuorumLoss: 9',
        '__proto__: { polluted: true }\nname: x\nsteps: [{ hold: 1s }]',
        'a: &a { b: *a }',
        `${'['.repeat(200)}${']'.repeat(200)}`,
      ];
      for (const text of inputs) {
        const { scenario, problems } = checkScenario(text, 'garbage.yaml');
        expect(scenario, JSON.stringify(text)).to.equal(undefined);
        expect(problems.length, JSON.stringify(text)).to.be.greaterThan(0);
        for (const problem of problems) {
          expect(problem.line, JSON.stringify(text)).to.be.a('number');
          expect(problem.message, JSON.stringify(text)).to.be.a('string').and.not.equal('');
        }
      }
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });

    it('reports unreadable files', async () => {
      const error = await scenarioErrorAsync(loadScenarioFile('/nonexistent/scenario.yaml'));
      expect(error.message).to.equal('/nonexistent/scenario.yaml: (root): no such file or directory');
    });
  });

  describe('loadScenarios', () => {
    let dir = '';
    const write = async (path: string, text: string) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    };
    const names = (scenarios: readonly Scenario[]) => scenarios.map((s) => s.name);

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cpchaos-scenarios-'));
      await write('b/kill-leader.yaml', 'name: kill-leader\ntags: [smoke, quorum]\nsteps: [{ kill: etcd-leader }]\n');
      await write(
        'a/partition.yml',
        'name: partition-minority\ntags: [network]\nsteps: [{ partition: "control-plane[0] | control-plane[1], control-plane[2]" }]\n',
      );
      await write(
        'a/deep/promote.yaml',
        'name: promote-on-delete\ntags: [smoke, promotion]\nsteps: [{ delete-node: "control-plane[2]" }]\n',
      );
      await write('.hidden/ignored.yaml', 'not: a scenario\n');
      await write('notes.txt', 'not yaml\n');
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('finds *.yaml and *.yml recursively, sorted by path', async () => {
      expect(names(await loadScenarios([dir]))).to.deep.equal(['promote-on-delete', 'partition-minority', 'kill-leader']);
    });

    it('filters by tag (any of) and by name regex', async () => {
      expect(names(await loadScenarios([dir], { tags: ['smoke'] }))).to.deep.equal(['promote-on-delete', 'kill-leader']);
      expect(names(await loadScenarios([dir], { tags: ['network', 'promotion'] }))).to.deep.equal([
        'promote-on-delete',
        'partition-minority',
      ]);
      expect(names(await loadScenarios([dir], { grep: '^p' }))).to.deep.equal(['promote-on-delete', 'partition-minority']);
      expect(names(await loadScenarios([dir], { grep: /leader/g, tags: ['smoke'] }))).to.deep.equal(['kill-leader']);
      expect(names(await loadScenarios([dir], { tags: ['none-such'] }))).to.deep.equal([]);
      await loadScenarios([dir], { grep: '(' }).then(
        () => expect.fail('expected a bad --grep to throw'),
        (e: unknown) => {
          expect((e as Error).message).to.contain('invalid --grep pattern');
        },
      );
    });

    it('takes files as given and de-duplicates', async () => {
      const file = join(dir, 'b/kill-leader.yaml');
      expect(names(await loadScenarios([file, dir]))).to.deep.equal(['promote-on-delete', 'partition-minority', 'kill-leader']);
    });

    it('reports every broken file, duplicate names and missing paths together', async () => {
      await write('c/broken.yaml', 'name: broken\nsteps:\n  - hold: 5 sec\n');
      await write('c/copy.yaml', 'name: kill-leader\nsteps: [{ hold: 1s }]\n');
      const error = await scenarioErrorAsync(loadScenarios([dir, join(dir, 'missing')]));
      expect(error.problems.map((p) => [p.file.slice(dir.length + 1), p.line, p.path])).to.deep.equal([
        ['c/broken.yaml', 3, 'steps[0].hold'],
        ['c/copy.yaml', 1, 'name'],
        ['missing', 0, ''],
      ]);
      expect(error.problems[1]?.message).to.contain(`is also used by ${join(dir, 'b/kill-leader.yaml')}`);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const EVERY_STEP = `# every step kind
name: every-step
description: Every step kind once.
tags: [smoke, quorum]
cluster:
  controlPlanes: 3
  workers: 1
  sandbox: { promotionJobMs: 1500 }
budgets: { promotion: 60s, outage: 4s }
steps:

  - kill: etcd-leader
    as: victim
  - hold: 5s
  - wait: { node: $victim, ready: Unknown, timeout: 20s }
  - restart: $victim
  - wait: { node: $victim, ready: "True", timeout: 30s }
  - isolate: control-plane[1]
  - partition: control-plane[0] | control-plane[1], control-plane[2], worker[0]
  - partition:
      - control-plane[0]
      - ["control-plane[1]", "worker[0]"]
  - drop: control-plane[0] -> control-plane[1]
  - drop:
      from: control-plane[0]
      to: [ "control-plane[1]", "control-plane[2]" ]
  - heal: all
  - pause: worker[0]
  - resume: worker[0]
  - kill: control-plane[0], control-plane[1]
    as: pair
  - restart: all
  - delete-node: control-plane[2]
  - delete-node:
      target: control-plane[2]
      forceFinalizers: true
    as: gone
  - cordon: worker[0]
  - uncordon: random(control-plane, worker)
  - label:
      target: worker[0]
      labels:
        zone: b
        topology.kubernetes.io/region:
  - annotate: { target: "worker[0]", annotations: { harvesterhci.io/promote-status: null, note: "1" } }
  - wait: { promotion: promotion-candidate, status: complete, timeout: 60s }
  - wait: { etcdMembers: 3, timeout: 30s }
  - wait: { managementCount: 3, timeout: 1m }
  - wait: { api: writable, timeout: 10s }
  - check: { managementCount: 3 }
  - check:
      etcdMembers: 3
      nodeReady: { node: $gone, ready: "False" }
      promoteStatus:
        node: worker[0]
        status: complete
      roles:
        control-plane[0]: control-plane
        $victim: control-plane
        worker[0]: control-plane
expect:
  managementCount: 3
  promoted: worker[0]
`;
