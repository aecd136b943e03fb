// The report of a campaign's A/B test (issue #24 item 3; docs/campaigns.md "A/B tests"). Pure: the model reads the
// members and their orders, this does the arithmetic with the always-valid intervals of sequential-stats.ts.
//
// - Units: members (each variant's recipients whose code Shopify confirmed, and the holdout) assigned before the test
//   ended, whose observation window (the offer's validity) is over at the moment of reading — or at the end of the
//   test: an ended test's figures are frozen. A member still in their window has an outcome that can still change, so
//   they wait ("in window") rather than count as a non-buyer.
// - Outcomes per unit: converted (a qualifying order in the window) and revenue (the values of those orders, after
//   discounts). Per arm: conversion, revenue per unit, redemptions and discount cost of the arm's codes, and ROI
//   against the holdout: ((revenue per unit − holdout's) × units − discount cost) / discount cost.
// - Intervals: each comparison (B vs A, each variant vs holdout) on conversion and on revenue per unit, always-valid
//   at α / 2 each, so that the decision, which reads both B-vs-A intervals, is wrong with probability at most α in all
//   (Bonferroni).
import type { MemberOrder } from "./campaign-stats";
import type { CampaignOffer } from "./campaigns";
import { propensity, type CampaignVariant, type VariantKey } from "./campaign-variants";
import {
  compareArms,
  MIN_UNITS_PER_ARM,
  SEQUENTIAL_DEFAULTS,
  type Comparison,
  type SequentialOptions,
} from "./sequential-stats";

const DAY_MS = 86_400_000;

export interface AbMember {
  customerId: string;
  holdout: boolean;
  variant: string | null;
  assignedAt: number; // ms
  code: string | null;
}

export type ArmKey = VariantKey | "holdout";

export interface ArmFigures {
  key: ArmKey;
  /** Units analysed (window over). */
  units: number;
  /** Members still in their window (not analysed yet). */
  inWindow: number;
  conversion: number | null;
  revenuePerUnitMinor: number | null;
  redemptions: number;
  discountCostMinor: number;
  /** Against the holdout; null without a holdout or without discount cost. */
  roi: number | null;
  roiInterval: { low: number; high: number } | null;
}

export interface MetricComparisons {
  conversion: Comparison;
  revenue: Comparison;
}

export type AbVerdict =
  | { kind: "not_enough_data" }
  | { kind: "no_difference_yet" }
  | { kind: "winner"; key: VariantKey }
  /** One measure favours A and the other B: the merchant's call (e.g. more orders but less revenue). */
  | { kind: "conflicting" };

export interface AbTestStats {
  arms: ArmFigures[];
  /** Each variant against the holdout (empty without a holdout). */
  vsHoldout: ({ key: VariantKey } & MetricComparisons)[];
  /** B (treated) against A (control). */
  bVsA: MetricComparisons;
  verdict: AbVerdict;
  /** Level of each interval: α / 2. */
  alphaPerInterval: number;
  minUnitsPerArm: number;
  /** Recipients who got the winner after the test ended (not part of the test's figures). */
  afterEnd: number;
}

/** What the campaign page shows of a test: the figures, the variants' offers and whether (and how) it ended. */
export interface AbTestReport extends AbTestStats {
  variants: { key: VariantKey; offer: CampaignOffer; weight: number }[];
  endedAt: string | null;
  winner: VariantKey | null;
}

export function abTestStats(
  members: readonly AbMember[],
  orders: readonly MemberOrder[],
  {
    windowDays,
    variants,
    holdoutPercent,
    now,
    endedAt,
    options = SEQUENTIAL_DEFAULTS,
    minUnitsPerArm = MIN_UNITS_PER_ARM,
  }: {
    windowDays: number;
    variants: readonly CampaignVariant[];
    holdoutPercent: number;
    now: number;
    endedAt: number | null;
    options?: SequentialOptions;
    minUnitsPerArm?: number;
  },
): AbTestStats {
  const windowMs = windowDays * DAY_MS;
  const asOf = endedAt ?? now;
  const perInterval: SequentialOptions = { ...options, alpha: options.alpha / 2 };
  const byCustomer = new Map<string, MemberOrder[]>();
  for (const o of orders) {
    const list = byCustomer.get(o.customerId);
    if (list) list.push(o);
    else byCustomer.set(o.customerId, [o]);
  }
  const keys: ArmKey[] = [...variants.map((v) => v.key), "holdout"];
  type Unit = { converted: number; revenue: number };
  const units = new Map<ArmKey, Unit[]>(keys.map((k) => [k, []]));
  const inWindow = new Map<ArmKey, number>(keys.map((k) => [k, 0]));
  const cost = new Map<ArmKey, { redemptions: number; discount: number }>(
    keys.map((k) => [k, { redemptions: 0, discount: 0 }]),
  );
  let afterEnd = 0;
  const sorted = [...members].sort((a, b) => a.assignedAt - b.assignedAt);
  for (const m of sorted) {
    if (endedAt !== null && m.assignedAt >= endedAt) {
      if (!m.holdout) afterEnd += 1;
      continue;
    }
    const key: ArmKey | null = m.holdout ? "holdout" : (keys.find((k) => k === m.variant) ?? null);
    if (key === null) continue;
    if (m.assignedAt + windowMs > asOf) {
      inWindow.set(key, inWindow.get(key)! + 1);
      continue;
    }
    let revenue = 0;
    let converted = 0;
    const code = m.code?.toLowerCase() ?? null;
    for (const o of byCustomer.get(m.customerId) ?? []) {
      if (o.processedAt < m.assignedAt || o.processedAt >= m.assignedAt + windowMs) continue;
      revenue += o.valueMinor;
      converted = 1;
      // Codes are single-use and limited to their recipient: an order carrying this member's code is theirs.
      if (code !== null && o.discountCodes.some((c) => c.toLowerCase() === code)) {
        const c = cost.get(key)!;
        c.redemptions += 1;
        c.discount += o.discountMinor;
      }
    }
    units.get(key)!.push({ converted, revenue });
  }

  const totalWeight = variants.reduce((a, v) => a + v.weight, 0);
  const design = { holdoutPercent, totalWeight };
  const compare = (treated: CampaignVariant, control: CampaignVariant | "holdout", metric: keyof Unit): Comparison => {
    // The interval at this moment depends only on the units' sums (not their order): every unit counts once.
    const seq: { treated: boolean; y: number }[] = [];
    const controlKey = control === "holdout" ? "holdout" : control.key;
    for (const u of units.get(treated.key)!) seq.push({ treated: true, y: u[metric] });
    for (const u of units.get(controlKey)!) seq.push({ treated: false, y: u[metric] });
    return compareArms(seq, propensity(treated, control, design), { options: perInterval, minPerArm: minUnitsPerArm });
  };

  const mean = (list: Unit[], metric: keyof Unit) =>
    list.length ? list.reduce((a, u) => a + u[metric], 0) / list.length : null;
  const holdoutUnits = units.get("holdout")!;
  const hasHoldout = holdoutPercent > 0 && holdoutUnits.length > 0;
  const vsHoldout = hasHoldout
    ? variants.map((v) => ({
        key: v.key,
        conversion: compare(v, "holdout", "converted"),
        revenue: compare(v, "holdout", "revenue"),
      }))
    : [];

  const arms: ArmFigures[] = keys.map((key) => {
    const list = units.get(key)!;
    const c = cost.get(key)!;
    const revenuePerUnit = mean(list, "revenue");
    let roi: number | null = null;
    let roiInterval: { low: number; high: number } | null = null;
    const vs = vsHoldout.find((x) => x.key === key);
    const holdoutRevenue = mean(holdoutUnits, "revenue");
    if (key !== "holdout" && hasHoldout && c.discount > 0 && revenuePerUnit !== null && holdoutRevenue !== null) {
      const n = list.length;
      roi = ((revenuePerUnit - holdoutRevenue) * n - c.discount) / c.discount;
      // The revenue interval per unit, scaled to the arm and taken through the same formula (the cost as observed).
      const iv = vs?.revenue.interval;
      if (iv)
        roiInterval = { low: (iv.low * n - c.discount) / c.discount, high: (iv.high * n - c.discount) / c.discount };
    }
    return {
      key,
      units: list.length,
      inWindow: inWindow.get(key)!,
      conversion: mean(list, "converted"),
      revenuePerUnitMinor: revenuePerUnit,
      redemptions: c.redemptions,
      discountCostMinor: c.discount,
      roi,
      roiInterval,
    };
  });

  const [a, b] = variants;
  const bVsA = { conversion: compare(b, a, "converted"), revenue: compare(b, a, "revenue") };
  return {
    arms,
    vsHoldout,
    bVsA,
    verdict: decide(bVsA),
    alphaPerInterval: perInterval.alpha,
    minUnitsPerArm,
    afterEnd,
  };
}

/** The test's answer from the two B-vs-A comparisons (B is the treated arm). */
export function decide({ conversion, revenue }: MetricComparisons): AbVerdict {
  const verdicts = [conversion.verdict, revenue.verdict];
  if (verdicts.includes("not_enough_data")) return { kind: "not_enough_data" };
  const winners = new Set<VariantKey>();
  for (const v of verdicts) {
    if (v === "treated_better") winners.add("B");
    if (v === "control_better") winners.add("A");
  }
  if (winners.size === 2) return { kind: "conflicting" };
  if (winners.size === 1) return { kind: "winner", key: [...winners][0] };
  return { kind: "no_difference_yet" };
}
