// The Gaussian hypergeometric function 2F1(a, b; c; z) = Σ_{n≥0} (a)_n (b)_n / ((c)_n n!) zⁿ by its power series,
// for real a, b, c (c not 0, −1, −2, …) and 0 ≤ z < 1 (the only range the BG/NBD conditional expectation needs:
// z = t / (α + T + t)). Terms follow the recurrence term_{n+1} = term_n · (a + n)(b + n) / ((c + n)(n + 1)) · z.
// The sum stops once a bound on the whole remaining tail (a geometric series whose ratio bounds every later ratio of
// successive terms) is below 1e-15 of the sum; if that does not happen within
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
    const m = n + 1;
    if (m > Math.max(0, -a, -b, -c)) {
      // From here on every factor is positive and each of (a+k)/(k+1) and (b+k)/(c+k) is monotone in k (towards 1),
      // so every later ratio is at most z · max((a+m)/(m+1), 1) · max((b+m)/(c+m), 1) and the tail is at most a
      // geometric series with that ratio. (With b and c in the millions — a BG/NBD fit on its edge — the ratios rise
      // towards z over millions of terms while the terms themselves are long negligible: a bound that waited for
      // n > |a|+|b|+|c| never came.)
      const bound = z * Math.max((a + m) / (m + 1), 1) * Math.max((b + m) / (c + m), 1);
      if (bound < 1) {
        const tail = (Math.abs(term) * bound) / (1 - bound);
        if (tail <= 1e-15 * Math.abs(sum)) return sum;
      }
    }
  }
  throw new Error(`hyp2f1: series did not converge in ${maxTerms} terms (a=${a}, b=${b}, c=${c}, z=${z})`);
}
