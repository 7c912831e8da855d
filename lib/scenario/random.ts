// A tiny seeded PRNG (xoshiro128**), so random target choices can be replayed with --seed.
import { randomBytes } from 'node:crypto';

/** A deterministic stream of random choices. */
export interface Random {
  /** The seed this stream was created from (print it; pass it to --seed to replay). */
  readonly seed: string;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** An independent stream derived from this seed and a label (e.g. a step path), unaffected by other draws. */
  fork(label: string): Random;
}

export type SeedState = readonly [number, number, number, number];

/** Hashes any text into 128 bits of generator state (cyrb128). */
export function seedFromString(text: string): SeedState {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  const state: SeedState = [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
  // xoshiro must not start from the all-zero state.
  return state.every((word) => word === 0) ? [1, 0, 0, 0] : state;
}

/** A fresh seed: 8 hex digits, short enough to type. */
export function randomSeed(): string {
  return randomBytes(4).toString('hex');
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** The raw xoshiro128** generator: uint32 outputs from a 128-bit state. */
export function xoshiro128ss(state: SeedState): () => number {
  let [a, b, c, d] = state;
  return (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
}

/** A generator for the given seed; the same seed always gives the same sequence. */
export function createRandom(seed: string): Random {
  const nextUint32 = xoshiro128ss(seedFromString(seed));
  const random: Random = {
    seed,
    next: () => nextUint32() / 4294967296,
    int(maxExclusive) {
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) throw new RangeError(`int(${maxExclusive}): need a positive integer`);
      return Math.floor(random.next() * maxExclusive);
    },
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick() from an empty list');
      return items[random.int(items.length)] as T;
    },
    fork: (label) => createRandom(`${seed}/${label}`),
  };
  return random;
}
