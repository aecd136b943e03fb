// The Gaussian hypergeometric function 2F1(a, b; c; z) = Σ_{n≥0} (a)_n (b)_n / ((c)_n n!) zⁿ by its power series,
// for real a, b, c (c not 0, −1, −2, …) and 0 ≤ z < 1 (the only range the BG/NBD conditional expectation needs:
// z = t / (α + T + t)). Terms follow the recurrence term_{n+1} = term_n · (a + n)(b + n) / ((c + n)(n + 1)) · z.
// The sum stops when a term is below 1e-15 of the sum once the ratio of successive terms is below 1 (from then on
// the tail is bounded by term · ratio / (1 − ratio), which is checked too); if that does not happen within
// maxTerms it throws instead of returning an unconverged number. Pure, no I/O.

export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): number {
  if (![a, b, c, z].every(Number.isFinite)) throw new RangeError("hyp2f1: arguments must be finite");
  if (z < 0 || z >= 1) throw new RangeError(`hyp2f1: z must be in [0, 1), got ${z}`);
  if (c <= 0 && Number.isInteger(c)) throw new RangeError(`hyp2f1: c must not be 0 or a negative integer, got ${c}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return sum;
    const nextRatio = Math.abs((((a + n + 1) * (b + n + 1)) / ((c + n + 1) * (n + 2))) * z);
    if (nextRatio < 1 && n + 1 > Math.abs(a) + Math.abs(b) + Math.abs(c)) {
      // Beyond n ≈ |a|+|b|+|c| the ratios move monotonically towards z < 1 (from above or below), so every later ratio
      // is at most max(nextRatio, z) and the tail is at most a geometric series with that ratio.
      const bound = Math.max(nextRatio, z);
      const tail = (Math.abs(term) * bound) / (1 - bound);
      if (tail <= 1e-15 * Math.abs(sum)) return sum;
    }
  }
  throw new Error(`hyp2f1: series did not converge in ${maxTerms} terms (a=${a}, b=${b}, c=${c}, z=${z})`);
}
