import { expect } from 'chai';
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { patchTypeOf } from './patch.ts';
import { PatchError } from './patch-error.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

const node = {
  metadata: { name: 'n', labels: { a: '1', b: '2' }, finalizers: ['x'] },
  spec: { taints: [{ key: 't1', effect: 'NoSchedule' }] },
  status: {
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady' },
      { type: 'MemoryPressure', status: 'False' },
    ],
  },
};

describe('JSON merge patch', () => {
  it('merges maps, deletes with null, replaces lists', () => {
    const out = applyMergePatch(node, {
      metadata: { labels: { a: null, c: '3' } },
      spec: { unschedulable: true, taints: null },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    expect(out).to.deep.equal({
      metadata: { name: 'n', labels: { b: '2', c: '3' }, finalizers: ['x'] },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    expect(node.metadata.labels).to.deep.equal({ a: '1', b: '2' }); // input untouched
  });

  it('does not touch prototypes', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
  });
});

describe('strategic merge patch', () => {
  it('merges conditions by type and keeps the others', () => {
    const out = applyStrategicMergePatch(node, {
      status: {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'Stopped' },
          { type: 'DiskPressure', status: 'False' },
        ],
      },
    });
    expect((out as typeof node).status.conditions).to.deep.equal([
      { type: 'Ready', status: 'False', reason: 'Stopped' },
      { type: 'MemoryPressure', status: 'False' },
      { type: 'DiskPressure', status: 'False' },
    ]);
  });

  it('unions finalizers and deletes them with $deleteFromPrimitiveList', () => {
    const added = applyStrategicMergePatch(node, { metadata: { finalizers: ['y', 'x'] } }) as typeof node;
    expect(added.metadata.finalizers).to.deep.equal(['x', 'y']);
    const removed = applyStrategicMergePatch(added, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }) as typeof node;
    expect(removed.metadata.finalizers).to.deep.equal(['y']);
    const cleared = applyStrategicMergePatch(added, { metadata: { finalizers: null } }) as typeof node;
    expect(cleared.metadata).to.not.have.property('finalizers');
  });

  it('replaces lists without a merge strategy (taints) and handles spec.unschedulable and labels', () => {
    const out = applyStrategicMergePatch(node, {
      metadata: { labels: { a: null, z: '9' } },
      spec: { unschedulable: true, taints: [{ key: 't2', effect: 'NoExecute' }] },
    }) as typeof node & { spec: { unschedulable?: boolean } };
    expect(out.metadata.labels).to.deep.equal({ b: '2', z: '9' });
    expect(out.spec).to.deep.equal({ unschedulable: true, taints: [{ key: 't2', effect: 'NoExecute' }] });
  });

  it('honours $patch delete in keyed lists and $patch replace in maps and lists', () => {
    const deleted = applyStrategicMergePatch(node, { status: { conditions: [{ type: 'Ready', $patch: 'delete' }] } }) as typeof node;
    expect(deleted.status.conditions.map((c) => c.type)).to.deep.equal(['MemoryPressure']);
    const replacedList = applyStrategicMergePatch(node, {
      status: { conditions: [{ $patch: 'replace' }, { type: 'X', status: 'True' }] },
    }) as typeof node;
    expect(replacedList.status.conditions).to.deep.equal([{ type: 'X', status: 'True' }]);
    const replacedMap = applyStrategicMergePatch(node, { metadata: { labels: { $patch: 'replace', only: 'me' } } }) as typeof node;
    expect(replacedMap.metadata.labels).to.deep.equal({ only: 'me' });
  });

  it('ignores $setElementOrder and rejects non-objects', () => {
    const out = applyStrategicMergePatch(node, {
      status: { '$setElementOrder/conditions': [{ type: 'Ready' }], conditions: [{ type: 'Ready', status: 'Unknown' }] },
    }) as typeof node;
    expect(out.status.conditions[0]?.status).to.equal('Unknown');
    expect(() => applyStrategicMergePatch(node, [])).to.throw(PatchError);
  });
});

describe('JSON patch', () => {
  it('applies add, remove, replace, move, copy and test', () => {
    const out = applyJsonPatch(node, [
      { op: 'test', path: '/metadata/name', value: 'n' },
      { op: 'add', path: '/metadata/labels/c~1d', value: '3' },
      { op: 'remove', path: '/metadata/labels/a' },
      { op: 'replace', path: '/spec/taints/0/effect', value: 'NoExecute' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'y' },
      { op: 'copy', from: '/metadata/name', path: '/metadata/generateName' },
      { op: 'move', from: '/metadata/labels/b', path: '/metadata/annotations' },
    ]) as Record<string, Record<string, unknown>>;
    expect(out.metadata).to.deep.equal({
      name: 'n',
      labels: { 'c/d': '3' },
      finalizers: ['x', 'y'],
      generateName: 'n',
      annotations: '2',
    });
    expect((out.spec as { taints: { effect: string }[] }).taints[0]?.effect).to.equal('NoExecute');
  });

  it('fails a test, a missing path, or a malformed document', () => {
    expect(() => applyJsonPatch(node, [{ op: 'test', path: '/metadata/name', value: 'm' }])).to.throw(PatchError, /test failed/);
    expect(() => applyJsonPatch(node, [{ op: 'remove', path: '/metadata/nothing' }])).to.throw(PatchError, /does not exist/);
    expect(() => applyJsonPatch(node, [{ op: 'replace', path: '/spec/taints/5', value: 1 }])).to.throw(PatchError);
    expect(() => applyJsonPatch(node, { op: 'add' })).to.throw(PatchError, /list/);
    expect(() => applyJsonPatch(node, [{ op: 'frob', path: '/x' }])).to.throw(PatchError, /unknown/);
  });

  it('maps content types', () => {
    expect(patchTypeOf('application/merge-patch+json')).to.equal('merge');
    expect(patchTypeOf('application/strategic-merge-patch+json; charset=utf-8')).to.equal('strategic');
    expect(patchTypeOf('application/json-patch+json')).to.equal('json');
    expect(patchTypeOf('application/apply-patch+yaml')).to.equal(undefined);
    expect(patchTypeOf(undefined)).to.equal(undefined);
  });
});
