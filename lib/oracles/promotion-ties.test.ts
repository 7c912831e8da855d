// Ties in Harvester's choice, judged over whole histories. Harvester lists nodes from an informer cache, so their
// order is random (harvester/harvester pkg/controller/master/node/promote_controller.go, selectPromoteNode over
// nodeCache.List): with equal creation seconds, and for which of two witnesses is extra, any tied node is its choice.
// The oracles list nodes by name, so the reference's own candidate is the first tied node by name; promoting any other
// tied node must pass, promoting a node outside the tie must not.
import { expect } from 'chai';
import { ETCD_ROLE_LABEL, WITNESS_LABEL } from '../harvester/contract.ts';
import { HARVESTER_REFERENCE, runOracles } from './index.ts';
import type { Verdict } from './index.ts';
import { PROMOTION_AFTER_DELETION } from './promotion-after-deletion.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import type { NodeSpec } from '../observe/testing/history-builder.ts';
import type { TrimmedNode } from '../observe/history.ts';
import { toV1Node } from './node-view.ts';

const cp = (i: number): TrimmedNode => tnode(`cp-${i}`, { management: true, ageMinutes: i });
const WITNESS = { [WITNESS_LABEL]: 'true' };

interface Candidate {
  readonly name: string;
  readonly spec: NodeSpec;
  /** Labels the node carries once promoted. */
  readonly promotedSpec: NodeSpec;
  /** Milliseconds added to the creation time tnode gives (whole minutes). */
  readonly shiftMs?: number;
}

function build(candidate: Candidate, spec: NodeSpec = candidate.spec): TrimmedNode {
  const node = tnode(candidate.name, spec);
  const shiftMs = candidate.shiftMs ?? 0;
  return shiftMs === 0 ? node : { ...node, creationTimestamp: new Date(Date.parse(node.creationTimestamp) + shiftMs).toISOString() };
}

const worker = (name: string, ageMinutes: number): Candidate => ({
  name,
  spec: { ageMinutes },
  promotedSpec: { ageMinutes, management: true },
});
const witness = (name: string, ageMinutes: number): Candidate => ({
  name,
  spec: { ageMinutes, labels: WITNESS },
  promotedSpec: { ageMinutes, labels: { ...WITNESS, [ETCD_ROLE_LABEL]: 'true' } },
});

/**
 * cp-0..2 and the given nodes; cp-2 deleted at +5 s, gone at +8 s; `promoted` runs from +10 s and completes at
 * +60 s (budget 100 s). Writes through the VIP before and after, a read at the end, so the register oracles judge too.
 */
function history(nodes: readonly Candidate[], promoted: Candidate): HistoryBuilder {
  return new HistoryBuilder()
    .cluster([cp(0), cp(1), cp(2), ...nodes.map((n) => build(n))], { promotionMs: 100_000 })
    .at(1)
    .write(1, 1)
    .at(5)
    .fault('d', 'delete-node', ['cp-2'])
    .at(8)
    .node('DELETED', cp(2))
    .at(9)
    .write(2, 2)
    .at(10)
    .node('MODIFIED', build(promoted, { ...promoted.spec, status: 'running', cordoned: true }))
    .at(60)
    .node('MODIFIED', build(promoted, { ...promoted.promotedSpec, status: 'complete' }))
    .at(61)
    .read(3, 2)
    .at(62)
    .end();
}

const verdictOf = (verdicts: readonly Verdict[], name: string): Verdict => verdicts.find((v) => v.invariant === name) as Verdict;

/** What the reference names over the nodes right after cp-2 is gone, listed by name as the oracles list them. */
function referenceAfterDeletion(nodes: readonly Candidate[]): { candidate: string | undefined; tied: readonly string[] } {
  const list = [cp(0), cp(1), ...nodes.map((n) => build(n))].sort((a, b) => a.name.localeCompare(b.name)).map(toV1Node);
  return { candidate: HARVESTER_REFERENCE.selectPromoteNode(list), tied: HARVESTER_REFERENCE.tied?.(list) ?? [] };
}

/** Every oracle with something to judge passes; the quorum oracles have nothing to judge (no node was taken down). */
function expectEveryOraclePasses(verdicts: readonly Verdict[]): void {
  const judged = [
    'promotion-only-after-deletion',
    'promotion-after-deletion',
    'management-count',
    'no-lost-writes',
    'promote-status-lifecycle',
  ];
  for (const name of judged) expect(verdictOf(verdicts, name).status, `${name}: ${verdictOf(verdicts, name).summary}`).to.equal('pass');
  for (const name of ['quorum-survives', 'quorum-lost']) {
    expect(verdictOf(verdicts, name).status, name).to.equal('inconclusive');
    expect(verdictOf(verdicts, name).summary, name).to.match(/never took/);
  }
  expect(verdicts.filter((v) => v.status === 'fail').map((v) => v.invariant)).to.deep.equal([]);
}

describe('promotion ties (Harvester lists nodes in random order)', () => {
  describe('two workers created in the same second', () => {
    // w-a and w-b joined in the same second; w-c a minute later.
    const nodes = [worker('w-a', 10), worker('w-b', 10), worker('w-c', 11)];

    it('the reference names w-a (first by name) and ties w-b with it, not w-c', () => {
      expect(referenceAfterDeletion(nodes)).to.deep.equal({ candidate: 'w-a', tied: ['w-a', 'w-b'] });
    });

    it('the second of the two in list order (w-b) is promoted: every oracle passes', () => {
      const verdicts = runOracles(history(nodes, worker('w-b', 10)).build());
      expectEveryOraclePasses(verdicts);
      const details = verdictOf(verdicts, PROMOTION_AFTER_DELETION).details?.['deletions'] as { named: string[]; promoted: string }[];
      expect(details[0]).to.include({ promoted: 'w-b' });
      expect(details[0]?.named).to.deep.equal(['w-a', 'w-b']);
    });

    it('the first of the two (w-a) is promoted: every oracle passes', () => {
      expectEveryOraclePasses(runOracles(history(nodes, worker('w-a', 10)).build()));
    });

    it('the strictly younger w-c is promoted: promotion-after-deletion fails naming the tie', () => {
      const verdicts = runOracles(history(nodes, worker('w-c', 11)).build());
      const v = verdictOf(verdicts, PROMOTION_AFTER_DELETION);
      expect(v.status).to.equal('fail');
      expect(v.summary).to.match(/w-c was promoted \(\+10\.0 s\) but the reference named w-a, w-b$/);
      // the promotion itself was orderly: only the choice is wrong
      for (const name of ['promotion-only-after-deletion', 'management-count', 'promote-status-lifecycle']) {
        expect(verdictOf(verdicts, name).status, name).to.equal('pass');
      }
    });

    it('creation times in the same second but different milliseconds tie (the API keeps seconds)', () => {
      // w-a created 700 ms after w-b, in the same second: still tied, so w-b may be promoted. A full second later it may not.
      const late = (ms: number): Candidate => ({ ...worker('w-a', 10), shiftMs: ms });
      expect(referenceAfterDeletion([late(700), worker('w-b', 10)]).tied).to.deep.equal(['w-a', 'w-b']);
      expect(
        verdictOf(runOracles(history([late(700), worker('w-b', 10)], worker('w-b', 10)).build()), PROMOTION_AFTER_DELETION).status,
      ).to.equal('pass');
      expect(referenceAfterDeletion([late(1000), worker('w-b', 10)]).tied).to.deep.equal(['w-b']);
      expect(verdictOf(runOracles(history([late(1000), worker('w-b', 10)], late(1000)).build()), PROMOTION_AFTER_DELETION).status).to.equal(
        'fail',
      );
    });
  });

  describe('two witnesses', () => {
    // Only one witness is counted: the one listed first. wit-b is younger than wit-a; age does not decide here.
    const nodes = [witness('wit-a', 10), witness('wit-b', 20), worker('w-0', 5)];

    it('the reference names wit-a (first by name) and ties wit-b with it; the older plain worker is not tied', () => {
      expect(referenceAfterDeletion(nodes)).to.deep.equal({ candidate: 'wit-a', tied: ['wit-a', 'wit-b'] });
    });

    it('the later witness (wit-b) is promoted: every oracle passes', () => {
      const verdicts = runOracles(history(nodes, witness('wit-b', 20)).build());
      expectEveryOraclePasses(verdicts);
      expect(verdictOf(verdicts, PROMOTION_AFTER_DELETION).summary).to.match(/wit-b \(the reference's candidate\) completed promotion/);
    });

    it('the plain worker is promoted instead of a witness: promotion-after-deletion fails', () => {
      const v = verdictOf(runOracles(history(nodes, worker('w-0', 5)).build()), PROMOTION_AFTER_DELETION);
      expect(v.status).to.equal('fail');
      expect(v.summary).to.match(/w-0 was promoted .* but the reference named wit-a, wit-b$/);
    });
  });

  it('a reference without a tie set is held to the one node it names', () => {
    const nodes = [worker('w-a', 10), worker('w-b', 10)];
    const firstOnly = { selectPromoteNode: HARVESTER_REFERENCE.selectPromoteNode };
    const v = runOracles(history(nodes, worker('w-b', 10)).build(), [PROMOTION_AFTER_DELETION], { reference: firstOnly })[0] as Verdict;
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/w-b was promoted .* but the reference named w-a$/);
  });
});
