// The admin's formatters (app/i18n/format.ts) and the CSV builders (app/services/export.server.ts csvLines,
// recompute-core csvRecord, analytics analyticsCsv) against values written out by hand, in English and Thai: money in
// dollars, baht, yen (no minor unit) and dinar (three decimals), negative amounts, percentages, numbers, dates (UTC,
// Buddhist era in Thai), and CSV quoting, escaping and spreadsheet-formula neutralising.
import { afterEach, describe, expect, it } from "vitest";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../../app/i18n/format";
import { csvLines } from "../../app/services/export.server";
import { csvRecord } from "../../app/domain/recompute";
import { analyticsCsv, type ShopAnalytics } from "../../app/services/analytics.server";
import type { CustomerStateValues } from "../../app/models/customer-state.server";
import type { GroupAnalytics } from "../../app/domain/analytics";

/** Intl puts a no-break space between a currency code and the amount ("THB 1,234.00"). */
const NBSP = "\u00a0";

describe("formatMoney", () => {
  it("writes US dollars from cents: $ in English, US$ in Thai", () => {
    expect(formatMoney("en", 14774, "USD")).toBe("$147.74");
    expect(formatMoney("th", 14774, "USD")).toBe("US$147.74");
    expect(formatMoney("en", 0, "USD")).toBe("$0.00");
    expect(formatMoney("en", 5, "USD")).toBe("$0.05");
    expect(formatMoney("en", 123456789, "USD")).toBe("$1,234,567.89");
    expect(formatMoney("th", 123456789, "USD")).toBe("US$1,234,567.89");
  });

  it("writes Thai baht from satang: ฿ in Thai, the code THB in English", () => {
    expect(formatMoney("th", 123400, "THB")).toBe("฿1,234.00");
    expect(formatMoney("th", 99, "THB")).toBe("฿0.99");
    expect(formatMoney("en", 123400, "THB")).toBe(`THB${NBSP}1,234.00`);
  });

  it("writes yen as whole yen: the minor unit is the yen itself", () => {
    expect(formatMoney("en", 5000, "JPY")).toBe("¥5,000");
    expect(formatMoney("th", 5000, "JPY")).toBe("¥5,000");
    expect(formatMoney("en", 1, "JPY")).toBe("¥1");
    expect(formatMoney("th", 1234567, "JPY")).toBe("¥1,234,567");
  });

  it("writes a three-decimal currency (Kuwaiti dinar) with all three", () => {
    expect(formatMoney("en", 1234, "KWD")).toBe(`KWD${NBSP}1.234`);
  });

  it("puts the minus before the symbol of a negative amount", () => {
    expect(formatMoney("en", -1250, "USD")).toBe("-$12.50");
    expect(formatMoney("th", -1250, "USD")).toBe("-US$12.50");
    expect(formatMoney("th", -123450, "THB")).toBe("-฿1,234.50");
    expect(formatMoney("en", -5000, "JPY")).toBe("-¥5,000");
  });
});

describe("formatPercent", () => {
  it("takes a share (0..1) and writes at most one decimal, none when whole, in both languages", () => {
    for (const locale of ["en", "th"] as const) {
      expect(formatPercent(locale, 0.4329), locale).toBe("43.3%");
      expect(formatPercent(locale, 0.5), locale).toBe("50%");
      expect(formatPercent(locale, 0), locale).toBe("0%");
      expect(formatPercent(locale, 1), locale).toBe("100%");
      expect(formatPercent(locale, 0.00049), locale).toBe("0%");
      expect(formatPercent(locale, 0.0005), locale).toBe("0.1%");
      expect(formatPercent(locale, -0.125), locale).toBe("-12.5%");
      expect(formatPercent(locale, 12.3456), locale).toBe("1,234.6%");
    }
  });
});

describe("formatNumber", () => {
  it("groups thousands with commas and uses Western digits in both languages", () => {
    for (const locale of ["en", "th"] as const) {
      expect(formatNumber(locale, 1234567), locale).toBe("1,234,567");
      expect(formatNumber(locale, -1234.5), locale).toBe("-1,234.5");
      expect(formatNumber(locale, 2.345678, { maximumFractionDigits: 2 }), locale).toBe("2.35");
      expect(formatNumber(locale, 120), locale).toBe("120");
    }
  });
});

describe("formatDate", () => {
  const tz = process.env.TZ;
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it("writes the medium date: 'Jan 5, 2026' in English, Thai month and Buddhist-era year (2026 + 543) in Thai", () => {
    expect(formatDate("en", "2026-01-05")).toBe("Jan 5, 2026");
    expect(formatDate("th", "2026-01-05")).toBe("5 ม.ค. 2569");
    expect(formatDate("en", "2025-12-31T12:00:00.000Z")).toBe("Dec 31, 2025");
    expect(formatDate("th", "2025-12-31T12:00:00.000Z")).toBe("31 ธ.ค. 2568");
  });

  it("writes a month and year as the cohort table does", () => {
    expect(formatDate("en", "2025-11-01", { year: "numeric", month: "short" })).toBe("Nov 2025");
    expect(formatDate("th", "2025-11-01", { year: "numeric", month: "short" })).toBe("พ.ย. 2568");
  });

  it("reads every instant in UTC, whatever the server's time zone", () => {
    // Given a server in Bangkok (UTC+7), where 23:30 UTC on 5 January is already the 6th
    process.env.TZ = "Asia/Bangkok";
    const late = Date.parse("2026-01-05T23:30:00.000Z");
    // Then the date is still the UTC one, from a string, a number or a Date
    expect(formatDate("en", "2026-01-05T23:30:00.000Z")).toBe("Jan 5, 2026");
    expect(formatDate("en", late)).toBe("Jan 5, 2026");
    expect(formatDate("th", new Date(late))).toBe("5 ม.ค. 2569");
  });
});

describe("csvLines (every CSV the app writes)", () => {
  it("ends each record with \\n and quotes cells holding a comma, a quote, LF or CR (quotes doubled)", () => {
    expect(
      csvLines([
        ["a", "b"],
        ["c", "d"],
      ]),
    ).toBe("a,b\nc,d\n");
    expect(csvLines([["Smith, Jane", 'say "hi"', "two\nlines", "a\rb", "a\r\nb"]])).toBe(
      '"Smith, Jane","say ""hi""","two\nlines","a\rb","a\r\nb"\n',
    );
    expect(csvLines([["", "สมชาย ใจดี", "plain text"]])).toBe(",สมชาย ใจดี,plain text\n");
  });

  it("puts a quote before any cell a spreadsheet would run as a formula: =, +, -, @, tab, CR and their full-width forms", () => {
    expect(csvLines([["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\uFF1D1", "\uFF0B1", "\uFF0D1", "\uFF201"]])).toBe(
      "'=1+1,'+1,'-1+2,'@SUM(A1),'\tx,'\uFF1D1,'\uFF0B1,'\uFF0D1,'\uFF201\n",
    );
    // quoted as well where CSV needs it: the quote goes inside
    expect(csvLines([['=HYPERLINK("http://evil.example","x")', "\r+1", "=1,2"]])).toBe(
      `"'=HYPERLINK(""http://evil.example"",""x"")","'\r+1","'=1,2"\n`,
    );
  });

  it("leaves a plain negative number a number, but not what only starts like one", () => {
    expect(csvLines([["-12.50", "-2", "-0.01", "12.50"]])).toBe("-12.50,-2,-0.01,12.50\n");
    expect(csvLines([["-", "-.5", "-1e3", "-12.50+1", "-12,50"]])).toBe(`'-,'-.5,'-1e3,'-12.50+1,"'-12,50"\n`);
  });
});

describe("csvRecord (the customer export's lines)", () => {
  const state = (overrides: Partial<CustomerStateValues>): CustomerStateValues => ({
    customerId: "gid://shopify/Customer/1",
    segment: "prospect",
    r: null,
    f: null,
    m: null,
    fm: null,
    recencyDays: null,
    frequency: null,
    monetaryMinor: null,
    lastOrderAt: null,
    tier: null,
    spendInWindowMinor: null,
    ordersInWindow: null,
    nextTier: null,
    amountToNextMinor: null,
    ordersToNext: null,
    tierExpiresAt: null,
    windowChangesAt: null,
    baseLastOrderAt: null,
    baseFrequency: null,
    baseMonetaryMinor: null,
    ...overrides,
  });

  it("writes money as decimals of the shop currency and times as ISO-8601 UTC", () => {
    const scored = state({
      recencyDays: 3,
      frequency: 2,
      monetaryMinor: 14774,
      r: 5,
      f: 4,
      m: 3,
      fm: 4,
      segment: "champions",
      tier: "silver",
      spendInWindowMinor: 30005,
      nextTier: "gold",
      amountToNextMinor: 44995,
      tierExpiresAt: Date.parse("2027-03-01T00:00:00Z"),
    });
    expect(csvRecord(scored, "USD")).toEqual([
      "gid://shopify/Customer/1",
      "3",
      "2",
      "147.74",
      "5",
      "4",
      "3",
      "4",
      "champions",
      "silver",
      "300.05",
      "gold",
      "449.95",
      "2027-03-01T00:00:00.000Z",
    ]);
    // yen: no decimal point
    expect(csvRecord(scored, "JPY")).toEqual([
      "gid://shopify/Customer/1",
      "3",
      "2",
      "14774",
      "5",
      "4",
      "3",
      "4",
      "champions",
      "silver",
      "30005",
      "gold",
      "44995",
      "2027-03-01T00:00:00.000Z",
    ]);
  });

  it("leaves a prospect's score and tier cells empty", () => {
    expect(csvLines([csvRecord(state({}), "THB")])).toBe("gid://shopify/Customer/1,,,,,,,,prospect,,,,,\n");
  });
});

describe("analyticsCsv (the analytics downloads)", () => {
  const group = (overrides: Partial<GroupAnalytics>): GroupAnalytics => ({
    customersAtStart: 0,
    customersAtEnd: 0,
    newCustomers: 0,
    retentionRate: null,
    repeatCustomers: 0,
    repeatPurchaseRate: null,
    orders: 0,
    revenueMinor: 0,
    purchaseFrequency: null,
    averageOrderValueMinor: null,
    timeBetweenPurchases: { intervals: 0, meanDays: null, medianDays: null },
    historicalClv: { customers: 0, meanMinor: null, distribution: null },
    predictedClv: {
      averageOrderValueMinor: null,
      ordersPerYear: null,
      retentionRate: null,
      churn: null,
      lifespanYears: null,
      valueMinor: null,
      yearCustomers: 0,
      yearOrders: 0,
      yearRevenueMinor: 0,
    },
    cohorts: [],
    ...overrides,
  });
  const busy = group({
    customersAtStart: 10,
    customersAtEnd: 12,
    newCustomers: 4,
    retentionRate: 80,
    repeatCustomers: 3,
    repeatPurchaseRate: 25,
    orders: 20,
    revenueMinor: 123456,
    purchaseFrequency: 20 / 12,
    averageOrderValueMinor: 6173,
    timeBetweenPurchases: { intervals: 8, meanDays: 12.5, medianDays: 7 },
    historicalClv: {
      customers: 12,
      meanMinor: 10288,
      distribution: { p25: 5000, median: 9000, p75: 15001, p90: 20000, max: 30000 },
    },
    predictedClv: {
      averageOrderValueMinor: 6173,
      ordersPerYear: 2.5,
      retentionRate: 200 / 3,
      churn: 1 / 3,
      lifespanYears: 3,
      valueMinor: -1250,
      yearCustomers: 12,
      yearOrders: 20,
      yearRevenueMinor: 123456,
    },
    cohorts: [{ month: "2026-01", customers: 5, shares: [1, 0.4, 1 / 3, ...Array<null>(9).fill(null)] }],
  });
  const data = {
    currency: "USD",
    period: { from: "2025-12-31T17:00:00.000Z", to: "2026-03-31T17:00:00.000Z" },
    all: busy,
    segments: [{ key: "champions", figures: busy }],
    tiers: [{ key: "", figures: group({ customersAtEnd: 2 }) }],
  } as unknown as ShopAnalytics;

  it("summary: rates in percent with two decimals, money in dollars, empty where undefined, the no-tier group as 'none'", () => {
    const busyCells =
      "2025-12-31T17:00:00.000Z,2026-03-31T17:00:00.000Z,USD,10,12,4,80.00,3,25.00,20,1234.56,1.6667,61.73,8,12.50,7.00,12,102.88,50.00,90.00,150.01,200.00,-12.50,61.73,2.5000,66.67,3.00";
    expect(analyticsCsv(data, "summary").split("\n")).toEqual([
      "group_type,group,period_from,period_to,currency,customers_start,customers_end,new_customers,retention_rate,repeat_customers,repeat_purchase_rate,orders,revenue,purchase_frequency,average_order_value,purchase_intervals,mean_days_between_purchases,median_days_between_purchases,clv_customers,historical_clv,historical_clv_p25,historical_clv_median,historical_clv_p75,historical_clv_p90,predicted_clv,predicted_clv_average_order_value,predicted_clv_orders_per_year,predicted_clv_retention_rate,predicted_clv_lifespan_years",
      `shop,all,${busyCells}`,
      `segment,champions,${busyCells}`,
      "tier,none,2025-12-31T17:00:00.000Z,2026-03-31T17:00:00.000Z,USD,0,2,0,,0,,0,0.00,,,0,,,0,,,,,,,,,,",
      "",
    ]);
  });

  it("cohorts: one line per group and first-order month, each month's share in percent with two decimals", () => {
    const shares = "100.00,40.00,33.33" + ",".repeat(9);
    expect(analyticsCsv(data, "cohorts")).toBe(
      "group_type,group,cohort_month,customers,month_0,month_1,month_2,month_3,month_4,month_5,month_6,month_7,month_8,month_9,month_10,month_11\n" +
        `shop,all,2026-01,5,${shares}\n` +
        `segment,champions,2026-01,5,${shares}\n`,
    );
  });
});
