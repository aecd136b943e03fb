// Product affinity on the real database (docs/affinity.md), SQLite and PostgreSQL: a shop's ledger written through
// the ledger's own write path (orders with their lines, a refund of a line, the catalogue) with planted structure —
// two products bought together, one bought after another — and noise; the run finds the planted rules, recommends
// the missing half to customers who bought one, never an archived or excluded product, refunds count, exclusions
// remove every rule with the product, reruns change nothing, and two shops never see each other's rows.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { dayNumberAt } from "../../app/domain/affinity";
import { affinityJob } from "../../app/jobs/affinity.server";
import { AFFINITY, SYNC, type AffinityPayload } from "../../app/jobs/contracts";
import { PermanentJobError, type JobContext } from "../../app/jobs/queue";
import { recomputeShopAndFollowUp } from "../../app/services/recompute.server";
import { markUninstalled } from "../../app/models/shop.server";
import { installShop } from "../support/shops";
import { forEachCustomerBaskets, getShopAffinity, topAssociations } from "../../app/models/affinity.server";
import { applyOrders } from "../../app/models/ledger.server";
import { recommendationsOf } from "../../app/models/recommendations.server";
import { computeAffinity, excludeProduct, includeProduct } from "../../app/services/affinity.server";
import { A_PLAN, B_PLAN, DAY, order, P, seedAffinityShop, START } from "../support/affinity-shop";
import { deleteJobs, jobRows, testQueue } from "../support/queue";

const AS_OF = new Date("2026-06-01T00:00:00.000Z");

const A = "affinity-a.myshopify.com";
const B = "affinity-b.myshopify.com";
const queue = testQueue();
const rows = async (shop: string) => ({
  associations: await prisma.productAssociation.findMany({
    where: { shop },
    orderBy: [{ kind: "asc" }, { antecedent: "asc" }, { consequent: "asc" }],
  }),
  recommendations: await prisma.customerRecommendation.findMany({ where: { shop }, orderBy: { customerId: "asc" } }),
  run: await prisma.shopAffinity.findUnique({ where: { shop } }),
  exclusions: await prisma.productExclusion.findMany({ where: { shop } }),
});

beforeAll(async () => {
  await seedAffinityShop(A, A_PLAN, 1);
  await seedAffinityShop(B, B_PLAN, 2);
}, 120_000);

describe("product affinity on the ledger", () => {
  it("reads baskets customer by customer with net quantities (a refunded line counts 0)", async () => {
    const seen = new Map<string, { time: number; lines: { productId: string | null; quantity: number }[] }[]>();
    const totals = await forEachCustomerBaskets(A, AS_OF, (customer, orders) => {
      expect(seen.has(customer)).toBe(false);
      seen.set(customer, orders);
    });
    expect(totals.customers).toBe(403);
    expect(
      seen.get("gid://shopify/Customer/9003")![0].lines.sort((x, y) => (x.productId! < y.productId! ? -1 : 1)),
    ).toEqual([
      { productId: P(1), quantity: 1 },
      { productId: P(2), quantity: 0 },
    ]);
    // The keyset path in pages of 7 rows reads the same customers and orders.
    const paged = new Map<string, unknown>();
    const pagedTotals = await forEachCustomerBaskets(A, AS_OF, (c, orders) => paged.set(c, orders), {
      paged: true,
      pageRows: 7,
    });
    expect(pagedTotals).toEqual(totals);
    expect(paged).toEqual(seen);
    // As of before the probes' orders, they are not there.
    const early = new Set<string>();
    await forEachCustomerBaskets(A, new Date(START + 250 * DAY), (c) => early.add(c));
    expect(early.has("gid://shopify/Customer/9001")).toBe(false);
    expect(early.size).toBeGreaterThan(300);
  });

  it("finds the planted rules and recommends the missing product; a rerun changes nothing", async () => {
    await deleteJobs(A);
    const run = await computeAffinity(A, { asOf: AS_OF, now: AS_OF, queue });
    expect(run.status).toBe("done");
    expect(run.totals.customers).toBe(403);

    const together = await topAssociations(A, "together", 2);
    expect(together.map((r) => [r.antecedent, r.consequent])).toEqual([
      [P(1), P(2)],
      [P(2), P(1)],
    ]);
    expect(together[0].lift).toBeGreaterThan(2);
    expect(together[0].confidence).toBeGreaterThan(0.6);
    const next = await topAssociations(A, "next", 50);
    const planted = next.find((r) => r.antecedent === P(3) && r.consequent === P(4))!;
    expect(planted.confidence).toBeGreaterThan(0.6);
    expect(planted.lift).toBeGreaterThan(1.5);
    expect(Math.max(...next.map((r) => r.count))).toBe(planted.count);

    const recs = await recommendationsOf(A, [
      "gid://shopify/Customer/9001",
      "gid://shopify/Customer/9002",
      "gid://shopify/Customer/9003",
    ]);
    expect(recs.get("gid://shopify/Customer/9001")!.products[0]).toBe(P(2));
    expect(recs.get("gid://shopify/Customer/9002")!.products[0]).toBe(P(4));
    // 9003 bought P2 and returned it: it stays "bought", never recommended back.
    expect(recs.get("gid://shopify/Customer/9003")?.products ?? []).not.toContain(P(2));
    const all = await prisma.customerRecommendation.findMany({ where: { shop: A } });
    expect(all.length).toBe(run.recommended);
    for (const r of all) {
      const products = JSON.parse(r.products) as string[];
      expect(products.length).toBeLessThanOrEqual(4);
      expect(products).not.toContain(P(A_PLAN.archived));
    }
    // The recommendations changed: a sync is queued so the metafield follows.
    expect(await jobRows(A, { kind: SYNC, state: "queued" })).toHaveLength(1);

    const before = await rows(A);
    const again = await computeAffinity(A, { asOf: AS_OF, now: new Date(AS_OF.getTime() + DAY), queue });
    expect(again.changed).toBe(0);
    const after = await rows(A);
    expect(after.associations).toEqual(before.associations);
    expect(after.recommendations).toEqual(before.recommendations);
  });

  it("an exclusion removes every rule with the product and its recommendations; bad input changes nothing", async () => {
    await computeAffinity(A, { asOf: AS_OF, now: AS_OF });
    await deleteJobs(A);
    const before = await rows(A);
    expect(await excludeProduct(queue, A, "gift wrap", AS_OF)).toEqual({ ok: false, error: "invalid" });
    expect(await excludeProduct(queue, A, P(999), AS_OF)).toEqual({ ok: false, error: "unknown_product" });
    expect(await rows(A)).toEqual(before);
    expect(await jobRows(A, { kind: AFFINITY })).toHaveLength(0);

    expect(await excludeProduct(queue, A, P(2), AS_OF)).toEqual({ ok: true, added: true });
    expect(await excludeProduct(queue, A, P(2), AS_OF)).toEqual({ ok: true, added: false });
    expect(await jobRows(A, { kind: AFFINITY, state: "queued" })).toHaveLength(1);
    await computeAffinity(A, { asOf: AS_OF, now: AS_OF });
    const excluded = await prisma.productAssociation.findMany({ where: { shop: A } });
    expect(excluded.length).toBeGreaterThan(0);
    expect(excluded.filter((r) => r.antecedent === P(2) || r.consequent === P(2))).toEqual([]);
    for (const r of await prisma.customerRecommendation.findMany({ where: { shop: A } }))
      expect(JSON.parse(r.products)).not.toContain(P(2));

    expect(await includeProduct(queue, A, P(2))).toEqual({ ok: true, removed: true });
    await computeAffinity(A, { asOf: AS_OF, now: AS_OF });
    expect((await topAssociations(A, "together", 1))[0].consequent).toBe(P(2));
  });

  it("keeps shops apart: a run, an exclusion and the reads of one shop never touch another's", async () => {
    await computeAffinity(B, { asOf: AS_OF, now: AS_OF });
    const bBefore = await rows(B);
    expect((await topAssociations(B, "together", 1))[0].antecedent).toBe(P(5));
    // A's run and exclusions leave B's rows as they are.
    await excludeProduct(queue, A, P(6), AS_OF);
    await computeAffinity(A, { asOf: AS_OF, now: new Date(AS_OF.getTime() + 2 * DAY) });
    expect(await rows(B)).toEqual(bBefore);
    // B's rules are B's: P5 with P6, not A's planted pair.
    const bTogether = await topAssociations(B, "together", 2);
    expect(bTogether.map((r) => r.antecedent).sort()).toEqual([P(5), P(6)]);
    expect((await getShopAffinity(B))!.orders).toBe(bBefore.run!.orders);
    await includeProduct(queue, A, P(6));
    // A shop that names a product only another shop has seen gets unknown_product.
    expect(await excludeProduct(queue, "affinity-empty.myshopify.com", P(1), AS_OF)).toEqual({
      ok: false,
      error: "unknown_product",
    });
  });

  it("a shop with too little says so and keeps no rules or recommendations", async () => {
    const shop = "affinity-small.myshopify.com";
    await applyOrders(shop, [order(shop, 1, "gid://shopify/Customer/1", 1, [1, 2])]);
    const run = await computeAffinity(shop, { asOf: AS_OF, now: AS_OF });
    expect(run.status).toBe("too_small");
    expect(await prisma.productAssociation.count({ where: { shop } })).toBe(0);
    expect(await prisma.customerRecommendation.count({ where: { shop } })).toBe(0);
    expect((await getShopAffinity(shop))!.status).toBe("too_small");
  });

  it("purchase days follow the shop's time zone", () => {
    expect(dayNumberAt(Date.parse("2026-01-01T23:30:00Z"), "Asia/Bangkok")).toBe(
      dayNumberAt(Date.parse("2026-01-02T01:00:00Z")),
    );
  });
});

describe("the affinity job", () => {
  const job = (payload: unknown, shop: string): JobContext<AffinityPayload> => ({
    id: "1",
    shop,
    kind: AFFINITY,
    payload: payload as AffinityPayload,
    attempt: 1,
    signal: new AbortController().signal,
  });

  it("refuses a bad payload for good, and runs for an installed shop (queueing the sync when recommendations changed)", async () => {
    const shop = "affinity-job.myshopify.com";
    await installShop(shop);
    await seedAffinityShop(shop, A_PLAN, 4);
    const run = affinityJob({ queue, now: () => AS_OF });
    await expect(run(job({ reason: "whenever" }, shop))).rejects.toBeInstanceOf(PermanentJobError);
    await expect(run(job({ reason: "daily", asOf: "yesterday" }, shop))).rejects.toBeInstanceOf(PermanentJobError);
    await expect(run(job({ reason: "daily", asOf: 5 }, shop))).rejects.toBeInstanceOf(PermanentJobError);
    expect(await getShopAffinity(shop)).toBeNull();
    await run(job({ reason: "manual", asOf: AS_OF.toISOString() }, shop));
    expect(await getShopAffinity(shop)).toMatchObject({ status: "done", asOf: AS_OF });
    expect(await jobRows(shop, { kind: SYNC, state: "queued" })).toHaveLength(1);
    // A shop that uninstalled keeps what it had: the job does nothing.
    await markUninstalled(shop, AS_OF);
    await prisma.productExclusion.create({ data: { shop, productId: P(1) } });
    const kept = await rows(shop);
    await run(job({ reason: "daily", asOf: new Date(AS_OF.getTime() + DAY).toISOString() }, shop));
    expect(await rows(shop)).toEqual(kept);
  });

  it("is queued by the daily and the backfill recompute, not by others", async () => {
    const shop = "affinity-follow.myshopify.com";
    await installShop(shop);
    await recomputeShopAndFollowUp(shop, { asOf: AS_OF, reason: "manual", queue });
    expect(await jobRows(shop, { kind: AFFINITY })).toHaveLength(0);
    await recomputeShopAndFollowUp(shop, { asOf: AS_OF, reason: "daily", queue });
    const rows = await jobRows(shop, { kind: AFFINITY });
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].payload)).toEqual({ reason: "daily", asOf: AS_OF.toISOString() });
  });
});
