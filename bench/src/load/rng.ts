/**
 * A seeded pseudo-random generator (sfc32 seeded through splitmix32): the same seed gives the same
 * data set and the same load schedule on every machine. Not for anything secret.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number, ...streams: number[]) {
    let state = hashInts(seed, ...streams);
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** The waiting time before the next arrival of a Poisson process of `ratePerMs` events per ms. */
  exponential(ratePerMs: number): number {
    return -Math.log(1 - this.next()) / ratePerMs;
  }

  /** A standard normal deviate (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `count` distinct integers from [0, n), in random order. */
  sample(n: number, count: number): number[] {
    if (count > n) throw new Error(`cannot sample ${count} of ${n}`);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(this.int(n));
    return [...chosen];
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/** A 32-bit hash of some integers (murmur3's finaliser over each). */
export function hashInts(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const value of values) {
    let k = Math.imul(value | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // Values above 2^32 (e.g. large seeds) contribute their high part too.
    h ^= Math.floor(value / 4294967296) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// Meteor's Random.id() alphabet, as Parley's own ids use (apps/server/src/domain/shared/ids.ts).
const UNMISTAKABLE = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * A 17-character id that is a pure function of its inputs, so the n-th message of a build gets the
 * same id every time: 10 pseudo-random characters, then `n` in base 55 (unique per `kind` for
 * n < 55^7 ≈ 1.5e12).
 */
export function stableId(seed: number, kind: number, n: number): string {
  const rng = new Rng(seed, kind, n);
  let id = '';
  for (let i = 0; i < 10; i++) id += UNMISTAKABLE[rng.int(UNMISTAKABLE.length)];
  let rest = n;
  for (let i = 0; i < 7; i++) {
    id += UNMISTAKABLE[rest % UNMISTAKABLE.length];
    rest = Math.floor(rest / UNMISTAKABLE.length);
  }
  return id;
}
