// Full recompute of a shop against a generated ledger: equal to an independent plain computation, idempotent,
// history only for real moves, deleted customers leave, and another shop's rows are never touched.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { deleteCustomer } from "../../app/models/ledger.server";
import { getShopComputation, stateHistory } from "../../app/models/customer-state.server";
import { recomputeShop } from "../../app/services/recompute.server";
import {
  DAY,
  DEFAULT_USD,
  expectedStates,
  loadGeneratedShop,
  storedStates,
  type GeneratedShop,
} from "./recompute-fixtures";

const A = "recompute-a.myshopify.com";
const B = "recompute-b.myshopify.com";
const END = "2025-06-01T00:00:00.000Z";
const AS_OF = new Date(END);
let shopA: GeneratedShop;

beforeAll(async () => {
  shopA = await loadGeneratedShop(A, { preset: "demo", seed: 11, endDate: END, shopDomain: A });
  await loadGeneratedShop(B, { preset: "demo", seed: 12, endDate: END, shopDomain: B, customers: 60 });
});

describe("full recompute", () => {
  it("stores for every ledger customer exactly what the plain computation of docs/rules.md gives", async () => {
    // Given a generated demo shop in the ledger (guest, test, cancelled, refunded and edited orders included)
    // When the shop is recomputed as of its last day
    const result = await recomputeShop(A, { asOf: AS_OF, reason: "backfill" });
    // Then every customer's scores, segment and tier equal the independent computation
    const expected = expectedStates(shopA, AS_OF.getTime(), DEFAULT_USD);
    expect(await storedStates(A)).toEqual(expected);
    // And the counts reported are those of the stored rows
    expect(result).toMatchObject({ customers: expected.length, changed: expected.length, removed: 0 });
    expect(result.population).toBe(expected.filter((s) => s.segment !== "prospect").length);
    expect(result.segments.prospect).toBe(expected.filter((s) => s.segment === "prospect").length);
    expect(result.tiers.gold ?? 0).toBe(expected.filter((s) => s.tier === "gold").length);
    // And the population is not trivial: several segments and tiers occur
    expect(Object.keys(result.segments).length).toBeGreaterThan(4);
    expect(Object.keys(result.tiers).length).toBeGreaterThan(2);
  });

  it("records each customer's first segment and tier as history with the run's reason and asOf", async () => {
    // Given the recompute above (every customer new)
    const history = await stateHistory(A);
    const expected = expectedStates(shopA, AS_OF.getTime(), DEFAULT_USD);
    // Then there is one segment entry per customer and one tier entry per customer with a tier, from nothing
    expect(history.filter((h) => h.kind === "segment")).toHaveLength(expected.length);
    expect(history.filter((h) => h.kind === "tier")).toHaveLength(expected.filter((s) => s.tier !== null).length);
    expect(history.every((h) => h.from === null && h.reason === "backfill" && h.at.getTime() === AS_OF.getTime())).toBe(
      true,
    );
  });

  it("is idempotent: a second run at the same asOf writes no row and no history", async () => {
    // Given the shop already computed as of AS_OF
    const historyBefore = (await stateHistory(A)).length;
    const rowsBefore = await prisma.customerState.findMany({ where: { shop: A }, orderBy: { customerId: "asc" } });
    // When it is recomputed again
    const result = await recomputeShop(A, { asOf: AS_OF, reason: "daily" });
    // Then nothing was written
    expect(result.changed).toBe(0);
    expect(result.moves).toBe(0);
    expect(await stateHistory(A)).toHaveLength(historyBefore);
    expect(await prisma.customerState.findMany({ where: { shop: A }, orderBy: { customerId: "asc" } })).toEqual(
      rowsBefore,
    );
  });

  it("a day later rewrites only what moved and records segment and tier moves with the daily reason", async () => {
    // Given the shop computed as of AS_OF; When it is recomputed 40 days later (orders leave windows, recency grows)
    const later = new Date(AS_OF.getTime() + 40 * DAY);
    const before = new Map((await storedStates(A)).map((s) => [s.customerId, s]));
    const result = await recomputeShop(A, { asOf: later, reason: "daily" });
    // Then the rows equal the plain computation at the later moment
    const expected = expectedStates(shopA, later.getTime(), DEFAULT_USD);
    expect(await storedStates(A)).toEqual(expected);
    // And history has exactly one entry per customer whose segment or tier changed
    const moved = await prisma.customerStateChange.findMany({ where: { shop: A, reason: "daily" } });
    const segmentMoves = expected.filter((s) => before.get(s.customerId)!.segment !== s.segment);
    const tierMoves = expected.filter((s) => before.get(s.customerId)!.tier !== s.tier);
    expect(segmentMoves.length + tierMoves.length).toBeGreaterThan(0);
    expect(
      moved
        .filter((h) => h.kind === "segment")
        .map((h) => [h.customerId, h.from, h.to])
        .sort(),
    ).toEqual(segmentMoves.map((s) => [s.customerId, before.get(s.customerId)!.segment, s.segment]).sort());
    expect(
      moved
        .filter((h) => h.kind === "tier")
        .map((h) => [h.customerId, h.from, h.to])
        .sort(),
    ).toEqual(tierMoves.map((s) => [s.customerId, before.get(s.customerId)!.tier, s.tier]).sort());
    expect(result.moves).toBe(moved.length);
    // And the computation is recorded for incremental updates
    expect((await getShopComputation(A))?.asOf.getTime()).toBe(later.getTime());
    // And prospects never count in a tier: customers without orders keep no tier
    expect(result.tiers[""]).toBe(expected.filter((s) => s.tier === null).length);
  });

  it("removes the state of a customer deleted from the ledger, and scores the rest without them", async () => {
    // Given a scored customer of A
    const later = new Date(AS_OF.getTime() + 40 * DAY);
    const victim = (await storedStates(A)).find((s) => s.segment === "champions")!;
    // When Shopify deletes them and the shop is recomputed
    await deleteCustomer(A, victim.customerId, new Date());
    const result = await recomputeShop(A, { asOf: later, reason: "daily" });
    // Then their state is gone and the others equal the plain computation without them
    expect(result.removed).toBe(1);
    const without: GeneratedShop = {
      ...shopA,
      customers: shopA.customers.filter((c) => c.id !== victim.customerId),
      orders: shopA.orders.filter((o) => o.customer?.id !== victim.customerId),
    };
    expect(await storedStates(A)).toEqual(expectedStates(without, later.getTime(), DEFAULT_USD));
  });

  it("never touches another shop's states (tenancy)", async () => {
    // Given shop B computed once
    await recomputeShop(B, { asOf: AS_OF, reason: "backfill" });
    const bRows = await prisma.customerState.findMany({ where: { shop: B }, orderBy: { customerId: "asc" } });
    const bHistory = await prisma.customerStateChange.count({ where: { shop: B } });
    const bComputation = await getShopComputation(B);
    expect(bRows.length).toBeGreaterThan(0);
    // When shop A is recomputed at another moment
    await recomputeShop(A, { asOf: new Date(AS_OF.getTime() + 100 * DAY), reason: "manual" });
    // Then B's rows, history and computation are exactly as they were
    expect(await prisma.customerState.findMany({ where: { shop: B }, orderBy: { customerId: "asc" } })).toEqual(bRows);
    expect(await prisma.customerStateChange.count({ where: { shop: B } })).toBe(bHistory);
    expect(await getShopComputation(B)).toEqual(bComputation);
  });
});
