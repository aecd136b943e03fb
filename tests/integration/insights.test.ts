// Insight segments end to end on the real database (docs/insights.md), SQLite and PostgreSQL (TEST_DATABASE=postgresql):
// a demo shop generated, loaded into the local Shopify and its history into the ledger (the records the backfill reads), with orders carrying line items written through
// the ledger's own write path (a product bought, one refunded, one in a cancelled order, a product type); a larger shop
// generated from known BG/NBD parameters and fitted (predicted value bands, likely lost). Each audience is checked
// against the definition computed here from the ledger's rows; campaigns with insight audiences issue codes in Shopify
// and hold out exactly the hashed share; the customer list filters by insight; the sync writes and removes the insight
// tags, never the merchant's own; a shop without a fit gets no prediction audience and says why; shops never mix.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { readFile } from "node:fs/promises";
import { recomputeShop } from "../../app/services/recompute.server";
import { createCampaignFromForm, runCampaigns, templateDefinition } from "../../app/services/campaigns.server";
import { campaignFormValues, inHoldout } from "../../app/domain/campaigns";
import {
  customerInsights,
  isLikelyLost,
  isPromotionOnly,
  type Insight,
  type TaggedInsight,
} from "../../app/domain/insights";
import { qualifies } from "../../app/domain/qualifying";
import type { LedgerOrder } from "../../app/domain/ledger-types";
import { applyCustomers, applyOrders, applyProducts, applyRefunds } from "../../app/models/ledger.server";
import { insightCustomers, predictionContext } from "../../app/models/insights.server";
import { listCustomers } from "../../app/models/customer-list.server";
import { customerListQuery } from "../../app/services/customers.server";
import { refitPredictions } from "../../app/services/predictions.server";
import { getSyncSettings, saveSyncSettings } from "../../app/models/sync.server";
import { syncShop } from "../../app/services/sync.server";
import { writeShopFile } from "../../simulator/generator/index";
import { generateBgNbdHistory } from "../../simulator/generator/bgnbd-history";
import type { CustomerRecord, OrderRecord } from "../../simulator/shop-file/types";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { installShop } from "../support/shops";
import { ledgerCustomer, ledgerOrder } from "./recompute-fixtures";

const SHOP = "insight-shop.myshopify.com";
const OTHER = "insight-other.myshopify.com";
const FITTED = "insight-fitted.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const DAY = 86_400_000;
const P = (n: number) => `gid://shopify/Product/${990_000 + n}`;
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const clientFor = (shop: string) => env.clientFor(shop);
const simulated = (shop = SHOP) => env.shopify.admin.shops.getShop(shop)!;

/** The planted customers of SHOP (real customers of the simulated shop, so codes can be limited to them). */
const planted: Record<"bought" | "refunded" | "cancelled" | "shoes" | "partly" | "promo", string> = {
  bought: "",
  refunded: "",
  cancelled: "",
  shoes: "",
  partly: "",
  promo: "",
};
let lineSeq = 0;
let orderSeq = 880_000;

function order(
  customerId: string,
  at: Date,
  lines: { product: number; quantity: number }[],
  { cancelled = false, codes = [] as string[], discountMinor = 0 } = {},
): LedgerOrder {
  const id = `gid://shopify/Order/${++orderSeq}`;
  return {
    id,
    customerId,
    name: `#${orderSeq}`,
    processedAt: at,
    cancelledAt: cancelled ? new Date(at.getTime() + 3_600_000) : null,
    test: false,
    currencyCode: "USD",
    currentTotalMinor: 2500 * lines.reduce((n, l) => n + l.quantity, 0),
    discountCodes: codes,
    discountMinor,
    sourceUpdatedAt: new Date(at.getTime() + (cancelled ? 3_600_000 : 0)),
    lines: lines.map((l) => ({
      id: `gid://shopify/LineItem/${++lineSeq + 770_000}`,
      productId: P(l.product),
      variantId: null,
      title: `Product ${l.product}`,
      variantTitle: null,
      vendor: null,
      sku: null,
      quantity: l.quantity,
      amountMinor: 2500 * l.quantity,
      giftCard: false,
    })),
  };
}

const CATALOGUE = [
  { n: 1, title: "Enamel mug", type: "Kitchen" },
  { n: 2, title: "Trail boots", type: "Shoes" },
  { n: 3, title: "Canvas sneakers", type: "Shoes" },
];
async function catalogue(shop: string) {
  await applyProducts(
    shop,
    CATALOGUE.map((p) => ({
      id: P(p.n),
      title: p.title,
      handle: `p-${p.n}`,
      productType: p.type,
      vendor: "Maker",
      status: "ACTIVE",
      sourceUpdatedAt: new Date("2026-01-01T00:00:00Z"),
    })),
  );
}

async function loadSimulated(shop: string, seed: number, count: number) {
  const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
  await writeShopFile(
    { preset: "demo", seed, customers: count, shopDomain: shop, endDate: AS_OF.toISOString() },
    file,
    {
      truthFile: false,
    },
  );
  const state = await env.shopify.admin.shops.loadShopFile(file);
  state.record.plan = "advanced";
  env.shopify.install(shop);
  expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  // The shop's history into the ledger through its write path, as the backfill reads it (the records of the file).
  const customers: CustomerRecord[] = [];
  const orders: OrderRecord[] = [];
  for (const line of (await readFile(file, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as { __typename: string };
    if (record.__typename === "Customer") customers.push(record as CustomerRecord);
    else if (record.__typename === "Order") orders.push(record as OrderRecord);
  }
  await applyCustomers(shop, customers.map(ledgerCustomer));
  await applyOrders(shop, orders.map(ledgerOrder));
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  await loadSimulated(SHOP, 61, 90);
  await loadSimulated(OTHER, 62, 30);

  // The ledger holds the generated history (the audiences below are checked on it, not only on the planted rows)
  expect(await prisma.order.count({ where: { shop: SHOP } })).toBeGreaterThan(150);
  expect(await prisma.order.count({ where: { shop: OTHER } })).toBeGreaterThan(40);
  // Line items through the ledger's write path, for real customers of each shop.
  await catalogue(SHOP);
  await catalogue(OTHER);
  const ids = (await prisma.customer.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" }, take: 6 })).map(
    (c) => c.id,
  );
  [planted.bought, planted.refunded, planted.cancelled, planted.shoes, planted.partly, planted.promo] = ids;
  const at = (daysBefore: number) => new Date(AS_OF.getTime() - daysBefore * DAY);
  // The mug returned, the sneakers kept: the order still counts, the mug does not
  const refunded = order(planted.refunded, at(20), [
    { product: 1, quantity: 1 },
    { product: 3, quantity: 1 },
  ]);
  const partly = order(planted.partly, at(15), [{ product: 1, quantity: 2 }]);
  await applyOrders(SHOP, [
    order(planted.bought, at(30), [{ product: 1, quantity: 1 }]),
    refunded,
    order(planted.cancelled, at(10), [{ product: 1, quantity: 1 }], { cancelled: true }),
    order(planted.shoes, at(12), [{ product: 2, quantity: 1 }]),
    partly,
    // Three discounted orders make the promo customer promotion-only whatever the generator gave them.
    ...[40, 35, 5].map((d) => order(planted.promo, at(d), [{ product: 3, quantity: 1 }], { codes: ["SALE10"] })),
  ]);
  await applyRefunds(SHOP, [
    {
      id: "gid://shopify/Refund/66001",
      orderId: refunded.id,
      createdAt: at(18),
      amountMinor: 2500,
      currencyCode: "USD",
      lines: [
        { id: "gid://shopify/RefundLineItem/66001", lineId: refunded.lines![0].id, quantity: 1, amountMinor: 2500 },
      ],
    },
    {
      id: "gid://shopify/Refund/66002",
      orderId: partly.id,
      createdAt: at(14),
      amountMinor: 2500,
      currencyCode: "USD",
      lines: [
        { id: "gid://shopify/RefundLineItem/66002", lineId: partly.lines![0].id, quantity: 1, amountMinor: 2500 },
      ],
    },
  ]);
  const otherCustomer = (await prisma.customer.findFirstOrThrow({ where: { shop: OTHER }, orderBy: { id: "asc" } })).id;
  await applyOrders(OTHER, [order(otherCustomer, at(9), [{ product: 1, quantity: 1 }])]);
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  await recomputeShop(OTHER, { asOf: AS_OF, reason: "backfill" });
  await refitPredictions(SHOP, { asOf: AS_OF }); // 90 customers: too small to fit

  // A shop large enough to fit, from known parameters.
  await installShop(FITTED);
  const customers: CustomerRecord[] = [];
  const orders: OrderRecord[] = [];
  for (const record of generateBgNbdHistory({
    shopDomain: FITTED,
    endDate: AS_OF.toISOString(),
    seed: 7,
    customers: 1500,
    weeks: 78,
    currency: "USD",
    bgnbd: { r: 0.6, alpha: 6, a: 0.7, b: 2.8 },
    spend: { p: 6, q: 4, gamma: 1500 },
  })) {
    if (record.__typename === "Customer") customers.push(record);
    else if (record.__typename === "Order") orders.push(record);
  }
  await applyCustomers(FITTED, customers.map(ledgerCustomer));
  for (let i = 0; i < orders.length; i += 2000) await applyOrders(FITTED, orders.slice(i, i + 2000).map(ledgerOrder));
  await recomputeShop(FITTED, { asOf: AS_OF, reason: "backfill" });
  const fit = await refitPredictions(FITTED, { asOf: AS_OF });
  expect(fit.status).toBe("fitted");
}, 240_000);

// ---- The definitions, computed here from the ledger's rows ---------------------------------------------------------

async function scored(shop: string) {
  return new Map(
    (await prisma.customerState.findMany({ where: { shop } })).map((s) => [s.customerId, s.segment] as const),
  );
}

/** Qualifying and discounted orders per customer (app/domain/qualifying.ts on each row). */
async function orderCounts(shop: string) {
  const deleted = new Set(
    (await prisma.customer.findMany({ where: { shop, deletedAt: { not: null } } })).map((c) => c.id),
  );
  const counts = new Map<string, { n: number; d: number }>();
  const qualifying = new Set<string>();
  for (const o of await prisma.order.findMany({ where: { shop } })) {
    const ok = qualifies(
      {
        customerId: o.customerId,
        customerDeleted: o.customerId !== null && deleted.has(o.customerId),
        test: o.test,
        cancelledAt: o.cancelledAt,
        deletedAt: o.deletedAt,
        valueMinor: Number(o.valueMinor),
        processedAt: o.processedAt,
      },
      AS_OF,
    );
    if (!ok) continue;
    qualifying.add(o.id);
    const c = counts.get(o.customerId!) ?? { n: 0, d: 0 };
    c.n += 1;
    if (o.discountMinor > 0n || (JSON.parse(o.discountCodes) as string[]).length > 0) c.d += 1;
    counts.set(o.customerId!, c);
  }
  return { counts, qualifying };
}

async function expectedPromotionOnly(shop: string) {
  const states = await scored(shop);
  const { counts } = await orderCounts(shop);
  return [...counts]
    .filter(([id, c]) => states.has(id) && isPromotionOnly(c.n, c.d))
    .map(([id]) => id)
    .sort();
}

/** Customers with a line of the product (or of a product of the type) in a qualifying order, net quantity above 0. */
async function expectedBought(shop: string, match: { productId?: string; productType?: string }) {
  const states = await scored(shop);
  const { qualifying } = await orderCounts(shop);
  const types = new Map((await prisma.product.findMany({ where: { shop } })).map((p) => [p.id, p.productType]));
  const refunded = new Map<string, number>();
  for (const r of await prisma.refundLine.findMany({ where: { shop } }))
    refunded.set(r.lineId, (refunded.get(r.lineId) ?? 0) + r.quantity);
  const orders = new Map((await prisma.order.findMany({ where: { shop } })).map((o) => [o.id, o.customerId]));
  const out = new Set<string>();
  for (const l of await prisma.orderLine.findMany({ where: { shop } })) {
    if (l.productId === null) continue;
    if (match.productId !== undefined && l.productId !== match.productId) continue;
    if (match.productType !== undefined && types.get(l.productId) !== match.productType) continue;
    if (!qualifying.has(l.orderId) || l.quantity - (refunded.get(l.id) ?? 0) <= 0) continue;
    const customer = orders.get(l.orderId)!;
    if (states.has(customer)) out.add(customer);
  }
  return [...out].sort();
}

async function expectedPredicted(
  shop: string,
  keep: (p: { band: string | null; pAlive: number }, segment: string) => boolean,
) {
  const states = await scored(shop);
  return (await prisma.customerPrediction.findMany({ where: { shop } }))
    .filter((p) => states.has(p.customerId) && keep(p, states.get(p.customerId)!))
    .map((p) => p.customerId)
    .sort();
}

const audience = async (shop: string, insight: Insight) =>
  insightCustomers(shop, insight, await predictionContext(shop), AS_OF);

// ---- Audiences -------------------------------------------------------------------------------------------------------

describe("insight audiences", () => {
  it("by product: a qualifying order with the product, not refunded; never a cancelled order; never another shop's", async () => {
    const got = await audience(SHOP, { key: "product", productId: P(1) });
    expect(got).toEqual(await expectedBought(SHOP, { productId: P(1) }));
    expect(got).toContain(planted.bought);
    expect(got).toContain(planted.partly); // bought 2, returned 1
    expect(got).not.toContain(planted.refunded); // returned it (the order, with other lines, still counts)
    expect(await prisma.refundLine.count({ where: { shop: SHOP } })).toBe(2);
    expect(got).not.toContain(planted.cancelled);
    expect(got).not.toContain(planted.shoes);
    const other = await audience(OTHER, { key: "product", productId: P(1) });
    expect(other).toEqual(await expectedBought(OTHER, { productId: P(1) }));
    expect(other).toHaveLength(1);
    expect(other.some((id) => got.includes(id))).toBe(false);
  });

  it("by product type: joined from the catalogue", async () => {
    const shoes = await audience(SHOP, { key: "product_type", productType: "Shoes" });
    expect(shoes).toEqual(await expectedBought(SHOP, { productType: "Shoes" }));
    expect(shoes).toEqual(expect.arrayContaining([planted.shoes, planted.promo, planted.refunded]));
    expect(shoes).not.toContain(planted.bought);
    expect(await audience(SHOP, { key: "product_type", productType: "shoes" })).toEqual([]); // types are exact
    expect(await audience(SHOP, { key: "product_type", productType: "Kitchen" })).toEqual(
      await expectedBought(SHOP, { productType: "Kitchen" }),
    );
  });

  it("promotion-only buyers: at least two orders, most of them discounted", async () => {
    const got = await audience(SHOP, { key: "promotion_only" });
    expect(got).toEqual(await expectedPromotionOnly(SHOP));
    expect(got).toContain(planted.promo);
    expect(await audience(OTHER, { key: "promotion_only" })).toEqual(await expectedPromotionOnly(OTHER));
  });

  it("by predicted value band and likely lost, on the shop's fit and threshold", async () => {
    const ctx = await predictionContext(FITTED);
    expect(ctx).toMatchObject({ available: true, threshold: 0.3 });
    for (const band of ["high", "medium", "low"] as const) {
      const got = await audience(FITTED, { key: `clv_${band}` });
      expect(got, band).toEqual(await expectedPredicted(FITTED, (p) => p.band === band));
      expect(got.length, band).toBeGreaterThan(10);
    }
    const lost = await audience(FITTED, { key: "likely_lost" });
    expect(lost).toEqual(await expectedPredicted(FITTED, (p, segment) => isLikelyLost(segment, p.pAlive, 0.3)));
    expect(lost.length).toBeGreaterThan(0);
    // Every likely-lost customer still looks fine to RFM, and some customers below the threshold do not (excluded)
    const below = await expectedPredicted(FITTED, (p) => p.pAlive < 0.3);
    expect(below.length).toBeGreaterThan(lost.length);
  });

  it("a shop without a fit gets no prediction audience, and the reason", async () => {
    const ctx = await predictionContext(SHOP);
    expect(ctx).toEqual({ available: false, reason: "too_few_customers", threshold: null });
    for (const key of ["clv_high", "clv_medium", "clv_low", "likely_lost"] as const)
      expect(await audience(SHOP, { key })).toEqual([]);
    expect(await predictionContext("never-seen.myshopify.com")).toEqual({
      available: false,
      reason: null,
      threshold: null,
    });
  });
});

// ---- The customer list -------------------------------------------------------------------------------------------

describe("the customer list's insight filter", () => {
  const ids = async (shop: string, params: string) => {
    const query = customerListQuery(new URLSearchParams(params));
    const seen: string[] = [];
    let total = 0;
    for (let page = 1; ; page++) {
      const result = await listCustomers(shop, { ...query, page });
      total = result.total;
      if (result.rows.length === 0) break;
      seen.push(...result.rows.map((r) => r.customerId));
    }
    expect(seen.length).toBe(total);
    return seen.sort();
  };

  it("lists exactly the insight's customers, from the URL, with and without a search", async () => {
    expect(await ids(SHOP, "insight=promotion_only")).toEqual(await expectedPromotionOnly(SHOP));
    expect(await ids(SHOP, `insight=product&product=${encodeURIComponent(P(1))}`)).toEqual(
      await expectedBought(SHOP, { productId: P(1) }),
    );
    expect(await ids(SHOP, "insight=product_type&productType=Shoes")).toEqual(
      await expectedBought(SHOP, { productType: "Shoes" }),
    );
    expect(await ids(FITTED, "insight=clv_high")).toEqual(await expectedPredicted(FITTED, (p) => p.band === "high"));
    // Combined with a segment and with a search (the search path joins names)
    const promo = await prisma.customer.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: planted.promo } },
    });
    const state = await prisma.customerState.findUniqueOrThrow({
      where: { shop_customerId: { shop: SHOP, customerId: planted.promo } },
    });
    expect(await ids(SHOP, `insight=promotion_only&segment=${state.segment}`)).toContain(planted.promo);
    expect(await ids(SHOP, `insight=promotion_only&search=${encodeURIComponent(promo.email!)}`)).toEqual([
      planted.promo,
    ]);
    // A shop without a fit: nobody; another shop's product: nobody of this shop
    expect(await ids(SHOP, "insight=clv_high")).toEqual([]);
    expect(await ids(OTHER, `insight=product&product=${encodeURIComponent(P(2))}`)).toEqual([]);
  });

  it("drops a malformed insight instead of failing (the whole list)", async () => {
    const all = await ids(SHOP, "");
    for (const bad of ["insight=nope", "insight=product", "insight=product&product=42", "insight=product_type"])
      expect(await ids(SHOP, bad), bad).toEqual(all);
  });
});

// ---- Campaigns -----------------------------------------------------------------------------------------------------

describe("campaigns with insight audiences", () => {
  const create = async (name: string, insight: Record<string, string>, holdoutPercent: string) => {
    const form = {
      ...campaignFormValues(await templateDefinition(SHOP, "custom"), "USD"),
      name,
      audienceKind: "insight",
      ...insight,
      holdoutPercent,
      codePrefix:
        name
          .toUpperCase()
          .replace(/[^A-Z]/g, "")
          .slice(0, 8) + "-",
    };
    const saved = await createCampaignFromForm(SHOP, form, AS_OF);
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    return saved.campaign.id;
  };

  it("issue codes to exactly the audience outside a hashed holdout, in Shopify", async () => {
    const promoCampaign = await create("Promo lovers", { insight: "promotion_only" }, "30");
    const mugCampaign = await create("Mug buyers", { insight: "product", insightProduct: P(1) }, "0");
    const vipCampaign = await create("Top value", { insight: "clv_high" }, "10");
    const result = await runCampaigns(SHOP, { client: await clientFor(SHOP), now: () => AS_OF });
    expect(result.failed).toBe(0);

    const members = async (campaignId: string) =>
      prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId }, orderBy: { customerId: "asc" } });
    const promo = await members(promoCampaign);
    expect(promo.map((m) => m.customerId)).toEqual(await expectedPromotionOnly(SHOP));
    for (const m of promo) expect(m.holdout, m.customerId).toBe(inHoldout(promoCampaign, m.customerId, 30));
    const mug = await members(mugCampaign);
    expect(mug.map((m) => m.customerId)).toEqual(await expectedBought(SHOP, { productId: P(1) }));
    expect(mug.every((m) => !m.holdout)).toBe(true);
    // No fit, no audience
    expect(await members(vipCampaign)).toEqual([]);

    // Each recipient's code exists in Shopify, limited to them; the holdout got none
    for (const r of [...promo, ...mug].filter((m) => !m.holdout)) {
      expect(r.issuedAt, r.customerId).not.toBeNull();
      const discount = simulated().discounts.get(simulated().discountCodes.get(r.code!.toLowerCase())!)!;
      expect(discount.buyers.kind === "customers" && discount.buyers.ids).toContain(r.customerId);
    }
    for (const h of promo.filter((m) => m.holdout)) expect(h.code).toBeNull();

    // A rerun inside the cooldown assigns nobody again
    const again = await runCampaigns(SHOP, {
      client: await clientFor(SHOP),
      now: () => new Date(AS_OF.getTime() + DAY),
    });
    expect(again.assigned + again.heldOut).toBe(0);
    // The other shop's campaigns table is untouched
    expect(await prisma.campaignRecipient.count({ where: { shop: OTHER } })).toBe(0);
  });

  it("refuses a bad insight with the field in error, and saves nothing", async () => {
    const before = await prisma.campaign.count({ where: { shop: SHOP } });
    const form = {
      ...campaignFormValues(await templateDefinition(SHOP, "custom"), "USD"),
      name: "Broken",
      audienceKind: "insight",
      insight: "product",
      insightProduct: "gid://shopify/Customer/1",
    };
    const saved = await createCampaignFromForm(SHOP, form, AS_OF);
    expect(saved.ok).toBe(false);
    if (!saved.ok) expect(saved.issues.map((i) => i.path[0])).toEqual(["insightProduct"]);
    expect(await prisma.campaign.count({ where: { shop: SHOP } })).toBe(before);
  });
});

// ---- Tags ----------------------------------------------------------------------------------------------------------

describe("insight tags through the sync", () => {
  const MERCHANT = ["insight:handpicked", "vip"];
  const sync = async () => syncShop(SHOP, { client: await clientFor(SHOP), reason: "manual", now: () => AS_OF });
  /** What each customer must carry under the prefix: their insights, computed here. */
  async function expectedTags(): Promise<Map<string, string[]>> {
    const states = await scored(SHOP);
    const { counts } = await orderCounts(SHOP);
    const out = new Map<string, string[]>();
    for (const [id, segment] of states) {
      const c = counts.get(id) ?? { n: 0, d: 0 };
      // SHOP has no fit: no prediction-based insight
      const keys: TaggedInsight[] = customerInsights(
        { segment, band: null, pAlive: null, qualifyingOrders: c.n, discountedOrders: c.d },
        null,
      );
      out.set(
        id,
        keys.map((k) => `insight:${k}`),
      );
    }
    return out;
  }
  const held = (id: string) =>
    simulated()
      .customers.get(id)!
      .tags.filter((t) => t.toLowerCase().startsWith("insight:"));

  it("writes the insight tags when asked, removes those no longer true, never the merchant's own", async () => {
    // The merchant's own tag under the insight prefix, on the promotion-only customer, before the app writes any
    simulated()
      .customers.get(planted.promo)!
      .tags.push(...MERCHANT);
    await saveSyncSettings(SHOP, { ...(await getSyncSettings(SHOP)), insightPrefix: "insight:" });
    const first = await sync();
    expect(first).toMatchObject({ status: "done", failed: 0 });
    const want = await expectedTags();
    expect([...want.values()].filter((t) => t.length > 0).length).toBeGreaterThan(0);
    for (const [id, tags] of want) {
      const got = held(id).filter((t) => t !== "insight:handpicked");
      expect(got.sort(), id).toEqual(tags.sort());
    }
    expect(held(planted.promo)).toEqual(expect.arrayContaining(["insight:handpicked", "insight:promotion_only"]));
    expect((await sync()).requests).toBe(0); // nothing left to send

    // The promo customer buys three times at full price: no longer promotion-only, the tag goes, the merchant's stays
    const at = (d: number) => new Date(AS_OF.getTime() - d * DAY);
    await applyOrders(
      SHOP,
      [1, 2, 3].map((d) => order(planted.promo, at(d), [{ product: 1, quantity: 1 }])),
    );
    await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
    await sync();
    expect(held(planted.promo)).toEqual(["insight:handpicked"]);
    expect(simulated().customers.get(planted.promo)!.tags).toContain("vip");

    // Turned off: every insight tag the app wrote goes, the merchant's stays
    await saveSyncSettings(SHOP, { ...(await getSyncSettings(SHOP)), insightPrefix: null });
    await sync();
    for (const id of want.keys()) expect(held(id), id).toEqual(id === planted.promo ? ["insight:handpicked"] : []);
    // The other shop was never tagged
    for (const c of simulated(OTHER).customers.values())
      expect(c.tags.some((t) => t.startsWith("insight:"))).toBe(false);
  });
});
