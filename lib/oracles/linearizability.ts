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

// ---- preparation ------------------------------------------------------------------------------------------------

// Register states are interned ids: ANY (value unknown: the initial 'unknown'), ABSENT (null), 2.. the values.
const ANY = 0;
const ABSENT = 1;

const READ = 0;
const WRITE = 1;
const CAS = 2;
type OpKind = typeof READ | typeof WRITE | typeof CAS;

/** A kept operation, values interned to state ids. */
interface PreparedOp {
  readonly source: RegisterOp;
  readonly kind: OpKind;
  /** read: the value read; write: the value written; cas: the expected value. */
  readonly operand: number;
  /** The register's state right after the operation took effect: the read/written value, or the cas's new one. */
  readonly resultState: number;
  /** Outcome unknown: may be linearized anywhere after its call, or never. */
  readonly info: boolean;
  readonly call: number;
  /** Completion position; Infinity for info operations. */
  readonly ret: number;
}

interface Prepared {
  readonly ops: readonly PreparedOp[];
  readonly ids: ReadonlyMap<RegisterValue, number>;
}

function casPair(op: RegisterOp): readonly [number, number] {
  const value = op.value;
  if (value === undefined || typeof value === 'number' || value.length !== 2) {
    throw new Error(`cas operation ${op.id} needs value [expected, new]`);
  }
  return value;
}

function writeValue(op: RegisterOp): number {
  if (typeof op.value !== 'number') throw new Error(`write operation ${op.id} needs a numeric value`);
  return op.value;
}

/** Interns register values to state ids, in first-seen order. */
class ValueIds {
  readonly ids = new Map<RegisterValue, number>([[null, ABSENT]]);

  of(value: RegisterValue): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(value, id);
    }
    return id;
  }
}

/** The operations the search must consider: drops failed ones, info reads and info writes nobody could observe. */
function keptOps(input: readonly RegisterOp[], values: ValueIds): RegisterOp[] {
  // Values someone observed: ok read results and every (not failed) cas's expected value.
  const observed = new Set<number>();
  for (const op of input) {
    if (op.outcome === 'ok' && op.f === 'read') observed.add(values.of(op.result ?? null));
    else if (op.f === 'cas' && op.outcome !== 'fail') observed.add(values.of(casPair(op)[0]));
  }
  return input.filter((op) => {
    if (op.outcome === 'fail') return false;
    if (op.outcome !== 'info') return true;
    if (op.f === 'read') return false;
    const written = values.ids.get(op.f === 'write' ? writeValue(op) : casPair(op)[1]);
    return written !== undefined && observed.has(written);
  });
}

function prepareOp(op: RegisterOp, values: ValueIds): PreparedOp {
  const info = op.outcome === 'info';
  const timing = { source: op, info, call: op.call, ret: info || op.ret === undefined ? Number.POSITIVE_INFINITY : op.ret };
  if (op.f === 'read') {
    const read = values.of(op.result ?? null);
    return { ...timing, kind: READ, operand: read, resultState: read };
  }
  if (op.f === 'write') {
    const written = values.of(writeValue(op));
    return { ...timing, kind: WRITE, operand: written, resultState: written };
  }
  const [expected, next] = casPair(op);
  return { ...timing, kind: CAS, operand: values.of(expected), resultState: values.of(next) };
}

function prepare(input: readonly RegisterOp[]): Prepared {
  const values = new ValueIds();
  const ops = keptOps(input, values).map((op) => prepareOp(op, values));
  return { ops, ids: values.ids };
}

function initialId(p: Prepared, initial: RegisterValue | 'unknown'): number {
  if (initial === 'unknown') return ANY;
  if (initial === null) return ABSENT;
  // A value no operation mentions can only be overwritten; give it a fresh id.
  return p.ids.get(initial) ?? p.ids.size + 2;
}

/**
 * How many ways `op` can take effect on a register in `state`: 0 (illegal here), 1, or 2 for an info cas on an
 * unknown register (it took effect, or the register held something else). Way 0 leaves the register in
 * op.resultState, way 1 leaves it ANY.
 */
function waysToApply(op: SearchOp, state: number): number {
  if (op.kind === WRITE) return 1;
  if (state === op.operand) return 1;
  if (state !== ANY) return 0;
  // Unknown register: a read fixes it to what was read, a completed cas to its new value (so it must have held
  // the expected one); an info cas may also have found a different value and done nothing.
  return op.kind === CAS && op.info ? 2 : 1;
}

function stateAfter(op: SearchOp, way: number): number {
  return way === 0 ? op.resultState : ANY;
}

// ---- hashing ----------------------------------------------------------------------------------------------------

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

/** MurmurHash3's 32-bit finalizer: a bijection that spreads every input bit over the output. */
function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The two 32-bit halves of a register state's 64-bit key, mixed into the linearized set's Zobrist hash. */
function stateKeyHi(state: number): number {
  return mix32(state ^ 0x3c6ef372);
}
function stateKeyLo(state: number): number {
  return mix32(Math.imul(state, 0x9e3779b1) ^ 0x5851f42d);
}

/**
 * The set of linearized operations: a bitset (for exact keys) and its 64-bit Zobrist hash, the XOR of the random
 * keys of the operations in it, so adding or removing one is O(1).
 */
class LinearizedSet {
  readonly words: Int32Array;
  hashHi = 0;
  hashLo = 0;

  constructor(size: number) {
    this.words = new Int32Array(Math.max(1, Math.ceil(size / 32)));
  }

  /** Adds the operation if absent, removes it if present. */
  toggle(op: SearchOp): void {
    this.words[op.word] = (this.words[op.word] ?? 0) ^ op.bit;
    this.hashHi ^= op.keyHi;
    this.hashLo ^= op.keyLo;
  }
}

/** The memo of visited search states (linearized set, register state): a state seen once need not be explored again. */
interface VisitedStates {
  /** Records the state; false when it was already there. */
  addIfNew(linearized: LinearizedSet, state: number): boolean;
}

/**
 * Visited states by 64-bit key only (open addressing, linear probing; keys are uniformly random). Fast and small;
 * two states sharing a key would wrongly count as one, which can only prune the search.
 */
class HashedVisitedStates implements VisitedStates {
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

  addIfNew(linearized: LinearizedSet, state: number): boolean {
    if (2 * (this.count + 1) > this.used.length) this.grow();
    return this.insert(linearized.hashHi ^ stateKeyHi(state), linearized.hashLo ^ stateKeyLo(state));
  }

  private insert(hi: number, lo: number): boolean {
    let slot = lo & this.mask;
    while (this.used[slot] === 1) {
      if (this.hi[slot] === hi && this.lo[slot] === lo) return false;
      slot = (slot + 1) & this.mask;
    }
    this.used[slot] = 1;
    this.hi[slot] = hi;
    this.lo[slot] = lo;
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
    used.forEach((isUsed, slot) => {
      const h = hi[slot];
      const l = lo[slot];
      if (isUsed === 1 && h !== undefined && l !== undefined) this.insert(h, l);
    });
  }
}

/**
 * Visited states with exact keys: each record keeps a copy of the linearized bitset and the register state, and a
 * lookup compares them in full (the Zobrist hash only picks the bucket). For window searches, whose failures are
 * reported as proof.
 */
class ExactVisitedStates implements VisitedStates {
  /** Slot -> record number + 1 (0: empty). */
  private slots: Int32Array = new Int32Array(1 << 10);
  private hashes: Int32Array = new Int32Array(1 << 9);
  private states: Int32Array = new Int32Array(1 << 9);
  /** Record r's bitset occupies words [r * wordCount, (r + 1) * wordCount). */
  private bitsets: Int32Array;
  private count = 0;

  constructor(private readonly wordCount: number) {
    this.bitsets = new Int32Array(this.hashes.length * wordCount);
  }

  addIfNew(linearized: LinearizedSet, state: number): boolean {
    const hash = linearized.hashLo ^ stateKeyLo(state);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let record = this.slots[slot] ?? 0; record !== 0; record = this.slots[slot] ?? 0) {
      if (this.matches(record - 1, hash, linearized, state)) return false;
      slot = (slot + 1) & mask;
    }
    this.slots[slot] = this.append(hash, linearized, state) + 1;
    if (2 * this.count > this.slots.length) this.rehash();
    return true;
  }

  private matches(record: number, hash: number, linearized: LinearizedSet, state: number): boolean {
    if (this.hashes[record] !== hash || this.states[record] !== state) return false;
    const base = record * this.wordCount;
    for (let w = 0; w < this.wordCount; w += 1) if (this.bitsets[base + w] !== linearized.words[w]) return false;
    return true;
  }

  /** Stores a record; returns its number. */
  private append(hash: number, linearized: LinearizedSet, state: number): number {
    const record = this.count;
    if (record === this.hashes.length) this.growRecords();
    this.hashes[record] = hash;
    this.states[record] = state;
    this.bitsets.set(linearized.words, record * this.wordCount);
    this.count += 1;
    return record;
  }

  private growRecords(): void {
    const capacity = this.hashes.length * 2;
    const grown = (old: Int32Array, size: number): Int32Array => {
      const copy = new Int32Array(size);
      copy.set(old);
      return copy;
    };
    this.hashes = grown(this.hashes, capacity);
    this.states = grown(this.states, capacity);
    this.bitsets = grown(this.bitsets, capacity * this.wordCount);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    this.hashes.subarray(0, this.count).forEach((hash, record) => {
      let slot = hash & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = record + 1;
    });
  }
}

// ---- search -----------------------------------------------------------------------------------------------------

/** An operation as one search sees it: its bit in the linearized set and its random Zobrist key. */
class SearchOp {
  readonly kind: OpKind;
  readonly operand: number;
  readonly resultState: number;
  readonly info: boolean;
  readonly word: number;
  readonly bit: number;

  constructor(
    readonly source: PreparedOp,
    index: number,
    readonly keyHi: number,
    readonly keyLo: number,
  ) {
    this.kind = source.kind;
    this.operand = source.operand;
    this.resultState = source.resultState;
    this.info = source.info;
    this.word = index >>> 5;
    this.bit = 1 << (index & 31);
  }
}

/**
 * A call or return in the doubly linked list of events the search walks (porcupine's layout). Linearizing an
 * operation lifts its call and return out of the list; backtracking puts them back (dancing links), so the list
 * always holds exactly the operations not yet linearized, in real-time order.
 */
class Entry {
  prev: Entry = this;
  next: Entry | null = null;
  /** The other half: a call's return, a return's call. */
  match: Entry = this;
  // While a call is linearized (on the search stack): the register before it, which way it took, and the call
  // linearized before it.
  stateBefore = ANY;
  way = 0;
  below: Entry | null = null;

  constructor(
    readonly op: SearchOp,
    readonly isCall: boolean,
    /** Place in the full list, so the deepest return the search reached can be told. */
    readonly position: number,
  ) {}
}

function unlink(entry: Entry): void {
  entry.prev.next = entry.next;
  if (entry.next !== null) entry.next.prev = entry.prev;
}

/** Undoes unlink(entry); valid when everything unlinked after it has been relinked. */
function relink(entry: Entry): void {
  entry.prev.next = entry;
  if (entry.next !== null) entry.next.prev = entry;
}

/** Ascending order (Infinity equal to Infinity); with the stable sort, ties keep their order. */
function ascending(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The list head (a sentinel) followed by every call and return sorted by position, calls before returns on ties
 * (an operation returning at the instant another is invoked does not precede it).
 */
function buildEntryList(ops: readonly SearchOp[], sentinel: SearchOp): Entry {
  const calls = [...ops].sort((x, y) => ascending(x.source.call, y.source.call));
  const returns = [...ops].sort((x, y) => ascending(x.source.ret, y.source.ret));
  const callOf = new Map<SearchOp, Entry>();
  const head = new Entry(sentinel, false, 0);
  let tail = head;
  let c = 0;
  let r = 0;
  for (let position = 1; position <= 2 * ops.length; position += 1) {
    const call = calls[c];
    const ret = returns[r];
    let entry: Entry;
    if (call !== undefined && (ret === undefined || call.source.call <= ret.source.ret)) {
      entry = new Entry(call, true, position);
      callOf.set(call, entry);
      c += 1;
    } else if (ret !== undefined) {
      entry = new Entry(ret, false, position);
      const matching = callOf.get(ret);
      if (matching === undefined) throw new Error('internal: return before its call');
      entry.match = matching;
      matching.match = entry;
      r += 1;
    } else break;
    entry.prev = tail;
    tail.next = entry;
    tail = entry;
  }
  return head;
}

/** Stands in for an operation at the list head, which is never linearized. */
const LIST_HEAD_OP: PreparedOp = {
  source: { id: -1, f: 'read', outcome: 'info', call: Number.NEGATIVE_INFINITY },
  kind: READ,
  operand: ANY,
  resultState: ANY,
  info: true,
  call: Number.NEGATIVE_INFINITY,
  ret: Number.NEGATIVE_INFINITY,
};

type SearchOutcome =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'fail'; readonly steps: number; readonly culprit: PreparedOp }
  | { readonly kind: 'unknown'; readonly steps: number };

/**
 * Depth-first search for a linearization (Wing & Gong; Lowe's memo; porcupine's list walk). From the head of the
 * list of pending events: at a call, try to linearize that operation now (it is legal in the current register
 * state, and the resulting (linearized set, state) was not explored before); if so, lift it out and restart from
 * the head, else move on to the next event. Reaching a return means an operation completed without being
 * linearized: every choice since the last linearization is exhausted, so undo that one and try its next way or
 * the next event after it. Done when every completed operation is linearized; info ones may stay out.
 */
class LinearizationSearch {
  private readonly head: Entry;
  /** The first event of the full list (the culprit if the search fails before reaching any return). */
  private readonly first: Entry | null;
  private readonly linearized: LinearizedSet;
  private readonly visited: VisitedStates;
  /** The most recently linearized call (the stack runs through Entry.below). */
  private top: Entry | null = null;
  private state: number;
  /** Completed operations not yet linearized. */
  private remaining: number;
  /** The furthest return the search was ever stopped by. */
  private deepest: Entry | null = null;

  constructor(subset: readonly PreparedOp[], initial: number, exact: boolean) {
    const random = random32(0x5eed);
    const ops = subset.map((op, index) => new SearchOp(op, index, random() | 0, random() | 0));
    this.head = buildEntryList(ops, new SearchOp(LIST_HEAD_OP, 0, 0, 0));
    this.first = this.head.next;
    this.linearized = new LinearizedSet(ops.length);
    this.visited = exact ? new ExactVisitedStates(this.linearized.words.length) : new HashedVisitedStates();
    this.state = initial;
    this.remaining = ops.filter((op) => !op.info).length;
  }

  run(maxSteps: number): SearchOutcome {
    let entry = this.head.next;
    let firstWay = 0;
    let steps = 0;
    while (this.remaining > 0) {
      steps += 1;
      if (steps > maxSteps) return { kind: 'unknown', steps };
      if (entry === null) return { kind: 'fail', steps, culprit: this.culprit() };
      if (entry.isCall) {
        entry = this.tryLinearize(entry, firstWay) ? this.head.next : entry.next;
        firstWay = 0;
        continue;
      }
      if (this.deepest === null || entry.position > this.deepest.position) this.deepest = entry;
      const undone = this.undoLast();
      if (undone === null) return { kind: 'fail', steps, culprit: this.culprit() };
      entry = undone;
      firstWay = undone.way + 1;
    }
    return { kind: 'ok', steps };
  }

  /** Linearizes the call now, the first of its ways from `firstWay` on that leads to an unexplored state. */
  private tryLinearize(call: Entry, firstWay: number): boolean {
    const op = call.op;
    const ways = waysToApply(op, this.state);
    if (firstWay >= ways) return false;
    this.linearized.toggle(op);
    for (let way = firstWay; way < ways; way += 1) {
      const next = stateAfter(op, way);
      if (!this.visited.addIfNew(this.linearized, next)) continue;
      call.stateBefore = this.state;
      call.way = way;
      call.below = this.top;
      this.top = call;
      this.state = next;
      if (!op.info) this.remaining -= 1;
      unlink(call);
      unlink(call.match);
      return true;
    }
    this.linearized.toggle(op);
    return false;
  }

  /** Takes back the last linearization, restoring the list and state; null when nothing is linearized. */
  private undoLast(): Entry | null {
    const call = this.top;
    if (call === null) return null;
    this.top = call.below;
    this.state = call.stateBefore;
    this.linearized.toggle(call.op);
    if (!call.op.info) this.remaining += 1;
    relink(call.match);
    relink(call);
    return call;
  }

  /** The operation of the deepest return reached (or of the first event, if none was). */
  private culprit(): PreparedOp {
    return (this.deepest ?? this.first ?? this.head).op.source;
  }
}

/**
 * Searches the operations `subset`. exact = key the memo by the full linearized set (for small windows, whose
 * failure is reported as proof); otherwise by a 64-bit Zobrist hash.
 */
function search(subset: readonly PreparedOp[], initial: number, maxSteps: number, exact: boolean): SearchOutcome {
  return new LinearizationSearch(subset, initial, exact).run(maxSteps);
}

// ---- failure windows --------------------------------------------------------------------------------------------

/** items[i], which the caller knows exists. */
function at<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new RangeError(`internal: index ${i} outside 0..${items.length - 1}`);
  return item;
}

/** The completed operations in call order, with the latest completion among each prefix of them. */
interface CompletedByCall {
  readonly ops: readonly PreparedOp[];
  /** prefixMaxRet[i]: the latest ret among ops[0..i]. */
  readonly prefixMaxRet: readonly number[];
}

function completedByCall(p: Prepared): CompletedByCall {
  const ops = p.ops.filter((op) => !op.info).sort((x, y) => ascending(x.call, y.call));
  let latest = Number.NEGATIVE_INFINITY;
  const prefixMaxRet = ops.map((op) => (latest = Math.max(latest, op.ret)));
  return { ops, prefixMaxRet };
}

/**
 * The operations of a self-contained window: the completed operations with call index [lo, hi] (in call order)
 * grown until nothing outside overlaps their span, plus every info operation invoked before the span ends.
 * Whatever a linearization does outside such a window, it cannot reach inside, so a window that is not
 * linearizable from any initial value proves the whole history is not.
 */
function closedWindow(
  completed: CompletedByCall,
  lo0: number,
  hi0: number,
  infoOps: readonly PreparedOp[],
  settledBy: ReadonlyMap<PreparedOp, number>,
): { subset: PreparedOp[]; lo: number } {
  const ops = completed.ops;
  let lo = lo0;
  let hi = hi0;
  let minCall = at(ops, lo).call;
  let maxRet = Math.max(...ops.slice(lo, hi + 1).map((op) => op.ret));
  for (let changed = true; changed;) {
    changed = false;
    // later operations invoked before the span ends
    while (hi + 1 < ops.length && at(ops, hi + 1).call < maxRet) {
      hi += 1;
      maxRet = Math.max(maxRet, at(ops, hi).ret);
      changed = true;
    }
    // earlier operations still running when the span begins
    while (lo > 0 && at(completed.prefixMaxRet, lo - 1) > minCall) {
      lo -= 1;
      minCall = at(ops, lo).call;
      maxRet = Math.max(maxRet, at(ops, lo).ret);
      changed = true;
    }
  }
  const subset = ops.slice(lo, hi + 1);
  for (const op of infoOps) {
    if (op.call < maxRet && !((settledBy.get(op) ?? Number.POSITIVE_INFINITY) < minCall)) subset.push(op);
  }
  subset.sort((x, y) => ascending(x.call, y.call));
  return { subset, lo };
}

/**
 * For each info operation, a position by which it must already have taken effect (absent if none is known):
 * when it is the only writer of its value, and a completed operation invoked after the first acknowledged write
 * observed that value, it took effect before that observation completed. Such an operation cannot act inside a
 * window that begins later, so the window may leave it out.
 */
function settledPositions(p: Prepared): Map<PreparedOp, number> {
  const writers = new Map<number, number>();
  let firstAck = Number.POSITIVE_INFINITY;
  for (const op of p.ops) {
    if (op.kind === READ) continue;
    writers.set(op.resultState, (writers.get(op.resultState) ?? 0) + 1);
    if (!op.info) firstAck = Math.min(firstAck, op.ret);
  }
  // value -> earliest completion of a completed read/cas, invoked after the first ack, that observed it
  const observedBy = new Map<number, number>();
  for (const op of p.ops) {
    if (op.info || op.kind === WRITE || op.call < firstAck) continue;
    observedBy.set(op.operand, Math.min(observedBy.get(op.operand) ?? Number.POSITIVE_INFINITY, op.ret));
  }
  const settled = new Map<PreparedOp, number>();
  for (const op of p.ops) {
    const seen = observedBy.get(op.resultState);
    if (op.info && writers.get(op.resultState) === 1 && seen !== undefined) settled.set(op, seen);
  }
  return settled;
}

/**
 * A self-contained window ending at the culprit that is not linearizable on its own (verified), found by
 * looking back 0, 1, 2, 4, ... completed operations, then bisecting to the shortest look-back that still fails.
 * Unverified (the whole prefix) when no window fails within the step budget.
 */
function findWindow(
  p: Prepared,
  culprit: PreparedOp,
  initial: number,
  windowMaxSteps: number,
): { subset: PreparedOp[]; verified: boolean } {
  const completed = completedByCall(p);
  const infoOps = p.ops.filter((op) => op.info);
  const settledBy = settledPositions(p);
  const ci = completed.ops.indexOf(culprit);
  if (ci < 0) return { subset: [...p.ops], verified: false };
  // Different look-backs often close to the same window; search each window once.
  const verdicts = new Map<number, PreparedOp[] | undefined>();
  const failingWindow = (back: number): PreparedOp[] | undefined => {
    const { subset, lo } = closedWindow(completed, Math.max(0, ci - back), ci, infoOps, settledBy);
    if (verdicts.has(lo)) return verdicts.get(lo);
    const outcome = search(subset, lo === 0 ? initial : ANY, windowMaxSteps, true);
    const verdict = outcome.kind === 'fail' ? subset : undefined;
    verdicts.set(lo, verdict);
    return verdict;
  };
  let passed = -1;
  let back = 0;
  let found = failingWindow(back);
  while (found === undefined && back < ci) {
    passed = back;
    back = Math.min(ci, back === 0 ? 1 : back * 2);
    found = failingWindow(back);
  }
  if (found === undefined) return { subset: closedWindow(completed, 0, ci, infoOps, settledBy).subset, verified: false };
  // the smallest look-back that still fails, between the last that passed and the first that failed
  let failed = back;
  while (failed - passed > 1) {
    const mid = (passed + failed) >>> 1;
    const attempt = failingWindow(mid);
    if (attempt === undefined) passed = mid;
    else {
      failed = mid;
      found = attempt;
    }
  }
  return { subset: found, verified: true };
}

/** Removes operations (halves, then quarters, ... then single ones) while what is left stays not linearizable. */
function shrink(subset: readonly PreparedOp[], windowMaxSteps: number): PreparedOp[] {
  let current = [...subset];
  for (let chunk = Math.ceil(current.length / 2); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let i = 0; i < current.length;) {
      const candidate = [...current.slice(0, i), ...current.slice(i + chunk)];
      if (candidate.length > 0 && search(candidate, ANY, windowMaxSteps, true).kind === 'fail') current = candidate;
      else i += chunk;
    }
  }
  return current;
}

/** Checks one register's operations. */
export function checkRegister(ops: readonly RegisterOp[], options: RegisterCheckOptions = {}): LinearizabilityResult {
  const p = prepare(ops);
  const initial = initialId(p, options.initial === undefined ? 'unknown' : options.initial);
  const outcome = search(p.ops, initial, options.maxSteps ?? DEFAULT_MAX_STEPS, false);
  if (outcome.kind === 'ok') return { kind: 'linearizable', steps: outcome.steps, checkedOps: p.ops.length };
  if (outcome.kind === 'unknown') {
    return { kind: 'unknown', steps: outcome.steps, reason: `search gave up after ${outcome.steps} steps (${p.ops.length} operations)` };
  }
  const windowMaxSteps = options.windowMaxSteps ?? DEFAULT_WINDOW_MAX_STEPS;
  const { subset, verified } = findWindow(p, outcome.culprit, initial, windowMaxSteps);
  const minimal = verified ? shrink(subset, windowMaxSteps) : subset;
  return {
    kind: 'not-linearizable',
    steps: outcome.steps,
    culprit: outcome.culprit.source,
    window: minimal.map((op) => op.source),
    windowVerified: verified,
    closedWindowSize: subset.length,
  };
}
