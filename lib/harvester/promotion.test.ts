import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { fakeNode } from './fake-node.ts';
import type { FakeNodeSpec } from './fake-node.ts';
import { REFERENCE_SELECTION, explainSelection, loadPromotionPolicy, selectPromoteNode, selectWith } from './promotion.ts';
import type { SelectionOutcome } from './promotion.ts';

// Node builders for the table: m* are management nodes, w* are eligible workers; `age` orders creation (minutes).
const mgmt = (name: string, spec: FakeNodeSpec = {}): V1Node => fakeNode(name, { management: true, ...spec });
const worker = (name: string, age: number, spec: FakeNodeSpec = {}): V1Node => fakeNode(name, { ageRankMinutes: age, ...spec });
const twoMgmt = (spec: FakeNodeSpec = {}): V1Node[] => [mgmt('m1', spec), mgmt('m2', spec)];

interface SelectionCase {
  readonly title: string;
  readonly nodes: readonly V1Node[];
  readonly expected: string | undefined;
  readonly outcome: SelectionOutcome;
}

const countCases: SelectionCase[] = [
  { title: '0 nodes', nodes: [], expected: undefined, outcome: 'too-few-nodes' },
  { title: '2 nodes: 1 management + 1 worker', nodes: [mgmt('m1'), worker('w1', 1)], expected: undefined, outcome: 'too-few-nodes' },
  { title: '2 nodes: both workers', nodes: [worker('w1', 1), worker('w2', 2)], expected: undefined, outcome: 'too-few-nodes' },
  {
    title: '3 nodes: 1 management + 2 workers promotes the older',
    nodes: [mgmt('m1'), worker('w2', 2), worker('w1', 1)],
    expected: 'w1',
    outcome: 'promote',
  },
  { title: '3 nodes: 2 management + 1 worker', nodes: [...twoMgmt(), worker('w1', 1)], expected: 'w1', outcome: 'promote' },
  {
    title: '3 nodes: no management yet promotes the oldest',
    nodes: [worker('w3', 3), worker('w1', 1), worker('w2', 2)],
    expected: 'w1',
    outcome: 'promote',
  },
  { title: '3 nodes: 3 management', nodes: [...twoMgmt(), mgmt('m3')], expected: undefined, outcome: 'enough-management' },
  {
    title: '4 nodes: 2 management + 2 workers',
    nodes: [...twoMgmt(), worker('w2', 2), worker('w1', 1)],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: '4 nodes: 3 management + 1 worker',
    nodes: [...twoMgmt(), mgmt('m3'), worker('w1', 1)],
    expected: undefined,
    outcome: 'enough-management',
  },
  {
    title: '5 nodes: 1 management + 4 workers',
    nodes: [mgmt('m1'), worker('w4', 4), worker('w3', 3), worker('w2', 2), worker('w5', 5)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: '5 nodes: 4 management + 1 worker',
    nodes: [...twoMgmt(), mgmt('m3'), mgmt('m4'), worker('w1', 1)],
    expected: undefined,
    outcome: 'enough-management',
  },
  {
    title: '6 nodes: 2 management + 4 workers',
    nodes: [...twoMgmt(), worker('w3', 3), worker('w4', 4), worker('w2', 2), worker('w5', 5)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: '6 nodes: 3 management + 3 workers',
    nodes: [...twoMgmt(), mgmt('m3'), worker('w1', 1), worker('w2', 2), worker('w3', 3)],
    expected: undefined,
    outcome: 'enough-management',
  },
];

const statusCases: SelectionCase[] = [
  {
    title: 'worker running blocks',
    nodes: [...twoMgmt(), worker('w1', 1, { promoteStatus: 'running', cordoned: true }), worker('w2', 2)],
    expected: undefined,
    outcome: 'promotion-in-flight',
  },
  {
    title: 'worker failed blocks',
    nodes: [...twoMgmt(), worker('w1', 1, { promoteStatus: 'failed', cordoned: true }), worker('w2', 2)],
    expected: undefined,
    outcome: 'promotion-in-flight',
  },
  {
    title: 'worker unknown blocks',
    nodes: [...twoMgmt(), worker('w1', 1, { promoteStatus: 'unknown' }), worker('w2', 2)],
    expected: undefined,
    outcome: 'promotion-in-flight',
  },
  {
    title: 'worker complete without role labels blocks',
    nodes: [...twoMgmt(), worker('w1', 1, { promoteStatus: 'complete' }), worker('w2', 2)],
    expected: undefined,
    outcome: 'promotion-not-labelled-yet',
  },
  {
    title: 'management complete does not block',
    nodes: [mgmt('m1', { promoteStatus: 'complete' }), mgmt('m2'), worker('w1', 1)],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'management running blocks',
    nodes: [mgmt('m1', { promoteStatus: 'running' }), mgmt('m2'), worker('w1', 1)],
    expected: undefined,
    outcome: 'promotion-in-flight',
  },
  {
    title: 'management failed blocks',
    nodes: [mgmt('m1', { promoteStatus: 'failed' }), mgmt('m2'), worker('w1', 1)],
    expected: undefined,
    outcome: 'promotion-in-flight',
  },
  {
    title: 'management unknown blocks',
    nodes: [mgmt('m1', { promoteStatus: 'unknown' }), mgmt('m2'), worker('w1', 1)],
    expected: undefined,
    outcome: 'promotion-in-flight',
  },
  {
    title: 'an unrecognised status value is ignored',
    nodes: [...twoMgmt(), worker('w1', 1, { promoteStatus: 'paused' })],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'with 3 management the count stops before a failed status is looked at',
    nodes: [...twoMgmt(), mgmt('m3'), worker('w1', 1, { promoteStatus: 'failed' })],
    expected: undefined,
    outcome: 'enough-management',
  },
];

const healthCases: SelectionCase[] = [
  {
    title: 'Ready=False worker is skipped',
    nodes: [...twoMgmt(), worker('w1', 1, { ready: 'False' }), worker('w2', 2)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'Ready=Unknown worker is skipped',
    nodes: [...twoMgmt(), worker('w1', 1, { ready: 'Unknown' }), worker('w2', 2)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: "worker without Ready condition is eligible (Harvester's health loop finds nothing to reject)",
    nodes: [...twoMgmt(), worker('w1', 1, { ready: 'missing' }), worker('w2', 2)],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'worker without Ready condition but DiskPressure=True is skipped',
    nodes: [...twoMgmt(), worker('w1', 1, { ready: 'missing', conditions: [{ type: 'DiskPressure', status: 'True' }] }), worker('w2', 2)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'worker with DiskPressure=True is skipped',
    nodes: [...twoMgmt(), worker('w1', 1, { conditions: [{ type: 'DiskPressure', status: 'True' }] }), worker('w2', 2)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'worker with MemoryPressure=False stays eligible',
    nodes: [...twoMgmt(), worker('w1', 1, { conditions: [{ type: 'MemoryPressure', status: 'False' }] }), worker('w2', 2)],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'only worker NotReady: too few candidates',
    nodes: [...twoMgmt(), worker('w1', 1, { ready: 'False' })],
    expected: undefined,
    outcome: 'too-few-candidates',
  },
  {
    title: 'NotReady management still counts as management',
    nodes: [mgmt('m1', { ready: 'False' }), mgmt('m2'), mgmt('m3'), worker('w1', 1)],
    expected: undefined,
    outcome: 'enough-management',
  },
  {
    title: 'NotReady management counts towards the three',
    nodes: [mgmt('m1', { ready: 'Unknown' }), mgmt('m2'), worker('w1', 1)],
    expected: 'w1',
    outcome: 'promote',
  },
];

const eligibilityCases: SelectionCase[] = [
  {
    title: 'cordoned worker is skipped',
    nodes: [...twoMgmt(), worker('w1', 1, { cordoned: true }), worker('w2', 2)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'only worker cordoned: too few candidates',
    nodes: [...twoMgmt(), worker('w1', 1, { cordoned: true })],
    expected: undefined,
    outcome: 'too-few-candidates',
  },
  {
    title: 'worker-role worker is skipped',
    nodes: [...twoMgmt(), worker('w1', 1, { workerOnly: true }), worker('w2', 2)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'only worker has worker role: too few candidates',
    nodes: [...twoMgmt(), worker('w1', 1, { workerOnly: true })],
    expected: undefined,
    outcome: 'too-few-candidates',
  },
  {
    title: 'worker without managed label is skipped',
    nodes: [...twoMgmt(), worker('w1', 1, { managed: false }), worker('w2', 2)],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'managed label with any value counts',
    nodes: [...twoMgmt(), worker('w1', 1, { labels: { 'harvesterhci.io/managed': 'false' } })],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: '1 management + 1 eligible of 3 workers: too few candidates',
    nodes: [mgmt('m1'), worker('w1', 1), worker('w2', 2, { cordoned: true }), worker('w3', 3, { managed: false })],
    expected: undefined,
    outcome: 'too-few-candidates',
  },
];

const witnessCases: SelectionCase[] = [
  {
    title: 'witness preferred over an older plain worker',
    nodes: [...twoMgmt(), worker('w1', 1), worker('wit', 5, { witness: true })],
    expected: 'wit',
    outcome: 'promote',
  },
  {
    title: 'second witness is extra: list order picks the witness, not age',
    nodes: [mgmt('m1'), worker('wit2', 9, { witness: true }), worker('wit1', 1, { witness: true }), worker('w1', 3)],
    expected: 'wit2',
    outcome: 'promote',
  },
  {
    title: 'extra witness does not count towards three',
    nodes: [mgmt('m1'), worker('wit1', 1, { witness: true }), worker('wit2', 2, { witness: true })],
    expected: undefined,
    outcome: 'too-few-candidates',
  },
  {
    title: 'witness already promoted: plain worker chosen over another witness',
    nodes: [mgmt('m1'), mgmt('mwit', { witness: true }), worker('wit2', 1, { witness: true }), worker('w1', 5)],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'witness already promoted, only another witness left',
    nodes: [mgmt('m1'), mgmt('mwit', { witness: true }), worker('wit2', 1, { witness: true })],
    expected: undefined,
    outcome: 'too-few-candidates',
  },
  {
    title: 'witness listed before the promoted witness still counts but is not chosen',
    nodes: [worker('wit2', 1, { witness: true }), mgmt('mwit', { witness: true }), worker('w1', 2)],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'witness listed before the promoted witness, nothing else eligible',
    nodes: [worker('wit2', 1, { witness: true }), mgmt('mwit', { witness: true }), mgmt('m1')],
    expected: undefined,
    outcome: 'no-candidate',
  },
  {
    title: 'unready first witness lets the next witness in',
    nodes: [mgmt('m1'), worker('wit1', 1, { witness: true, ready: 'False' }), worker('wit2', 2, { witness: true }), worker('w1', 3)],
    expected: 'wit2',
    outcome: 'promote',
  },
];

const priorityCases: SelectionCase[] = [
  {
    title: 'management-labelled preferred over older worker and witness',
    nodes: [mgmt('m1'), worker('w1', 1), worker('pref', 9, { prefersManagement: true }), worker('wit', 2, { witness: true })],
    expected: 'pref',
    outcome: 'promote',
  },
  {
    title: 'management-labelled preferred over an older witness',
    nodes: [...twoMgmt(), worker('wit', 1, { witness: true }), worker('pref', 9, { prefersManagement: true })],
    expected: 'pref',
    outcome: 'promote',
  },
  {
    title: 'oldest within the management-labelled tier',
    nodes: [...twoMgmt(), worker('p3', 3, { prefersManagement: true }), worker('p2', 2, { prefersManagement: true }), worker('w1', 1)],
    expected: 'p2',
    outcome: 'promote',
  },
];

const zoneCases: SelectionCase[] = [
  {
    title: 'zones: only 2 zones in total',
    nodes: [mgmt('m1', { zone: 'a' }), mgmt('m2', { zone: 'b' }), worker('w1', 1, { zone: 'a' }), worker('w2', 2, { zone: 'b' })],
    expected: undefined,
    outcome: 'too-few-zones',
  },
  {
    title: 'zones: a third zone is promoted',
    nodes: [mgmt('m1', { zone: 'a' }), mgmt('m2', { zone: 'b' }), worker('w1', 1, { zone: 'c' })],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'zones: older worker in a management zone is passed over',
    nodes: [mgmt('m1', { zone: 'a' }), mgmt('m2', { zone: 'b' }), worker('w1', 1, { zone: 'a' }), worker('w2', 2, { zone: 'c' })],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'zones: worker without a zone is passed over',
    nodes: [mgmt('m1', { zone: 'a' }), mgmt('m2', { zone: 'b' }), worker('w1', 1), worker('w2', 2, { zone: 'c' })],
    expected: 'w2',
    outcome: 'promote',
  },
  {
    title: 'zones: none on management turns the rule off',
    nodes: [...twoMgmt(), worker('w2', 2, { zone: 'a' }), worker('w1', 1, { zone: 'a' })],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'zones: one zoned management node turns the rule on',
    nodes: [mgmt('m1', { zone: 'a' }), mgmt('m2'), worker('w1', 1, { zone: 'b' }), worker('w2', 2, { zone: 'c' })],
    expected: 'w1',
    outcome: 'promote',
  },
  {
    title: 'zones: both management in one zone need two more',
    nodes: [mgmt('m1', { zone: 'a' }), mgmt('m2', { zone: 'a' }), worker('w1', 1, { zone: 'b' })],
    expected: undefined,
    outcome: 'too-few-zones',
  },
  {
    title: 'zones: the top tier without a new zone does not fall through',
    nodes: [
      mgmt('m1', { zone: 'a' }),
      mgmt('m2', { zone: 'b' }),
      worker('pref', 1, { zone: 'a', prefersManagement: true }),
      worker('w1', 2, { zone: 'c' }),
    ],
    expected: undefined,
    outcome: 'no-candidate-in-new-zone',
  },
];

const ageCases: SelectionCase[] = [
  {
    title: 'oldest wins regardless of list position',
    nodes: [...twoMgmt(), worker('young', 30), worker('mid', 20), worker('old', 10)],
    expected: 'old',
    outcome: 'promote',
  },
  {
    title: 'equal ages: the first in the list wins',
    nodes: [...twoMgmt(), worker('b', 5), worker('a', 5), worker('c', 5)],
    expected: 'b',
    outcome: 'promote',
  },
  {
    title: 'same creation second: the first in the list wins',
    nodes: [
      ...twoMgmt(),
      worker('b', 0, { createdAt: new Date('2025-01-01T00:00:07.900Z') }),
      worker('a', 0, { createdAt: new Date('2025-01-01T00:00:07.100Z') }),
    ],
    expected: 'b',
    outcome: 'promote',
  },
  {
    title: 'a node without creationTimestamp counts as oldest',
    nodes: [
      ...twoMgmt(),
      worker('w1', 1),
      { ...worker('nots', 2), metadata: { ...worker('nots', 2).metadata, creationTimestamp: undefined } },
    ],
    expected: 'nots',
    outcome: 'promote',
  },
];

describe('selectPromoteNode (reference)', () => {
  const groups: [string, SelectionCase[]][] = [
    ['node counts', countCases],
    ['promote status', statusCases],
    ['health', healthCases],
    ['eligibility', eligibilityCases],
    ['witness', witnessCases],
    ['priority', priorityCases],
    ['zones', zoneCases],
    ['age', ageCases],
  ];
  for (const [group, cases] of groups) {
    describe(group, () => {
      for (const { title, nodes, expected, outcome } of cases) {
        it(title, () => {
          expect(selectPromoteNode(nodes)).to.equal(expected);
          const explanation = explainSelection(nodes);
          expect(explanation.outcome).to.equal(outcome);
          expect(explanation.candidate).to.equal(expected);
          if (expected !== undefined) expect(explanation.tied[0]).to.equal(expected);
          expect(explanation.reason).to.be.a('string').and.not.equal('');
        });
      }
    });
  }

  it('does not depend on now', () => {
    const nodes = [...twoMgmt({ ready: 'False', readySince: new Date(0) }), worker('w2', 2), worker('w1', 1)];
    expect(selectPromoteNode(nodes, new Date(0))).to.equal('w1');
    expect(selectPromoteNode(nodes, new Date('2100-01-01T00:00:00Z'))).to.equal('w1');
    expect(selectPromoteNode(nodes)).to.equal('w1');
  });

  it('explains with the blocking node and status named', () => {
    const nodes = [...twoMgmt(), worker('w1', 1, { promoteStatus: 'unknown' }), worker('w2', 2)];
    expect(explainSelection(nodes).reason).to.include('w1').and.include('unknown');
  });

  it('reads creationTimestamp given as an RFC 3339 string (raw JSON)', () => {
    const raw = (name: string, iso: string): V1Node =>
      ({ ...worker(name, 0), metadata: { ...worker(name, 0).metadata, creationTimestamp: iso } }) as unknown as V1Node;
    const nodes = [...twoMgmt(), raw('late', '2025-02-01T00:00:00Z'), raw('early', '2025-01-15T00:00:00Z')];
    expect(selectPromoteNode(nodes)).to.equal('early');
  });
});

describe('selection ties (Harvester lists nodes in random order)', () => {
  const tied = (nodes: readonly V1Node[]): readonly string[] => explainSelection(nodes).tied;

  it('names every worker of the oldest creation second, the candidate first', () => {
    const nodes = [...twoMgmt(), worker('c', 5), worker('b', 5), worker('a', 5), worker('young', 6)];
    expect(explainSelection(nodes).candidate).to.equal('c');
    expect(tied(nodes)).to.deep.equal(['c', 'b', 'a']);
    expect(explainSelection(nodes).reason).to.include('tied with b, a');
  });

  it('compares creation times in whole seconds, as the API server stores them', () => {
    const at = (iso: string): FakeNodeSpec => ({ createdAt: new Date(iso) });
    const sameSecond = [
      ...twoMgmt(),
      worker('late', 0, at('2025-01-01T00:00:07.900Z')),
      worker('early', 0, at('2025-01-01T00:00:07.100Z')),
    ];
    expect(tied(sameSecond)).to.deep.equal(['late', 'early']);
    const nextSecond = [
      ...twoMgmt(),
      worker('late', 0, at('2025-01-01T00:00:08.000Z')),
      worker('early', 0, at('2025-01-01T00:00:07.999Z')),
    ];
    expect(tied(nextSecond)).to.deep.equal(['early']);
  });

  it('a single candidate is tied only with itself', () => {
    expect(tied([...twoMgmt(), worker('w1', 1), worker('w2', 2)])).to.deep.equal(['w1']);
  });

  it('names no node when no order promotes', () => {
    expect(tied([...twoMgmt(), mgmt('m3'), worker('w1', 1)])).to.deep.equal([]);
    expect(tied([...twoMgmt(), worker('w1', 1, { promoteStatus: 'running' }), worker('w2', 2)])).to.deep.equal([]);
  });

  it('two witnesses: whichever is listed first is promoted, whatever their age', () => {
    const nodes = [mgmt('m1'), worker('wit2', 9, { witness: true }), worker('wit1', 1, { witness: true }), worker('w1', 3)];
    expect(explainSelection(nodes).candidate).to.equal('wit2');
    expect(tied(nodes)).to.deep.equal(['wit2', 'wit1']);
  });

  it('an unhealthy witness is never extra, nor tied', () => {
    const nodes = [mgmt('m1'), worker('wit1', 1, { witness: true, ready: 'False' }), worker('wit2', 2, { witness: true }), worker('w1', 3)];
    expect(tied(nodes)).to.deep.equal(['wit2']);
  });

  it('a witness listed after the promoted witness is extra: one order promotes, the other does not', () => {
    const promotes = [worker('wit2', 1, { witness: true }), mgmt('mwit', { witness: true }), worker('w1', 2)];
    expect(explainSelection(promotes).candidate).to.equal('w1');
    expect(tied(promotes)).to.deep.equal(['w1']);
    const declines = [mgmt('mwit', { witness: true }), worker('wit2', 1, { witness: true }), worker('w1', 2)];
    const selection = explainSelection(declines);
    expect(selection.candidate).to.equal(undefined);
    expect(selection.outcome).to.equal('too-few-candidates');
    expect(selection.tied).to.deep.equal(['w1']);
    expect(selection.reason).to.include('another order').and.include('w1');
  });

  it("zones: the extra witness's zone counts only in the orders where it is not extra", () => {
    const zonedWitness = (name: string, zone: string): V1Node => worker(name, 1, { zone, witness: true });
    // m1 in a, m2 in b; witc brings zone c, wita none new. Listed first, wita makes witc extra and the zones too few.
    const management = [mgmt('m1', { zone: 'a' }), mgmt('m2', { zone: 'b' })];
    const declines = explainSelection([...management, zonedWitness('wita', 'a'), zonedWitness('witc', 'c')]);
    expect([declines.candidate, declines.outcome, declines.tied]).to.deep.equal([undefined, 'too-few-zones', ['witc']]);
    const promotes = explainSelection([...management, zonedWitness('witc', 'c'), zonedWitness('wita', 'a')]);
    expect([promotes.candidate, promotes.tied]).to.deep.equal(['witc', ['witc']]);
  });

  it('the faulty youngest-first selection has ties too', () => {
    const nodes = [...twoMgmt(), worker('old', 1), worker('y1', 9), worker('y2', 9)];
    expect(selectWith(nodes, { ...REFERENCE_SELECTION, agePreference: 'youngest' }).tied).to.deep.equal(['y1', 'y2']);
  });
});

describe('readyConditionRequired (stricter than Harvester)', () => {
  const strict = { ...REFERENCE_SELECTION, readyConditionRequired: true };

  it('is off in the reference', () => expect(REFERENCE_SELECTION.readyConditionRequired).to.equal(false));

  it('skips a worker without a Ready condition, which the reference promotes', () => {
    const nodes = [...twoMgmt(), worker('w1', 1, { ready: 'missing' }), worker('w2', 2)];
    expect(selectWith(nodes, REFERENCE_SELECTION).candidate).to.equal('w1');
    expect(selectWith(nodes, strict).candidate).to.equal('w2');
    expect(selectWith(nodes, strict).tied).to.deep.equal(['w2']);
  });

  it('still skips Ready=False, and agrees with the reference when every node reports Ready=True', () => {
    const nodes = [...twoMgmt(), worker('w1', 1, { ready: 'False' }), worker('w2', 2), worker('w3', 3)];
    expect(selectWith(nodes, strict).candidate).to.equal('w2');
    expect(selectWith(nodes, REFERENCE_SELECTION).candidate).to.equal('w2');
  });
});

describe('loadPromotionPolicy', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cpchaos-policy-'));
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(join(dir, 'first-node.js'), 'export function selectPromoteNode(nodes) { return nodes[0]?.metadata?.name; }\n');
    await writeFile(join(dir, 'no-export.js'), 'export const somethingElse = 1;\n');
    await writeFile(join(dir, 'not-a-function.js'), 'export const selectPromoteNode = "w1";\n');
    await writeFile(join(dir, 'returns-number.js'), 'export function selectPromoteNode() { return 42; }\n');
    await writeFile(
      join(dir, 'typed.ts'),
      'export function selectPromoteNode(_nodes: unknown[]): string | undefined { return "typed"; }\n',
    );
    await writeFile(join(dir, 'broken.js'), 'export function selectPromoteNode( {\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const rejection = async (path: string): Promise<Error> => {
    try {
      await loadPromotionPolicy(path);
    } catch (error) {
      return error as Error;
    }
    throw new Error(`expected loading ${path} to fail`);
  };

  it('loads a .js module by absolute path', async () => {
    const policy = await loadPromotionPolicy(join(dir, 'first-node.js'));
    expect(policy.selectPromoteNode([worker('w1', 1), worker('w2', 2)])).to.equal('w1');
  });

  it('loads a .ts module by a path relative to the working directory', async () => {
    const policy = await loadPromotionPolicy(relative(process.cwd(), join(dir, 'typed.ts')));
    expect(policy.selectPromoteNode([])).to.equal('typed');
  });

  it('names the missing file', async () => {
    const error = await rejection(join(dir, 'absent.js'));
    expect(error.message).to.include('not found').and.include(join(dir, 'absent.js'));
  });

  it('names the module without a selectPromoteNode export', async () => {
    const error = await rejection(join(dir, 'no-export.js'));
    expect(error.message).to.include(join(dir, 'no-export.js')).and.include('does not export a function selectPromoteNode');
  });

  it('rejects a selectPromoteNode that is not a function', async () => {
    const error = await rejection(join(dir, 'not-a-function.js'));
    expect(error.message).to.include('does not export a function selectPromoteNode').and.include('string');
  });

  it('names the module that fails to load', async () => {
    const error = await rejection(join(dir, 'broken.js'));
    expect(error.message).to.include(join(dir, 'broken.js')).and.include('failed to load');
  });

  it('fails a call whose result is not a node name', async () => {
    const policy = await loadPromotionPolicy(join(dir, 'returns-number.js'));
    expect(() => policy.selectPromoteNode([])).to.throw(/returns-number\.js.*returned number/);
  });
});
