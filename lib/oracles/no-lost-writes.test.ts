import { expect } from 'chai';
import { runOracles } from './index.ts';
import { NO_LOST_WRITES } from './no-lost-writes.ts';
import { HistoryBuilder, simulatedRegisterOps } from '../observe/testing/history-builder.ts';
import type { Verdict } from './verdict.ts';
import type { OracleOptions } from './context.ts';

const check = (b: HistoryBuilder, options: OracleOptions = {}): Verdict => runOracles(b.build(), [NO_LOST_WRITES], options)[0] as Verdict;

describe('no-lost-writes', () => {
  it('is inconclusive without operations, or without a final read', () => {
    expect(check(new HistoryBuilder().end()).status).to.equal('inconclusive');
    const v = check(new HistoryBuilder().write(1, 1).write(2, 2).end());
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/no read after the last acknowledged write/);
  });

  it('passes when the final read returns the last acknowledged write, or a later indeterminate one', () => {
    expect(check(new HistoryBuilder().write(1, 1).write(2, 2).read(3, 2).end()).status).to.equal('pass');
    expect(check(new HistoryBuilder().write(1, 1).write(2, 2, 'info').read(3, 2).end()).status).to.equal('pass');
    expect(check(new HistoryBuilder().write(1, 1).write(2, 2, 'info').read(3, 1).end()).status).to.equal('pass');
  });

  it('fails on a final read that lost the last acknowledged write, with the operations as evidence', () => {
    const v = check(new HistoryBuilder().write(1, 1).write(2, 2).write(3, 3).read(4, 1).end());
    expect(v.status).to.equal('fail');
    expect(v.evidence.every((e) => e.kind === 'op')).to.equal(true);
    expect(v.summary).to.match(/vip#3 write 3 ok, vip#4 read -> 1 ok/);
  });

  it('fails on a value nobody wrote, written only by a definitely failed write', () => {
    expect(check(new HistoryBuilder().write(1, 1).write(2, 2, 'fail').read(3, 2).end()).status).to.equal('fail');
  });

  it('checks independent keys separately and names the broken one', () => {
    const b = new HistoryBuilder();
    b.op('vip', 1, 'invoke', 'write', { key: 'a', value: 1 }).op('vip', 1, 'ok', 'write', { key: 'a', value: 1 });
    b.op('vip', 2, 'invoke', 'write', { key: 'b', value: 1 }).op('vip', 2, 'ok', 'write', { key: 'b', value: 1 });
    b.op('vip', 3, 'invoke', 'read', { key: 'a' }).op('vip', 3, 'ok', 'read', { key: 'a', result: 1 });
    b.op('vip', 4, 'invoke', 'read', { key: 'b' }).op('vip', 4, 'ok', 'read', { key: 'b', result: 9 });
    const v = check(b.end());
    expect(v.status).to.equal('fail');
    expect(v.summary).to.match(/register b/);
  });

  it('treats an operation that never completed as indeterminate', () => {
    const b = new HistoryBuilder().write(1, 1);
    b.op('vip', 2, 'invoke', 'write', { value: 2 }).wait(10).read(3, 2);
    expect(check(b.end()).status).to.equal('pass');
  });

  it('honours registerInitial', () => {
    const b = () => new HistoryBuilder().read(1, 7).write(2, 8).read(3, 8).end();
    expect(check(b()).status).to.equal('pass');
    expect(check(b(), { registerInitial: 'absent' }).status).to.equal('fail');
    expect(check(b(), { registerInitial: 7 }).status).to.equal('pass');
  });

  it('is inconclusive when the search budget runs out', () => {
    const v = check(new HistoryBuilder().write(1, 1).write(2, 2).read(3, 2).end(), { linearizabilityMaxSteps: 1 });
    expect(v.status).to.equal('inconclusive');
    expect(v.summary).to.match(/gave up/);
  });

  it('passes a simulated concurrent history from three clients', () => {
    const b = new HistoryBuilder();
    const ops = simulatedRegisterOps(500, 3, 11, 0.05, true);
    const events: { pos: number; emit: () => void }[] = [];
    ops.forEach((op, i) => {
      const process = `c${op.process}`;
      events.push({ pos: op.call, emit: () => b.op(process, i, 'invoke', op.f, op.value === undefined ? {} : { value: op.value }) });
      const result = op.result === null || op.result === undefined ? {} : { result: op.result };
      events.push({
        pos: op.ret,
        emit: () => b.op(process, i, op.outcome, op.f, { ...(op.value === undefined ? {} : { value: op.value }), ...result }),
      });
    });
    events.sort((x, y) => x.pos - y.pos).forEach((e) => e.emit());
    const v = check(b.end());
    expect(v.status, v.summary).to.equal('pass');
  });
});
