// Harvester's own selection cases (lib/harvester/testing/upstream-select-cases.ts: every case of its
// Test_selectPromoteNode, ported with their fixtures): the reference selection must agree with every one.
//
// Creation times: the fixtures are one second apart, in upstream's declaration order. A real API server keeps seconds
// only, so the same lists are also judged with every node created in the same second: then the upstream choice must
// be among the tied candidates (Harvester's list order, from an informer cache, is random).
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { explainSelection, selectPromoteNode } from './promotion.ts';
import { UPSTREAM_CASES, UPSTREAM_EPOCH_MS } from './testing/upstream-select-cases.ts';

const nameOf = (node: V1Node | undefined): string | undefined => node?.metadata?.name;

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** What Harvester's one pass would promote over every list order of the nodes (undefined dropped). */
function choicesOverEveryOrder(nodes: readonly V1Node[]): Set<string> {
  const choices = new Set<string>();
  for (const order of permutations(nodes)) {
    const choice = selectPromoteNode(order);
    if (choice !== undefined) choices.add(choice);
  }
  return choices;
}

function sameSecond(nodes: readonly V1Node[]): V1Node[] {
  return nodes.map((node) => ({ ...node, metadata: { ...node.metadata, creationTimestamp: new Date(UPSTREAM_EPOCH_MS) } }));
}

describe('Harvester Test_selectPromoteNode cases (harvester/harvester@3d63c2af promote_controller_test.go)', () => {
  it('ports every upstream case (85)', () => {
    expect(UPSTREAM_CASES).to.have.length(85);
    expect(new Set(UPSTREAM_CASES.map((x) => x.name)).size).to.equal(85);
  });

  describe('in the upstream list order, one second between creations', () => {
    for (const { name, nodeList, want } of UPSTREAM_CASES) {
      it(name, () => {
        const selection = explainSelection(nodeList);
        expect(selectPromoteNode(nodeList), selection.reason).to.equal(nameOf(want));
        expect(selection.candidate).to.equal(nameOf(want));
        if (want === undefined) expect(selection.outcome).to.not.equal('promote');
        else expect([selection.outcome, selection.tied[0]]).to.deep.equal(['promote', nameOf(want)]);
        // The tie set is exactly what some list order of these nodes would make Harvester promote.
        expect(new Set(selection.tied)).to.deep.equal(choicesOverEveryOrder(nodeList));
      });
    }
  });

  describe('every node created in the same second (a real API server keeps seconds): the upstream choice is tied', () => {
    for (const { name, nodeList, want } of UPSTREAM_CASES) {
      it(name, () => {
        const nodes = sameSecond(nodeList);
        const selection = explainSelection(nodes);
        if (want === undefined) {
          expect(selection.candidate, selection.reason).to.equal(undefined);
        } else {
          expect(selection.tied, selection.reason).to.include(nameOf(want));
          expect(selection.tied[0]).to.equal(selection.candidate);
        }
        expect(new Set(selection.tied)).to.deep.equal(choicesOverEveryOrder(nodes));
      });
    }
  });
});
