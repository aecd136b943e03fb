// The published CDNOW results (2,357 customers, 39-week calibration; tests/fixtures/cdnow-README.md):
// BG/NBD — Fader, Hardie & Lee (2005) "Counting Your Customers the Easy Way", §4: r = 0.243, α = 4.414, a = 0.793,
// b = 2.426, LL = −9582.4; E[X(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226 (Fader & Hardie's Excel note).
// Gamma-Gamma — Fader, Hardie & Lee (2005) "RFM and CLV", on the 946 customers with x > 0: p = 6.25, q = 3.74,
// γ = 15.44.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdTotalLogLikelihood,
  fitBgNbd,
} from "../../app/domain/predictions/bgnbd";
import { fitGammaGamma } from "../../app/domain/predictions/gamma-gamma";

function readCsv(name: string): number[][] {
  const text = readFileSync(path.join(__dirname, "..", "fixtures", name), "utf8");
  return text
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",").map(Number));
}

const summary = readCsv("cdnow-summary.csv").map(([, x, tx, T]) => ({ x, tx, T }));
const withSpend = readCsv("cdnow-summary-with-spend.csv");

const within1Percent = (actual: number, published: number) =>
  expect(Math.abs(actual - published) / published).toBeLessThan(0.01);

describe("CDNOW, BG/NBD", () => {
  it("is the 2,357-customer, 39-week calibration sample", () => {
    expect(summary).toHaveLength(2357);
    expect(summary.filter((c) => c.x > 0)).toHaveLength(946);
    expect(Math.max(...summary.map((c) => c.T))).toBeLessThanOrEqual(39);
  });

  it("fits the published parameters within 1 % and log-likelihood within 0.1", () => {
    const fit = fitBgNbd(summary);
    expect(fit.converged).toBe(true);
    within1Percent(fit.params.r, 0.243);
    within1Percent(fit.params.alpha, 4.414);
    within1Percent(fit.params.a, 0.793);
    within1Percent(fit.params.b, 2.426);
    expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThan(0.1);
    // And the published (rounded) parameters give the published log-likelihood.
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    expect(Math.abs(bgnbdTotalLogLikelihood(published, summary) - -9582.4)).toBeLessThan(0.1);
  });

  it("reproduces the published conditional expectation for customer 1 (x = 2, t_x = 30.43, T = 38.86)", () => {
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const e = bgnbdConditionalExpectedPurchases(published, { x: 2, tx: 30.43, T: 38.86 }, 39);
    expect(e).toBeCloseTo(1.226, 3);
  });
});

describe("CDNOW, Gamma-Gamma", () => {
  it("fits the published parameters within 1 % on the customers with repeat purchases", () => {
    const repeaters = withSpend.filter(([, x]) => x > 0).map(([, x, , , m]) => ({ x, m }));
    expect(repeaters).toHaveLength(946);
    const fit = fitGammaGamma(repeaters);
    expect(fit.converged).toBe(true);
    within1Percent(fit.params.p, 6.25);
    within1Percent(fit.params.q, 3.74);
    within1Percent(fit.params.gamma, 15.44);
  });
});
