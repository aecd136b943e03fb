// Product affinity on a shop the simulator generates (docs/affinity.md): the generator plants "bought together"
// partners and "bought next" follow-ups among products of skewed popularity (simulator/generator/catalogue.ts, in the
// truth summary); the shop is installed into the built app, backfilled by the app's own jobs (orders with their
// lines, refunded lines, the products import), and the affinity run must find the planted structure: the strongest
// rules are planted pairs. An exclusion removes every rule with the product; another shop's rules stay its own.
import path from "node:path";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { createJobHandlers } from "../../app/jobs/handlers.server";
import { topAssociations } from "../../app/models/affinity.server";
import { computeAffinity, excludeProduct } from "../../app/services/affinity.server";
import { writeShopFile, type TruthSummary } from "../../simulator/generator/index";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const END = "2026-11-01T00:00:00.000Z";
const AS_OF = new Date(END);
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

async function installGenerated(seed: number, shop: string, customers: number): Promise<TruthSummary> {
  const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
  await writeShopFile({ preset: "demo", seed, customers, shopDomain: shop, endDate: END }, file);
  await env.shopify.admin.shops.loadShopFile(file);
  env.shopify.install(shop);
  expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  const queue = testQueue({ random: () => 0 });
  const handlers = createJobHandlers({ queue, clientFor: env.clientFor });
  const worker = await queue.work(
    { backfill: handlers.backfill, "products-import": handlers["products-import"] },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
  return JSON.parse(readFileSync(`${file}.truth.json`, "utf8")) as TruthSummary;
}

const A = "affinity-sim-a.myshopify.com";
const B = "affinity-sim-b.myshopify.com";
let truthA: TruthSummary;
let truthB: TruthSummary;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  truthA = await installGenerated(61, A, 800);
  truthB = await installGenerated(62, B, 800);
}, 240_000);

const unordered = (a: string, b: string) => [a, b].sort().join(" ");

const rowsOf = async (shop: string) => ({
  associations: await prisma.productAssociation.findMany({
    where: { shop },
    orderBy: [{ kind: "asc" }, { antecedent: "asc" }, { consequent: "asc" }],
  }),
  recommendations: await prisma.customerRecommendation.findMany({ where: { shop }, orderBy: { customerId: "asc" } }),
});

describe("affinity on a generated shop", () => {
  it("finds the planted pairs: the strongest rules of each kind are the generator's", async () => {
    const run = await computeAffinity(A, { asOf: AS_OF, now: AS_OF });
    expect(run.status).toBe("done");
    const planted = new Set(truthA.catalogue!.boughtTogether.map(([a, b]) => unordered(a, b)));
    const plantedNext = new Set(truthA.catalogue!.boughtNext.map(([a, b]) => `${a} ${b}`));
    expect(planted.size).toBeGreaterThan(10);
    // Every one of the 20 strongest "together" rules (10 pairs, both ways) is a planted pair.
    const together = await topAssociations(A, "together", 20);
    expect(together).toHaveLength(20);
    expect(together.filter((r) => !planted.has(unordered(r.antecedent, r.consequent)))).toEqual([]);
    // Of the 10 strongest "next" rules, most are planted follow-ups (in their direction): chance alone gives few.
    const next = await topAssociations(A, "next", 10);
    expect(next.filter((r) => plantedNext.has(`${r.antecedent} ${r.consequent}`)).length).toBeGreaterThanOrEqual(7);
    // Customers are recommended products, at most four, never one they bought.
    expect(run.recommended).toBeGreaterThan(100);
    const some = await prisma.customerRecommendation.findFirstOrThrow({ where: { shop: A } });
    const bought = await prisma.$queryRaw<{ productId: string }[]>`
      SELECT DISTINCT l."productId" AS "productId" FROM "OrderLine" l JOIN "Order" o ON o."shop" = l."shop" AND o."id" = l."orderId"
      WHERE l."shop" = ${A} AND o."customerId" = ${some.customerId}`;
    const products = JSON.parse(some.products) as string[];
    expect(products.length).toBeLessThanOrEqual(4);
    for (const p of bought) expect(products).not.toContain(p.productId);
  });

  it("excluding the strongest pair's product removes every rule with it; the other shop is untouched", async () => {
    await computeAffinity(B, { asOf: AS_OF, now: AS_OF });
    const plantedB = new Set(truthB.catalogue!.boughtTogether.map(([a, b]) => unordered(a, b)));
    const bTop = await topAssociations(B, "together", 6);
    expect(bTop.filter((r) => !plantedB.has(unordered(r.antecedent, r.consequent)))).toEqual([]);
    const bBefore = await rowsOf(B);

    const [strongest] = await topAssociations(A, "together", 1);
    const x = strongest.antecedent;
    expect(await excludeProduct(testQueue(), A, x, AS_OF)).toEqual({ ok: true, added: true });
    await computeAffinity(A, { asOf: AS_OF, now: AS_OF });
    const after = await rowsOf(A);
    expect(after.associations.length).toBeGreaterThan(0);
    expect(after.associations.filter((r) => r.antecedent === x || r.consequent === x)).toEqual([]);
    for (const r of after.recommendations) expect(JSON.parse(r.products)).not.toContain(x);
    // B's rows are exactly as they were.
    expect(await rowsOf(B)).toEqual(bBefore);
  });
});
