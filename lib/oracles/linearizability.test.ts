import { expect } from 'chai';
import { checkRegister } from './linearizability.ts';
import type { RegisterOp, RegisterValue } from './linearizability.ts';
import { simulatedRegisterOps } from '../observe/testing/history-builder.ts';
import type { SimulatedOp } from '../observe/testing/history-builder.ts';

function registerOps(simulated: readonly SimulatedOp[]): RegisterOp[] {
  return simulated.map((op, id) => ({ ...op, id }));
}

/** Ops from a compact script: [f, outcome, value/result, call, ret]. */
function ops(
  ...rows: [RegisterOp['f'], RegisterOp['outcome'], number | [number, number] | null | undefined, number, number?][]
): RegisterOp[] {
  return rows.map(([f, outcome, v, call, ret], id) => ({
    id,
    f,
    outcome,
    call,
    ...(ret === undefined ? {} : { ret }),
    ...(f === 'read' ? (outcome === 'ok' ? { result: v as number | null } : {}) : { value: v as number | [number, number] }),
  }));
}

describe('checkRegister (linearizability of a CAS register)', () => {
  it('accepts an empty history and a sequential one', () => {
    expect(checkRegister([]).kind).to.equal('linearizable');
    const h = ops(['write', 'ok', 1, 0, 1], ['read', 'ok', 1, 2, 3], ['cas', 'ok', [1, 2], 4, 5], ['read', 'ok', 2, 6, 7]);
    expect(checkRegister(h).kind).to.equal('linearizable');
  });

  it('accepts a read concurrent with a write returning either value', () => {
    const before = ops(['write', 'ok', 1, 0, 1], ['write', 'ok', 2, 2, 5], ['read', 'ok', 1, 3, 4]);
    const after = ops(['write', 'ok', 1, 0, 1], ['write', 'ok', 2, 2, 5], ['read', 'ok', 2, 3, 4]);
    expect(checkRegister(before).kind).to.equal('linearizable');
    expect(checkRegister(after).kind).to.equal('linearizable');
  });

  it('rejects a stale read after an acknowledged write, with a two-operation window', () => {
    const h = ops(['write', 'ok', 1, 0, 1], ['write', 'ok', 2, 2, 3], ['read', 'ok', 1, 4, 5]);
    const result = checkRegister(h);
    expect(result.kind).to.equal('not-linearizable');
    if (result.kind !== 'not-linearizable') return;
    expect(result.culprit.id).to.equal(2);
    expect(result.window.map((op) => op.id)).to.deep.equal([1, 2]);
    expect(result.windowVerified).to.equal(true);
  });

  it('rejects a lost acknowledged write (final read returns an older value)', () => {
    const h = ops(['write', 'ok', 1, 0, 1], ['write', 'ok', 2, 2, 3], ['write', 'ok', 3, 4, 5], ['read', 'ok', 2, 6, 7]);
    const result = checkRegister(h);
    expect(result.kind).to.equal('not-linearizable');
    if (result.kind === 'not-linearizable') expect(result.window.map((op) => op.id)).to.deep.equal([2, 3]);
  });

  it('rejects two successful cas from the same expected value', () => {
    const h = ops(['write', 'ok', 0, 0, 1], ['cas', 'ok', [0, 1], 2, 5], ['cas', 'ok', [0, 2], 3, 6]);
    const result = checkRegister(h);
    expect(result.kind).to.equal('not-linearizable');
    if (result.kind === 'not-linearizable') expect(result.window.map((op) => op.id)).to.deep.equal([1, 2]);
  });

  it('drops fail operations: a value only a failed write wrote cannot be read', () => {
    const h = ops(['write', 'ok', 1, 0, 1], ['write', 'fail', 5, 2, 3], ['read', 'ok', 5, 4, 5]);
    expect(checkRegister(h).kind).to.equal('not-linearizable');
  });

  it('lets an info write take effect late, or never', () => {
    const late = ops(['write', 'ok', 1, 0, 1], ['write', 'info', 2, 2], ['read', 'ok', 1, 4, 5], ['read', 'ok', 2, 6, 7]);
    const never = ops(['write', 'ok', 1, 0, 1], ['write', 'info', 2, 2], ['read', 'ok', 1, 4, 5], ['read', 'ok', 1, 6, 7]);
    expect(checkRegister(late).kind).to.equal('linearizable');
    expect(checkRegister(never).kind).to.equal('linearizable');
  });

  it('does not let an info write take effect twice', () => {
    const h = ops(
      ['write', 'ok', 1, 0, 1],
      ['write', 'info', 2, 2],
      ['read', 'ok', 2, 4, 5],
      ['write', 'ok', 3, 6, 7],
      ['read', 'ok', 2, 8, 9],
    );
    expect(checkRegister(h).kind).to.equal('not-linearizable');
  });

  it('leaves out of the window an info write whose unique value was observed before it', () => {
    const h = ops(
      ['write', 'ok', 1, 0, 1],
      ['write', 'info', 2, 2],
      ['read', 'ok', 2, 4, 5],
      ['write', 'ok', 3, 6, 7],
      ['read', 'ok', 2, 8, 9],
    );
    const result = checkRegister(h);
    expect(result.kind).to.equal('not-linearizable');
    if (result.kind === 'not-linearizable') expect(result.window.map((op) => op.id)).to.deep.equal([3, 4]);
  });

  it('does not let an info write take effect before it was invoked', () => {
    const h = ops(['write', 'ok', 1, 0, 1], ['read', 'ok', 2, 2, 3], ['write', 'info', 2, 4]);
    expect(checkRegister(h).kind).to.equal('not-linearizable');
  });

  it('treats an info cas as applied or not', () => {
    const applied = ops(['write', 'ok', 1, 0, 1], ['cas', 'info', [1, 2], 2], ['read', 'ok', 2, 4, 5]);
    const skipped = ops(['write', 'ok', 1, 0, 1], ['cas', 'info', [1, 2], 2], ['read', 'ok', 1, 4, 5]);
    const impossible = ops(['write', 'ok', 3, 0, 1], ['cas', 'info', [1, 2], 2], ['read', 'ok', 2, 4, 5]);
    expect(checkRegister(applied).kind).to.equal('linearizable');
    expect(checkRegister(skipped).kind).to.equal('linearizable');
    expect(checkRegister(impossible).kind).to.equal('not-linearizable');
  });

  it('finds the only order of overlapping operations, against their invoke order, by backtracking', () => {
    // From an absent register, write 1, write 2 and cas 2->3 overlap; the read after all of them returns 1. The cas
    // needs 2, so write 2 goes first, then the cas, and write 1 (invoked first) must take effect last.
    const ending = (read: number): RegisterOp[] =>
      ops(['write', 'ok', 1, 0, 10], ['write', 'ok', 2, 1, 11], ['cas', 'ok', [2, 3], 2, 12], ['read', 'ok', read, 13, 14]);
    expect(checkRegister(ending(1), { initial: null }).kind).to.equal('linearizable');
    expect(checkRegister(ending(3), { initial: null }).kind).to.equal('linearizable'); // w1, w2, cas
    // 2 would need a write of 2 after the cas; there is none (from an unknown register, cas could go first)
    expect(checkRegister(ending(2)).kind).to.equal('linearizable');
    const result = checkRegister(ending(2), { initial: null });
    expect(result.kind).to.equal('not-linearizable');
    if (result.kind === 'not-linearizable') {
      expect(result.culprit.id).to.equal(3);
      expect(result.windowVerified).to.equal(true);
      expect(checkRegister(result.window).kind).to.equal('not-linearizable');
    }
    // the same with write 1 never acknowledged (info): it may take effect last, so the read of 1 is still fine
    const info = ops(['write', 'info', 1, 0], ['write', 'ok', 2, 1, 11], ['cas', 'ok', [2, 3], 2, 12], ['read', 'ok', 1, 13, 14]);
    expect(checkRegister(info, { initial: null }).kind).to.equal('linearizable');
  });

  it('treats an operation invoked at the position another completed as concurrent with it', () => {
    const tie = ops(['write', 'ok', 1, 0, 1], ['write', 'ok', 2, 2, 5], ['read', 'ok', 1, 5, 6]);
    const after = ops(['write', 'ok', 1, 0, 1], ['write', 'ok', 2, 2, 5], ['read', 'ok', 1, 6, 7]);
    expect(checkRegister(tie).kind).to.equal('linearizable');
    expect(checkRegister(after).kind).to.equal('not-linearizable');
  });

  it('honours the initial value', () => {
    const h = ops(['read', 'ok', 5, 0, 1]);
    expect(checkRegister(h).kind).to.equal('linearizable');
    expect(checkRegister(h, { initial: 5 }).kind).to.equal('linearizable');
    expect(checkRegister(h, { initial: 0 }).kind).to.equal('not-linearizable');
    expect(checkRegister(ops(['read', 'ok', null, 0, 1]), { initial: null }).kind).to.equal('linearizable');
    expect(checkRegister(h, { initial: null }).kind).to.equal('not-linearizable');
  });

  it('gives up with unknown beyond the step budget', () => {
    const h = ops(['write', 'ok', 1, 0, 1], ['write', 'ok', 2, 2, 3], ['read', 'ok', 2, 4, 5]);
    const result = checkRegister(h, { maxSteps: 2 });
    expect(result.kind).to.equal('unknown');
  });

  it('reports a window that is itself not linearizable from any initial value', () => {
    // a long linearizable prefix, then one stale read
    const rows: [RegisterOp['f'], RegisterOp['outcome'], number, number, number][] = [];
    for (let i = 0; i < 200; i += 1) rows.push(['write', 'ok', i, 4 * i, 4 * i + 1], ['read', 'ok', i, 4 * i + 2, 4 * i + 3]);
    rows.push(['read', 'ok', 150, 10_000, 10_001]);
    const result = checkRegister(ops(...rows));
    expect(result.kind).to.equal('not-linearizable');
    if (result.kind !== 'not-linearizable') return;
    expect(result.window.length).to.be.at.most(3);
    expect(checkRegister(result.window).kind).to.equal('not-linearizable');
  });

  it('agrees with brute force on small random concurrent histories', () => {
    const random = mulberry(42);
    let disagreements = 0;
    let nonLinearizable = 0;
    for (let trial = 0; trial < 400; trial += 1) {
      const h = randomHistory(random, 6);
      const expected = bruteForce(h);
      const result = checkRegister(h);
      if (result.kind === 'not-linearizable') {
        nonLinearizable += 1;
        expect(checkRegister(result.window).kind, 'window must fail on its own').to.equal('not-linearizable');
      }
      if ((result.kind === 'linearizable') !== expected) disagreements += 1;
    }
    expect(disagreements).to.equal(0);
    expect(nonLinearizable).to.be.greaterThan(20);
  });

  it('accepts simulated linearizable histories, and rejects them once one read is corrupted', () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const h = registerOps(simulatedRegisterOps(300, 3, seed, 0.05));
      expect(checkRegister(h).kind, `seed ${seed}`).to.equal('linearizable');
      const reads = h.filter((op) => op.f === 'read' && op.outcome === 'ok');
      const victim = reads[Math.floor(reads.length / 2)] as RegisterOp;
      const corrupted = h.map((op) => (op === victim ? { ...op, result: 1_000_000 } : op));
      expect(checkRegister(corrupted).kind, `corrupted seed ${seed}`).to.equal('not-linearizable');
    }
  });

  it('accepts a 10k-operation linearizable history with concurrency 3 (timing is left to the bench)', () => {
    const result = checkRegister(registerOps(simulatedRegisterOps(10_000, 3, 7, 0.02)));
    expect(result.kind).to.equal('linearizable');
  });
});

// ---- helpers ----------------------------------------------------------------------------------------------------

function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random (often non-linearizable) history over values 0..2 with overlapping intervals. */
function randomHistory(random: () => number, n: number): RegisterOp[] {
  const out: RegisterOp[] = [];
  for (let id = 0; id < n; id += 1) {
    const call = Math.floor(random() * 20) * 2;
    const ret = call + 1 + Math.floor(random() * 8) * 2;
    const kind = random();
    const outcome: RegisterOp['outcome'] = random() < 0.15 ? 'info' : random() < 0.1 ? 'fail' : 'ok';
    const v = Math.floor(random() * 3);
    const base = { id, outcome, call, ...(outcome === 'info' ? {} : { ret }) };
    if (kind < 0.4) out.push({ ...base, f: 'write', value: v });
    else if (kind < 0.8) out.push({ ...base, f: 'read', ...(outcome === 'ok' ? { result: v } : {}) });
    else out.push({ ...base, f: 'cas', value: [v, Math.floor(random() * 3)] });
  }
  return out;
}

/** Exhaustive search: some order of all ok ops plus any subset of info ops, respecting real time, is legal. */
function bruteForce(h: readonly RegisterOp[]): boolean {
  const ops = h.filter((op) => op.outcome !== 'fail' && !(op.outcome === 'info' && op.f === 'read'));
  const retOf = (op: RegisterOp): number => (op.outcome === 'info' ? Infinity : (op.ret as number));
  const step = (state: RegisterValue | 'any', op: RegisterOp): (RegisterValue | 'any')[] => {
    if (op.f === 'write') return [op.value as number];
    if (op.f === 'read') return state === 'any' || state === (op.result ?? null) ? [op.result ?? null] : [];
    const [e, n] = op.value as [number, number];
    if (state === e) return [n];
    if (state === 'any') return op.outcome === 'info' ? [n, 'any'] : [n];
    return [];
  };
  const go = (done: ReadonlySet<RegisterOp>, state: RegisterValue | 'any'): boolean => {
    const pending = ops.filter((op) => !done.has(op));
    if (pending.every((op) => op.outcome === 'info')) return true;
    for (const op of pending) {
      // op may go next only if no pending op returned before op was called
      if (pending.some((other) => other !== op && retOf(other) < op.call)) continue;
      for (const next of step(state, op)) if (go(new Set([...done, op]), next)) return true;
    }
    return false;
  };
  return go(new Set(), 'any');
}
