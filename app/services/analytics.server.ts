// The analytics page and its CSV (docs/analytics.md): the shop's qualifying orders read once, every figure computed
// for the chosen period for the whole shop and per segment and tier, money in minor units of the shop currency, the
// period on the shop's wall clock (Shop.timezone, UTC when unset).
import { SEGMENT_KEYS } from "../domain/segments";
import { fromMinorUnits } from "../domain/money";
import { isValidTimeZone } from "../domain/time";
import {
  COHORT_MONTHS,
  computeAnalytics,
  localDate,
  NO_TIER,
  parsePeriodChoice,
  resolvePeriod,
  type Analytics,
  type GroupAnalytics,
  type PeriodChoice,
  type PeriodError,
} from "../domain/analytics";
import { readOrderLedger, readOrderLedgerFromAggregates } from "../models/analytics.server";
import { getShop } from "../models/shop.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { shopCurrency } from "../models/shop-currency.server";
import { csvLines } from "./export.server";

export type { PeriodChoice, PeriodError };

/** The period asked for in a query string (`period`, `from`, `to`), validated; see parsePeriodChoice. */
export function analyticsPeriodQuery(params: URLSearchParams) {
  return parsePeriodChoice({ period: params.get("period"), from: params.get("from"), to: params.get("to") });
}

/** Every figure for the period, for the shop and per segment and tier, with what the page needs to show them. */
export async function shopAnalytics(shop: string, choice: PeriodChoice, now = new Date()) {
  const [shopRow, currency, { program }, rfm] = await Promise.all([
    getShop(shop),
    shopCurrency(shop),
    getActiveTierProgram(shop),
    getRfmSettings(shop),
  ]);
  const timeZone = shopRow?.timezone && isValidTimeZone(shopRow.timezone) ? shopRow.timezone : "UTC";
  const period = resolvePeriod(choice, now.getTime(), timeZone);
  // From the maintained aggregates while they are current (~1 row a customer); the ledger's orders otherwise.
  const ledger = (await readOrderLedgerFromAggregates(shop, period.to)) ?? (await readOrderLedger(shop, period.to));
  // Without a state row (not scored yet) a customer counts as a prospect without a tier.
  const segments = ledger.segments.map((s) => s ?? "prospect");
  const tiers = ledger.tiers;
  const tierKeys = program.tiers.map((t) => t.key);
  const analytics = computeAnalytics(ledger, { segments, tiers }, period, {
    timeZone,
    segmentKeys: SEGMENT_KEYS,
    tierKeys: [...tierKeys, NO_TIER],
  });
  return {
    choice,
    currency,
    timeZone,
    period: { from: iso(period.from), to: iso(period.to)! },
    /** The period's first and last days on the shop's wall clock (YYYY-MM-DD, both included; first null: all time). */
    days: {
      first: period.from === null ? null : day(period.from, timeZone),
      last: day(period.to - 1, timeZone),
      previousFirst: analytics.previous && day(analytics.previous.from!, timeZone),
      previousLast: analytics.previous && day(analytics.previous.to - 1, timeZone),
    },
    previous: analytics.previous && { from: iso(analytics.previous.from), to: iso(analytics.previous.to)! },
    segmentNames: rfm.segmentNames,
    tierNames: Object.fromEntries(program.tiers.map((t) => [t.key, t.name])) as Record<string, string>,
    all: analytics.all,
    /** Groups in display order: SEGMENT_KEYS, then the programme's tiers lowest first, then customers without a tier. */
    segments: groupsInOrder(analytics.segments, SEGMENT_KEYS),
    tiers: groupsInOrder(analytics.tiers, [...tierKeys, NO_TIER]).filter(
      (g) => g.key !== NO_TIER || g.figures.historicalClv.customers > 0,
    ),
  };
}

export type ShopAnalytics = Awaited<ReturnType<typeof shopAnalytics>>;

function groupsInOrder(groups: Analytics["segments"], order: readonly string[]) {
  const keys = [
    ...order,
    ...Object.keys(groups)
      .filter((k) => !order.includes(k))
      .sort(),
  ];
  return keys.filter((k) => groups[k]).map((key) => ({ key, figures: groups[key] }));
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const day = (t: number, timeZone: string) =>
  localDate(t, timeZone)
    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, "0"))
    .join("-");

// ---- CSV -------------------------------------------------------------------------------------------------------

export const ANALYTICS_CSV_TABLES = ["summary", "cohorts"] as const;
export type AnalyticsCsvTable = (typeof ANALYTICS_CSV_TABLES)[number];

export const SUMMARY_COLUMNS = [
  "group_type",
  "group",
  "period_from",
  "period_to",
  "currency",
  "customers_start",
  "customers_end",
  "new_customers",
  "retention_rate",
  "repeat_customers",
  "repeat_purchase_rate",
  "orders",
  "revenue",
  "purchase_frequency",
  "average_order_value",
  "purchase_intervals",
  "mean_days_between_purchases",
  "median_days_between_purchases",
  "clv_customers",
  "historical_clv",
  "historical_clv_p25",
  "historical_clv_median",
  "historical_clv_p75",
  "historical_clv_p90",
  "predicted_clv",
  "predicted_clv_average_order_value",
  "predicted_clv_orders_per_year",
  "predicted_clv_retention_rate",
  "predicted_clv_lifespan_years",
] as const;

export const COHORT_COLUMNS = [
  "group_type",
  "group",
  "cohort_month",
  "customers",
  ...Array.from({ length: COHORT_MONTHS }, (_, k) => `month_${k}`),
] as const;

/**
 * The figures as CSV lines: `summary`, one row per group (the shop, each segment, each tier; rates in percent with two
 * decimals, money as decimals of the shop currency, empty where a figure is undefined), or `cohorts`, one row per
 * group and first-order month with the share (percent) of the cohort ordering in each month after.
 */
export function analyticsCsv(data: ShopAnalytics, table: AnalyticsCsvTable): string {
  const groups: [string, string, GroupAnalytics][] = [
    ["shop", "all", data.all],
    ...data.segments.map((g): [string, string, GroupAnalytics] => ["segment", g.key, g.figures]),
    ...data.tiers.map((g): [string, string, GroupAnalytics] => ["tier", g.key === NO_TIER ? "none" : g.key, g.figures]),
  ];
  const fixed = (n: number | null, digits: number) => (n === null ? "" : n.toFixed(digits));
  const money = (n: number | null) => (n === null ? "" : fromMinorUnits(n, data.currency));
  if (table === "cohorts") {
    const rows = groups.flatMap(([type, key, g]) =>
      g.cohorts.map((c) => [
        type,
        key,
        c.month,
        String(c.customers),
        ...c.shares.map((s) => fixed(s === null ? null : s * 100, 2)),
      ]),
    );
    return csvLines([[...COHORT_COLUMNS], ...rows]);
  }
  const rows = groups.map(([type, key, g]) => [
    type,
    key,
    data.period.from ?? "",
    data.period.to,
    data.currency,
    String(g.customersAtStart),
    String(g.customersAtEnd),
    String(g.newCustomers),
    fixed(g.retentionRate, 2),
    String(g.repeatCustomers),
    fixed(g.repeatPurchaseRate, 2),
    String(g.orders),
    money(g.revenueMinor),
    fixed(g.purchaseFrequency, 4),
    money(g.averageOrderValueMinor),
    String(g.timeBetweenPurchases.intervals),
    fixed(g.timeBetweenPurchases.meanDays, 2),
    fixed(g.timeBetweenPurchases.medianDays, 2),
    String(g.historicalClv.customers),
    money(g.historicalClv.meanMinor),
    money(g.historicalClv.distribution?.p25 ?? null),
    money(g.historicalClv.distribution?.median ?? null),
    money(g.historicalClv.distribution?.p75 ?? null),
    money(g.historicalClv.distribution?.p90 ?? null),
    money(g.predictedClv.valueMinor),
    money(g.predictedClv.averageOrderValueMinor),
    fixed(g.predictedClv.ordersPerYear, 4),
    fixed(g.predictedClv.retentionRate, 2),
    fixed(g.predictedClv.lifespanYears, 2),
  ]);
  return csvLines([[...SUMMARY_COLUMNS], ...rows]);
}

/** The CSV download: validated table name, a file name with the shop and period, and the lines. */
export async function analyticsCsvDownload(
  shop: string,
  choice: PeriodChoice,
  tableParam: string | null,
  now = new Date(),
) {
  const table: AnalyticsCsvTable = tableParam === "cohorts" ? "cohorts" : "summary";
  const data = await shopAnalytics(shop, choice, now);
  const span = `${data.days.first ?? "all"}-${data.days.last}`;
  return {
    name: `analytics-${table}-${shop.replace(".myshopify.com", "")}-${span}.csv`,
    csv: analyticsCsv(data, table),
  };
}
