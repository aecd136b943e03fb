// A clawback racing a redemption (docs/rules.md#points-clawbacks, #points-redemption): a customer's 100 available
// points, an order cancelled after its return window (derive takes its points from the available balance), and a
// redemption of 100 points at the same moment. Whichever goes first, the other must see it: never a negative available
// balance. Either the redemption is reserved and the cancellation records a loss, or the cancellation takes the points
// and the redemption is refused.
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { balancesAt, type PointsKind } from "../../app/domain/points";
import { createReward, reserveRedemption } from "../../app/models/rewards.server";
import { derivePoints } from "../../app/services/points.server";
import { installShop } from "../support/shops";

const SHOP = "race-derive.myshopify.com";
const DAY = 86_400_000;
const N = 24;

async function negativeBalances(ids: string[]) {
  const negative: string[] = [];
  for (const id of ids) {
    const rows = await prisma.pointsEntry.findMany({ where: { shop: SHOP, customerId: id } });
    const b = balancesAt(
      rows.map((e) => ({
        kind: e.kind as PointsKind,
        points: Number(e.points),
        effectiveAt: e.effectiveAt.getTime(),
        availableAt: e.availableAt.getTime(),
      })),
      Date.now(),
    );
    if (b.available < 0) negative.push(`${id}: ${b.available}`);
  }
  return negative;
}

describe("derive's clawback and a redemption at once", () => {
  it(`${N} customers: the available balance never goes below zero`, async () => {
    await installShop(SHOP);
    await prisma.shop.update({ where: { shop: SHOP }, data: { installedAt: new Date(Date.now() - 400 * DAY) } });
    const reward = await createReward(SHOP, {
      kind: "amount_off",
      title: "100",
      pointsPrice: 100,
      valueMinor: 100,
      expiryDays: null,
      limits: { perCustomer: null, total: null },
    });
    const ids = Array.from({ length: N }, (_, i) => `gid://shopify/Customer/${9000 + i}`);
    for (const [i, id] of ids.entries()) {
      await prisma.customer.create({ data: { shop: SHOP, id } });
      await prisma.order.create({
        data: {
          shop: SHOP,
          id: `gid://shopify/Order/${9000 + i}`,
          customerId: id,
          processedAt: new Date(Date.now() - 60 * DAY),
          currencyCode: "USD",
          currentTotalMinor: 10_000n,
          valueMinor: 10_000n,
        },
      });
    }
    await derivePoints(SHOP, ids);
    await prisma.order.updateMany({ where: { shop: SHOP }, data: { cancelledAt: new Date(Date.now() - 60_000) } });
    await Promise.all(
      ids.flatMap((id) => [
        derivePoints(SHOP, [id]),
        reserveRedemption(SHOP, {
          customerId: id,
          rewardId: reward.id,
          token: `t-${id}`,
          now: new Date(),
          currencyCode: "USD",
          code: null,
          expiresAt: null,
        }),
      ]),
    );
    // Right after the race (no later derive to repair anything), and after one.
    expect(await negativeBalances(ids)).toEqual([]);
    await derivePoints(SHOP, ids);
    expect(await negativeBalances(ids)).toEqual([]);
  }, 120_000);
});
