// The natural logarithm of the gamma function, ln Γ(x), for real x > 0, and ln B(a, b) built on it.
//
// Lanczos approximation (C. Lanczos 1964, "A precision approximation of the gamma function", SIAM J. Numer. Anal.
// B 1, 86–96) with g = 7 and the nine coefficients in common use (Numerical Recipes 3rd ed. §6.1 lists the same
// family; these are P. Godfrey's): for z = x − 1,
//   Γ(z + 1) = √(2π) · (z + g + ½)^(z + ½) · e^−(z + g + ½) · A_g(z),  A_g(z) = c₀ + Σ_{k=1..8} c_k / (z + k),
// so ln Γ(x) = ½ ln 2π + (z + ½) ln(z + g + ½) − (z + g + ½) + ln A_g(z). Relative error below 1e-15 for x ≥ ½;
// for 0 < x < ½ the reflection formula Γ(x) Γ(1 − x) = π / sin(πx) is used. Pure, no I/O.

const G = 7;
const COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (finite); throws a RangeError otherwise. */
export function logGamma(x: number): number {
  if (!Number.isFinite(x) || x <= 0) throw new RangeError(`logGamma: x must be a finite positive number, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = COEFFICIENTS[0];
  for (let k = 1; k < COEFFICIENTS.length; k++) sum += COEFFICIENTS[k] / (z + k);
  const t = z + G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}
