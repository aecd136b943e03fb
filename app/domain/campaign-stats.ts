// What a campaign earned, from its recipients, its holdout and their orders (issue #10 "Attribution"). Pure:
// the model reads the rows, this does the arithmetic. Definitions (docs/campaigns.md):
// - A member is a recipient (got a code) or a holdout customer (matched, got nothing). Each is observed from the
//   moment they were assigned for `windowDays` (the offer's validity): their qualifying orders in that window count.
// - Redemption: a qualifying order carrying one of the campaign's codes (codes are single-use: at most one each).
// - Conversion: the share of a group with at least one qualifying order in its window.
// - Incremental revenue (lift): (mean revenue per recipient − mean revenue per holdout customer) × recipients, with a
//   95 % confidence interval from Welch's standard error of the difference of the two means.
// - Discount cost: what the discounts took off the redeemed orders. Order values are after discounts, so the
//   discount is already out of the revenue; ROI = (incremental revenue − discount cost) / discount cost.

export interface CampaignMember {
  customerId: string;
  holdout: boolean;
  assignedAt: number; // ms
  code: string | null;
}

export interface MemberOrder {
  customerId: string;
  processedAt: number; // ms
  valueMinor: number;
  discountMinor: number;
  discountCodes: readonly string[];
}

export interface Interval {
  low: number;
  high: number;
}

export interface CampaignStats {
  recipients: number;
  holdout: number;
  redemptions: number;
  redemptionRate: number | null;
  redeemedRevenueMinor: number;
  discountCostMinor: number;
  /** Share of recipients / holdout customers who ordered in their window. */
  conversionRecipients: number | null;
  conversionHoldout: number | null;
  /** Difference of the two conversions (percentage points as a fraction) and its 95 % interval. */
  conversionLift: number | null;
  conversionLiftInterval: Interval | null;
  revenuePerRecipientMinor: number | null;
  revenuePerHoldoutMinor: number | null;
  incrementalRevenueMinor: number | null;
  incrementalRevenueInterval: Interval | null;
  /** (incremental revenue − discount cost) / discount cost; null without cost or without a holdout to compare to. */
  roi: number | null;
}

const Z95 = 1.959963984540054;

/** Wilson's score interval for a proportion x/n (z = 1.96): never outside [0, 1], not empty at 0 % or 100 %. */
export function wilsonInterval(x: number, n: number, z = Z95): Interval {
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * 95 % interval for the difference of two independent proportions x1/n1 − x2/n2: Newcombe's hybrid score interval
 * (R. G. Newcombe, "Interval estimation for the difference between independent proportions: comparison of eleven
 * methods", Statistics in Medicine 17 (1998) 873–890, method 10), built from each group's Wilson interval. Unlike the
 * plain normal approximation p₁ − p₂ ± 1.96·√(p₁q₁/n₁ + p₂q₂/n₂), it does not collapse to a zero-width interval when
 * a group converted 0 % or 100 % (a small group says little, and the interval says so), and it stays inside [−1, 1].
 */
export function proportionDifferenceInterval(x1: number, n1: number, x2: number, n2: number, z = Z95): Interval {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilsonInterval(x1, n1, z);
  const b = wilsonInterval(x2, n2, z);
  const d = p1 - p2;
  return {
    low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
  };
}
const DAY_MS = 86_400_000;

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  // Sample variance (n − 1); one value has none.
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, variance };
}

/** Everything the campaign page shows, over members observed `windowDays` from assignment (orders up to `asOf`). */
export function campaignStats(
  members: readonly CampaignMember[],
  orders: readonly MemberOrder[],
  { windowDays, codes }: { windowDays: number; codes: ReadonlySet<string> },
): CampaignStats {
  const windowMs = windowDays * DAY_MS;
  const byCustomer = new Map<string, MemberOrder[]>();
  for (const o of orders) {
    const list = byCustomer.get(o.customerId);
    if (list) list.push(o);
    else byCustomer.set(o.customerId, [o]);
  }
  const lower = new Set([...codes].map((c) => c.toLowerCase()));
  const redeemedCodes = new Set<string>();
  let redeemedRevenueMinor = 0;
  let discountCostMinor = 0;
  const revenue = { recipients: [] as number[], holdout: [] as number[] };
  const converted = { recipients: 0, holdout: 0 };
  const countedOrders = new Set<MemberOrder>();
  for (const m of members) {
    let total = 0;
    let ordered = false;
    for (const o of byCustomer.get(m.customerId) ?? []) {
      if (o.processedAt < m.assignedAt || o.processedAt >= m.assignedAt + windowMs) continue;
      total += o.valueMinor;
      ordered = true;
      if (m.holdout || countedOrders.has(o)) continue;
      // A code of this campaign on the order (whichever recipient's it was: codes are single-use).
      const used = o.discountCodes.map((c) => c.toLowerCase()).filter((c) => lower.has(c) && !redeemedCodes.has(c));
      if (used.length) {
        countedOrders.add(o);
        for (const c of used) redeemedCodes.add(c);
        redeemedRevenueMinor += o.valueMinor;
        discountCostMinor += o.discountMinor;
      }
    }
    const group = m.holdout ? "holdout" : "recipients";
    revenue[group].push(total);
    if (ordered) converted[group] += 1;
  }
  const nT = revenue.recipients.length;
  const nH = revenue.holdout.length;
  const redemptions = countedOrders.size;
  const cT = nT ? converted.recipients / nT : null;
  const cH = nH ? converted.holdout / nH : null;
  let conversionLift: number | null = null;
  let conversionLiftInterval: Interval | null = null;
  if (cT !== null && cH !== null) {
    conversionLift = cT - cH;
    conversionLiftInterval = proportionDifferenceInterval(converted.recipients, nT, converted.holdout, nH);
  }
  const t = nT ? meanAndVariance(revenue.recipients) : null;
  const h = nH ? meanAndVariance(revenue.holdout) : null;
  let incrementalRevenueMinor: number | null = null;
  let incrementalRevenueInterval: Interval | null = null;
  if (t && h) {
    incrementalRevenueMinor = (t.mean - h.mean) * nT;
    // Welch: the two groups' variances may differ; an interval needs at least two members in each.
    if (nT > 1 && nH > 1) {
      const se = Math.sqrt(t.variance / nT + h.variance / nH) * nT;
      incrementalRevenueInterval = {
        low: incrementalRevenueMinor - Z95 * se,
        high: incrementalRevenueMinor + Z95 * se,
      };
    }
  }
  return {
    recipients: nT,
    holdout: nH,
    redemptions,
    redemptionRate: nT ? redemptions / nT : null,
    redeemedRevenueMinor,
    discountCostMinor,
    conversionRecipients: cT,
    conversionHoldout: cH,
    conversionLift,
    conversionLiftInterval,
    revenuePerRecipientMinor: t ? t.mean : null,
    revenuePerHoldoutMinor: h ? h.mean : null,
    incrementalRevenueMinor,
    incrementalRevenueInterval,
    roi:
      incrementalRevenueMinor !== null && discountCostMinor > 0
        ? (incrementalRevenueMinor - discountCostMinor) / discountCostMinor
        : null,
  };
}
