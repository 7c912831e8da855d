import { expect } from 'chai';
import { SetupError } from '../util/errors.ts';
import { durationsFromSummary, parseShard, selectShard } from './shard.ts';

const scenarios = [
  'kill-etcd-leader',
  'majority-down',
  'delete-cp-promotes-worker',
  'isolate-control-plane',
  'steady-state',
  'zones',
  'witness',
].map((name) => ({ name }));

function allShards(count: number, durations?: ReadonlyMap<string, number>): string[][] {
  return Array.from({ length: count }, (_, i) => selectShard(scenarios, { index: i + 1, count }, durations).map((s) => s.name));
}

describe('run/shard', () => {
  it('parses i/n and refuses anything else with what it expected', () => {
    expect(parseShard('2/3')).to.deep.equal({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3'])
      expect(() => parseShard(bad), bad).to.throw(SetupError, /--shard: expected i\/n with 1 <= i <= n/);
  });

  it('covers the selection exactly once, in the original order, without timings', () => {
    const shards = allShards(3);
    expect(shards.flat().sort()).to.deep.equal(scenarios.map((s) => s.name).sort());
    for (const shard of shards) {
      const positions = shard.map((name) => scenarios.findIndex((s) => s.name === name));
      expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
      expect(shard.length).to.be.within(2, 3);
    }
    expect(allShards(1)).to.deep.equal([scenarios.map((s) => s.name)]);
  });

  it('does not depend on the order the scenarios were selected in', () => {
    const reversed = [...scenarios].reverse();
    const a = selectShard(scenarios, { index: 2, count: 3 })
      .map((s) => s.name)
      .sort();
    const b = selectShard(reversed, { index: 2, count: 3 })
      .map((s) => s.name)
      .sort();
    expect(a).to.deep.equal(b);
  });

  it('balances by earlier durations: the longest scenarios go to different shards', () => {
    const durations = durationsFromSummary({
      scenarios: [
        { name: 'majority-down', durationMs: 90_000 },
        { name: 'delete-cp-promotes-worker', durationMs: 80_000 },
        { name: 'zones', durationMs: 70_000 },
        { name: 'kill-etcd-leader', durationMs: 20_000 },
        { name: 'kill-etcd-leader', durationMs: 40_000 },
        { name: 'steady-state', durationMs: 10_000 },
      ],
    });
    expect(durations.get('kill-etcd-leader')).to.equal(30_000);
    const shards = allShards(3, durations);
    expect(shards.flat().sort()).to.deep.equal(scenarios.map((s) => s.name).sort());
    // The two longest land in different shards, and the loads end close together (witness and
    // isolate-control-plane have no timing: each counts as the median of the known durations, 70 s).
    const shardOf = (name: string): number => shards.findIndex((shard) => shard.includes(name));
    expect(shardOf('majority-down')).to.not.equal(shardOf('delete-cp-promotes-worker'));
    const load = (shard: string[]): number => shard.reduce((sum, n) => sum + (durations.get(n) ?? 70_000), 0);
    const loads = shards.map(load);
    expect(Math.max(...loads) - Math.min(...loads)).to.be.at.most(30_000);
  });
});
