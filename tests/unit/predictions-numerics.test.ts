// The numerical building blocks of app/domain/predictions: ln Γ (Lanczos), the 2F1 series and Nelder–Mead, each
// against values known in closed form or to published precision.
import { describe, expect, it } from "vitest";
import { hyp2f1 } from "../../app/domain/predictions/hypergeometric";
import { logBeta, logGamma } from "../../app/domain/predictions/log-gamma";
import { nelderMead } from "../../app/domain/predictions/optimise";

/** ln(n!) as Σ ln k, independent of the Lanczos series. */
function logFactorial(n: number): number {
  let sum = 0;
  for (let k = 2; k <= n; k++) sum += Math.log(k);
  return sum;
}

describe("logGamma", () => {
  it("equals ln((n−1)!) at the integers 1..170", () => {
    for (let n = 1; n <= 170; n++) {
      expect(Math.abs(logGamma(n) - logFactorial(n - 1))).toBeLessThanOrEqual(1e-13 * Math.max(1, logFactorial(n - 1)));
    }
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
  });

  it("matches known non-integer values", () => {
    // Γ(½) = √π; Γ(3/2) = √π/2; Γ(1/3) = 2.678938534707747…; ln Γ(0.1) = 2.252712651734206; ln Γ(ε) = −ln ε − γε + (π²/12)ε² + O(ε³).
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(1.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 14);
    expect(logGamma(1 / 3)).toBeCloseTo(Math.log(2.678938534707747), 13);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13);
    expect(logGamma(1e-5)).toBeCloseTo(-Math.log(1e-5) - 0.5772156649015329 * 1e-5 + (Math.PI ** 2 / 12) * 1e-10, 12);
    // Γ(n + ½) = (2n)! √π / (4ⁿ n!)
    const n = 100;
    const halfInteger = logFactorial(2 * n) + 0.5 * Math.log(Math.PI) - n * Math.log(4) - logFactorial(n);
    expect(logGamma(n + 0.5)).toBeCloseTo(halfInteger, 10);
  });

  it("satisfies Γ(x+1) = x Γ(x) across the range used by the models", () => {
    for (const x of [0.013, 0.243, 0.793, 1.7, 2.426, 6.25, 15.44, 39.5, 250.25, 4000.1]) {
      expect(logGamma(x + 1) - logGamma(x) - Math.log(x)).toBeCloseTo(0, 11);
    }
  });

  it("refuses x ≤ 0 and non-finite x", () => {
    for (const bad of [0, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => logGamma(bad)).toThrow(RangeError);
  });

  it("logBeta matches B(a, b) = (a−1)!(b−1)!/(a+b−1)! and B(½, ½) = π", () => {
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
    expect(logBeta(5, 7)).toBeCloseTo(Math.log((24 * 720) / 39916800), 13);
    expect(logBeta(0.5, 0.5)).toBeCloseTo(Math.log(Math.PI), 14);
  });
});

describe("hyp2f1 (power series, 0 ≤ z < 1)", () => {
  it("matches closed forms", () => {
    for (const z of [0, 1e-8, 0.1, 0.5, 0.9, 0.99, 0.999]) {
      // 2F1(1, 1; 2; z) = −ln(1−z)/z
      const expected = z === 0 ? 1 : -Math.log1p(-z) / z;
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(expected, 10);
      // 2F1(a, b; b; z) = (1−z)^−a
      expect(hyp2f1(0.7, 3.3, 3.3, z) / Math.pow(1 - z, -0.7)).toBeCloseTo(1, 11);
    }
    // 2F1(½, ½; 3/2; s²) = arcsin(s)/s
    for (const s of [0.2, 0.6, 0.95]) expect(hyp2f1(0.5, 0.5, 1.5, s * s)).toBeCloseTo(Math.asin(s) / s, 11);
    // Terminating series: 2F1(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
    expect(hyp2f1(-2, 3, 4, 0.5)).toBeCloseTo(1 - (2 * 3 * 0.5) / 4 + (3 * 4 * 0.25) / (4 * 5), 14);
  });

  it("handles c below a + b (the BG/NBD case a+b+x−1 with a < 1) and a negative non-integer c", () => {
    // Gauss's contiguous relation check: c(c−1)(z−1)F(c−1) + c[c−1−(2c−a−b−1)z]F(c) + (c−a)(c−b)zF(c+1) = 0
    const a = 2.243;
    const b = 3.426;
    const z = 0.47;
    for (const c of [2.219, 0.219, -0.781]) {
      const lhs =
        c * (c - 1) * (z - 1) * hyp2f1(a, b, c - 1, z) +
        c * (c - 1 - (2 * c - a - b - 1) * z) * hyp2f1(a, b, c, z) +
        (c - a) * (c - b) * z * hyp2f1(a, b, c + 1, z);
      expect(Math.abs(lhs)).toBeLessThan(1e-8 * Math.abs(c * (c - 1) * hyp2f1(a, b, c, z)) + 1e-10);
    }
  });

  it("b and c in the millions (a BG/NBD fit on its edge): converges at once, to the confluent limit (1 − (b/c)z)^−a", () => {
    // The demo shop's case: the old stopping rule waited for n > |a|+|b|+|c| (~1.9M terms) and threw.
    const [a, b, c, z] = [0.10907801281285412, 912207.6431463893, 999998.9999999995, 0.9831041981332244];
    const value = hyp2f1(a, b, c, z);
    expect(value / Math.pow(1 - (b / c) * z, -a)).toBeCloseTo(1, 5);
    // The same series summed far past any doubt agrees to the last digits.
    let term = 1;
    let sum = 1;
    for (let n = 0; n < 20_000; n++) {
      term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
      sum += term;
    }
    expect(value).toBeCloseTo(sum, 12);
  });

  it("refuses z outside [0, 1), c a non-positive integer, and a series that has not converged", () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, -0.1)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, 0.999, 50)).toThrow(/did not converge/);
  });
});

describe("nelderMead", () => {
  const rosenbrock = (v: number[]) => {
    let sum = 0;
    for (let i = 0; i + 1 < v.length; i++) sum += 100 * (v[i + 1] - v[i] * v[i]) ** 2 + (1 - v[i]) ** 2;
    return sum;
  };

  it("finds the minimum of the 2-D Rosenbrock function from (−1.2, 1)", () => {
    const result = nelderMead(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
  });

  it("finds the minimum of the 4-D Rosenbrock function (the restarts matter here)", () => {
    const result = nelderMead(rosenbrock, [-1.2, 1, -1.2, 1], { maxEvaluations: 50000 });
    expect(result.converged).toBe(true);
    for (const v of result.x) expect(v).toBeCloseTo(1, 5);
  });

  it("finds the minimum of a shifted, scaled quadratic", () => {
    const f = (v: number[]) => (v[0] - 3) ** 2 + 10 * (v[1] + 2) ** 2 + 0.1 * (v[2] - 0.5) ** 2 + v[0] * v[1] * 0;
    const result = nelderMead(f, [0, 0, 0]);
    expect(result.x[0]).toBeCloseTo(3, 5);
    expect(result.x[1]).toBeCloseTo(-2, 5);
    expect(result.x[2]).toBeCloseTo(0.5, 4);
  });

  it("moves away from points where the objective is undefined (NaN / Infinity)", () => {
    const f = (v: number[]) => (v[0] <= 0 ? Number.NaN : (Math.log(v[0]) - 1) ** 2);
    const result = nelderMead(f, [0.5], { step: 2 });
    expect(result.x[0]).toBeCloseTo(Math.E, 5);
  });

  it("reports no convergence when the evaluation budget runs out", () => {
    const result = nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 20, maxRestarts: 0 });
    expect(result.converged).toBe(false);
  });

  it("refuses an empty or non-finite start and mismatched steps", () => {
    expect(() => nelderMead(rosenbrock, [])).toThrow(RangeError);
    expect(() => nelderMead(rosenbrock, [Number.NaN, 1])).toThrow(RangeError);
    expect(() => nelderMead(rosenbrock, [0, 1], { step: [1] })).toThrow(RangeError);
  });
});
