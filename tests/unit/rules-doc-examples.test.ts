// The worked examples of docs/rules.md, computed with the app's own rules, and the doc checked to say the same: every
// table row and value the doc shows is built here from the computed results and must appear in docs/rules.md word for
// word, so the examples cannot drift from the code (change a rule and this test names the doc line to update).
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { fromMinorUnits, MoneyError, toMinorUnits } from "../../app/domain/money";
import {
  scoreCutValues,
  scoreRfm,
  scoreRfmFromOrders,
  scoreRfmIncremental,
  type RfmCustomerOrders,
  type RfmResult,
} from "../../app/domain/rfm";
import { SEGMENT_GRID, type Score } from "../../app/domain/segments";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { tierPercentCode, tierShippingCode } from "../../app/domain/perks";
import {
  computedTierAt,
  evaluateTier,
  type TierOrder,
  type TierProgram,
  type TierStatus,
} from "../../app/domain/tiers";
import {
  DEFAULT_SYNC_SETTINGS,
  desiredTags,
  POINTS_EXPIRY_WARNING_DAYS,
  pointsMetafield,
  pointsStatus,
  tagChange,
  tagsAfter,
  tierMetafields,
  tierSegmentQuery,
} from "../../app/domain/sync";
import { DAY_MS } from "../../app/domain/time";
import { CUSTOMER_VERSION_WINS, LATE_REFUNDS, ORDER_VERSION_WINS } from "../../app/models/ledger-rules.sql";
import { sameSecondConflict } from "../../app/domain/ledger-types";
import { orderFromBody, refundFromBody, type OrderBody, type RefundBody } from "../../app/webhooks/ledger-payloads";
import { flowTrigger } from "../../app/services/flow-triggers.server";
import {
  balancesAt,
  DEFAULT_POINTS_RULES,
  journalAppends,
  orderPoints,
  POINTS_CSV_COLUMNS,
  pointsCsvLine,
  targetEntries,
  type PointsOrder,
  type PointsProgramme,
} from "../../app/domain/points";

const DOC = readFileSync("docs/rules.md", "utf8");
const row = (...cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
/** The doc must show this text exactly (a table row, a JSON line). */
function inDoc(text: string) {
  expect(DOC.includes(text), `docs/rules.md should contain:\n${text}`).toBe(true);
}
const usd = (minor: number | null) => (minor === null ? "—" : fromMinorUnits(minor, "USD"));
const iso = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString());

describe("docs/rules.md#ledger", () => {
  it("money: decimal strings become exact minor units by the currency's decimals, or are refused", () => {
    const cases: [string, string, number][] = [
      ["120.00", "USD", 12000],
      ["1200", "JPY", 1200],
      ["1.250", "KWD", 1250],
      ["99.5", "THB", 9950],
    ];
    for (const [amount, currency, minor] of cases) {
      expect(toMinorUnits(amount, currency)).toBe(minor);
      inDoc(row(`"${amount}" ${currency}`, minor));
    }
    expect(() => toMinorUnits("12.505", "USD")).toThrow(MoneyError);
    expect(() => toMinorUnits("1200.5", "JPY")).toThrow(MoneyError);
    inDoc(row(`"12.505" USD`, "refused"));
  });

  // One order's deliveries through the ledger's own version rules (ledger-rules.sql.ts), in an in-memory SQLite with
  // the statements of ledger.server.ts, payloads through the webhook normaliser (ledger-payloads.ts).
  const SHOP = "example.myshopify.com";
  const ORDER = "gid://shopify/Order/1001";
  function ledger() {
    const db = new Database(":memory:");
    db.exec(`CREATE TABLE "Order" ("shop" TEXT, "id" TEXT, "customerId" TEXT, "processedAt" TEXT, "cancelledAt" TEXT,
      "test" INTEGER, "currencyCode" TEXT, "currentTotalMinor" INTEGER, "valueMinor" INTEGER, "sourceUpdatedAt" TEXT,
      "deletedAt" TEXT, PRIMARY KEY ("shop", "id"));
      CREATE TABLE "Refund" ("shop" TEXT, "id" TEXT, "orderId" TEXT, "createdAt" TEXT, "amountMinor" INTEGER,
      "currencyCode" TEXT, PRIMARY KEY ("shop", "id"));`);
    const t = (d: Date | null) => (d ? d.toISOString() : null);
    const upsert = db.prepare(`INSERT INTO "Order" ("shop", "id", "customerId", "processedAt", "cancelledAt", "test",
        "currencyCode", "currentTotalMinor", "valueMinor", "sourceUpdatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT ("shop", "id") DO UPDATE SET "customerId" = excluded."customerId", "processedAt" = excluded."processedAt",
        "cancelledAt" = excluded."cancelledAt", "test" = excluded."test", "currencyCode" = excluded."currencyCode",
        "currentTotalMinor" = excluded."currentTotalMinor", "valueMinor" = excluded."valueMinor",
        "sourceUpdatedAt" = excluded."sourceUpdatedAt"
      WHERE ${ORDER_VERSION_WINS}`);
    const refresh = db.prepare(`UPDATE "Order" SET "valueMinor" = "currentTotalMinor" - COALESCE((${LATE_REFUNDS}), 0)
      WHERE "shop" = ? AND "id" = ?`);
    const insertRefund = db.prepare(
      `INSERT INTO "Refund" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ("shop", "id") DO NOTHING`,
    );
    const tombstone = db.prepare(`INSERT INTO "Order" ("shop", "id", "customerId", "processedAt", "cancelledAt", "test",
        "currencyCode", "currentTotalMinor", "valueMinor", "sourceUpdatedAt", "deletedAt")
      VALUES (?, ?, NULL, ?, NULL, 0, 'XXX', 0, 0, NULL, ?)
      ON CONFLICT ("shop", "id") DO UPDATE SET "customerId" = NULL, "processedAt" = excluded."processedAt", "cancelledAt" = NULL,
        "test" = 0, "currencyCode" = 'XXX', "currentTotalMinor" = 0, "valueMinor" = 0, "sourceUpdatedAt" = NULL,
        "deletedAt" = excluded."deletedAt"
      WHERE "Order"."deletedAt" IS NULL`);
    return {
      order(body: OrderBody) {
        const o = orderFromBody(body);
        const args = [
          SHOP,
          o.id,
          o.customerId,
          t(o.processedAt),
          t(o.cancelledAt),
          o.test ? 1 : 0,
          o.currencyCode,
          o.currentTotalMinor,
          o.currentTotalMinor,
          t(o.sourceUpdatedAt),
        ];
        if (upsert.run(...args).changes) refresh.run(SHOP, o.id);
      },
      refund(body: RefundBody) {
        const r = refundFromBody(body);
        if (insertRefund.run(SHOP, r.id, r.orderId, t(r.createdAt), r.amountMinor, r.currencyCode).changes)
          refresh.run(SHOP, r.orderId);
      },
      delete(at: string) {
        tombstone.run(SHOP, ORDER, at, at);
      },
      held() {
        return db.prepare(`SELECT * FROM "Order" WHERE "id" = ?`).get(ORDER) as Record<string, string | number | null>;
      },
    };
  }
  const version = (updatedAt: string, total: string, cancelledAt: string | null = null): OrderBody =>
    ({
      id: 1001,
      admin_graphql_api_id: ORDER,
      name: "#1001",
      created_at: new Date("2025-03-01T10:00:00Z"),
      processed_at: new Date("2025-03-01T10:00:00Z"),
      updated_at: new Date(updatedAt),
      cancelled_at: cancelledAt ? new Date(cancelledAt) : null,
      test: false,
      current_total_price_set: { shop_money: { amount: total, currency_code: "USD" } },
      customer: { id: 7 },
      discount_codes: [],
      refunds: [],
    }) as unknown as OrderBody;
  const refund: RefundBody = {
    id: 501,
    order_id: "1001",
    created_at: new Date("2025-03-01T10:05:00Z"),
    transactions: [{ kind: "refund", status: "success", amount: "20.00", currency: "USD" }],
  } as unknown as RefundBody;
  const steps: { what: string; apply: (l: ReturnType<typeof ledger>) => void }[] = [
    {
      what: "orders/create, updated_at 10:00:00, total 120.00",
      apply: (l) => l.order(version("2025-03-01T10:00:00Z", "120.00")),
    },
    { what: "refunds/create, created_at 10:05:00, refund transaction 20.00 USD", apply: (l) => l.refund(refund) },
    {
      what: "orders/updated, updated_at 09:59:00 (older, late), total 150.00",
      apply: (l) => l.order(version("2025-03-01T09:59:00Z", "150.00")),
    },
    {
      what: "orders/updated, updated_at 10:05:00, total 100.00",
      apply: (l) => l.order(version("2025-03-01T10:05:00Z", "100.00")),
    },
    {
      what: "orders/updated, updated_at 10:05:00 (same second), total 110.00",
      apply: (l) => l.order(version("2025-03-01T10:05:00Z", "110.00")),
    },
    {
      what: "orders/cancelled, updated_at 10:05:00 (same second), cancelled, total 100.00",
      apply: (l) => l.order(version("2025-03-01T10:05:00Z", "100.00", "2025-03-01T10:05:00Z")),
    },
    { what: "orders/delete", apply: (l) => l.delete("2025-03-01T11:00:00.000Z") },
    {
      what: "orders/updated, updated_at 10:10:00, total 100.00",
      apply: (l) => l.order(version("2025-03-01T10:10:00Z", "100.00")),
    },
  ];
  const qualifies = (o: Record<string, string | number | null>) =>
    o.customerId !== null && o.deletedAt === null && o.test === 0 && o.cancelledAt === null && Number(o.valueMinor) > 0;

  it("an order's deliveries: newest version wins, same-second ties, late refunds, tombstones", () => {
    const l = ledger();
    steps.forEach((step, i) => {
      step.apply(l);
      const o = l.held();
      const held = o.deletedAt ? "deleted" : String(o.sourceUpdatedAt).slice(11, 19);
      inDoc(
        row(
          i + 1,
          step.what,
          held,
          o.cancelledAt ? "yes" : "no",
          o.currentTotalMinor!,
          o.valueMinor!,
          qualifies(o) ? "yes" : "no",
        ),
      );
    });
  });

  it("the same deliveries in any order leave the same row (steps 1–6, every order of arrival)", () => {
    const permutations = <T>(xs: T[]): T[][] =>
      xs.length <= 1
        ? [xs]
        : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    const final = new Set<string>();
    for (const order of permutations(steps.slice(0, 6))) {
      const l = ledger();
      for (const step of order) step.apply(l);
      final.add(JSON.stringify(l.held()));
    }
    expect(final.size).toBe(1);
    expect(JSON.parse([...final][0])).toMatchObject({
      sourceUpdatedAt: "2025-03-01T10:05:00.000Z",
      currentTotalMinor: 10000,
      valueMinor: 10000,
      cancelledAt: "2025-03-01T10:05:00.000Z",
    });
  });

  it("customers: a newer version replaces, an equal second that differs is re-read from Shopify", () => {
    expect(CUSTOMER_VERSION_WINS).toContain(`excluded."sourceUpdatedAt" > "Customer"."sourceUpdatedAt"`);
    const at = new Date("2025-03-01T12:00:00Z");
    const incoming = {
      id: "gid://shopify/Customer/7",
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      locale: null,
      sourceCreatedAt: null,
      sourceUpdatedAt: at,
    };
    const held = {
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "King",
      locale: "en",
      sameSecond: true,
      deleted: false,
    };
    expect(sameSecondConflict(held, incoming)).toBe(true);
    expect(sameSecondConflict({ ...held, lastName: "Lovelace" }, incoming)).toBe(false); // locale null keeps "en": no difference
  });
});

const AS_OF = Date.parse("2025-07-01T00:00:00Z");
const at = (isoTime: string) => Date.parse(isoTime);
const orders = (list: [string, number][]) => list.map(([time, value]) => ({ time: at(time), value }));

/** docs/rules.md#rfm-example: five customers and a prospect, as of 2025-07-01 00:00 UTC, all history. */
const RFM_CUSTOMERS: (RfmCustomerOrders & { described: string })[] = [
  {
    customerId: "A",
    described: "6 × 150.00, last 2025-06-28 00:00",
    orders: orders([
      ["2025-01-01T00:00:00Z", 15000],
      ["2025-02-01T00:00:00Z", 15000],
      ["2025-03-01T00:00:00Z", 15000],
      ["2025-04-01T00:00:00Z", 15000],
      ["2025-05-01T00:00:00Z", 15000],
      ["2025-06-28T00:00:00Z", 15000],
    ]),
  },
  {
    customerId: "B",
    described: "3 × 100.00, last 2025-06-21 00:00",
    orders: orders([
      ["2024-12-01T00:00:00Z", 10000],
      ["2025-03-01T00:00:00Z", 10000],
      ["2025-06-21T00:00:00Z", 10000],
    ]),
  },
  { customerId: "C", described: "1 × 50.00 on 2025-06-20 16:00", orders: orders([["2025-06-20T16:00:00Z", 5000]]) },
  {
    customerId: "D",
    described: "100.00 on 2024-11-01, 200.00 on 2025-05-17 00:00",
    orders: orders([
      ["2024-11-01T00:00:00Z", 10000],
      ["2025-05-17T00:00:00Z", 20000],
    ]),
  },
  {
    customerId: "E",
    described: "4 × 150.00, last 2024-12-13 00:00",
    orders: orders([
      ["2024-06-01T00:00:00Z", 15000],
      ["2024-08-01T00:00:00Z", 15000],
      ["2024-10-01T00:00:00Z", 15000],
      ["2024-12-13T00:00:00Z", 15000],
    ]),
  },
  { customerId: "F", described: "only a cancelled order (none qualifying)", orders: [] },
];
const scoredRow = (id: string, described: string, r: RfmResult) =>
  "r" in r
    ? row(id, described, r.recencyDays, r.frequency, usd(r.monetary), r.r, r.f, r.m, r.fm, `\`${r.segment}\``)
    : row(id, described, "—", "—", "—", "—", "—", "—", "—", `\`${r.segment}\``);

describe("docs/rules.md#rfm", () => {
  it("the (R, FM) grid as the doc shows it", () => {
    for (const r of [5, 4, 3, 2, 1] as Score[]) inDoc(row(r, ...SEGMENT_GRID[r].map((key) => `\`${key}\``)));
  });

  it("worked example: recency, frequency, monetary, scores with ties, FM and segment", () => {
    const { results } = scoreRfmFromOrders(RFM_CUSTOMERS, { asOf: AS_OF });
    results.forEach((r, i) => inDoc(scoredRow(r.customerId, RFM_CUSTOMERS[i].described, r)));
    expect(results.map((r) => r.segment)).toEqual([
      "champions",
      "need_attention",
      "about_to_sleep",
      "hibernating",
      "at_risk",
      "prospect",
    ]);
  });

  it("the score cuts of that run (the admin's 'why this score')", () => {
    const { boundaries } = scoreRfmFromOrders(RFM_CUSTOMERS, { asOf: AS_OF });
    inDoc(row("recency (days)", ...scoreCutValues(boundaries, "recencyDays").map(String)));
    inDoc(row("frequency", ...scoreCutValues(boundaries, "frequency").map(String)));
    inDoc(row("monetary", ...scoreCutValues(boundaries, "monetary").map((v) => usd(v))));
  });

  it("a population of 7: below = 0..6 gives scores 1, 1, 2, 3, 3, 4, 5", () => {
    const seven = [1, 2, 3, 4, 5, 6, 7].map((f) => ({
      customerId: `x${f}`,
      lastOrderAt: AS_OF,
      frequency: f,
      monetary: 100,
    }));
    const scores = scoreRfm(seven, { asOf: AS_OF }).results.map((r) => r.f);
    expect(scores).toEqual([1, 1, 2, 3, 3, 4, 5]);
    inDoc(row("F score", ...scores));
  });

  it("incremental: C orders 100.00 at the as-of; the full run agrees for C and moves D's F", () => {
    const { boundaries } = scoreRfmFromOrders(RFM_CUSTOMERS, { asOf: AS_OF });
    const c = scoreRfmIncremental(
      boundaries,
      {
        customerId: "C",
        current: { lastOrderAt: AS_OF, frequency: 2, monetary: 15000 },
        previous: { lastOrderAt: at("2025-06-20T16:00:00Z"), frequency: 1, monetary: 5000 },
      },
      AS_OF,
    );
    const after = RFM_CUSTOMERS.map((x) =>
      x.customerId === "C" ? { ...x, orders: [...x.orders, { time: AS_OF, value: 10000 }] } : x,
    );
    const full = scoreRfmFromOrders(after, { asOf: AS_OF }).results;
    expect(full.find((r) => r.customerId === "C")).toEqual(c);
    inDoc(scoredRow("C, incremental", "50.00 and 100.00, last 2025-07-01 00:00", c));
    const d = full.find((r) => r.customerId === "D")!;
    inDoc(scoredRow("D, next full run", "unchanged", d));
  });
});

/** docs/rules.md#tiers-example: the default USD programme. */
const TIER_ORDERS: TierOrder[] = orders([
  ["2024-03-01T00:00:00Z", 50000],
  ["2024-06-01T00:00:00Z", 30000],
  ["2025-02-01T00:00:00Z", 10000],
]);
const REFUNDED: TierOrder[] = orders([
  ["2024-03-01T00:00:00Z", 50000],
  ["2024-06-01T00:00:00Z", 10000],
  ["2025-02-01T00:00:00Z", 10000],
]);
const tierRow = (label: string, s: TierStatus) =>
  row(
    label,
    `\`${s.tier}\``,
    `\`${s.computedTier}\``,
    usd(s.spendInWindow),
    iso(s.expiresAt),
    s.nextTier ? `\`${s.nextTier}\`` : "—",
    usd(s.amountToNext),
    iso(s.windowChangesAt),
  );

describe("docs/rules.md#tiers", () => {
  const usdProgram = defaultTierProgram("USD");
  it("the default USD programme", () => {
    for (const t of usdProgram.tiers) inDoc(row(`\`${t.key}\``, t.name, usd(t.threshold), t.threshold));
    expect(usdProgram).toMatchObject({ window: { kind: "rolling", days: 365 }, retentionDays: 365, timeZone: null });
  });

  it("worked example: computed tier at each order, the tier held at the as-of, expiry and progress", () => {
    expect(computedTierAt(usdProgram, TIER_ORDERS, at("2024-06-01T00:00:00Z"))).toBe("gold");
    expect(computedTierAt(usdProgram, TIER_ORDERS, at("2025-02-01T00:00:00Z"))).toBe("gold");
    expect(computedTierAt(usdProgram, TIER_ORDERS, AS_OF)).toBe("member");
    const variants: [string, TierProgram, TierOrder[]][] = [
      ["rolling 365, retention 365 (default)", usdProgram, TIER_ORDERS],
      ["rolling 365, retention 0", { ...usdProgram, retentionDays: 0 }, TIER_ORDERS],
      ["calendar_year (UTC), retention 365", { ...usdProgram, window: { kind: "calendar_year" } }, TIER_ORDERS],
      ["lifetime", { ...usdProgram, window: { kind: "lifetime" } }, TIER_ORDERS],
      ["default, 200.00 of the 2024-06-01 order refunded", usdProgram, REFUNDED],
    ];
    for (const [label, program, list] of variants) inDoc(tierRow(label, evaluateTier(program, list, AS_OF)));
    expect(evaluateTier(usdProgram, TIER_ORDERS, AS_OF)).toMatchObject({
      tier: "gold",
      expiresAt: at("2026-02-01T00:00:00.001Z"),
    });
    expect(evaluateTier(usdProgram, REFUNDED, AS_OF)).toMatchObject({ tier: "silver" });
  });
});

describe("docs/rules.md#points", () => {
  it("what an order earns: floor(rate × value × multiplier), exactly", () => {
    const cases: [string, string, number, number][] = [
      ["120.50", "USD", 1000, 1000],
      ["1200", "JPY", 1000, 1000],
      ["33.33", "USD", 2500, 1500],
      ["4.35", "USD", 100_000, 1000],
    ];
    for (const [amount, currency, ratePerMille, multiplierPerMille] of cases) {
      const points = orderPoints(toMinorUnits(amount, currency), currency, {
        ...DEFAULT_POINTS_RULES,
        ratePerMille,
        multiplierPerMille,
      });
      inDoc(row(`${amount} ${currency}`, ratePerMille, multiplierPerMille, points));
    }
    expect(DEFAULT_POINTS_RULES).toEqual({
      ratePerMille: 1000,
      multiplierPerMille: 1000,
      returnWindowDays: 30,
      expiryMonths: 12,
      expiryMode: "inactivity",
      // docs/rules.md#points-earning-rules: bonuses off, every tier ×1, Shopify's birth date metafield
      tierMultipliers: {},
      signUpPoints: 0,
      firstOrderPoints: 0,
      birthdayPoints: 0,
      birthdayMetafield: "facts.birth_date",
    });
  });

  // One customer of a shop in Bangkok (UTC+7), default rules, the programme started on 2025-01-01.
  const programme: PointsProgramme = { versions: [], startsAt: at("2025-01-01T00:00:00Z"), timeZone: "Asia/Bangkok" };
  const refund = (id: string, createdAt: string, amount: string) => ({
    id: `gid://shopify/Refund/${id}`,
    createdAt: at(createdAt),
    amountMinor: toMinorUnits(amount, "USD"),
    currencyCode: "USD",
  });
  const pointsOrder = (id: number, processedAt: string, value: string, more: Partial<PointsOrder> = {}) => ({
    id: `gid://shopify/Order/${id}`,
    processedAt: at(processedAt),
    cancelledAt: null,
    test: false,
    currencyCode: "USD",
    valueMinor: toMinorUnits(value, "USD"),
    refunds: [],
    ...more,
  });
  const ORDERS: PointsOrder[] = [
    pointsOrder(1000, "2024-12-20T00:00:00Z", "300.00"),
    pointsOrder(1001, "2025-01-10T10:00:00Z", "50.00", {
      refunds: [refund("501", "2025-01-20T00:00:00Z", "20.50"), refund("502", "2026-02-01T00:00:00Z", "50.00")],
    }),
    pointsOrder(1002, "2025-03-01T00:00:00Z", "0.00", { refunds: [refund("503", "2025-04-15T00:00:00Z", "80.00")] }),
    pointsOrder(1003, "2025-05-05T00:00:00Z", "45.99", { cancelledAt: at("2025-05-06T00:00:00Z") }),
  ];
  const POINTS_AS_OF = at("2026-03-01T00:00:00Z");

  it("expiry: the two modes on the same history, a released redemption, an import without orders (#points-expiry)", () => {
    const version = (expiryMode: "inactivity" | "lifetime"): PointsProgramme => ({
      versions: [{ version: 1, effectiveFrom: 0, rules: { ...DEFAULT_POINTS_RULES, expiryMode } }],
      startsAt: at("2025-01-01T00:00:00Z"),
    });
    const orders = [
      pointsOrder(2001, "2025-01-10T00:00:00Z", "100.00"),
      pointsOrder(2002, "2025-06-01T00:00:00Z", "60.00"),
    ];
    const held = (sourceKey: string, kind: "redemption" | "import", points: number, when: string) => ({
      sourceKey,
      kind,
      points,
      ruleVersion: 0,
      effectiveAt: at(when),
      availableAt: at(when),
      orderId: null,
      refundId: null,
      note: null,
    });
    const redeemed = [held("redeem:1", "redemption", -80, "2025-09-01T00:00:00Z")];
    const released = [...redeemed, held("release:1", "redemption", 80, "2026-03-01T00:00:00Z")];
    const asOf = at("2027-01-01T00:00:00Z");
    const expiries = (mode: "inactivity" | "lifetime", h: typeof redeemed, o = orders) =>
      targetEntries(o, version(mode), asOf, { held: h }).filter((e) => e.kind === "expiry");
    const rows = [
      ...expiries("inactivity", redeemed).map((e) => ["inactivity", e] as const),
      ...expiries("lifetime", redeemed).map((e) => ["lifetime", e] as const),
      ...expiries("lifetime", released).map((e) => ["lifetime, released 2026-03-01", e] as const),
    ];
    expect(rows.map(([, e]) => e.points)).toEqual([-80, -20, -60, -20, -80, -60]);
    for (const [mode, e] of rows) inDoc(`${row(mode, `\`${e.sourceKey}\``, e.points)}`.slice(0, -2));
    const imported = [held("import:generic", "import", 500, "2025-03-01T00:00:00Z")];
    for (const mode of ["inactivity", "lifetime"] as const)
      expect(expiries(mode, imported, []).map((e) => [e.points, iso(e.effectiveAt)])).toEqual([
        [-500, "2026-03-01T00:00:00.000Z"],
      ]);
    inDoc(
      "A customer with no order who had 500 points imported on 2025-03-01 loses them on 2026-03-01 under either mode.",
    );
  });

  it("the points metafield of the worked example's customer, as two syncs write it (docs/rules.md#sync-points)", () => {
    for (const moment of ["2025-03-10T00:00:00Z", "2025-12-15T00:00:00Z"]) {
      const asOf = at(moment);
      const held = targetEntries(ORDERS, programme, asOf);
      const later = targetEntries(ORDERS, programme, asOf + POINTS_EXPIRY_WARNING_DAYS * DAY_MS, { held });
      const rewards = [
        { title: "Free shipping", pointsPrice: 100 },
        { title: "5 off", pointsPrice: 150 },
      ];
      inDoc(
        pointsMetafield(pointsStatus(held, asOf, journalAppends(held, later), POINTS_EXPIRY_WARNING_DAYS, rewards))!,
      );
    }
  });

  it("worked example: the journal, balances as of each moment, the CSV line, a correction", () => {
    const journal = targetEntries(ORDERS, programme, POINTS_AS_OF);
    for (const e of journal)
      inDoc(row(`\`${e.sourceKey}\``, `\`${e.kind}\``, e.points, iso(e.effectiveAt), iso(e.availableAt)));
    expect(journal.map((e) => e.kind)).toEqual([
      "order",
      "refund",
      "order",
      "refund",
      "order",
      "cancellation",
      "expiry",
      "loss",
    ]);
    for (const moment of [
      "2025-01-15T00:00:00Z",
      "2025-02-10T00:00:00Z",
      "2025-04-01T00:00:00Z",
      "2025-05-10T00:00:00Z",
      "2026-01-09T17:00:00Z",
      "2026-03-01T00:00:00Z",
    ]) {
      const b = balancesAt(journal, at(moment));
      inDoc(row(iso(at(moment)), b.earned, b.pending, b.available, b.redeemed, b.expired, b.clawedBack, b.lost));
    }
    inDoc(POINTS_CSV_COLUMNS.join(","));
    inDoc(pointsCsvLine("gid://shopify/Customer/7", balancesAt(journal, POINTS_AS_OF)));
    // Derived once with order 1001 still at 120.50 and no refund known, then with the refund's order update only
    // (the refund itself not delivered yet: an edit, as far as the ledger knows), then with everything
    const early = targetEntries(
      [pointsOrder(1001, "2025-01-10T10:00:00Z", "120.50")],
      programme,
      at("2025-01-20T00:00:00Z"),
    );
    const edited = targetEntries(
      [pointsOrder(1001, "2025-01-10T10:00:00Z", "100.00")],
      programme,
      at("2025-01-20T00:00:00Z"),
    );
    const held = [...early, ...journalAppends(early, edited)];
    const complete = targetEntries(
      [
        pointsOrder(1001, "2025-01-10T10:00:00Z", "100.00", {
          refunds: [refund("501", "2025-01-20T00:00:00Z", "20.50")],
        }),
      ],
      programme,
      at("2025-01-20T00:00:00Z"),
    );
    const appended = [...held, ...journalAppends(held, complete)];
    for (const e of appended)
      inDoc(row(`\`${e.sourceKey}\``, `\`${e.kind}\``, e.points, iso(e.effectiveAt), iso(e.availableAt)));
    expect(appended.map((e) => e.sourceKey)).toEqual([
      "order:gid://shopify/Order/1001:v0",
      "order:gid://shopify/Order/1001:v0~1",
      "order:gid://shopify/Order/1001:v0~2",
      "refund:gid://shopify/Refund/501",
    ]);
  });
});

describe("docs/rules.md#sync", () => {
  it("worked example: tags, the status metafield, the tier's segment and code", () => {
    const status = evaluateTier(defaultTierProgram("USD"), TIER_ORDERS, AS_OF);
    const state = {
      customerId: "gid://shopify/Customer/7",
      segment: "champions",
      tier: status.tier,
      spendInWindowMinor: status.spendInWindow,
      nextTier: status.nextTier,
      amountToNextMinor: status.amountToNext,
      tierExpiresAt: status.expiresAt,
    };
    const desired = desiredTags(state, DEFAULT_SYNC_SETTINGS);
    const synced = ["rfm:loyal", "tier:silver"];
    const foreign = ["Tier:Gold"];
    const pending = ["rfm:at_risk"];
    const change = tagChange(desired, synced, foreign, pending);
    expect(desired).toEqual(["rfm:champions", "tier:gold"]);
    expect(change).toEqual({ add: ["rfm:champions"], remove: ["rfm:loyal", "tier:silver", "rfm:at_risk"] });
    const list = (xs: string[]) => xs.map((x) => `\`${x}\``).join(", ");
    inDoc(row("desired", list(desired)));
    inDoc(row("add", list(change.add)));
    inDoc(row("remove", list(change.remove)));
    inDoc(row("the app's tags afterwards", list(tagsAfter(synced, change))));
    // Gold gives 10 % and free shipping (automatic), Platinum 15 % as a code
    const base = defaultTierProgram("USD");
    const withPerks = {
      ...base,
      tiers: base.tiers.map((t) =>
        t.key === "gold"
          ? { ...t, perks: { ...t.perks, discountPercent: 10, freeShipping: true } }
          : t.key === "platinum"
            ? { ...t, perks: { ...t.perks, discountPercent: 15, delivery: "code" as const } }
            : t,
      ),
    };
    const metafields = tierMetafields(state, withPerks, "USD")!;
    expect(metafields.tier).toBe("gold");
    inDoc(metafields.status);
    inDoc(`\`${tierSegmentQuery(DEFAULT_SYNC_SETTINGS.tierPrefix!, "gold")}\``);
    inDoc(`\`${tierPercentCode(DEFAULT_SYNC_SETTINGS.codePrefix, "gold", 10)}\``);
    inDoc(`\`${tierPercentCode("VIP-", "gold", 10)}\``);
    inDoc(`\`${tierShippingCode(DEFAULT_SYNC_SETTINGS.codePrefix, "gold")}\``);
  });

  it("Flow triggers: the payloads of a tier move and a segment move", () => {
    const program = defaultTierProgram("USD");
    const tier = flowTrigger(
      { id: 1, customerId: "gid://shopify/Customer/7", kind: "tier", from: "silver", to: "gold" },
      program,
    );
    const segment = flowTrigger(
      { id: 2, customerId: "gid://shopify/Customer/7", kind: "segment", from: "loyal", to: "champions" },
      program,
    );
    const joined = flowTrigger(
      { id: 3, customerId: "gid://shopify/Customer/8", kind: "tier", from: null, to: "member" },
      program,
    );
    for (const t of [tier, segment, joined]) inDoc(row(`\`${t.handle}\``, `\`${JSON.stringify(t.payload)}\``));
  });
});
