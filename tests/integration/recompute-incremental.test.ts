// Incremental updates: a ledger change enqueues customer-changed (as the webhooks do), one job run moves that
// customer's tier and segment against the last full run's boundaries, and a later full recompute agrees.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { deleteJobs, jobRows, testQueue } from "../support/queue";
import type { JobQueue, Worker } from "../../app/jobs/queue";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import {
  CUSTOMER_CHANGED,
  DAILY_RECOMPUTE_KEY,
  RECOMPUTE_SHOP,
  SYNC,
  SYNC_COALESCE_MS,
  SYNC_CHANGED_KEY,
  SYNC_KEY,
} from "../../app/jobs/contracts";
import { stateHistory } from "../../app/models/customer-state.server";
import { applyCustomers, applyOrders, applyRefunds } from "../../app/models/ledger.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { ledgerChanged } from "../../app/webhooks/ledger-changed.server";
import { DAY, loadGeneratedShop, storedStates, type ExpectedState } from "./recompute-fixtures";

const SHOP = "incremental.myshopify.com";
const END = "2025-06-01T00:00:00.000Z";
const AS_OF = new Date(END);
const workers: Worker[] = [];

/** Runs every due job once with the recompute handlers, their clock stopped at `at`. */
async function runJobs(at: Date, queue: JobQueue = testQueue()) {
  const worker = queue.work(
    {
      [CUSTOMER_CHANGED]: customerChangedJob({ queue, now: () => at }),
      [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now: () => at }),
    },
    { pollMs: 5 },
  );
  workers.push(worker);
  await worker.idle();
}

async function stateOf(customerId: string): Promise<ExpectedState> {
  return (await storedStates(SHOP)).find((s) => s.customerId === customerId)!;
}

let order = 9_000_000;
function newOrder(customerId: string, processedAt: Date, minor: number, updatedAt = processedAt) {
  order += 1;
  return {
    id: `gid://shopify/Order/${order}`,
    customerId,
    name: `#${order}`,
    processedAt,
    cancelledAt: null,
    test: false,
    currencyCode: "USD",
    currentTotalMinor: minor,
    discountCodes: [],
    discountMinor: 0,
    sourceUpdatedAt: updatedAt,
  };
}

beforeAll(async () => {
  await loadGeneratedShop(SHOP, { preset: "demo", seed: 21, endDate: END, shopDomain: SHOP });
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

describe("customer-changed", () => {
  it("an order moves the customer's tier within one job run, and a later full recompute agrees", async () => {
    // Given a customer in the RFM population below the top tier
    const before = (await storedStates(SHOP)).find(
      (s) => s.tier === "member" && s.segment !== "prospect" && s.recencyDays! > 30,
    )!;
    expect(before).toBeDefined();
    // When they place an order worth exactly what the next tier needs, an hour before asOf, and the webhook's
    // follow-up job runs
    const affected = await applyOrders(SHOP, [
      newOrder(before.customerId, new Date(AS_OF.getTime() - 3_600_000), before.amountToNext!),
    ]);
    await ledgerChanged(SHOP, affected);
    await runJobs(AS_OF);
    // Then their tier is the next one, recency restarted, and the move is in the history with reason "order"
    const after = await stateOf(before.customerId);
    expect(after).toMatchObject({
      tier: before.nextTier,
      recencyDays: 0,
      frequency: before.frequency! + 1,
      amountToNext: expect.any(Number),
    });
    const moves = (await stateHistory(SHOP, before.customerId)).filter((h) => h.reason === "order");
    expect(moves.filter((h) => h.kind === "tier").map((h) => [h.from, h.to])).toEqual([["member", before.nextTier]]);
    expect(await jobRows(SHOP, { kind: CUSTOMER_CHANGED, state: "done" })).toHaveLength(1);

    // When the whole shop is recomputed at the same asOf (the population did not change: they were already in it)
    const full = await recomputeShop(SHOP, { asOf: AS_OF, reason: "daily" });
    // Then the customer's state is what the incremental update wrote, and no move is recorded for them
    expect(await stateOf(before.customerId)).toEqual(after);
    expect((await stateHistory(SHOP, before.customerId)).filter((h) => h.reason === "daily")).toEqual([]);
    expect(full.changed).toBeGreaterThan(0); // at least their base values, and others whose "below" counts moved
  });

  it("a refund that takes the customer under a threshold lowers the tier, with a history row reason order", async () => {
    // Given a new customer whose two orders this year make them silver (150.00 + 120.00 ≥ 250.00)
    const customerId = "gid://shopify/Customer/77000001";
    const updated = new Date(AS_OF.getTime() - 10 * DAY);
    await applyCustomers(SHOP, [
      {
        id: customerId,
        email: "refund@example.com",
        firstName: "Rae",
        lastName: "Fund",
        locale: "en",
        sourceCreatedAt: updated,
        sourceUpdatedAt: updated,
      },
    ]);
    const first = newOrder(customerId, new Date(AS_OF.getTime() - 60 * DAY), 15_000);
    const second = newOrder(customerId, new Date(AS_OF.getTime() - 20 * DAY), 12_000, updated);
    await ledgerChanged(SHOP, await applyOrders(SHOP, [first, second]));
    await runJobs(AS_OF);
    expect(await stateOf(customerId)).toMatchObject({ tier: "silver", spendInWindow: 27_000 });

    // When 30.00 of the second order is refunded (the refund webhook before the order update)
    const refunded = await applyRefunds(SHOP, [
      {
        id: "gid://shopify/Refund/77000001",
        orderId: second.id,
        createdAt: new Date(AS_OF.getTime() - DAY),
        amountMinor: 3_000,
        currencyCode: "USD",
      },
    ]);
    await ledgerChanged(SHOP, refunded);
    await runJobs(AS_OF);

    // Then the order counts for 90.00 where it sits in time, the customer is back to member, and the history says so
    expect(await stateOf(customerId)).toMatchObject({
      tier: "member",
      spendInWindow: 24_000,
      nextTier: "silver",
      amountToNext: 1_000,
    });
    const tierMoves = (await stateHistory(SHOP, customerId)).filter((h) => h.kind === "tier");
    expect(tierMoves.map((h) => [h.from, h.to, h.reason])).toEqual([
      [null, "silver", "order"],
      ["silver", "member", "order"],
    ]);
  });

  it("queues one sync back to Shopify for customers whose state moved, a couple of seconds out, and none otherwise", async () => {
    // Given the customers moved by the tests above: their job runs queued one sync, coalesced by key
    const queued = await jobRows(SHOP, { kind: SYNC, state: "queued" });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ key: SYNC_CHANGED_KEY, payload: JSON.stringify({ reason: "customer" }) });
    expect(queued[0].runAt.getTime()).toBe(AS_OF.getTime() + SYNC_COALESCE_MS); // the handlers' clock is AS_OF
    // When an unchanged customer's job runs (a webhook for our own tag write comes back, say)
    await deleteJobs(SHOP, SYNC);
    await ledgerChanged(SHOP, ["gid://shopify/Customer/77000001"]);
    await runJobs(AS_OF);
    // Then no sync is queued: the app's own writes cannot start a loop
    expect(await jobRows(SHOP, { kind: SYNC })).toHaveLength(0);
  });

  it("rerunning the job for an unchanged customer writes nothing", async () => {
    // Given a customer whose state is current
    const customerId = "gid://shopify/Customer/77000001";
    const rows = await prisma.customerState.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    const history = await prisma.customerStateChange.count({ where: { shop: SHOP } });
    // When a duplicate webhook enqueues the job again and it runs
    await ledgerChanged(SHOP, [customerId]);
    await runJobs(AS_OF);
    // Then no row changed and no history was added
    expect(await prisma.customerState.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } })).toEqual(
      rows,
    );
    expect(await prisma.customerStateChange.count({ where: { shop: SHOP } })).toBe(history);
  });

  it("a shop never computed gets a full recompute instead, which schedules the daily run at next midnight UTC", async () => {
    // Given a shop with a ledger but no computation yet
    const fresh = "fresh.myshopify.com";
    await loadGeneratedShop(fresh, { preset: "demo", seed: 22, endDate: END, shopDomain: fresh, customers: 30 });
    const customerId = (await prisma.order.findFirstOrThrow({ where: { shop: fresh, customerId: { not: null } } }))
      .customerId!;
    // When an order webhook's job runs (handlers on the queue's own clock, so the daily run is not due yet)
    await ledgerChanged(fresh, [customerId]);
    const at = new Date();
    await runJobs(at);
    // Then the whole shop was computed (reason order) and the next daily run is queued for midnight UTC
    expect(await prisma.customerState.count({ where: { shop: fresh } })).toBeGreaterThan(20);
    expect(await prisma.shopComputation.findUnique({ where: { shop: fresh } })).toMatchObject({
      reason: "order",
      asOf: at,
    });
    const [daily] = await jobRows(fresh, { key: DAILY_RECOMPUTE_KEY, state: "queued" });
    const midnight = new Date(at);
    midnight.setUTCHours(24, 0, 0, 0);
    expect(daily.runAt).toEqual(midnight);
    expect(JSON.parse(daily.payload)).toEqual({ reason: "daily" });
    // And the states it wrote are queued to go to Shopify right away
    const [sync] = await jobRows(fresh, { kind: SYNC, state: "queued" });
    expect(sync).toMatchObject({ key: SYNC_KEY, runAt: at });
    expect(JSON.parse(sync.payload)).toEqual({ reason: "recompute" });
  });

  it("skips shops that uninstalled", async () => {
    // Given an uninstalled shop with a queued recompute
    const gone = "gone.myshopify.com";
    await prisma.shop.create({ data: { shop: gone, status: "uninstalled", currencyCode: "USD" } });
    await applyOrders(gone, [newOrder("gid://shopify/Customer/5", new Date(AS_OF.getTime() - DAY), 1000)]);
    await testQueue().enqueue(gone, RECOMPUTE_SHOP, { reason: "manual" });
    // When the job runs
    await runJobs(AS_OF);
    // Then nothing was computed for it and no daily run scheduled
    expect(await prisma.customerState.count({ where: { shop: gone } })).toBe(0);
    expect(await jobRows(gone, { key: DAILY_RECOMPUTE_KEY })).toHaveLength(0);
  });
});
