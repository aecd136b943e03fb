// The BG/NBD model of repeat purchasing (P. S. Fader, B. G. S. Hardie & K. L. Lee 2005, "'Counting Your Customers'
// the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275–284; the numerically stable
// form of the likelihood from Fader & Hardie's note "Implementing the BG/NBD Model for Customer Base Analysis in
// Excel", 2005). Time is in weeks throughout (as the literature reports α). Pure, no I/O, no clock.
//
// Model: while active, a customer buys as a Poisson process with rate λ ~ Gamma(shape r, rate α); after each
// purchase they become inactive with probability p ~ Beta(a, b). A customer is summarised by (x, t_x, T): x repeat
// purchases, the last at t_x, observed over (0, T].
//
// Likelihood (paper eq. 6):
//   L(r, α, a, b | x, t_x, T) = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
//                              + δ_{x>0} · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x)).
// Computed in logs: ln L = D + ln(e^A1 + δ_{x>0} e^A2) with
//   D  = ln Γ(r+x) − ln Γ(r) + r ln α,
//   A1 = ln B(a, b+x) − ln B(a, b) − (r+x) ln(α+T),
//   A2 = ln B(a+1, b+x−1) − ln B(a, b) − (r+x) ln(α+t_x),
// and ln(e^A1 + e^A2) = m + ln(e^(A1−m) + e^(A2−m)), m = max(A1, A2) (log-sum-exp).
//
// Conditional expectation of purchases in (T, T+t] (paper eq. 10):
//   E[X(t) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
//                         / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
// Probability of being active at T (Fader, Hardie & Lee 2005 note "Computing P(alive) using the BG/NBD model"):
//   P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
//
// Fit: maximum likelihood by Nelder–Mead (./optimise) on (ln r, ln α, logit m, ln s), where m = a/(a+b) is the mean
// dropout probability per purchase and s = a+b its concentration (so all four stay positive), starting from
// (r, α, a, b) = (1, mean T, 1, 1), with restarts. The dropout axes are the Beta distribution's mean and spread rather
// than ln a and ln b: a shop whose customers all drop out alike has its likelihood rising towards a, b → ∞ with
// a/(a+b) fixed (the Beta a point mass at m), a ridge along which a simplex in (ln a, ln b) crawls without end. Here
// that ridge is one axis; s is capped at MAX_CONCENTRATION (the Beta's variance m(1−m)/(s+1) is then nil for any
// shop), and when the free search ends beyond 10⁵ the limit is fitted as the three-parameter model it is (r, α, m with
// s at the cap) and the fit says so (`boundary`). Identical (x, t_x, T) rows are grouped and weighted by their count, and the ln Γ / ln B terms are
// computed once per distinct x, so an evaluation costs two logarithms and one log-sum-exp per distinct row.

import { hyp2f1 } from "./hypergeometric";
import { logGamma } from "./log-gamma";
import { nelderMead } from "./optimise";

export type BgNbdParams = { r: number; alpha: number; a: number; b: number };
/** One customer: x repeat purchases, the last at t_x, observed for T (weeks; 0 ≤ t_x ≤ T, x = 0 ⇒ t_x = 0). */
export type RfmSummary = { x: number; tx: number; T: number };

function checkSummary({ x, tx, T }: RfmSummary): void {
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`BG/NBD: x must be a whole number ≥ 0, got ${x}`);
  if (!Number.isFinite(T) || T <= 0) throw new RangeError(`BG/NBD: T must be positive, got ${T}`);
  if (!Number.isFinite(tx) || tx < 0 || tx > T) throw new RangeError(`BG/NBD: t_x must be in [0, T], got ${tx}`);
  if (x === 0 && tx !== 0) throw new RangeError(`BG/NBD: t_x must be 0 when x = 0, got ${tx}`);
}

function checkParams({ r, alpha, a, b }: BgNbdParams): void {
  for (const [name, v] of [
    ["r", r],
    ["alpha", alpha],
    ["a", a],
    ["b", b],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`BG/NBD: ${name} must be positive, got ${v}`);
  }
}

/** ln L for one customer (the stable form above). */
export function bgnbdLogLikelihood(params: BgNbdParams, customer: RfmSummary): number {
  checkParams(params);
  checkSummary(customer);
  return logLikelihoodUnchecked(params, customer.x, customer.tx, customer.T);
}

/** The terms that depend on the parameters only, computed once per evaluation of a total. */
type Shared = { lgr: number; rLogAlpha: number };

function shared({ r, alpha }: BgNbdParams): Shared {
  return { lgr: logGamma(r), rLogAlpha: r * Math.log(alpha) };
}

/**
 * ln B(a, b+k) − ln B(a, b) = Σ_{j<k} ln((b+j)/(a+b+j)) for k = 0 … maxX, as a running sum of log1p(−a/(a+b+j)).
 * Exact where the difference of two ln B would cancel: with a and b in the millions (a shop on the edge, see the
 * fit) each ln B is ~10⁷ and their difference lost every digit the optimiser needs.
 */
function betaRatios(a: number, b: number, maxX: number): Float64Array {
  const out = new Float64Array(maxX + 1);
  for (let j = 0; j < maxX; j++) out[j + 1] = out[j] + Math.log1p(-a / (a + b + j));
  return out;
}

/** ln B(a, b+x) − ln B(a, b) and ln B(a+1, b+x−1) − ln B(a, b) (x > 0) from the running sums. */
function betaTerms(a: number, b: number, x: number, ratios: Float64Array): [number, number] {
  const b1 = ratios[x];
  const b2 = x > 0 ? Math.log(a / (a + b + x - 1)) + ratios[x - 1] : 0;
  return [b1, b2];
}

function logLikelihoodUnchecked(params: BgNbdParams, x: number, tx: number, T: number, s = shared(params)): number {
  const { r, alpha, a, b } = params;
  const d = logGamma(r + x) - s.lgr + s.rLogAlpha;
  const [b1, b2] = betaTerms(a, b, x, betaRatios(a, b, x));
  const a1 = b1 - (r + x) * Math.log(alpha + T);
  if (x === 0) return d + a1;
  const a2 = b2 - (r + x) * Math.log(alpha + tx);
  const m = Math.max(a1, a2);
  return d + m + Math.log(Math.exp(a1 - m) + Math.exp(a2 - m));
}

/**
 * Customers grouped by x, then by identical (t_x, T) with a count, in flat arrays for a fast total. The distinct time
 * values (t_x and T alike) are listed once in `times`, each row pointing at its two: an evaluation takes ln(α + t) once
 * per distinct time (a few hundred with day-resolution times) instead of twice per row.
 */
type Grouped = {
  times: Float64Array;
  groups: { x: number; tx: Int32Array; T: Int32Array; count: Float64Array }[];
};

function group(customers: readonly RfmSummary[]): Grouped {
  const byX = new Map<number, Map<string, { tx: number; T: number; count: number }>>();
  const timeIndex = new Map<number, number>();
  const indexOf = (t: number) => {
    let i = timeIndex.get(t);
    if (i === undefined) timeIndex.set(t, (i = timeIndex.size));
    return i;
  };
  for (const c of customers) {
    checkSummary(c);
    let rows = byX.get(c.x);
    if (!rows) byX.set(c.x, (rows = new Map()));
    const key = `${c.tx}|${c.T}`;
    const row = rows.get(key);
    if (row) row.count++;
    else rows.set(key, { tx: indexOf(c.tx), T: indexOf(c.T), count: 1 });
  }
  return {
    times: Float64Array.from(timeIndex.keys()),
    groups: [...byX.entries()].map(([x, rows]) => {
      const list = [...rows.values()];
      return {
        x,
        tx: Int32Array.from(list, (r) => r.tx),
        T: Int32Array.from(list, (r) => r.T),
        count: Float64Array.from(list, (r) => r.count),
      };
    }),
  };
}

/** Σ count · ln L: the terms that depend on x only (ln Γ, ln B) are computed once per x, ln(α + t) once per t. */
function totalGrouped(params: BgNbdParams, { times, groups }: Grouped): number {
  const { r, alpha, a, b } = params;
  const s = shared(params);
  const logs = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) logs[i] = Math.log(alpha + times[i]);
  let maxX = 0;
  for (const g of groups) if (g.x > maxX) maxX = g.x;
  const ratios = betaRatios(a, b, maxX);
  let sum = 0;
  for (const { x, tx, T, count } of groups) {
    const d = logGamma(r + x) - s.lgr + s.rLogAlpha;
    const [b1, b2] = betaTerms(a, b, x, ratios);
    const power = r + x;
    let groupSum = 0;
    for (let i = 0; i < T.length; i++) {
      const a1 = b1 - power * logs[T[i]];
      if (x === 0) {
        groupSum += count[i] * a1;
        continue;
      }
      const a2 = b2 - power * logs[tx[i]];
      const m = a1 > a2 ? a1 : a2;
      groupSum += count[i] * (m + Math.log1p(Math.exp(-Math.abs(a1 - a2))));
    }
    let n = 0;
    for (let i = 0; i < count.length; i++) n += count[i];
    sum += groupSum + n * d;
  }
  return sum;
}

/** Σ ln L over the customers. */
export function bgnbdTotalLogLikelihood(params: BgNbdParams, customers: readonly RfmSummary[]): number {
  checkParams(params);
  return totalGrouped(params, group(customers));
}

export type BgNbdFit = {
  params: BgNbdParams;
  logLikelihood: number;
  converged: boolean;
  evaluations: number;
  /** The optimum lies on the edge a + b → ∞ (every customer drops out with the same probability a/(a+b)): the fit
   * stopped on the ridge towards it (a + b above 10⁶). The predictions are those of that limit. */
  boundary: boolean;
};

/** The cap on a + b (the Beta's concentration); see the fit's comment at the top of this file. */
export const MAX_CONCENTRATION = 1e6;
const LOG_MAX_CONCENTRATION = Math.log(MAX_CONCENTRATION);
/** Beyond this a + b the Beta's spread is nil for any shop (its standard deviation below 0.001): on the edge. */
const LOG_BOUNDARY_CONCENTRATION = Math.log(1e5);

/**
 * Maximum-likelihood fit; throws if there are no customers or none with a repeat purchase (nothing to fit).
 * `start`: a warm start near the expected optimum (e.g. the same shop's fit on more recent data), searched with a
 * smaller first simplex; the restarts still run until one stops improving, so it changes the cost, not the optimum.
 */
export function fitBgNbd(customers: readonly RfmSummary[], { start }: { start?: BgNbdParams } = {}): BgNbdFit {
  if (customers.length === 0) throw new RangeError("BG/NBD: no customers to fit");
  if (!customers.some((c) => c.x > 0)) throw new RangeError("BG/NBD: no customer has a repeat purchase; cannot fit");
  const rows = group(customers);
  const meanT = customers.reduce((s, c) => s + c.T, 0) / customers.length;
  // v = (ln r, ln α, logit m, ln s): a = m·s, b = (1 − m)·s.
  const fromVector = (v: number[]): BgNbdParams => {
    const m = 1 / (1 + Math.exp(-v[2]));
    const concentration = Math.exp(v[3]);
    return { r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: m * concentration, b: (1 - m) * concentration };
  };
  const toVector = (p: BgNbdParams): number[] => [
    Math.log(p.r),
    Math.log(p.alpha),
    Math.log(p.a) - Math.log(p.b),
    Math.min(Math.log(p.a + p.b), LOG_MAX_CONCENTRATION),
  ];
  const objective = (v: number[]) => {
    if (Math.abs(v[0]) > 30 || Math.abs(v[1]) > 30 || Math.abs(v[2]) > 30) return Number.POSITIVE_INFINITY;
    if (v[3] < -30 || v[3] > LOG_MAX_CONCENTRATION) return Number.POSITIVE_INFINITY;
    const p = fromVector(v);
    if (!(p.a > 0 && p.b > 0)) return Number.POSITIVE_INFINITY;
    return -totalGrouped(p, rows);
  };
  const from = start ? toVector(start) : [0, Math.log(meanT), 0, Math.log(2)];
  const options = { step: start ? 0.2 : 1, fTolerance: 1e-12, xTolerance: 1e-9 };
  const free = nelderMead(objective, from, options);
  if (!(free.x[3] > LOG_BOUNDARY_CONCENTRATION))
    return {
      params: fromVector(free.x),
      logLikelihood: -free.value,
      converged: free.converged,
      evaluations: free.evaluations,
      boundary: false,
    };
  // On the ridge: a simplex pressed against the cap stalls, so the limit is fitted as what it is — three parameters
  // (r, α, m) with a + b at the cap — from where the free search stopped.
  const edge = nelderMead((v) => objective([v[0], v[1], v[2], LOG_MAX_CONCENTRATION]), free.x.slice(0, 3), options);
  const best = edge.value <= free.value;
  return {
    params: fromVector(best ? [...edge.x, LOG_MAX_CONCENTRATION] : free.x),
    logLikelihood: -(best ? edge.value : free.value),
    converged: edge.converged,
    evaluations: free.evaluations + edge.evaluations,
    boundary: true,
  };
}

/** P(alive | x, t_x, T). */
export function bgnbdProbabilityAlive(params: BgNbdParams, customer: RfmSummary): number {
  checkParams(params);
  checkSummary(customer);
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  if (x === 0) return 1;
  const logTerm = Math.log(a / (b + x - 1)) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logTerm));
}

/** E[X(t) | x, t_x, T]: expected purchases in the next t weeks. */
export function bgnbdConditionalExpectedPurchases(params: BgNbdParams, customer: RfmSummary, t: number): number {
  checkParams(params);
  checkSummary(customer);
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`BG/NBD: t must be ≥ 0, got ${t}`);
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  const z = t / (alpha + T + t);
  const power = Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t)));
  const numerator = ((a + b + x - 1) / (a - 1)) * (1 - power * hyp2f1(r + x, b + x, a + b + x - 1, z));
  const denominator =
    x > 0 ? 1 + (a / (b + x - 1)) * Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))) : 1;
  return numerator / denominator;
}

/** E[X(t)] for a new customer (paper eq. 7): (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]. */
export function bgnbdExpectedPurchases(params: BgNbdParams, t: number): number {
  checkParams(params);
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`BG/NBD: t must be ≥ 0, got ${t}`);
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  const power = Math.exp(r * (Math.log(alpha) - Math.log(alpha + t)));
  return ((a + b - 1) / (a - 1)) * (1 - power * hyp2f1(r, b, a + b - 1, t / (alpha + t)));
}
