import { expect } from 'chai';
import { buildFaultTimeline, intervalsWhere, majorityAffected, majorityDown, minorityAffected } from './fault-timeline.ts';
import { HistoryBuilder, T0, tnode } from '../observe/testing/history-builder.ts';
import type { HistoryEvent } from '../observe/history.ts';
import { runStartOf } from '../observe/history.ts';

const cp = (i: number) => tnode(`cp-${i}`, { management: true, ageMinutes: i });
const cluster = (): HistoryBuilder => new HistoryBuilder().cluster([cp(0), cp(1), cp(2), tnode('w-0', { ageMinutes: 10 })]);
const timeline = (h: HistoryEvent[]) => buildFaultTimeline(h, runStartOf(h));
const spans = (h: HistoryEvent[], holds: Parameters<typeof intervalsWhere>[2]) =>
  intervalsWhere(timeline(h), h.at(-1)?.t ?? 0, holds).map((i) => [(i.from - T0) / 1000, (i.to - T0) / 1000]);

describe('fault timeline', () => {
  it('takes control-plane membership from run-start roles, then node labels', () => {
    const h = cluster().end().build();
    expect(timeline(h).snapshots.at(-1)?.controlPlane).to.deep.equal(['cp-0', 'cp-1', 'cp-2']);
    const noNodes = new HistoryBuilder()
      .runStart([
        { name: 'a', role: 'control-plane' },
        { name: 'b', role: 'worker' },
      ])
      .end()
      .build();
    expect(timeline(noNodes).snapshots.at(-1)?.controlPlane).to.deep.equal(['a']);
  });

  it('a kill is a minority from intent until the restart is applied; narrow majority-down needs the applied record', () => {
    const h = cluster()
      .at(1)
      .action('k', 'intent', 'kill', ['cp-1'])
      .at(2)
      .action('k', 'applied', 'kill', ['cp-1'])
      .at(5)
      .action('r', 'intent', 'restart', ['cp-1'])
      .at(7)
      .action('r', 'applied', 'restart', ['cp-1'])
      .at(10)
      .end()
      .build();
    expect(spans(h, minorityAffected)).to.deep.equal([[1, 7]]);
    expect(spans(h, majorityDown)).to.deep.equal([]);
  });

  it('two kills of three are a majority: narrow from the applied record to the recovery intent', () => {
    const h = cluster()
      .at(1)
      .action('k', 'intent', 'kill', ['cp-1', 'cp-2'])
      .at(2)
      .action('k', 'applied', 'kill', ['cp-1', 'cp-2'])
      .at(5)
      .action('r', 'intent', 'restart', ['cp-1'])
      .at(7)
      .action('r', 'applied', 'restart', ['cp-1'])
      .at(10)
      .end()
      .build();
    expect(spans(h, majorityDown)).to.deep.equal([[2, 5]]);
    expect(spans(h, majorityAffected)).to.deep.equal([[1, 7]]);
    expect(spans(h, minorityAffected)).to.deep.equal([[7, 10]]);
  });

  it('pause/resume, undone, failed and unsupported actions end or cancel a fault', () => {
    const h = cluster()
      .at(1)
      .fault('p', 'pause', ['cp-0'])
      .at(2)
      .fault('q', 'resume', ['cp-0'])
      .at(3)
      .fault('i', 'isolate', ['cp-1'])
      .at(4)
      .action('i', 'undone', 'isolate', ['cp-1'])
      .at(5)
      .action('x', 'intent', 'kill', ['cp-2'])
      .at(6)
      .action('x', 'failed', 'kill', ['cp-2'], { error: 'no such process' })
      .at(7)
      .action('u', 'intent', 'pause', ['cp-2'])
      .action('u', 'unsupported', 'pause', ['cp-2'])
      .at(10)
      .end()
      .build();
    expect(spans(h, minorityAffected)).to.deep.equal([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 7],
    ]);
    expect(timeline(h).unsupported.length).to.equal(1);
  });

  it('a partition cuts off the sides without a control-plane majority; heal ends it', () => {
    const h = cluster()
      .at(1)
      .fault('p', 'partition', [], { groups: [['cp-0'], ['cp-1', 'cp-2', 'w-0']] })
      .at(3)
      .action('h', 'intent', 'heal', [])
      .at(4)
      .action('h', 'applied', 'heal', [])
      .at(5)
      .fault('p2', 'partition', [], { groups: [['cp-0'], ['cp-1'], ['cp-2', 'w-0']] })
      .at(8)
      .end()
      .build();
    expect(spans(h, minorityAffected)).to.deep.equal([[1, 4]]);
    expect(spans(h, majorityAffected)).to.deep.equal([[5, 8]]);
    expect(timeline(h).snapshots.find((s) => s.t === T0 + 1000)?.cut).to.deep.equal(['cp-0']);
  });

  it('drop cuts off the side with fewer control-plane nodes', () => {
    const h = cluster()
      .at(1)
      .fault('d', 'drop', [], { from: ['cp-0'], to: ['cp-1', 'cp-2'] })
      .at(3)
      .end()
      .build();
    expect(timeline(h).snapshots.at(-1)?.cut).to.deep.equal(['cp-0']);
  });

  it('a deleted control-plane node leaves the control plane', () => {
    const h = cluster().at(1).fault('d', 'delete-node', ['cp-2']).at(2).node('DELETED', cp(2)).at(3).end().build();
    expect(timeline(h).snapshots.at(-1)?.controlPlane).to.deep.equal(['cp-0', 'cp-1']);
  });
});
