// Seeded simulation of the BG/NBD and Gamma-Gamma generative stories, for parameter-recovery tests and synthetic
// shops. Deterministic for a seed (mulberry32 PRNG), pure, no I/O, no clock. Time in weeks.
//
// BG/NBD (Fader, Hardie & Lee 2005, §2): per customer λ ~ Gamma(shape r, rate α), p ~ Beta(a, b); purchases while
// active follow a Poisson process with rate λ (exponential gaps); after each purchase (the first, at time 0, is
// not a "repeat" and cannot end the relationship) the customer drops out with probability p. Observed over (0, T].
// Gamma-Gamma: ν ~ Gamma(shape q, rate γ) per customer; each transaction value ~ Gamma(shape p, rate ν).

import type { BgNbdParams, RfmSummary } from "./bgnbd";
import type { GammaGammaParams } from "./gamma-gamma";

/** mulberry32: a small, well-mixed 32-bit PRNG; returns uniforms in (0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return u === 0 ? 0.5 / 4294967296 : u;
  };
}

/** A standard normal by Box–Muller. */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000), with the u^(1/shape) boost for shape < 1. */
export function gammaVariate(random: () => number, shape: number, rate: number): number {
  if (!(shape > 0) || !(rate > 0)) throw new RangeError("gammaVariate: shape and rate must be positive");
  if (shape < 1) return gammaVariate(random, shape + 1, rate) * Math.pow(random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  while (true) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** Beta(a, b) as G₁ / (G₁ + G₂). */
export function betaVariate(random: () => number, a: number, b: number): number {
  const g1 = gammaVariate(random, a, 1);
  const g2 = gammaVariate(random, b, 1);
  return g1 / (g1 + g2);
}

/** One simulated customer observed for T weeks: x repeat purchases, the last at t_x. */
export function simulateBgNbdCustomer(random: () => number, params: BgNbdParams, T: number): RfmSummary {
  const lambda = gammaVariate(random, params.r, params.alpha);
  const p = betaVariate(random, params.a, params.b);
  let time = 0;
  let x = 0;
  let tx = 0;
  while (true) {
    time += -Math.log(random()) / lambda;
    if (time > T) break;
    x++;
    tx = time;
    if (random() < p) break;
  }
  return { x, tx, T };
}

/** Customers observed for the given lengths T (weeks). */
export function simulateBgNbd(seed: number, params: BgNbdParams, lengths: readonly number[]): RfmSummary[] {
  const random = mulberry32(seed);
  return lengths.map((T) => simulateBgNbdCustomer(random, params, T));
}

/** For each x ≥ 1, the mean of x simulated transaction values of one customer. */
export function simulateMeanSpend(seed: number, params: GammaGammaParams, counts: readonly number[]): number[] {
  const random = mulberry32(seed);
  return counts.map((x) => {
    const nu = gammaVariate(random, params.q, params.gamma);
    let sum = 0;
    for (let i = 0; i < x; i++) sum += gammaVariate(random, params.p, nu);
    return sum / x;
  });
}
