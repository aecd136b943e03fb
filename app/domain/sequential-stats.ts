// Always-valid comparisons for A/B tests of campaign offers (issue #24 item 3; docs/campaigns.md "A/B tests"). Pure.
//
// Method: the Gaussian-mixture asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas,
// "Time-uniform central limit theory and asymptotic confidence sequences" (Annals of Statistics 2024,
// arXiv:2103.06476), Theorem 2.2, applied to inverse-propensity-weighted pseudo-outcomes of a randomised experiment
// with known assignment probabilities (their section on sequential average treatment effects).
//
// For observations φ₁…φₜ with mean μ, sample mean μ̂ₜ and sample standard deviation σ̂ₜ,
//   μ̂ₜ ± σ̂ₜ · √( 2(tρ² + 1) / (t²ρ²) · ln( √(tρ² + 1) / α ) )
// covers μ at every t simultaneously with probability → 1 − α: the merchant may look after every batch and stop
// whenever the interval excludes 0 without the error rate growing with the number of looks. ρ only decides at which
// sample size the interval is tightest: ρ² = (−2 ln α + ln(−2 ln α + 1)) / t* (the paper's choice for a target t*).
//
// A/B: each unit i was assigned to the treated arm with a known probability π (from the campaign's design: weights and
// holdout share) independently of everything else; its outcome yᵢ (converted 0/1, or revenue) gives the pseudo-outcome
//   φᵢ = yᵢ · (Tᵢ / π − (1 − Tᵢ) / (1 − π)),
// whose mean is exactly μ(treated) − μ(control). The interval above on the φ's is therefore an always-valid interval
// for the difference.

export interface SequentialOptions {
  /** Probability that the interval ever misses the true difference, over all looks. */
  alpha: number;
  /** The sample size (units compared) at which the interval is tightest. */
  tuningN: number;
}

export const SEQUENTIAL_DEFAULTS: SequentialOptions = { alpha: 0.05, tuningN: 1000 };

/**
 * Minimum sample rule: no decision before each arm has this many units whose observation window is over. The
 * guarantee is asymptotic (a central limit theorem); with fewer units per arm, and rare conversions, it is not yet
 * trustworthy, so the report says "not enough data" whatever the interval.
 */
export const MIN_UNITS_PER_ARM = 100;

/** ρ² of the normal mixture tuned for `tuningN` (Waudby-Smith et al., eq. after Theorem 2.2). */
export function mixtureRho2({ alpha, tuningN }: SequentialOptions): number {
  const l = -2 * Math.log(alpha);
  return (l + Math.log(l + 1)) / tuningN;
}

/** Half-width of the confidence sequence after `t` observations with sample standard deviation `sd`. */
export function sequenceRadius(t: number, sd: number, options: SequentialOptions = SEQUENTIAL_DEFAULTS): number {
  if (t < 1) return Infinity;
  const r2 = mixtureRho2(options);
  const a = t * r2 + 1;
  return sd * Math.sqrt(((2 * a) / (t * t * r2)) * Math.log(Math.sqrt(a) / options.alpha));
}

/** Running sums of the pseudo-outcomes: add units one by one, read the interval at any moment (O(1) each). */
export class SequentialDifference {
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  constructor(
    /** Probability that a unit of this comparison is in the treated arm (by design, not as observed). */
    readonly propensity: number,
    readonly options: SequentialOptions = SEQUENTIAL_DEFAULTS,
  ) {
    if (!(propensity > 0 && propensity < 1)) throw new Error(`propensity must be in (0, 1), got ${propensity}`);
  }

  add(treated: boolean, y: number) {
    const phi = treated ? y / this.propensity : -y / (1 - this.propensity);
    this.n += 1;
    this.sum += phi;
    this.sumSq += phi * phi;
  }

  get count() {
    return this.n;
  }

  /** The always-valid interval for μ(treated) − μ(control); null before two units. */
  interval(): { centre: number; low: number; high: number } | null {
    if (this.n < 2) return null;
    const mean = this.sum / this.n;
    const variance = Math.max(0, (this.sumSq - this.n * mean * mean) / (this.n - 1));
    const r = sequenceRadius(this.n, Math.sqrt(variance), this.options);
    return { centre: mean, low: mean - r, high: mean + r };
  }
}

export interface ArmSummary {
  units: number;
  mean: number | null;
}

export type Verdict =
  /** Fewer than MIN_UNITS_PER_ARM units in an arm: nothing can be said yet. */
  | "not_enough_data"
  /** Enough units, but the interval still contains 0: keep the test running. */
  | "no_difference_yet"
  /** The interval is entirely above 0. */
  | "treated_better"
  /** The interval is entirely below 0. */
  | "control_better";

export interface Comparison {
  treated: ArmSummary;
  control: ArmSummary;
  /** Plain difference of the two arms' means (what the merchant reads next to the arms' figures). */
  difference: number | null;
  /** Always-valid interval for the difference (centred on the design-weighted estimate). */
  interval: { low: number; high: number } | null;
  verdict: Verdict;
}

/** Compares two arms on one outcome; `units` in the order they were assigned. */
export function compareArms(
  units: readonly { treated: boolean; y: number }[],
  propensity: number,
  {
    options = SEQUENTIAL_DEFAULTS,
    minPerArm = MIN_UNITS_PER_ARM,
  }: { options?: SequentialOptions; minPerArm?: number } = {},
): Comparison {
  const seq = new SequentialDifference(propensity, options);
  const arm = { treated: { n: 0, sum: 0 }, control: { n: 0, sum: 0 } };
  for (const u of units) {
    seq.add(u.treated, u.y);
    const a = u.treated ? arm.treated : arm.control;
    a.n += 1;
    a.sum += u.y;
  }
  const summary = (a: { n: number; sum: number }): ArmSummary => ({ units: a.n, mean: a.n ? a.sum / a.n : null });
  const treated = summary(arm.treated);
  const control = summary(arm.control);
  const iv = seq.interval();
  const interval = iv ? { low: iv.low, high: iv.high } : null;
  let verdict: Verdict = "not_enough_data";
  if (treated.units >= minPerArm && control.units >= minPerArm && interval) {
    verdict = interval.low > 0 ? "treated_better" : interval.high < 0 ? "control_better" : "no_difference_yet";
  }
  return {
    treated,
    control,
    difference: treated.mean !== null && control.mean !== null ? treated.mean - control.mean : null,
    interval,
    verdict,
  };
}

/** The classic fixed-sample two-proportion z-test (valid for ONE look only): |p₁ − p₂| / se > z. */
export function naiveZTestRejects(
  treated: { n: number; conversions: number },
  control: { n: number; conversions: number },
  z = 1.959963984540054,
): boolean {
  if (treated.n === 0 || control.n === 0) return false;
  const p1 = treated.conversions / treated.n;
  const p2 = control.conversions / control.n;
  const se = Math.sqrt((p1 * (1 - p1)) / treated.n + (p2 * (1 - p2)) / control.n);
  if (se === 0) return false;
  return Math.abs(p1 - p2) / se > z;
}
