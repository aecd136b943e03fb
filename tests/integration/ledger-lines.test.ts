// Line items and the product catalogue in the ledger (docs/rules.md#line-items-and-products), against the local Shopify
// through the built server: the install backfill (bulk orders with their line items, the refund lines pass, the
// products import) equal to the generator's truth; webhooks (products/*, orders/* with line_items, refunds/create
// with refund_line_items) equal to the simulator's own records whatever the delivery order; refunds of lines before or
// after their order; a deleted order's lines gone; old shop files without lines; one shop never reads another's lines.
import path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { createJobHandlers } from "../../app/jobs/handlers.server";
import { orderLinesOf, customerLines } from "../../app/models/order-lines.server";
import { productTypes } from "../../app/models/products.server";
import { loadShopFile } from "../../app/services/shop-file.server";
import { writeShopFile, type TruthSummary } from "../../simulator/generator/index";
import { createFakeClock, type SimulatorEvent } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const clock = createFakeClock(Date.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
type Recorded = ReturnType<typeof env.shopify.webhookEventOf>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
});

async function generatedFile(seed: number, domain: string, customers = 120) {
  const file = path.join(inject("testRunDir"), `${domain}-${seed}.jsonl`);
  await writeShopFile(
    { preset: "demo", seed, customers, shopDomain: domain, endDate: "2026-11-01T00:00:00.000Z" },
    file,
  );
  return { file, truth: JSON.parse(readFileSync(`${file}.truth.json`, "utf8")) as TruthSummary };
}

/** The ledger's lines summed per product the way the truth sums them (every order held, net of refunded lines). */
async function ledgerPerProduct(shop: string) {
  const lines = await prisma.orderLine.findMany({ where: { shop } });
  const refunded = await prisma.refundLine.findMany({ where: { shop } });
  const productOf = new Map(lines.map((l) => [l.id, l.productId]));
  const per: TruthSummary["lines"]["perProduct"] = {};
  const entry = (id: string) =>
    (per[id] ??= { lines: 0, quantity: 0, refundedQuantity: 0, amountMinor: 0, refundedAmountMinor: 0 });
  for (const l of lines) {
    if (!l.productId) continue;
    const e = entry(l.productId);
    e.lines++;
    e.quantity += l.quantity;
    e.amountMinor += Number(l.amountMinor);
  }
  for (const r of refunded) {
    const product = productOf.get(r.lineId);
    if (!product) continue;
    const e = entry(product);
    e.refundedQuantity += r.quantity;
    e.refundedAmountMinor += Number(r.amountMinor ?? 0n);
  }
  return per;
}

/** The app's own handlers (parked when Shopify refuses them for access) of the two jobs a backfill runs here. */
async function runJobs() {
  const queue = testQueue({ random: () => 0 });
  const handlers = createJobHandlers({ queue, clientFor: env.clientFor });
  const worker = await queue.work(
    { backfill: handlers.backfill, "products-import": handlers["products-import"] },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}

describe("line items through the install backfill", () => {
  it("equal the generator's truth: every line, every refunded line, every product, to the minor unit", async () => {
    const shop = "lines-backfill.myshopify.com";
    const { file, truth } = await generatedFile(41, shop);
    await env.shopify.admin.shops.loadShopFile(file);
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await runJobs();

    expect(truth.lines.lineItems).toBeGreaterThan(200);
    expect(truth.lines.refundLineItems).toBeGreaterThan(5);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(truth.lines.lineItems);
    expect(await prisma.refundLine.count({ where: { shop } })).toBe(truth.lines.refundLineItems);
    expect(await ledgerPerProduct(shop)).toEqual(truth.lines.perProduct);
    // The lines of an order sum to its subtotal (Σ of every line = Σ of the orders' line-item totals after discounts)
    const sum = await prisma.orderLine.aggregate({ where: { shop }, _sum: { amountMinor: true } });
    expect(Number(sum._sum.amountMinor)).toBe(truth.lines.amountMinor);
    // The catalogue came in through the products import: its types join the lines
    expect(await prisma.product.count({ where: { shop, deletedAt: null } })).toBe(truth.lines.products);
    const types = await productTypes(shop);
    expect(types.map((t) => t.productType)).toEqual(
      ["Brewing gear", "Coffee", "Filters", "Mugs", "Snacks", "Tea"].filter((t) =>
        types.some((x) => x.productType === t),
      ),
    );
    const someOrder = (await prisma.orderLine.findFirstOrThrow({ where: { shop } })).orderId;
    const read = await orderLinesOf(shop, [someOrder]);
    expect(read.length).toBeGreaterThan(0);
    expect(read.every((l) => l.productType !== null && l.netQuantity === l.quantity - l.refundedQuantity)).toBe(true);

    // A second backfill (e.g. on demand) changes nothing: the same versions, the same lines
    const before = await prisma.orderLine.findMany({ where: { shop }, orderBy: { id: "asc" } });
    await prisma.backfillRun.updateMany({ where: { shop }, data: { status: "done" } });
    const { startBackfill } = await import("../../app/services/backfill.server");
    await startBackfill(shop, { queue: testQueue() });
    await runJobs();
    expect(await prisma.orderLine.findMany({ where: { shop }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await prisma.refundLine.count({ where: { shop } })).toBe(truth.lines.refundLineItems);
  });

  it("a shop without read_products keeps its ledger: the products import is parked, its lines still come in", async () => {
    const shop = "lines-no-products.myshopify.com";
    const { file, truth } = await generatedFile(43, shop, 40);
    await env.shopify.admin.shops.loadShopFile(file);
    env.shopify.install(shop, {
      scopes:
        "read_orders,read_all_orders,read_customers,write_customers,read_discounts,write_discounts,read_store_credit_accounts,read_store_credit_account_transactions,write_store_credit_account_transactions,read_gift_cards,write_gift_cards",
    });
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await runJobs();
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(truth.lines.lineItems);
    expect(await prisma.product.count({ where: { shop } })).toBe(0);
    // Its lines came without their product (that needs read_products too)
    expect(await prisma.orderLine.count({ where: { shop, productId: { not: null } } })).toBe(0);
    const { getShopAccess } = await import("../../app/models/shop-access.server");
    expect((await getShopAccess(shop)).parked).toEqual([{ kind: "products-import", payload: {} }]);
  });
});

describe("line items through webhooks", () => {
  const SHOP = "lines-webhooks.myshopify.com";
  const recorded: Recorded[] = [];

  /** Products, orders with lines and discounts, refunds of lines (partial, then the rest), a deleted order. */
  function liveAShopsLife() {
    const sim = env.shopify.admin;
    const tick = () => clock.advance(60_000);
    const stop = sim.onEvent((event: SimulatorEvent) => {
      if (event.shop === SHOP && event.topic !== "bulk_operations/finish")
        recorded.push(env.shopify.webhookEventOf(event));
    });
    const ids = env.shopify.withoutDelivery(SHOP, () => {
      const beans = sim.createProduct(SHOP, {
        title: "House roast",
        productType: "Coffee",
        vendor: "Northwind Roasters",
        variants: [
          { title: "250 g", sku: "HR-250", price: "12.50" },
          { title: "1 kg", sku: "HR-1000", price: "39.00" },
        ],
      });
      tick();
      const mug = sim.createProduct(SHOP, {
        title: "Stoneware mug",
        productType: "Mugs",
        variants: [{ price: "9.99" }],
      });
      tick();
      const ada = sim.createCustomer(SHOP, { firstName: "Ada", email: "ada@example.com" });
      tick();
      // 3 × 12.50 − 1.13 and 1 × 9.99 − 0.30: 37.50 + 9.99 − 1.43 = 46.06
      const order = sim.placeOrder(SHOP, {
        customerId: ada.id,
        total: "46.06",
        discountCodes: [],
        lines: [
          { variantId: beans.variants[0].id, quantity: 3, discount: "1.13" },
          { variantId: mug.variants[0].id, quantity: 1, discount: "0.30" },
        ],
      });
      tick();
      sim.refundOrder(SHOP, order.id, { lines: [{ lineItemId: order.lineItems![0].id, quantity: 1 }] });
      tick();
      sim.refundOrder(SHOP, order.id, { lines: [{ lineItemId: order.lineItems![0].id, quantity: 2 }] });
      tick();
      sim.updateProduct(SHOP, mug.id, { productType: "Drinkware" });
      tick();
      const gone = sim.placeOrder(SHOP, {
        customerId: ada.id,
        total: "39.00",
        lines: [{ variantId: beans.variants[1].id, quantity: 1 }],
      });
      tick();
      sim.deleteOrder(SHOP, gone.id);
      tick();
      const custom = sim.placeOrder(SHOP, {
        total: "5.00",
        lines: [{ title: "Gift wrap", price: "5.00", quantity: 1 }],
      });
      return { order, gone, custom, beans, mug };
    });
    stop();
    return ids;
  }

  let life: ReturnType<typeof liveAShopsLife>;
  beforeAll(async () => {
    env.shopify.admin.shops.addShop(testShopRecord(SHOP));
    env.shopify.install(SHOP);
    expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
    life = liveAShopsLife();
  });

  async function reset() {
    await prisma.$transaction([
      prisma.orderLine.deleteMany({ where: { shop: SHOP } }),
      prisma.refundLine.deleteMany({ where: { shop: SHOP } }),
      prisma.product.deleteMany({ where: { shop: SHOP } }),
      prisma.order.deleteMany({ where: { shop: SHOP } }),
      prisma.refund.deleteMany({ where: { shop: SHOP } }),
      prisma.customer.deleteMany({ where: { shop: SHOP } }),
      prisma.webhookDelivery.deleteMany({ where: { shop: SHOP } }),
    ]);
  }

  async function ledgerRows() {
    const [lines, refundLines, products] = await Promise.all([
      prisma.orderLine.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } }),
      prisma.refundLine.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } }),
      prisma.product.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } }),
    ]);
    return JSON.stringify({ lines, refundLines, products }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  }

  it("hold the simulator's lines exactly: amounts after discounts, refunded quantities, product types", async () => {
    await reset();
    await env.shopify.webhooks.deliverBatch(recorded);
    const lines = await orderLinesOf(SHOP, [life.order.id, life.gone.id, life.custom.id]);
    expect(
      lines.map((l) => [
        l.orderId,
        l.title,
        l.variantTitle,
        l.sku,
        l.quantity,
        l.amountMinor,
        l.netQuantity,
        l.productType,
      ]),
    ).toEqual([
      // 3 × 12.50 − 1.13 = 36.37, all three refunded (12.12 then the rest, 24.25); the mug's type was updated
      [life.order.id, "House roast", "250 g", "HR-250", 3, 3637, 0, "Coffee"],
      [life.order.id, "Stoneware mug", null, null, 1, 969, 1, "Drinkware"],
      // the deleted order's lines are gone; the custom line has no product
      [life.custom.id, "Gift wrap", null, null, 1, 500, 1, null],
    ]);
    expect(lines[0]).toMatchObject({ refundedQuantity: 3, refundedAmountMinor: 3637, netAmountMinor: 0 });
    expect(
      (await prisma.refundLine.findMany({ where: { shop: SHOP } })).map((r) => Number(r.amountMinor)).sort(),
    ).toEqual([1212, 2425]);
    // The lines as the simulator holds them (its own records are Shopify's truth here)
    const state = env.shopify.admin.shops.getShop(SHOP)!;
    const simulated = [...state.orders.values()]
      .flatMap((o) => o.lineItems ?? [])
      .map((l) => l.id)
      .sort();
    expect((await prisma.orderLine.findMany({ where: { shop: SHOP } })).map((l) => l.id).sort()).toEqual(simulated);
    const customer = await customerLines(SHOP, life.order.customer!.id);
    expect(customer.map((l) => l.title)).toEqual(["House roast", "Stoneware mug"]);
  });

  it("end on the same rows whatever the order and however often each event comes (refunds before their order)", async () => {
    await reset();
    await env.shopify.webhooks.deliverBatch(recorded);
    const inOrder = await ledgerRows();
    for (const seed of [1, 2, 3]) {
      await reset();
      await env.shopify.webhooks.deliverBatch(recorded, { duplicates: 3, shuffle: seed });
      expect(await ledgerRows()).toBe(inOrder);
    }
    // The refunds first, then everything else: the refunded lines wait for their order
    await reset();
    const refundsFirst = [...recorded].sort(
      (a, b) => Number(b.topic === "refunds/create") - Number(a.topic === "refunds/create"),
    );
    await env.shopify.webhooks.deliverBatch(refundsFirst);
    expect(await ledgerRows()).toBe(inOrder);
  });

  it("never shows one shop's lines to another", async () => {
    const other = "lines-other.myshopify.com";
    expect(await orderLinesOf(other, [life.order.id, life.custom.id])).toEqual([]);
    expect(await customerLines(other, life.order.customer!.id)).toEqual([]);
    expect(await productTypes(other)).toEqual([]);
    expect((await productTypes(SHOP)).map((t) => t.productType)).toEqual(["Coffee", "Drinkware"]);
  });
});

describe("line items from a shop file", () => {
  it("load with the file; a file from before line items still loads, and the same file with lines fills them in", async () => {
    const shop = "lines-file.myshopify.com";
    const { file, truth } = await generatedFile(47, shop, 60);
    // The same history written the old way: no Product lines, no lineItems, no refundLineItems
    const old = `${file}.old.jsonl`;
    const oldLines = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line && !line.includes('"__typename":"Product"'))
      .map((line) => {
        const record = JSON.parse(line);
        delete record.lineItems;
        delete record.refundLineItems;
        return JSON.stringify(record);
      });
    writeFileSync(old, `${oldLines.join("\n")}\n`);
    const loaded = await loadShopFile(shop, old);
    expect(loaded.orders).toBe(truth.records.orders);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(0);

    // The file with lines: the order versions are the same (nothing wins), the held versions' lines are filled in
    await loadShopFile(shop, file);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(truth.lines.lineItems);
    expect(await prisma.refundLine.count({ where: { shop } })).toBe(truth.lines.refundLineItems);
    expect(await ledgerPerProduct(shop)).toEqual(truth.lines.perProduct);
    expect(await prisma.product.count({ where: { shop } })).toBe(truth.lines.products);
  });
});
