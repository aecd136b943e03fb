// The points liability report and its CSV (docs/rules.md#liability-and-breakage): the journal's sums (models), the
// active rewards' rates and the shop's zone and currency, assembled by domain/points-liability.ts. It reads the
// journal as written: the points passes (each ledger change, and the daily pass) keep it up to date, expiries
// included.
import { fromMinorUnits } from "../domain/money";
import { pointsTimeZone } from "../domain/points";
import { liabilityCsv, liabilityReport, monthsBetween, type LiabilityReport } from "../domain/points-liability";
import { journalSpan, monthlyKindSums, outstandingPoints } from "../models/points-liability.server";
import { listRewards } from "../models/rewards.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getShop } from "../models/shop.server";

export async function pointsLiability(
  shop: string,
  { now = () => new Date() }: { now?: () => Date } = {},
): Promise<LiabilityReport> {
  const at = now();
  const [shopRow, currency, span, outstanding, rewards] = await Promise.all([
    getShop(shop),
    shopCurrency(shop),
    journalSpan(shop),
    outstandingPoints(shop, at),
    listRewards(shop, { activeOnly: true }),
  ]);
  const timeZone = pointsTimeZone(shopRow?.timezone);
  const months =
    span && span.first.getTime() <= at.getTime() ? monthsBetween(span.first.getTime(), at.getTime(), timeZone) : [];
  const monthSums = await monthlyKindSums(shop, months, at);
  return liabilityReport({
    asOf: at.getTime(),
    timeZone: timeZone ?? "UTC",
    currency,
    available: outstanding.available,
    pending: outstanding.pending,
    months,
    monthSums,
    rewards: rewards
      .filter((r) => r.valueMinor !== null && r.valueMinor > 0)
      .map((r) => ({ rewardId: r.id, title: r.title, pointsPrice: r.pointsPrice, valueMinor: r.valueMinor! })),
  });
}

/** The report as a CSV download: its file name and text. */
export async function pointsLiabilityCsv(shop: string, { now = () => new Date() }: { now?: () => Date } = {}) {
  const report = await pointsLiability(shop, { now });
  const csv = liabilityCsv(report, (minor) => fromMinorUnits(minor, report.currency));
  const day = new Date(report.asOf).toISOString().slice(0, 10);
  return { name: `points-liability-${day}.csv`, csv };
}
