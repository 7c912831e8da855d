import type { ClusterNode } from '../model/cluster.ts';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { createRandom } from './random.ts';
import {
  SELECTOR_LIST_PATTERN,
  SELECTOR_PATTERN,
  TargetError,
  checkSelector,
  currentNodeFromV1,
  formatSelector,
  parseSelector,
  resolveGroups,
  resolveOne,
  resolveTarget,
  resolveTargets,
  splitTopLevel,
} from './targets.ts';
import type { CurrentNode, Selector, TargetContext } from './targets.ts';

const parse = (text: string): Selector => {
  const parsed = parseSelector(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.selector;
};
const parseError = (text: string): string => {
  const parsed = parseSelector(text);
  return parsed.ok ? '' : parsed.message;
};

describe('scenario/targets', () => {
  describe('parseSelector', () => {
    it('parses every form', () => {
      expect(parse('cp-0')).to.deep.equal({ kind: 'name', name: 'cp-0' });
      expect(parse('node-1.example.com')).to.deep.equal({ kind: 'name', name: 'node-1.example.com' });
      expect(parse('node(witness)')).to.deep.equal({ kind: 'name', name: 'witness' });
      expect(parse('control-plane[2]')).to.deep.equal({ kind: 'index', role: 'control-plane', index: 2 });
      expect(parse('worker[0]')).to.deep.equal({ kind: 'index', role: 'worker', index: 0 });
      for (const keyword of ['etcd-leader', 'etcd-follower', 'promotion-candidate', 'witness', 'all'] as const) {
        expect(parse(keyword)).to.deep.equal({ kind: keyword });
      }
      expect(parse('random(control-plane)')).to.deep.equal({ kind: 'random', roles: ['control-plane'] });
      expect(parse('random( control-plane , worker )')).to.deep.equal({ kind: 'random', roles: ['control-plane', 'worker'] });
      expect(parse('$victim')).to.deep.equal({ kind: 'ref', name: 'victim' });
      expect(parse('  worker[1] ')).to.deep.equal({ kind: 'index', role: 'worker', index: 1 });
    });

    it('explains malformed selectors', () => {
      expect(parseError('')).to.equal('empty selector');
      expect(parseError('control-plane[x]')).to.contain('bad index in "control-plane[x]"');
      expect(parseError('worker')).to.contain('needs an index like worker[0], or use random(worker)');
      expect(parseError('random()')).to.contain('name the roles');
      expect(parseError('random(workr)')).to.contain('unknown role "workr"').and.contain('did you mean "worker"');
      expect(parseError('random(worker, worker)')).to.contain('repeated');
      expect(parseError('random(control-plane')).to.contain('unclosed "random("').and.contain('quote it');
      expect(parseError('$1x')).to.contain('bad reference');
      expect(parseError('etcd-leadr')).to.contain('did you mean "etcd-leader"').and.contain('node(etcd-leadr)');
      expect(parseError('witnes')).to.contain('did you mean "witness"');
      expect(parseError('cp[0]')).to.contain('unknown selector "cp[0]"');
      expect(parseError('node(Bad_Name)')).to.contain('not a valid node name');
      // Names near a keyword but plausibly real are accepted.
      expect(parse('witness-0')).to.deep.equal({ kind: 'name', name: 'witness-0' });
      expect(parse('worker-1')).to.deep.equal({ kind: 'name', name: 'worker-1' });
    });

    it('formats selectors canonically (round trip)', () => {
      for (const text of [
        'cp-0',
        'node(witness)',
        'control-plane[2]',
        'worker[0]',
        'etcd-leader',
        'random(control-plane, worker)',
        '$victim',
        'all',
      ]) {
        expect(formatSelector(parse(text))).to.equal(text);
        expect(formatSelector(parse(formatSelector(parse(text))))).to.equal(text);
      }
    });

    it('has JSON Schema patterns that accept the same forms', () => {
      const one = new RegExp(SELECTOR_PATTERN);
      for (const text of ['cp-0', 'node(witness)', 'control-plane[2]', 'random(control-plane, worker)', '$victim', 'all']) {
        expect(one.test(text), text).to.equal(true);
      }
      expect(one.test('cp[0]')).to.equal(false);
      expect(new RegExp(SELECTOR_LIST_PATTERN).test('control-plane[0], random(control-plane, worker), $v')).to.equal(true);
    });

    it('splits lists outside parentheses', () => {
      expect(splitTopLevel('a, random(control-plane, worker) ,b', ',')).to.deep.equal(['a', 'random(control-plane, worker)', 'b']);
      expect(splitTopLevel('a -> b, c', '->')).to.deep.equal(['a', 'b, c']);
    });
  });

  describe('checkSelector', () => {
    const shape = { controlPlanes: 3, workers: 1, witnesses: 0 };
    const scope = { bindings: new Set(['victim']), allowAll: false };
    const check = (text: string, s: typeof shape | Record<string, never> = shape, sc = scope) => checkSelector(parse(text), s, sc);

    it('checks indexes against the declared counts', () => {
      expect(check('control-plane[2]')).to.equal(undefined);
      expect(check('control-plane[3]')).to.equal(
        'unknown selector "control-plane[3]" (cluster has 3 control-plane nodes: control-plane[0]..control-plane[2])',
      );
      expect(check('worker[1]')).to.contain('cluster has 1 worker node:');
      expect(check('worker[0]', { controlPlanes: 3, workers: 0, witnesses: 0 })).to.contain('no worker nodes');
      expect(check('control-plane[9]', {})).to.equal(undefined);
    });

    it('checks bindings, all, witness, random and followers', () => {
      expect(check('$victim')).to.equal(undefined);
      expect(check('$victm')).to.contain('did you mean "$victim"');
      expect(check('$other')).to.contain('used before it is defined: add "as: other"');
      expect(check('all')).to.contain('"all" is not allowed here');
      expect(check('all', shape, { ...scope, allowAll: true })).to.equal(undefined);
      expect(check('witness')).to.contain('no witness node');
      expect(check('witness', { ...shape, witnesses: 1 })).to.equal(undefined);
      expect(check('random(worker)', { ...shape, workers: 0 })).to.contain('can never pick a node');
      expect(check('random(worker, control-plane)', { ...shape, workers: 0 })).to.equal(undefined);
      expect(check('etcd-follower', { ...shape, controlPlanes: 1 })).to.contain('single etcd member');
    });

    it('checks names when the node names are known', () => {
      const named = { ...shape, nodeNames: ['cp-0', 'cp-1', 'cp-2', 'w-0'] };
      expect(checkSelector(parse('cp-1'), named, scope)).to.equal(undefined);
      expect(checkSelector(parse('cp-9'), named, scope)).to.contain('unknown node "cp-9"');
      expect(checkSelector(parse('cp-9'), shape, scope)).to.equal(undefined);
    });
  });

  describe('resolveTarget', () => {
    const startNodes: ClusterNode[] = [
      { name: 'cp-0', role: 'control-plane' },
      { name: 'w-0', role: 'worker' },
      { name: 'cp-1', role: 'control-plane' },
      { name: 'cp-2', role: 'control-plane' },
      { name: 'w-1', role: 'worker' },
    ];
    const currentNodes: CurrentNode[] = [
      { name: 'w-1', role: 'worker' },
      { name: 'cp-2', role: 'control-plane' },
      { name: 'cp-0', role: 'control-plane' },
      { name: 'w-0', role: 'control-plane' },
      { name: 'cp-1', role: 'control-plane' },
    ];
    const context = (overrides: Partial<TargetContext> = {}): TargetContext => ({
      startNodes,
      currentNodes,
      etcdLeader: 'cp-1',
      candidate: () => 'w-1',
      bindings: new Map([
        ['victim', ['cp-1']],
        ['pair', ['cp-0', 'w-0']],
      ]),
      random: createRandom('test'),
      ...overrides,
    });
    const resolve = (text: string, ctx = context()) => resolveTarget(parse(text), ctx);

    it('maps RKE2 etcd member names (<node>-<8 hex>) to their nodes for etcd-leader and etcd-follower', () => {
      const rke2 = context({ etcdLeader: 'cp-1-3f9a1c2b', etcdMembers: ['cp-0-0a0b0c0d', 'cp-1-3f9a1c2b', 'cp-2-deadbeef'] });
      expect(resolve('etcd-leader', rke2)).to.deep.equal(['cp-1']);
      expect(['cp-0', 'cp-2']).to.include(resolve('etcd-follower', rke2)[0]);
    });

    it('resolves fixed selectors', () => {
      expect(resolve('control-plane[0]')).to.deep.equal(['cp-0']);
      expect(resolve('control-plane[2]')).to.deep.equal(['cp-2']);
      expect(resolve('worker[1]')).to.deep.equal(['w-1']);
      expect(resolve('cp-2')).to.deep.equal(['cp-2']);
      expect(resolve('etcd-leader')).to.deep.equal(['cp-1']);
      expect(resolve('promotion-candidate')).to.deep.equal(['w-1']);
      expect(resolve('$victim')).to.deep.equal(['cp-1']);
      expect(resolve('$pair')).to.deep.equal(['cp-0', 'w-0']);
      expect(resolve('all')).to.deep.equal(['cp-0', 'w-0', 'cp-1', 'cp-2', 'w-1']);
      expect(resolve('witness', context({ currentNodes: [...currentNodes, { name: 'wit', role: 'witness' }] }))).to.deep.equal(['wit']);
    });

    it('picks random and follower nodes among current roles, reproducibly by seed', () => {
      const picks = (seed: string, text: string) => {
        const ctx = context({ random: createRandom(seed) });
        return Array.from({ length: 30 }, () => resolveOne(parse(text), ctx));
      };
      expect(picks('s1', 'random(control-plane)')).to.deep.equal(picks('s1', 'random(control-plane)'));
      // w-0 was promoted: its current role counts.
      expect(new Set(picks('s1', 'random(control-plane)'))).to.deep.equal(new Set(['cp-0', 'cp-1', 'cp-2', 'w-0']));
      expect(new Set(picks('s1', 'random(worker)'))).to.deep.equal(new Set(['w-1']));
      expect(new Set(picks('s2', 'etcd-follower'))).to.deep.equal(new Set(['cp-0', 'cp-2', 'w-0']));
      expect(new Set(picks('s2', 'etcd-follower').map(String))).to.not.include('cp-1');
      // The order the API lists nodes in does not change the choice.
      const reversed = context({ random: createRandom('s3'), currentNodes: [...currentNodes].reverse() });
      const forward = context({ random: createRandom('s3') });
      expect(resolve('random(control-plane, worker)', reversed)).to.deep.equal(resolve('random(control-plane, worker)', forward));
    });

    it('uses the given etcd members for followers', () => {
      expect(resolve('etcd-follower', context({ etcdMembers: ['cp-1', 'cp-2'] }))).to.deep.equal(['cp-2']);
    });

    it('throws TargetError with the selector when it cannot resolve', () => {
      const error = (text: string, ctx = context()) => {
        try {
          resolve(text, ctx);
        } catch (e) {
          expect(e).to.be.instanceOf(TargetError);
          return (e as Error).message;
        }
        return 'no error';
      };
      expect(error('control-plane[5]')).to.equal('control-plane[5]: the cluster started with 3 control-plane nodes');
      expect(error('etcd-leader', context({ etcdLeader: undefined }))).to.contain('etcd leader is not known');
      expect(error('etcd-follower', context({ etcdLeader: undefined }))).to.contain('not known');
      expect(error('promotion-candidate', context({ candidate: () => undefined }))).to.contain('would not promote');
      expect(error('witness')).to.contain('no witness');
      expect(error('$nobody')).to.contain('nothing is bound to $nobody');
      expect(error('cp-9')).to.contain('no such node');
      expect(error('random(worker)', context({ currentNodes: [] }))).to.contain('no worker node is present');
      expect(() => resolveOne(parse('$pair'), context())).to.throw(TargetError, 'expected one node, got 2');
    });

    it('unions lists and checks partition groups for overlap after resolution', () => {
      expect(resolveTargets([parse('control-plane[1]'), parse('etcd-leader'), parse('worker[0]')], context())).to.deep.equal([
        'cp-1',
        'w-0',
      ]);
      expect(resolveGroups([[parse('control-plane[0]')], [parse('control-plane[1]'), parse('worker[0]')]], context())).to.deep.equal([
        ['cp-0'],
        ['cp-1', 'w-0'],
      ]);
      expect(() => resolveGroups([[parse('control-plane[1]')], [parse('etcd-leader')]], context())).to.throw(
        TargetError,
        'etcd-leader: resolves to cp-1, which is already in partition group 0',
      );
    });
  });

  it('reads current roles from V1Node labels', () => {
    const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } }) as V1Node;
    expect(currentNodeFromV1(node('a', { 'node-role.kubernetes.io/control-plane': 'true' }))).to.deep.equal({
      name: 'a',
      role: 'control-plane',
    });
    expect(
      currentNodeFromV1(node('b', { 'node-role.harvesterhci.io/witness': 'true', 'node-role.kubernetes.io/etcd': 'true' })),
    ).to.deep.equal({ name: 'b', role: 'witness' });
    expect(currentNodeFromV1(node('c', {}))).to.deep.equal({ name: 'c', role: 'worker' });
  });
});
