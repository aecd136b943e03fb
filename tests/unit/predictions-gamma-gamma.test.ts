// Gamma-Gamma (app/domain/predictions/gamma-gamma.ts): the density of the mean spend against the formula evaluated
// directly (factorials), that it integrates to 1, and the conditional expected spend as the weighted mean it is.
import { describe, expect, it } from "vitest";
import {
  fitGammaGamma,
  gammaGammaConditionalExpectedSpend,
  gammaGammaLogLikelihood,
  gammaGammaTotalLogLikelihood,
  type GammaGammaParams,
} from "../../app/domain/predictions/gamma-gamma";

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
const P: GammaGammaParams = { p: 2, q: 3, gamma: 10 };

/** f(m | p, q, γ, x) = Γ(px+q)/(Γ(px)Γ(q)) γ^q m^(px−1) x^(px) / (γ + m x)^(px+q), whole px and q. */
function directDensity({ p, q, gamma }: GammaGammaParams, x: number, m: number): number {
  const px = p * x;
  return (
    ((factorial(px + q - 1) / (factorial(px - 1) * factorial(q - 1))) * gamma ** q * m ** (px - 1) * x ** px) /
    (gamma + m * x) ** (px + q)
  );
}

describe("Gamma-Gamma likelihood", () => {
  it("equals the density evaluated directly", () => {
    const data = [
      { x: 1, m: 12.5 },
      { x: 2, m: 3 },
      { x: 5, m: 40.25 },
    ];
    let total = 0;
    for (const c of data) {
      const direct = Math.log(directDensity(P, c.x, c.m));
      expect(gammaGammaLogLikelihood(P, c)).toBeCloseTo(direct, 12);
      total += direct;
    }
    expect(gammaGammaTotalLogLikelihood(P, data)).toBeCloseTo(total, 12);
    // By hand, x = 1, m = 10: Γ(5)/(Γ(2)Γ(3)) · 10³ · 10 / 20⁵ = 12 · 10⁴ / 3.2·10⁶ = 0.0375.
    expect(Math.exp(gammaGammaLogLikelihood(P, { x: 1, m: 10 }))).toBeCloseTo(0.0375, 14);
  });

  it("is a density in m: it integrates to 1 for each x (non-integer parameters)", () => {
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    for (const x of [1, 3, 10]) {
      // Trapezoid on m = e^u, dm = e^u du, u from ln 1e-6 to ln 1e7.
      let integral = 0;
      const steps = 20000;
      const lo = Math.log(1e-6);
      const hi = Math.log(1e7);
      const h = (hi - lo) / steps;
      for (let i = 0; i <= steps; i++) {
        const u = lo + i * h;
        const value = Math.exp(gammaGammaLogLikelihood(params, { x, m: Math.exp(u) }) + u);
        integral += (i === 0 || i === steps ? 0.5 : 1) * value * h;
      }
      expect(integral).toBeCloseTo(1, 8);
    }
  });

  it("refuses customers without repeat purchases or with non-positive spend, and bad parameters", () => {
    expect(() => gammaGammaLogLikelihood(P, { x: 0, m: 10 })).toThrow(RangeError);
    expect(() => gammaGammaLogLikelihood(P, { x: 1, m: 0 })).toThrow(RangeError);
    expect(() => gammaGammaLogLikelihood(P, { x: 1, m: -5 })).toThrow(RangeError);
    expect(() => gammaGammaLogLikelihood({ ...P, q: 0 }, { x: 1, m: 5 })).toThrow(RangeError);
    expect(() => fitGammaGamma([])).toThrow(/no customer/);
  });
});

describe("conditional expected spend", () => {
  it("is p(γ + m x)/(p x + q − 1), the weighted mean of the population mean pγ/(q−1) and the customer's mean", () => {
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    for (const c of [
      { x: 1, m: 20 },
      { x: 4, m: 55.5 },
      { x: 30, m: 9.99 },
    ]) {
      const e = gammaGammaConditionalExpectedSpend(params, c);
      expect(e).toBeCloseTo((6.25 * (15.44 + c.m * c.x)) / (6.25 * c.x + 2.74), 12);
      const w = (params.p * c.x) / (params.p * c.x + params.q - 1);
      const populationMean = (params.p * params.gamma) / (params.q - 1);
      expect(e).toBeCloseTo((1 - w) * populationMean + w * c.m, 12);
    }
    // The more purchases, the closer to the customer's own mean.
    const few = gammaGammaConditionalExpectedSpend(params, { x: 1, m: 100 });
    const many = gammaGammaConditionalExpectedSpend(params, { x: 50, m: 100 });
    expect(Math.abs(many - 100)).toBeLessThan(Math.abs(few - 100));
  });

  it("refuses p x + q ≤ 1, where the expectation does not exist", () => {
    expect(() => gammaGammaConditionalExpectedSpend({ p: 0.1, q: 0.5, gamma: 1 }, { x: 1, m: 5 })).toThrow(RangeError);
  });
});
