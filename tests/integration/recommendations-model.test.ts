// The recommendations table's one write path (app/models/recommendations.server.ts): a run replaces the shop's set,
// rewrites only lists that changed, reports who changed, is idempotent, and never touches another shop's rows.
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import {
  recommendationsOf,
  recommendedCustomers,
  replaceRecommendations,
} from "../../app/models/recommendations.server";

const P = (n: number) => `gid://shopify/Product/${n}`;
const C = (n: number) => `gid://shopify/Customer/${n}`;
const T1 = new Date("2026-05-01T00:00:00.000Z");
const T2 = new Date("2026-05-02T00:00:00.000Z");

describe("replaceRecommendations", () => {
  it("replaces the shop's set, writes only changed lists, and reports the customers that changed", async () => {
    const shop = "recs-a.myshopify.com";
    const first = await replaceRecommendations(
      shop,
      [
        { customerId: C(1), products: [P(1), P(2)] },
        { customerId: C(2), products: [P(3)] },
        { customerId: C(3), products: [] },
      ],
      T1,
    );
    expect([...first].sort()).toEqual([C(1), C(2)]);
    expect(await recommendedCustomers(shop)).toBe(2);

    // The same run again changes nothing.
    expect(
      (
        await replaceRecommendations(
          shop,
          [
            { customerId: C(1), products: [P(1), P(2)] },
            { customerId: C(2), products: [P(3)] },
          ],
          T2,
        )
      ).size,
    ).toBe(0);

    // C1 keeps the same list (not rewritten), C2's order changes, C3 gains one, C4 never had any; nobody is dropped
    // except those left out.
    const second = await replaceRecommendations(
      shop,
      [
        { customerId: C(1), products: [P(1), P(2)] },
        { customerId: C(3), products: [P(2), P(1)] },
      ],
      T2,
    );
    expect([...second].sort()).toEqual([C(2), C(3)]);
    const held = await recommendationsOf(shop, [C(1), C(2), C(3), C(4), C(1)]);
    expect([...held.keys()].sort()).toEqual([C(1), C(3)]);
    expect(held.get(C(1))).toEqual({ customerId: C(1), products: [P(1), P(2)], computedAt: T1 });
    expect(held.get(C(3))).toEqual({ customerId: C(3), products: [P(2), P(1)], computedAt: T2 });
  });

  it("refuses a customer twice and changes nothing", async () => {
    const shop = "recs-b.myshopify.com";
    await replaceRecommendations(shop, [{ customerId: C(1), products: [P(1)] }], T1);
    await expect(
      replaceRecommendations(
        shop,
        [
          { customerId: C(2), products: [P(1)] },
          { customerId: C(2), products: [P(2)] },
        ],
        T2,
      ),
    ).rejects.toThrow(/twice/);
    expect([...(await recommendationsOf(shop, [C(1), C(2)])).keys()]).toEqual([C(1)]);
  });

  it("keeps shops apart: one shop's run neither reads nor changes another's rows", async () => {
    const a = "recs-iso-a.myshopify.com";
    const b = "recs-iso-b.myshopify.com";
    await replaceRecommendations(a, [{ customerId: C(1), products: [P(1)] }], T1);
    await replaceRecommendations(
      b,
      [
        { customerId: C(1), products: [P(9)] },
        { customerId: C(2), products: [P(8)] },
      ],
      T1,
    );
    // B's run without C1 removes B's C1 only.
    expect([...(await replaceRecommendations(b, [{ customerId: C(2), products: [P(8)] }], T2))]).toEqual([C(1)]);
    expect((await recommendationsOf(a, [C(1)])).get(C(1))?.products).toEqual([P(1)]);
    expect((await recommendationsOf(b, [C(1), C(2)])).has(C(1))).toBe(false);
    expect(await prisma.customerRecommendation.count({ where: { shop: a } })).toBe(1);
  });

  it("writes a large set in batches", async () => {
    const shop = "recs-large.myshopify.com";
    const rows = Array.from({ length: 5000 }, (_, i) => ({ customerId: C(i), products: [P(i % 7), P(100 + (i % 3))] }));
    expect((await replaceRecommendations(shop, rows, T1)).size).toBe(5000);
    expect(await recommendedCustomers(shop)).toBe(5000);
    expect((await recommendationsOf(shop, [C(4999)])).get(C(4999))?.products).toEqual([P(4999 % 7), P(101)]);
  });
});
