// Seedable pseudo-random generator: xoshiro128** (Blackman & Vigna 2018), seeded
// through splitmix32 so that nearby seeds give unrelated streams. Its whole state is
// four 32-bit words plus a cached normal deviate, so it can be saved in a checkpoint
// and restored exactly.

import { ArgumentError } from '../errors.js';

/** The complete, serialisable state of a `Generator`. */
export interface GeneratorState {
  readonly s: readonly [number, number, number, number];
  /** Second Box–Muller deviate kept for the next call to `normal()`, or null. */
  readonly spare: number | null;
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the generator to the stream of `seed` (any finite integer). */
  seed(seed: number): void {
    if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
      throw new ArgumentError('Generator.seed', 'seed', 'a finite integer', seed);
    }
    // Fold the high bits in so that seeds above 2^32 still differ.
    const next = splitmix32((seed >>> 0) ^ Math.floor(seed / 4294967296));
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /**
   * Fills `out` with the next `out.length` values of `nextUint32()` (the same stream, with
   * the state kept in locals: the fast path of bulk draws such as dropout masks).
   */
  fillUint32(out: Uint32Array): Uint32Array {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
    return out;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal deviate (Box–Muller, both deviates used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    do u = this.uniform();
    while (u === 0);
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new ArgumentError('Generator.int', 'n', 'a positive integer', n);
    return Math.floor(this.uniform() * n);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  getState(): GeneratorState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  setState(state: GeneratorState): void {
    const s = state.s;
    if (!Array.isArray(s) || s.length !== 4 || !s.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) {
      throw new ArgumentError('Generator.setState', 'state.s', 'four unsigned 32-bit integers', s);
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) {
      throw new ArgumentError('Generator.setState', 'state.s', 'not all zero', s);
    }
    if (state.spare !== null && !Number.isFinite(state.spare)) {
      throw new ArgumentError('Generator.setState', 'state.spare', 'a finite number or null', state.spare);
    }
    [this.s0, this.s1, this.s2, this.s3] = s;
    this.spare = state.spare;
  }

  clone(): Generator {
    const g = new Generator();
    g.setState(this.getState());
    return g;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The library-wide default generator, used when no generator is passed. */
export const defaultGenerator = new Generator(0x5eed);

/** Seeds the default generator (the equivalent of `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  defaultGenerator.seed(seed);
}
