// Parameter recovery: data simulated (seeded) from known BG/NBD and Gamma-Gamma parameters, fitted back.
// Tolerance: the fit must land within 4 standard errors of the truth on each log-parameter, the standard errors
// taken from the observed information (the inverse Hessian of −LL at the fit, by central differences). That is the
// estimator's own sampling spread for this sample size, so a correct fit fails it about once in 15,000 seeds per
// parameter while a biased likelihood or a stuck optimiser fails it; the standard errors themselves are asserted
// small, so the check has teeth.
import { describe, expect, it } from "vitest";
import { bgnbdTotalLogLikelihood, fitBgNbd, type BgNbdParams } from "../../app/domain/predictions/bgnbd";
import {
  fitGammaGamma,
  gammaGammaTotalLogLikelihood,
  type GammaGammaParams,
} from "../../app/domain/predictions/gamma-gamma";
import { mulberry32, simulateBgNbd, simulateMeanSpend } from "../../app/domain/predictions/simulate";

/** Hessian of f at v by central differences. */
function hessian(f: (v: number[]) => number, v: number[], h = 1e-4): number[][] {
  const n = v.length;
  const at = (di: number, si: number, dj: number, sj: number) => {
    const u = v.slice();
    u[di] += si * h;
    u[dj] += sj * h;
    return f(u);
  };
  const H: number[][] = [];
  for (let i = 0; i < n; i++) {
    H.push([]);
    for (let j = 0; j < n; j++) {
      H[i].push((at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h));
    }
  }
  return H;
}

/** Inverse by Gauss–Jordan with partial pivoting. */
function invert(matrix: number[][]): number[][] {
  const n = matrix.length;
  const m = matrix.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const d = m[col][col];
    for (let k = 0; k < 2 * n; k++) m[col][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r][col];
      for (let k = 0; k < 2 * n; k++) m[r][k] -= factor * m[col][k];
    }
  }
  return m.map((row) => row.slice(n));
}

function standardErrors(negLogLikelihood: (v: number[]) => number, at: number[]): number[] {
  const covariance = invert(hessian(negLogLikelihood, at));
  return covariance.map((row, i) => Math.sqrt(row[i]));
}

describe("parameter recovery", () => {
  it("the helpers: invert() inverts, hessian() of a known quadratic", () => {
    const A = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const inv = invert(A);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const product = A[i].reduce((s, a, k) => s + a * inv[k][j], 0);
        expect(product).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    const H = hessian((v) => 2 * v[0] ** 2 + v[0] * v[1] + 1.5 * v[1] ** 2, [0.3, -0.7]);
    expect(H[0][0]).toBeCloseTo(4, 5);
    expect(H[0][1]).toBeCloseTo(1, 5);
    expect(H[1][1]).toBeCloseTo(3, 5);
  });

  it("BG/NBD: 10,000 customers observed 26–78 weeks, r = 0.6, α = 6, a = 0.7, b = 2.8", () => {
    const truth: BgNbdParams = { r: 0.6, alpha: 6, a: 0.7, b: 2.8 };
    const random = mulberry32(7);
    const lengths = Array.from({ length: 10_000 }, () => 26 + 52 * random());
    const customers = simulateBgNbd(2026, truth, lengths);
    const fit = fitBgNbd(customers);
    expect(fit.converged).toBe(true);
    const names = ["r", "alpha", "a", "b"] as const;
    const logs = names.map((k) => Math.log(fit.params[k]));
    const negLl = (v: number[]) =>
      -bgnbdTotalLogLikelihood(
        { r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) },
        customers,
      );
    const se = standardErrors(negLl, logs);
    names.forEach((k, i) => {
      expect(se[i]).toBeGreaterThan(0);
      expect(se[i]).toBeLessThan(0.3);
      expect(Math.abs(logs[i] - Math.log(truth[k]))).toBeLessThan(4 * se[i]);
    });
    // The fit is the maximum: the truth's likelihood is not higher.
    expect(bgnbdTotalLogLikelihood(truth, customers)).toBeLessThanOrEqual(fit.logLikelihood + 1e-9);
  });

  it("Gamma-Gamma: 5,000 customers with 1–20 repeat purchases, p = 6, q = 4, γ = 15", () => {
    const truth: GammaGammaParams = { p: 6, q: 4, gamma: 15 };
    const random = mulberry32(11);
    const counts = Array.from({ length: 5_000 }, () => 1 + Math.floor(20 * random()));
    const means = simulateMeanSpend(2027, truth, counts);
    const customers = counts.map((x, i) => ({ x, m: means[i] }));
    const fit = fitGammaGamma(customers);
    expect(fit.converged).toBe(true);
    const names = ["p", "q", "gamma"] as const;
    const logs = names.map((k) => Math.log(fit.params[k]));
    const negLl = (v: number[]) =>
      -gammaGammaTotalLogLikelihood({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) }, customers);
    const se = standardErrors(negLl, logs);
    names.forEach((k, i) => {
      expect(se[i]).toBeGreaterThan(0);
      expect(se[i]).toBeLessThan(0.3);
      expect(Math.abs(logs[i] - Math.log(truth[k]))).toBeLessThan(4 * se[i]);
    });
    expect(gammaGammaTotalLogLikelihood(truth, customers)).toBeLessThanOrEqual(fit.logLikelihood + 1e-9);
  });
});
