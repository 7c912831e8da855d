// Linearizability of a single compare-and-set register (Wing & Gong search with Lowe's memoisation, as in
// Knossos and porcupine). Operations are placed by the order their invoke and completion were recorded; two
// operations are ordered only when one completed before the other was invoked.
//   - 'fail' operations definitely did not happen: dropped.
//   - 'info' operations (and ones that never completed) may have happened at any point after their invoke, or
//     never: their completion is at infinity and they need not be linearized. An info read is dropped; an info
//     write/cas whose new value nobody observed is dropped too (taking effect could only make things worse).
// The search state is (set of linearized operations, register value). The full check keys its cache by a 64-bit
// Zobrist hash (a collision can only prune, so it can claim "not linearizable" wrongly, never "linearizable");
// every failure is then confirmed on a small self-contained window with exact keys, which is what is reported.

export type RegisterValue = number | null;

export interface RegisterOp {
  /** Caller's identifier, returned in windows. */
  readonly id: number;
  readonly f: 'read' | 'write' | 'cas';
  readonly outcome: 'ok' | 'fail' | 'info';
  /** write: the value; cas: [expected, new]. */
  readonly value?: number | readonly [number, number];
  /** ok read: the value read, null when the register was absent. */
  readonly result?: RegisterValue;
  /** Position of the invoke in recording order (e.g. seq). */
  readonly call: number;
  /** Position of the completion; undefined for info and never-completed operations. */
  readonly ret?: number;
}

export interface RegisterCheckOptions {
  /** The register before the first operation: a value, null (absent) or 'unknown' (any). Default 'unknown'. */
  readonly initial?: RegisterValue | 'unknown';
  /** Search steps before giving up with 'unknown'. Default 10 million. */
  readonly maxSteps?: number;
  /** Steps allowed for each window search when shrinking a failure. Default 1 million. */
  readonly windowMaxSteps?: number;
}

export type LinearizabilityResult =
  | { readonly kind: 'linearizable'; readonly steps: number; readonly checkedOps: number }
  | {
      readonly kind: 'not-linearizable';
      readonly steps: number;
      /** The operation whose completion no linearization could get past (at the deepest point of the search). */
      readonly culprit: RegisterOp;
      /**
       * The explanation: a 1-minimal set of operations (call order) that is not linearizable on its own, from any
       * initial value; leaving out any one of them makes it linearizable.
       */
      readonly window: readonly RegisterOp[];
      /**
       * True when a self-contained window (closed under real-time overlap) around the culprit was confirmed not
       * linearizable with exact search keys: proof that the whole history is not linearizable.
       */
      readonly windowVerified: boolean;
      /** Operations in that self-contained window. */
      readonly closedWindowSize: number;
    }
  | { readonly kind: 'unknown'; readonly steps: number; readonly reason: string };

export const DEFAULT_MAX_STEPS = 10_000_000;
const DEFAULT_WINDOW_MAX_STEPS = 1_000_000;

const ANY = 0;
const ABSENT = 1;
const READ = 0;
const WRITE = 1;
const CAS = 2;

/** Operations ready for searching: kept ones only, values interned to state ids (0 any, 1 absent, 2.. values). */
interface Prepared {
  readonly ops: readonly RegisterOp[];
  readonly fn: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly info: Uint8Array;
  readonly call: Float64Array;
  readonly ret: Float64Array;
  readonly ids: ReadonlyMap<RegisterValue, number>;
}

function casPair(op: RegisterOp): readonly [number, number] {
  const value = op.value;
  if (!Array.isArray(value) || value.length !== 2) throw new Error(`cas operation ${op.id} needs value [expected, new]`);
  return value as readonly [number, number];
}

function writeValue(op: RegisterOp): number {
  if (typeof op.value !== 'number') throw new Error(`write operation ${op.id} needs a numeric value`);
  return op.value;
}

function prepare(input: readonly RegisterOp[]): Prepared {
  const ids = new Map<RegisterValue, number>([[null, ABSENT]]);
  const intern = (v: RegisterValue): number => {
    let id = ids.get(v);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(v, id);
    }
    return id;
  };
  // Values someone observed: ok read results and every (not failed) cas's expected value.
  const observed: boolean[] = [];
  for (const op of input) {
    if (op.outcome === 'ok' && op.f === 'read') observed[intern(op.result ?? null)] = true;
    else if (op.f === 'cas' && op.outcome !== 'fail') observed[intern(casPair(op)[0])] = true;
  }
  const ops: RegisterOp[] = [];
  for (const op of input) {
    if (op.outcome === 'fail') continue;
    if (op.outcome === 'info') {
      if (op.f === 'read') continue;
      const written = ids.get(op.f === 'write' ? writeValue(op) : casPair(op)[1]);
      if (written === undefined || observed[written] !== true) continue;
    }
    ops.push(op);
  }
  const n = ops.length;
  const prepared: Prepared = {
    ops,
    fn: new Uint8Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    info: new Uint8Array(n),
    call: new Float64Array(n),
    ret: new Float64Array(n),
    ids,
  };
  for (let k = 0; k < n; k += 1) {
    const op = ops[k] as RegisterOp;
    prepared.info[k] = op.outcome === 'info' ? 1 : 0;
    prepared.call[k] = op.call;
    prepared.ret[k] = op.outcome === 'info' || op.ret === undefined ? Number.POSITIVE_INFINITY : op.ret;
    if (op.f === 'read') {
      prepared.fn[k] = READ;
      prepared.a[k] = intern(op.result ?? null);
    } else if (op.f === 'write') {
      prepared.fn[k] = WRITE;
      prepared.a[k] = intern(writeValue(op));
    } else {
      const [expected, next] = casPair(op);
      prepared.fn[k] = CAS;
      prepared.a[k] = intern(expected);
      prepared.b[k] = intern(next);
    }
  }
  return prepared;
}

function initialId(p: Prepared, initial: RegisterValue | 'unknown'): number {
  if (initial === 'unknown') return ANY;
  if (initial === null) return ABSENT;
  // A value no operation mentions can only be overwritten; give it a fresh id.
  return p.ids.get(initial) ?? p.ids.size + 2;
}

// ---- hashing ----------------------------------------------------------------------------------------------------

/** Open-addressing set of 64-bit keys given as two 32-bit halves; keys must be uniformly random (Zobrist). */
class HashSet64 {
  private hi: Int32Array;
  private lo: Int32Array;
  private used: Uint8Array;
  private mask: number;
  private count = 0;

  constructor(capacityPow2 = 1 << 12) {
    this.hi = new Int32Array(capacityPow2);
    this.lo = new Int32Array(capacityPow2);
    this.used = new Uint8Array(capacityPow2);
    this.mask = capacityPow2 - 1;
  }

  /** Adds the key; true when it was not there before. */
  add(h: number, l: number): boolean {
    if (2 * (this.count + 1) > this.used.length) this.grow();
    return this.insert(h | 0, l | 0);
  }

  private insert(h: number, l: number): boolean {
    let i = l & this.mask;
    while (this.used[i] === 1) {
      if (this.hi[i] === h && this.lo[i] === l) return false;
      i = (i + 1) & this.mask;
    }
    this.used[i] = 1;
    this.hi[i] = h;
    this.lo[i] = l;
    this.count += 1;
    return true;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const size = used.length * 2;
    this.hi = new Int32Array(size);
    this.lo = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < used.length; i += 1) if (used[i] === 1) this.insert(hi[i] as number, lo[i] as number);
  }
}

/** Deterministic 32-bit generator (mulberry32) so runs are reproducible. */
function random32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

// ---- search -----------------------------------------------------------------------------------------------------

/** Indices 0..n-1 sorted by key (stable); skips the sort when the keys are already in order. */
function sortedBy(n: number, key: (j: number) => number): Uint32Array {
  const keys = new Float64Array(n);
  let ordered = true;
  for (let j = 0; j < n; j += 1) {
    keys[j] = key(j);
    if (j > 0 && (keys[j] as number) < (keys[j - 1] as number)) ordered = false;
  }
  const indices = new Uint32Array(n);
  for (let j = 0; j < n; j += 1) indices[j] = j;
  if (!ordered) indices.sort((x, y) => (keys[x] as number) - (keys[y] as number) || x - y);
  return indices;
}

type SearchOutcome =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'fail'; readonly steps: number; readonly culprit: number }
  | { readonly kind: 'unknown'; readonly steps: number };

/**
 * Wing & Gong depth-first search over the operations `subset` (indices into p). exact = key the cache by the
 * full linearized set (for small windows); otherwise by a 64-bit Zobrist hash.
 */
function search(p: Prepared, subset: readonly number[], initial: number, maxSteps: number, exact: boolean): SearchOutcome {
  const n = subset.length;
  // Entries 1..2n: calls and returns, sorted by position (calls first on ties). 0 is the list head.
  const calls = sortedBy(n, (j) => p.call[subset[j] as number] as number);
  const rets = sortedBy(n, (j) => p.ret[subset[j] as number] as number);
  const size = 2 * n + 1;
  const next = new Int32Array(size);
  const prev = new Int32Array(size);
  const isCall = new Uint8Array(size);
  const opOf = new Int32Array(size);
  const match = new Int32Array(size);
  const callEntry = new Int32Array(n);
  for (let e = 1, c = 0, r = 0; e < size; e += 1) {
    const nextCall = c < n ? (p.call[subset[calls[c] as number] as number] as number) : Number.POSITIVE_INFINITY;
    const nextRet = r < n ? (p.ret[subset[rets[r] as number] as number] as number) : Number.POSITIVE_INFINITY;
    if (c < n && nextCall <= nextRet) {
      const j = calls[c++] as number;
      isCall[e] = 1;
      opOf[e] = j;
      callEntry[j] = e;
    } else {
      const j = rets[r++] as number;
      opOf[e] = j;
      match[callEntry[j] as number] = e;
    }
    prev[e] = e - 1;
    next[e] = e + 1 < size ? e + 1 : -1;
  }
  next[0] = size > 1 ? 1 : -1;

  const fn = new Uint8Array(n);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const info = new Uint8Array(n);
  const z1 = new Int32Array(n);
  const z2 = new Int32Array(n);
  const rand = random32(0x5eed);
  // random keys per register value (state id), mixed into the cache key
  const stateCount = p.ids.size + 3;
  const s1 = new Int32Array(stateCount);
  const s2Key = new Int32Array(stateCount);
  for (let v = 0; v < stateCount; v += 1) {
    s1[v] = rand() | 0;
    s2Key[v] = rand() | 0;
  }
  let remaining = 0;
  for (let j = 0; j < n; j += 1) {
    const k = subset[j] as number;
    fn[j] = p.fn[k] as number;
    a[j] = p.a[k] as number;
    b[j] = p.b[k] as number;
    info[j] = p.info[k] as number;
    if (info[j] === 0) remaining += 1;
    z1[j] = rand() | 0;
    z2[j] = rand() | 0;
  }

  const hashed = new HashSet64();
  const exactSeen = new Set<string>();
  const bits = new Uint32Array(Math.ceil(n / 32) + 1);
  const seenExactly = (state: number): boolean => {
    const key = `${bits.join(',')}|${state}`;
    if (exactSeen.has(key)) return true;
    exactSeen.add(key);
    return false;
  };

  // Stack of linearized calls: entry, the state before it, and which successor state was taken.
  const stackEntry: number[] = [];
  const stackState: number[] = [];
  const stackAlt: number[] = [];
  const succ = new Int32Array(2);
  let state = initial;
  let h1 = 0;
  let h2 = 0;
  let entry = next[0] as number;
  let alt = 0;
  let steps = 0;
  let deepest = -1;

  const successors = (s: number, j: number): number => {
    const f = fn[j];
    if (f === WRITE) {
      succ[0] = a[j] as number;
      return 1;
    }
    if (f === READ) {
      const r = a[j] as number;
      if (s !== ANY && s !== r) return 0;
      succ[0] = r;
      return 1;
    }
    const expected = a[j] as number;
    if (s === expected || (s === ANY && info[j] === 0)) {
      succ[0] = b[j] as number;
      return 1;
    }
    if (s === ANY) {
      succ[0] = b[j] as number;
      succ[1] = ANY;
      return 2;
    }
    return 0;
  };

  while (remaining > 0) {
    steps += 1;
    if (steps > maxSteps) return { kind: 'unknown', steps };
    if (entry === -1) return { kind: 'fail', steps, culprit: subset[opOf[Math.max(deepest, 1)] as number] as number };
    const j = opOf[entry] as number;
    if (isCall[entry] === 1) {
      const count = successors(state, j);
      let lifted = false;
      for (; alt < count; alt += 1) {
        const s2 = succ[alt] as number;
        const n1 = h1 ^ (z1[j] as number);
        const n2 = h2 ^ (z2[j] as number);
        if (exact) {
          bits[j >>> 5] = (bits[j >>> 5] as number) ^ (1 << (j & 31));
          if (seenExactly(s2)) {
            bits[j >>> 5] = (bits[j >>> 5] as number) ^ (1 << (j & 31));
            continue;
          }
        } else if (!hashed.add(n1 ^ (s1[s2] as number), n2 ^ (s2Key[s2] as number))) continue;
        stackEntry.push(entry);
        stackState.push(state);
        stackAlt.push(alt);
        state = s2;
        h1 = n1;
        h2 = n2;
        if (info[j] === 0) remaining -= 1;
        // lift the call and its return out of the list
        const r = match[entry] as number;
        next[prev[entry] as number] = next[entry] as number;
        prev[next[entry] as number] = prev[entry] as number;
        next[prev[r] as number] = next[r] as number;
        if (next[r] !== -1) prev[next[r] as number] = prev[r] as number;
        entry = next[0] as number;
        alt = 0;
        lifted = true;
        break;
      }
      if (!lifted) {
        entry = next[entry] as number;
        alt = 0;
      }
    } else {
      if (entry > deepest) deepest = entry;
      const top = stackEntry.pop();
      if (top === undefined) return { kind: 'fail', steps, culprit: subset[opOf[deepest] as number] as number };
      const tj = opOf[top] as number;
      state = stackState.pop() as number;
      alt = (stackAlt.pop() as number) + 1;
      h1 ^= z1[tj] as number;
      h2 ^= z2[tj] as number;
      if (exact) bits[tj >>> 5] = (bits[tj >>> 5] as number) ^ (1 << (tj & 31));
      if (info[tj] === 0) remaining += 1;
      // put the call and its return back
      const r = match[top] as number;
      next[prev[r] as number] = r;
      if (next[r] !== -1) prev[next[r] as number] = r;
      next[prev[top] as number] = top;
      prev[next[top] as number] = top;
      entry = top;
    }
  }
  return { kind: 'ok', steps };
}

// ---- failure windows --------------------------------------------------------------------------------------------

/**
 * The operations of a self-contained window: the completed operations with call index [lo, hi] (in call order)
 * grown until nothing outside overlaps their span, plus every info operation invoked before the span ends.
 * Whatever a linearization does outside such a window, it cannot reach inside, so a window that is not
 * linearizable from any initial value proves the whole history is not.
 */
function closedWindow(
  p: Prepared,
  completed: readonly number[],
  prefixMaxRet: Float64Array,
  lo0: number,
  hi0: number,
  infoOps: readonly number[],
  settledBy: Float64Array,
): { subset: number[]; lo: number } {
  let lo = lo0;
  let hi = hi0;
  let minCall = p.call[completed[lo] as number] as number;
  let maxRet = Number.NEGATIVE_INFINITY;
  for (let i = lo; i <= hi; i += 1) maxRet = Math.max(maxRet, p.ret[completed[i] as number] as number);
  for (let changed = true; changed; ) {
    changed = false;
    while (hi + 1 < completed.length && (p.call[completed[hi + 1] as number] as number) < maxRet) {
      hi += 1;
      maxRet = Math.max(maxRet, p.ret[completed[hi] as number] as number);
      changed = true;
    }
    while (lo > 0 && (prefixMaxRet[lo - 1] as number) > minCall) {
      lo -= 1;
      minCall = p.call[completed[lo] as number] as number;
      maxRet = Math.max(maxRet, p.ret[completed[lo] as number] as number);
      changed = true;
    }
  }
  const subset = completed.slice(lo, hi + 1);
  for (const k of infoOps) if ((p.call[k] as number) < maxRet && !((settledBy[k] as number) < minCall)) subset.push(k);
  subset.sort((x, y) => (p.call[x] as number) - (p.call[y] as number));
  return { subset, lo };
}

/**
 * For each info operation, a position by which it must already have taken effect (Infinity if none is known):
 * when it is the only writer of its value, and a completed operation invoked after the first acknowledged write
 * observed that value, it took effect before that observation completed. Such an operation cannot act inside a
 * window that begins later, so the window may leave it out.
 */
function settledPositions(p: Prepared): Float64Array {
  const n = p.ops.length;
  const writers = new Map<number, number>();
  let firstAck = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k += 1) {
    if (p.fn[k] === READ) continue;
    const written = (p.fn[k] === WRITE ? p.a[k] : p.b[k]) as number;
    writers.set(written, (writers.get(written) ?? 0) + 1);
    if (p.info[k] === 0) firstAck = Math.min(firstAck, p.ret[k] as number);
  }
  const observed = new Map<number, number>();
  for (let k = 0; k < n; k += 1) {
    if (p.info[k] === 1 || p.fn[k] === WRITE || (p.call[k] as number) < firstAck) continue;
    const value = p.a[k] as number;
    observed.set(value, Math.min(observed.get(value) ?? Number.POSITIVE_INFINITY, p.ret[k] as number));
  }
  const settled = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let k = 0; k < n; k += 1) {
    if (p.info[k] === 0) continue;
    const written = (p.fn[k] === WRITE ? p.a[k] : p.b[k]) as number;
    if (writers.get(written) === 1) settled[k] = observed.get(written) ?? Number.POSITIVE_INFINITY;
  }
  return settled;
}

function findWindow(p: Prepared, culprit: number, initial: number, windowMaxSteps: number): { subset: number[]; verified: boolean } {
  const completed: number[] = [];
  const infoOps: number[] = [];
  const settledBy = settledPositions(p);
  for (let k = 0; k < p.ops.length; k += 1) (p.info[k] === 1 ? infoOps : completed).push(k);
  completed.sort((x, y) => (p.call[x] as number) - (p.call[y] as number));
  const prefixMaxRet = new Float64Array(completed.length);
  let running = Number.NEGATIVE_INFINITY;
  completed.forEach((k, i) => {
    running = Math.max(running, p.ret[k] as number);
    prefixMaxRet[i] = running;
  });
  const ci = completed.indexOf(culprit);
  if (ci < 0) return { subset: p.ops.map((_, k) => k), verified: false };
  const fails = (back: number): number[] | undefined => {
    const { subset, lo } = closedWindow(p, completed, prefixMaxRet, Math.max(0, ci - back), ci, infoOps, settledBy);
    const outcome = search(p, subset, lo === 0 ? initial : ANY, windowMaxSteps, true);
    return outcome.kind === 'fail' ? subset : undefined;
  };
  let good = -1;
  let back = 0;
  let found: number[] | undefined;
  for (;;) {
    found = fails(back);
    if (found !== undefined || back >= ci) break;
    good = back;
    back = Math.min(ci, back === 0 ? 1 : back * 2);
  }
  if (found === undefined) {
    const { subset } = closedWindow(p, completed, prefixMaxRet, 0, ci, infoOps, settledBy);
    return { subset, verified: false };
  }
  // shrink: the smallest look-back that still fails, between the last that passed and the first that failed
  let bad = back;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    const attempt = fails(mid);
    if (attempt === undefined) good = mid;
    else {
      bad = mid;
      found = attempt;
    }
  }
  return { subset: found, verified: true };
}

/** Removes operations (halves, then quarters, ... then single ones) while what is left stays not linearizable. */
function shrink(p: Prepared, subset: readonly number[], windowMaxSteps: number): number[] {
  let current = [...subset];
  for (let chunk = Math.ceil(current.length / 2); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let i = 0; i < current.length; ) {
      const candidate = [...current.slice(0, i), ...current.slice(i + chunk)];
      if (candidate.length > 0 && search(p, candidate, ANY, windowMaxSteps, true).kind === 'fail') current = candidate;
      else i += chunk;
    }
  }
  return current;
}

/** Checks one register's operations. */
export function checkRegister(ops: readonly RegisterOp[], options: RegisterCheckOptions = {}): LinearizabilityResult {
  const p = prepare(ops);
  const initial = initialId(p, options.initial === undefined ? 'unknown' : options.initial);
  const all = p.ops.map((_, k) => k);
  const outcome = search(p, all, initial, options.maxSteps ?? DEFAULT_MAX_STEPS, false);
  if (outcome.kind === 'ok') return { kind: 'linearizable', steps: outcome.steps, checkedOps: p.ops.length };
  if (outcome.kind === 'unknown') {
    return { kind: 'unknown', steps: outcome.steps, reason: `search gave up after ${outcome.steps} steps (${p.ops.length} operations)` };
  }
  const windowMaxSteps = options.windowMaxSteps ?? DEFAULT_WINDOW_MAX_STEPS;
  const { subset, verified } = findWindow(p, outcome.culprit, initial, windowMaxSteps);
  const minimal = verified ? shrink(p, subset, windowMaxSteps) : subset;
  return {
    kind: 'not-linearizable',
    steps: outcome.steps,
    culprit: p.ops[outcome.culprit] as RegisterOp,
    window: minimal.map((k) => p.ops[k] as RegisterOp),
    windowVerified: verified,
    closedWindowSize: subset.length,
  };
}
