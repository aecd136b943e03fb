// The Gamma-Gamma model of spend per transaction (P. S. Fader, B. G. S. Hardie & K. L. Lee 2005, "RFM and CLV:
// Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 415–430, §"Adding
// Monetary Value"; and Fader & Hardie's note "The Gamma-Gamma Model of Monetary Value", 2013). Pure, no I/O.
//
// Model, (p, q, γ) parameterisation: a customer's transaction values are z_i ~ Gamma(shape p, rate ν); across
// customers ν ~ Gamma(shape q, rate γ). Only customers with x > 0 repeat transactions are used, summarised by x and
// their mean repeat-transaction value m = z̄ (the sum of x values is then Gamma(px, ν)). The density of m given x:
//   f(m | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m^(px−1) · x^(px) / (γ + m x)^(px+q),
// so ln f = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x).
// Conditional expected average transaction value (paper eq. 5):
//   E[Z | p, q, γ, m, x] = p (γ + m x) / (p x + q − 1)
//                        = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m   (a weighted mean of the population
//                          mean pγ/(q−1) and the customer's own mean; requires px + q > 1).
// Fit: maximum likelihood by Nelder–Mead (./optimise) on ln p, ln q, ln γ, starting from (1, 1, mean m), restarts.

import { logGamma } from "./log-gamma";
import { nelderMead } from "./optimise";

export type GammaGammaParams = { p: number; q: number; gamma: number };
/** A customer with x ≥ 1 repeat transactions of mean value m > 0 (any currency unit, as a number). */
export type SpendSummary = { x: number; m: number };

function checkParams({ p, q, gamma }: GammaGammaParams): void {
  for (const [name, v] of [
    ["p", p],
    ["q", q],
    ["gamma", gamma],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`Gamma-Gamma: ${name} must be positive, got ${v}`);
  }
}

function checkSummary({ x, m }: SpendSummary): void {
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`Gamma-Gamma: x must be a whole number ≥ 1, got ${x}`);
  if (!Number.isFinite(m) || m <= 0) throw new RangeError(`Gamma-Gamma: mean spend must be positive, got ${m}`);
}

function logDensity({ p, q, gamma }: GammaGammaParams, x: number, m: number): number {
  const px = p * x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(gamma) +
    (px - 1) * Math.log(m) +
    px * Math.log(x) -
    (px + q) * Math.log(gamma + m * x)
  );
}

/** ln f(m | p, q, γ, x) for one customer. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customer: SpendSummary): number {
  checkParams(params);
  checkSummary(customer);
  return logDensity(params, customer.x, customer.m);
}

/** Σ ln f over the customers (each must have x ≥ 1 and m > 0). */
export function gammaGammaTotalLogLikelihood(params: GammaGammaParams, customers: readonly SpendSummary[]): number {
  checkParams(params);
  let sum = 0;
  for (const c of customers) {
    checkSummary(c);
    sum += logDensity(params, c.x, c.m);
  }
  return sum;
}

export type GammaGammaFit = { params: GammaGammaParams; logLikelihood: number; converged: boolean; customers: number };

/** Maximum-likelihood fit on customers with x ≥ 1; throws if there are none. */
export function fitGammaGamma(customers: readonly SpendSummary[]): GammaGammaFit {
  if (customers.length === 0) throw new RangeError("Gamma-Gamma: no customer with a repeat purchase to fit");
  customers.forEach(checkSummary);
  const meanM = customers.reduce((s, c) => s + c.m, 0) / customers.length;
  const fromLogs = (v: number[]): GammaGammaParams => ({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) });
  // The ln Γ terms depend on x only: computed once per distinct x per evaluation (weighted by the count), and
  // ln m, ln x once per customer; each evaluation then costs one logarithm per customer. Equal to Σ logDensity.
  const counts = new Map<number, number>();
  for (const c of customers) counts.set(c.x, (counts.get(c.x) ?? 0) + 1);
  const byX = [...counts];
  const xs = Float64Array.from(customers, (c) => c.x);
  const ms = Float64Array.from(customers, (c) => c.m);
  const logMs = Float64Array.from(customers, (c) => Math.log(c.m));
  const objective = (v: number[]) => {
    if (v.some((u) => Math.abs(u) > 30)) return Number.POSITIVE_INFINITY;
    const { p, q, gamma } = fromLogs(v);
    const logGammaRate = Math.log(gamma);
    const lgq = logGamma(q);
    let sum = 0;
    for (const [x, n] of byX) {
      const px = p * x;
      sum += n * (logGamma(px + q) - logGamma(px) - lgq + q * logGammaRate + px * Math.log(x));
    }
    for (let i = 0; i < xs.length; i++) {
      const px = p * xs[i];
      sum += (px - 1) * logMs[i] - (px + q) * Math.log(gamma + ms[i] * xs[i]);
    }
    return -sum;
  };
  const result = nelderMead(objective, [0, 0, Math.log(meanM)], { step: 1, fTolerance: 1e-12, xTolerance: 1e-9 });
  return {
    params: fromLogs(result.x),
    logLikelihood: -result.value,
    converged: result.converged,
    customers: customers.length,
  };
}

/** E[Z | p, q, γ, m, x]: the expected value of this customer's future transactions (needs p x + q > 1). */
export function gammaGammaConditionalExpectedSpend(params: GammaGammaParams, customer: SpendSummary): number {
  checkParams(params);
  checkSummary(customer);
  const { p, q, gamma } = params;
  const denominator = p * customer.x + q - 1;
  if (denominator <= 0) throw new RangeError("Gamma-Gamma: expected spend undefined when p x + q ≤ 1");
  return (p * (gamma + customer.m * customer.x)) / denominator;
}
