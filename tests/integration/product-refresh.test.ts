// Two versions of one product stamped with the same second (Shopify's updated_at has whole seconds): delivered in either
// order through the built server, the ledger ends on Shopify's current product — the products webhook queues a
// product-refresh job in its transaction and that job re-reads the product from the Admin API (docs/rules.md#ledger-lines).
// Equal duplicates queue nothing; the refresh of a product that went off sale while someone is recommended it queues
// the shop's sync; one shop's refresh never touches another's row; without read_products the job is parked.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { createJobHandlers } from "../../app/jobs/handlers.server";
import { PRODUCT_REFRESH } from "../../app/jobs/contracts";
import { createFakeClock, type SimulatorEvent } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { jobRows, testQueue } from "../support/queue";

const SHOP = "product-refresh.myshopify.com";
const OTHER = "product-refresh-other.myshopify.com";
const NO_PRODUCTS = "product-refresh-no-scope.myshopify.com";
const WITHOUT_READ_PRODUCTS =
  "read_orders,read_all_orders,read_customers,write_customers,read_discounts,write_discounts,read_store_credit_accounts,read_store_credit_account_transactions,write_store_credit_account_transactions,read_gift_cards,write_gift_cards";
const clock = createFakeClock(Date.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
type Recorded = ReturnType<typeof env.shopify.webhookEventOf>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  // Opened before the tests move the clock on (the session tokens the local Shopify signs must be valid for the app)
  for (const shop of [SHOP, OTHER, NO_PRODUCTS]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop));
    env.shopify.install(shop, shop === NO_PRODUCTS ? { scopes: WITHOUT_READ_PRODUCTS } : undefined);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
}, 120_000);

/** The product as the ledger holds it (the fields a version carries). */
async function held(shop: string, id: string) {
  const row = await prisma.product.findUnique({ where: { shop_id: { shop, id } } });
  if (!row) return null;
  const { title, handle, productType, vendor, status, sourceUpdatedAt, deletedAt } = row;
  return { title, handle, productType, vendor, status, sourceUpdatedAt: sourceUpdatedAt?.toISOString(), deletedAt };
}

/** The product as Shopify holds it now, in the ledger's terms. */
function truth(shop: string, id: string) {
  const p = env.shopify.admin.shops.getShop(shop)!.products.get(id)!;
  return {
    title: p.title,
    handle: p.handle,
    productType: p.productType || null,
    vendor: p.vendor || null,
    status: p.status,
    sourceUpdatedAt: new Date(p.updatedAt).toISOString(),
    deletedAt: null,
  };
}

/** Records the products/* webhooks a change makes in `shop`, without Shopify delivering them. */
function recordProducts<T>(shop: string, change: () => T): { result: T; events: Recorded[] } {
  const events: Recorded[] = [];
  const stop = env.shopify.admin.onEvent((event: SimulatorEvent) => {
    if (event.shop === shop && event.topic !== "bulk_operations/finish" && event.topic.startsWith("products/"))
      events.push(env.shopify.webhookEventOf(event));
  });
  try {
    const result = env.shopify.withoutDelivery(shop, change);
    return { result, events };
  } finally {
    stop();
  }
}

/** The app's own product-refresh handler (parked when Shopify refuses it for access), run until the queue is idle. */
async function runRefreshes() {
  const queue = testQueue();
  const handlers = createJobHandlers({ queue, clientFor: env.clientFor });
  const worker = await queue.work({ [PRODUCT_REFRESH]: handlers[PRODUCT_REFRESH] }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
}

/** The product version's updated_at (the simulator's record; the webhook body carries the same instant). */
const stamp = (e: Recorded) => {
  const at = (e.resource as { updatedAt?: string }).updatedAt;
  if (!at) throw new Error(`no updatedAt in a ${e.topic} event`);
  return at;
};
const refreshKeys = async (shop: string) =>
  (await jobRows(shop, { kind: PRODUCT_REFRESH, state: "queued" })).map((j) => j.key);

describe("two versions of one product in the same second", () => {
  it.each([
    ["in the order they happened", false],
    ["newest first", true],
  ])("end on Shopify's current product when delivered %s", async (_label, reversed) => {
    const sim = env.shopify.admin;
    const { result: product, events } = recordProducts(SHOP, () => {
      clock.advance(60_000);
      const created = sim.createProduct(SHOP, {
        title: `Cold brew ${reversed}`,
        productType: "Coffee",
        vendor: "Northwind Roasters",
        variants: [{ price: "8.00" }],
      });
      clock.advance(60_000);
      sim.updateProduct(SHOP, created.id, { title: `Cold brew concentrate ${reversed}` });
      sim.updateProduct(SHOP, created.id, { status: "DRAFT" }); // the same second: Shopify's last word
      return created;
    });
    const [created, first, second] = events;
    expect(stamp(first)).toBe(stamp(second));
    expect(stamp(created)).not.toBe(stamp(first));
    const outcomes = await env.shopify.webhooks.deliverBatch(
      reversed ? [created, second, first] : [created, first, second],
    );
    expect(outcomes.every((o) => o.delivered)).toBe(true);
    // Whichever came second tied with the one held and was not written: the product is queued for a re-read, once
    expect(await refreshKeys(SHOP)).toEqual([`${PRODUCT_REFRESH}:${product.id}`]);
    // In order, the draft is the version lost: the ledger holds a product no longer for sale as on sale. Newest
    // first, the held version happens to be Shopify's, but nothing in the payloads could say so.
    const stale = await held(SHOP, product.id);
    if (reversed) expect(stale).toEqual(truth(SHOP, product.id));
    else {
      expect(stale).not.toEqual(truth(SHOP, product.id));
      expect(stale!.status).toBe("ACTIVE");
    }

    await runRefreshes();
    expect(await held(SHOP, product.id)).toEqual(truth(SHOP, product.id));
    expect((await held(SHOP, product.id))!.status).toBe("DRAFT");
    expect(await jobRows(SHOP, { kind: PRODUCT_REFRESH, state: "dead" })).toEqual([]);
    expect(await refreshKeys(SHOP)).toEqual([]);
  });

  it("queue nothing for an equal duplicate of the held second, or for an older version", async () => {
    const sim = env.shopify.admin;
    const { result: product, events } = recordProducts(SHOP, () => {
      clock.advance(60_000);
      const created = sim.createProduct(SHOP, { title: "Pour-over kettle", variants: [{ price: "45.00" }] });
      clock.advance(60_000);
      sim.updateProduct(SHOP, created.id, { vendor: "Kettle Co" });
      return created;
    });
    const [created, updated] = events;
    // Each item is its own event (its own event and webhook ids): the same version comes twice, the older one late
    const outcomes = await env.shopify.webhooks.deliverBatch([created, updated, updated, created]);
    expect(outcomes.every((o) => o.delivered)).toBe(true);
    expect(await refreshKeys(SHOP)).toEqual([]);
    expect(await held(SHOP, product.id)).toEqual(truth(SHOP, product.id));
  });

  it("queue the shop's sync when the refreshed product went off sale while a customer is recommended it", async () => {
    const sim = env.shopify.admin;
    const { result: product, events } = recordProducts(SHOP, () => {
      clock.advance(60_000);
      const created = sim.createProduct(SHOP, { title: "Espresso cups", variants: [{ price: "20.00" }] });
      clock.advance(60_000);
      sim.updateProduct(SHOP, created.id, { title: "Espresso cups (set of 2)" });
      sim.updateProduct(SHOP, created.id, { status: "ARCHIVED" }); // the same second
      return created;
    });
    const [created, renamed, archived] = events;
    expect(stamp(archived)).toBe(stamp(renamed));
    // Created on sale, it is recommended to a customer; the sync its arrival queued is taken off the queue here
    await env.shopify.webhooks.deliverBatch([created]);
    await prisma.customerRecommendation.create({
      data: {
        shop: SHOP,
        customerId: "gid://shopify/Customer/999001",
        products: JSON.stringify([product.id]),
        computedAt: new Date(),
      },
    });
    const syncKeys = async () => (await jobRows(SHOP, { kind: "sync", state: "queued" })).map((j) => j.key);
    const queue = testQueue();
    const consumer = await queue.work({ sync: async () => {} }, { pollMs: 20 });
    await consumer.idle();
    await consumer.stop();
    expect(await syncKeys()).toEqual([]);
    // Delivered in order: the archived version ties with the renamed one held and is lost, the product looks on sale
    await env.shopify.webhooks.deliverBatch([renamed, archived]);
    expect((await held(SHOP, product.id))!.status).toBe("ACTIVE");
    expect(await refreshKeys(SHOP)).toEqual([`${PRODUCT_REFRESH}:${product.id}`]);
    expect(await syncKeys()).toEqual([]);

    await runRefreshes();
    expect(await held(SHOP, product.id)).toEqual(truth(SHOP, product.id));
    expect((await held(SHOP, product.id))!.status).toBe("ARCHIVED");
    expect(await syncKeys()).toEqual(["sync"]);
    const [sync] = await jobRows(SHOP, { kind: "sync", state: "queued" });
    expect(JSON.parse(sync.payload)).toEqual({ reason: "products" });
  });

  it("never reads or writes another shop's product", async () => {
    const sim = env.shopify.admin;
    const { result: product, events } = recordProducts(SHOP, () => {
      clock.advance(60_000);
      const created = sim.createProduct(SHOP, { title: "Grinder", variants: [{ price: "99.00" }] });
      clock.advance(60_000);
      sim.updateProduct(SHOP, created.id, { title: "Burr grinder" });
      sim.updateProduct(SHOP, created.id, { productType: "Equipment" });
      return created;
    });
    // The other shop holds a row under the same id, of the same second, that differs
    const [created, first, second] = events;
    await prisma.product.create({
      data: {
        shop: OTHER,
        id: product.id,
        title: "Someone else's grinder",
        status: "ACTIVE",
        sourceUpdatedAt: new Date(stamp(first)),
      },
    });
    const otherBefore = await held(OTHER, product.id);
    await env.shopify.webhooks.deliverBatch([created, first, second]);
    expect(await refreshKeys(SHOP)).toEqual([`${PRODUCT_REFRESH}:${product.id}`]);
    expect(await refreshKeys(OTHER)).toEqual([]);
    await runRefreshes();
    expect(await held(SHOP, product.id)).toEqual(truth(SHOP, product.id));
    expect(await held(OTHER, product.id)).toEqual(otherBefore);

    // A refresh job of the other shop for that id reads the other shop's Shopify: it has no such product
    const queue = testQueue();
    await queue.enqueue(OTHER, PRODUCT_REFRESH, { productId: product.id }, { key: `${PRODUCT_REFRESH}:${product.id}` });
    await runRefreshes();
    expect(await held(OTHER, product.id)).toEqual(otherBefore);
    expect(await held(SHOP, product.id)).toEqual(truth(SHOP, product.id));
  });

  it("leave a product Shopify no longer has to its products/delete, and a deleted product deleted", async () => {
    const sim = env.shopify.admin;
    const { result: product, events } = recordProducts(SHOP, () => {
      clock.advance(60_000);
      const created = sim.createProduct(SHOP, { title: "Milk jug", variants: [{ price: "15.00" }] });
      clock.advance(60_000);
      sim.updateProduct(SHOP, created.id, { title: "Milk jug 600 ml" });
      sim.updateProduct(SHOP, created.id, { status: "DRAFT" });
      sim.deleteProduct(SHOP, created.id);
      return created;
    });
    const [created, first, second, deleted] = events;
    expect(deleted.topic).toBe("products/delete");
    await env.shopify.webhooks.deliverBatch([created, first, second]);
    expect(await refreshKeys(SHOP)).toEqual([`${PRODUCT_REFRESH}:${product.id}`]);
    const before = await held(SHOP, product.id);
    await runRefreshes(); // Shopify answers null: nothing to write, nothing dead
    expect(await held(SHOP, product.id)).toEqual(before);
    expect(await jobRows(SHOP, { kind: PRODUCT_REFRESH, state: "dead" })).toEqual([]);
    // The delete arrives; a refresh queued again (a late tie) cannot bring the product back
    await env.shopify.webhooks.deliverBatch([deleted, first]);
    const tombstone = await held(SHOP, product.id);
    expect(tombstone!.deletedAt).not.toBeNull();
    expect(await refreshKeys(SHOP)).toEqual([]);
    await testQueue().enqueue(SHOP, PRODUCT_REFRESH, { productId: product.id }, { key: `${PRODUCT_REFRESH}:x` });
    await runRefreshes();
    expect(await held(SHOP, product.id)).toEqual(tombstone);
    // Even a newer answer written through the refresh's write path leaves the tombstone as it is
    const { refreshProductVersion } = await import("../../app/models/product-refresh.server");
    const later = new Date(clock.now() + 3_600_000);
    const written = await refreshProductVersion(
      SHOP,
      {
        id: product.id,
        title: "Milk jug, back",
        handle: "milk-jug",
        productType: null,
        vendor: null,
        status: "ACTIVE",
        sourceUpdatedAt: later,
      },
      {
        recommendations: { kind: "sync", key: "sync", payload: { reason: "products" }, delayMs: 0 },
        queue: testQueue(),
      },
    );
    expect(written).toBe(false);
    expect(await held(SHOP, product.id)).toEqual(tombstone);
  });

  it("the products import reading a version of the held second that differs queues the re-read too", async () => {
    const sim = env.shopify.admin;
    const { result: product, events } = recordProducts(SHOP, () => {
      clock.advance(60_000);
      const created = sim.createProduct(SHOP, { title: "Scale", variants: [{ price: "55.00" }] });
      clock.advance(60_000);
      sim.updateProduct(SHOP, created.id, { title: "Coffee scale" });
      sim.updateProduct(SHOP, created.id, { status: "DRAFT" }); // its webhook is never delivered
      return created;
    });
    const [created, renamed] = events;
    await env.shopify.webhooks.deliverBatch([created, renamed]);
    expect(await refreshKeys(SHOP)).toEqual([]);
    expect((await held(SHOP, product.id))!.status).toBe("ACTIVE");
    // The import's bulk file has the draft, stamped with the held second: kept out, queued for a re-read; every
    // other product of the shop is read as held and queues nothing
    const queue = testQueue({ random: () => 0 });
    const handlers = createJobHandlers({ queue, clientFor: env.clientFor });
    await queue.enqueue(SHOP, "products-import", {}, { key: "products-import" });
    const worker = await queue.work({ "products-import": handlers["products-import"] }, { pollMs: 20 });
    await worker.idle();
    await worker.stop();
    expect(await jobRows(SHOP, { kind: "products-import", state: "dead" })).toEqual([]);
    expect(await refreshKeys(SHOP)).toEqual([`${PRODUCT_REFRESH}:${product.id}`]);
    await runRefreshes();
    expect(await held(SHOP, product.id)).toEqual(truth(SHOP, product.id));
    expect((await held(SHOP, product.id))!.status).toBe("DRAFT");
  });

  it("refuse a payload that names no product, changing nothing", async () => {
    const queue = testQueue();
    await queue.enqueue(SHOP, PRODUCT_REFRESH, { productId: "gid://shopify/Customer/1" }, { key: "bad-refresh" });
    const before = await prisma.product.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
    await runRefreshes();
    expect(await jobRows(SHOP, { kind: PRODUCT_REFRESH, state: "dead" })).toHaveLength(1);
    expect(await prisma.product.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } })).toEqual(before);
  });
});

describe("a shop without read_products", () => {
  it("parks the product-refresh job until the scope is granted", async () => {
    const shop = NO_PRODUCTS;
    // Shopify sends this shop no products webhooks; the product exists at Shopify all the same
    const product = env.shopify.admin.createProduct(shop, { title: "Tamper", variants: [{ price: "30.00" }] });
    const queue = testQueue();
    const payload = { productId: product.id };
    await queue.enqueue(shop, PRODUCT_REFRESH, payload, { key: `${PRODUCT_REFRESH}:${payload.productId}` });
    await runRefreshes();
    const { getShopAccess } = await import("../../app/models/shop-access.server");
    expect((await getShopAccess(shop)).parked).toEqual([{ kind: PRODUCT_REFRESH, payload }]);
    expect(await jobRows(shop, { kind: PRODUCT_REFRESH, state: "dead" })).toEqual([]);
    expect(await prisma.product.count({ where: { shop } })).toBe(0);

    // The merchant grants read_products: app/scopes_update (through the built server) queues the parked job again
    const [granted] = await env.shopify.grantScopes(shop, "read_products");
    expect(granted.delivered).toBe(true);
    expect((await getShopAccess(shop)).parked).toEqual([]);
    await runRefreshes();
    expect(await held(shop, product.id)).toEqual(truth(shop, product.id));
    expect(await jobRows(shop, { kind: PRODUCT_REFRESH, state: "dead" })).toEqual([]);
  });
});
