// The full recompute from maintained per-customer aggregates (docs/decisions/0009) against the computation it
// replaced (one pass over the ledger's orders: scoreShop + computeStates), on generated shops changed through the
// ledger's write path in every way that moves an aggregate — late refunds (partial and whole), a cancellation, an
// order reassigned to another customer, a deleted order, a deleted customer, an order dated after asOf — for several
// seeds, both RFM windows, every tier window kind and several asOf. Runs on SQLite and PostgreSQL.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import type { TierProgram } from "../../app/domain/tiers";
import type { CustomerStateValues } from "../../app/domain/customer-state";
import { applyOrders, applyRefunds, deleteCustomer, deleteOrder } from "../../app/models/ledger.server";
import { ensureAggregates } from "../../app/models/customer-aggregates.server";
import { getShopComputation, loadStates } from "../../app/models/customer-state.server";
import { computeStates, scoreShop, type ComputeSettings } from "../../app/services/recompute.server";
import { recomputeFromAggregates } from "../../app/services/recompute-aggregates.server";
import { DAY, ledgerOrder, loadGeneratedShop, type GeneratedShop } from "./recompute-fixtures";

const END = "2025-06-01T00:00:00.000Z";
const AS_OF = new Date(END).getTime();
const SEEDS = [5, 17, 42];
const shopOf = (seed: number) => `aggregates-${seed}.myshopify.com`;
const shops = new Map<number, GeneratedShop>();

/** The aggregate rows of a shop as stored, comparable across databases. */
async function aggregates(shop: string) {
  const rows = await prisma.customerAggregate.findMany({ where: { shop }, orderBy: { customerId: "asc" } });
  return rows.map((r) => ({ ...r, totalMinor: Number(r.totalMinor) }));
}

/** What the write path maintained before any rebuild, by shop. */
const maintained = new Map<string, Awaited<ReturnType<typeof aggregates>>>();

beforeAll(async () => {
  for (const seed of SEEDS) {
    const shop = shopOf(seed);
    const generated = await loadGeneratedShop(shop, {
      preset: "demo",
      seed,
      customers: 60,
      endDate: END,
      shopDomain: shop,
    });
    shops.set(seed, generated);
    const owned = generated.orders.filter((o) => o.customer && !o.test && !o.cancelledAt);
    const byCustomer = new Map<string, typeof owned>();
    for (const o of owned) byCustomer.set(o.customer!.id, [...(byCustomer.get(o.customer!.id) ?? []), o]);
    const buyers = [...byCustomer.keys()].sort();
    const orderOf = (i: number) => byCustomer.get(buyers[i % buyers.length])!.at(-1)!;
    const later = (days: number) => new Date(AS_OF + days * DAY);
    const value = (o: (typeof owned)[number]) => ledgerOrder(o).currentTotalMinor;
    // A late partial refund, and a late refund of the whole order (it stops qualifying).
    await applyRefunds(shop, [
      {
        id: `gid://shopify/Refund/${seed}01`,
        orderId: orderOf(0).id,
        createdAt: later(1),
        amountMinor: Math.floor(value(orderOf(0)) / 3),
        currencyCode: generated.currency,
      },
      {
        id: `gid://shopify/Refund/${seed}02`,
        orderId: orderOf(1).id,
        createdAt: later(1),
        amountMinor: value(orderOf(1)),
        currencyCode: generated.currency,
      },
    ]);
    // A cancellation, and an order moved to another customer (both owners' aggregates change).
    await applyOrders(shop, [
      { ...ledgerOrder(orderOf(2)), cancelledAt: later(0.5), sourceUpdatedAt: later(2) },
      { ...ledgerOrder(orderOf(3)), customerId: buyers[4], sourceUpdatedAt: later(2) },
    ]);
    // A deleted order, a deleted customer, and an order placed after AS_OF (it counts only for a later asOf).
    await deleteOrder(shop, orderOf(5).id, later(3));
    await deleteCustomer(shop, buyers[6], later(3));
    await applyOrders(shop, [
      {
        ...ledgerOrder(orderOf(7)),
        id: `gid://shopify/Order/${seed}999`,
        name: "#future",
        processedAt: later(10),
        sourceUpdatedAt: later(10),
        currentTotalMinor: 12_345,
        lines: [],
      },
    ]);
    maintained.set(shop, await aggregates(shop));
  }
});

describe("maintained aggregates", () => {
  it("the write path leaves every customer's aggregate equal to a rebuild from the ledger", async () => {
    for (const seed of SEEDS) {
      const shop = shopOf(seed);
      const before = maintained.get(shop)!;
      // The deleted customer has none; the one who received the moved order has it in their list.
      expect(before.length).toBeGreaterThan(40);
      // When the shop's aggregates are rebuilt in one pass (the shop was never built: writes were maintained only)
      expect(await ensureAggregates(shop)).toBe(true);
      // Then they are row for row what the write path maintained, and the next run does not rebuild again
      expect(await aggregates(shop)).toEqual(before);
      expect(await ensureAggregates(shop)).toBe(false);
    }
  });

  it("a rebuild of one shop leaves another shop's aggregates as they were (tenancy)", async () => {
    const [a, b] = SEEDS.map(shopOf);
    const other = await aggregates(b);
    await prisma.customerAggregateBuild.update({ where: { shop: a }, data: { stale: { increment: 1 } } });
    expect(await ensureAggregates(a)).toBe(true);
    expect(await aggregates(b)).toEqual(other);
    // And no aggregate row of a shop names a customer of another shop
    const idsOf = async (shop: string) => new Set((await aggregates(shop)).map((r) => r.customerId));
    const [idsA, idsB] = [await idsOf(a), await idsOf(b)];
    expect([...idsA].filter((id) => idsB.has(id) && !id.startsWith("gid://shopify/Customer/"))).toEqual([]);
  });
});

function program(window: TierProgram["window"], retentionDays: number, timeZone: string | null): TierProgram {
  return { ...defaultTierProgram("USD"), window, retentionDays, timeZone };
}

const PROGRAMS: [string, TierProgram][] = [
  ["rolling 365 days, kept 365 days", program({ kind: "rolling", days: 365 }, 365, null)],
  ["rolling 90 days, not kept", program({ kind: "rolling", days: 90 }, 0, null)],
  ["calendar year in Bangkok, kept 30 days", program({ kind: "calendar_year" }, 30, "Asia/Bangkok")],
  ["lifetime", program({ kind: "lifetime" }, 0, null)],
];
const WINDOWS = [null, 90];
const MOMENTS: [string, number][] = [
  ["the day of the changes", AS_OF],
  ["a day and 7 hours later", AS_OF + DAY + 7 * 3_600_000],
  ["40 days later (the future order counts)", AS_OF + 40 * DAY],
  ["200 days earlier (later orders do not count)", AS_OF - 200 * DAY],
];

describe("the full recompute from aggregates equals the one pass over the ledger", () => {
  for (const [name, tierProgram] of PROGRAMS) {
    it(`for every seed, RFM window and moment: ${name}`, async () => {
      for (const seed of SEEDS) {
        const shop = shopOf(seed);
        for (const windowDays of WINDOWS) {
          const settings: ComputeSettings = { currency: "USD", program: tierProgram, programVersion: 1, windowDays };
          for (const [moment, at] of MOMENTS) {
            const where = `seed ${seed}, window ${windowDays ?? "all"}, ${moment}`;
            // The computation it replaced, in memory
            const scoring = await scoreShop(shop, at, windowDays, [tierProgram]);
            const expected: CustomerStateValues[] = [];
            for await (const batch of computeStates(scoring, tierProgram, 25)) expected.push(...batch);
            // The run from aggregates, stored, read back as every reader reads it (recency derived)
            const run = await recomputeFromAggregates(shop, new Date(at), "manual", settings);
            const ids = (await prisma.customerState.findMany({ where: { shop }, select: { customerId: true } }))
              .map((s) => s.customerId)
              .sort();
            expect(ids, where).toEqual(expected.map((s) => s.customerId));
            const stored = await loadStates(shop, ids);
            expect(
              ids.map((id) => stored.get(id)),
              where,
            ).toEqual(expected);
            expect(run.customers, where).toBe(scoring.customerIds.length);
            expect(run.population, where).toBe(scoring.rfm.size);
            expect((await getShopComputation(shop))!.boundaries, where).toEqual(scoring.boundaries);
          }
        }
      }
    });
  }

  it("a run at the same asOf again writes nothing; a day later writes only rows that moved", async () => {
    const shop = shopOf(SEEDS[0]);
    const settings: ComputeSettings = {
      currency: "USD",
      program: PROGRAMS[0][1],
      programVersion: 1,
      windowDays: null,
    };
    await recomputeFromAggregates(shop, new Date(AS_OF), "manual", settings);
    const again = await recomputeFromAggregates(shop, new Date(AS_OF), "manual", settings);
    expect(again.changed).toBe(0);
    expect(again.moves).toBe(0);
    const before = await loadStates(
      shop,
      (await prisma.customerState.findMany({ where: { shop } })).map((s) => s.customerId),
    );
    const next = await recomputeFromAggregates(shop, new Date(AS_OF + DAY), "daily", settings);
    const after = await loadStates(shop, [...before.keys()]);
    // Every customer's recency moved by a day, but only rows whose stored values moved were written
    const moved = [...before.keys()].filter((id) => {
      const { recencyDays: _a, ...b } = before.get(id)!;
      const { recencyDays: _b, ...c } = after.get(id)!;
      return JSON.stringify(b) !== JSON.stringify(c);
    });
    expect(next.changed).toBe(moved.length);
    expect(next.changed).toBeLessThan(before.size / 2);
    for (const [id, state] of before)
      if (state.recencyDays !== null) expect(after.get(id)!.recencyDays, id).toBe(state.recencyDays + 1);
  });
});
