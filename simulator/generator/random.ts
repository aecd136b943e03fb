// Seeded pseudo-random numbers: sfc32 seeded through splitmix32, so a (seed, stream, index) triple always yields
// the same sequence. Every customer gets its own stream, which keeps one customer's data independent of how many
// numbers the others consumed.

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** 32-bit FNV-1a of a string: turns a textual seed into a number. */
export function hashSeed(seed: number | string): number {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer or a string, got ${seed}`);
    // Fold both halves of a large integer so 2^32 and 0 differ.
    return (Math.imul(Math.floor(seed / 0x1_0000_0000) >>> 0, 0x9e3779b1) ^ (seed >>> 0)) >>> 0;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  /**
   * sfc32's 128-bit state is seeded with the seed, the stream and the index as separate words, so two different
   * (stream, index) pairs can never start from the same state; the warm-up rounds mix them.
   */
  constructor(seed: number, stream = 0, index = 0) {
    if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff)
      throw new Error(`stream index out of range: ${index}`);
    this.a = splitmix32(seed)();
    this.b = stream >>> 0;
    this.c = index >>> 0;
    this.d = 1;
    for (let i = 0; i < 20; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** Index into `weights`, chosen with probability proportional to its weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const u = 1 - this.float(); // (0, 1]
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Failures before the first success, success probability p (mean (1 - p) / p). */
  geometric(p: number): number {
    if (p >= 1) return 0;
    return Math.floor(Math.log(1 - this.float()) / Math.log(1 - p));
  }
}

/** Streams: one per kind of thing generated, so adding a new stream never shifts an existing one. */
export const STREAM = {
  shop: 1,
  customer: 2,
  guest: 3,
} as const;
