// The points metafield the sync writes for the storefront (docs/rules.md#sync-metafields): the JSON for a customer as
// of the sync (available, pending and the next moment pending points become available, points expiring within the
// warning window), none without a journal, and the digest the sync compares: unchanged for customers without points,
// changed when the points change.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_POINTS_RULES,
  journalAppends,
  targetEntries,
  type PointsEntryValues,
  type PointsOrder,
  type PointsProgramme,
} from "../../app/domain/points";
import {
  joinStorefrontDigest,
  metafieldsDigest,
  POINTS_EXPIRY_WARNING_DAYS,
  pointsMetafield,
  pointsStatus,
  rewardsProgress,
  splitStorefrontDigest,
  storefrontDigest,
  tierMetafields,
  type SyncState,
} from "../../app/domain/sync";
import { DAY_MS } from "../../app/domain/time";
import { defaultTierProgram } from "../../app/domain/tier-rules";

const t = (iso: string) => Date.parse(iso);
const programme: PointsProgramme = {
  versions: [{ version: 1, effectiveFrom: t("2025-01-01T00:00:00Z"), rules: { ...DEFAULT_POINTS_RULES } }],
  startsAt: t("2025-01-01T00:00:00Z"),
  timeZone: "Asia/Bangkok",
};
const order = (id: number, processedAt: string, value: string, refunds: PointsOrder["refunds"] = []): PointsOrder => ({
  id: `gid://shopify/Order/${id}`,
  processedAt: t(processedAt),
  cancelledAt: null,
  test: false,
  currencyCode: "USD",
  valueMinor: Math.round(Number(value) * 100),
  refunds,
});
/** The journal as a derive as of `asOf` writes it, and the points JSON the sync writes then. */
function atSync(orders: PointsOrder[], asOf: number) {
  const held = targetEntries(orders, programme, asOf);
  const upcoming = journalAppends(
    held,
    targetEntries(orders, programme, asOf + POINTS_EXPIRY_WARNING_DAYS * DAY_MS, { held }),
  );
  return { held, status: pointsStatus(held, asOf, upcoming) };
}

describe("the points JSON", () => {
  it("is absent for a customer without a journal", () => {
    expect(pointsStatus([], t("2026-01-01T00:00:00Z"))).toBeNull();
    expect(pointsMetafield(null)).toBeNull();
  });

  it("holds available, pending, and the next moment pending points become available", () => {
    // 120 available since February; 80 + 45 pending from two March orders, 10 of the 80 refunded inside the window
    const orders = [
      order(1, "2025-01-10T10:00:00Z", "120.50"),
      order(2, "2025-03-01T00:00:00Z", "70.00", [
        { id: "gid://shopify/Refund/9", createdAt: t("2025-03-05T00:00:00Z"), amountMinor: 1000, currencyCode: "USD" },
      ]),
      order(3, "2025-03-10T00:00:00Z", "45.99"),
    ];
    const { status } = atSync(orders, t("2025-03-12T00:00:00Z"));
    expect(status).toEqual({
      available: 120,
      pending: 115,
      // Order 2's 80 less the 10 its refund took from pending, on order 2's date
      next_available: { points: 70, at: "2025-03-31T00:00:00.000Z" },
      expiring: null,
      rewards_affordable: 0,
      next_reward: null,
    });
    expect(JSON.parse(pointsMetafield(status)!)).toEqual(status);
  });

  it("skips a moment whose pending points were all taken back", () => {
    const orders = [
      order(1, "2025-03-01T00:00:00Z", "0.00", [
        { id: "gid://shopify/Refund/1", createdAt: t("2025-03-02T00:00:00Z"), amountMinor: 5000, currencyCode: "USD" },
      ]),
      order(2, "2025-03-05T00:00:00Z", "30.00"),
    ];
    const { status } = atSync(orders, t("2025-03-10T00:00:00Z"));
    expect(status).toMatchObject({ pending: 30, next_available: { points: 30, at: "2025-04-04T00:00:00.000Z" } });
  });

  it("shows the points that expire within the warning window, at the first instant of the shop's local day", () => {
    // The last order on 2025-01-10 (Bangkok): everything available expires on 2026-01-10 00:00 Bangkok time
    const orders = [order(1, "2025-01-10T10:00:00Z", "120.50"), order(2, "2025-01-05T00:00:00Z", "30.00")];
    const early = atSync(orders, t("2025-12-01T00:00:00Z")).status;
    expect(early).toMatchObject({
      available: 150,
      pending: 0,
      next_available: null,
      expiring: null,
      rewards_affordable: 0,
      next_reward: null,
    });
    const soon = atSync(orders, t("2025-12-20T00:00:00Z")).status;
    expect(soon).toMatchObject({ available: 150, expiring: { points: 150, at: "2026-01-09T17:00:00.000Z" } });
    // After the day, the journal holds the expiry: nothing left, nothing expiring
    const after = atSync(orders, t("2026-01-10T00:00:00Z")).status;
    expect(after).toEqual({
      available: 0,
      pending: 0,
      next_available: null,
      expiring: null,
      rewards_affordable: 0,
      next_reward: null,
    });
  });

  it("counts pending points that become available before the expiry among those expiring", () => {
    // Available points expire on 2026-01-10 (Bangkok); an order on 2025-01-10 is the last earning one
    const entries: PointsEntryValues[] = [
      {
        sourceKey: "import:generic",
        kind: "import",
        points: 40,
        ruleVersion: 0,
        effectiveAt: t("2025-01-01T00:00:00Z"),
        availableAt: t("2025-01-01T00:00:00Z"),
        orderId: null,
        refundId: null,
        note: null,
      },
    ];
    const orders = [order(1, "2025-01-10T10:00:00Z", "10.00")];
    const asOf = t("2025-12-25T00:00:00Z");
    const held = [...entries, ...journalAppends(entries, targetEntries(orders, programme, asOf, { held: entries }))];
    const upcoming = journalAppends(held, targetEntries(orders, programme, asOf + 30 * DAY_MS, { held }));
    expect(pointsStatus(held, asOf, upcoming)).toMatchObject({
      available: 50,
      expiring: { points: 50, at: "2026-01-09T17:00:00.000Z" },
      rewards_affordable: 0,
      next_reward: null,
    });
  });
});

describe("rewards in the points JSON", () => {
  const rewards = [
    { title: "Free shipping", pointsPrice: 300 },
    { title: "Tote", pointsPrice: 2000 },
    { title: "10 off", pointsPrice: 1000 },
    { title: "Mug", pointsPrice: 1000 },
  ];

  it("counts the rewards the available balance pays for and names the cheapest it does not", () => {
    expect(rewardsProgress(999, rewards)).toEqual({
      rewards_affordable: 1,
      next_reward: { title: "10 off", points_price: 1000, points_needed: 1 },
    });
    // A price equal to the balance is affordable; ties go to the first title in code-point order
    expect(rewardsProgress(1000, rewards)).toEqual({
      rewards_affordable: 3,
      next_reward: { title: "Tote", points_price: 2000, points_needed: 1000 },
    });
    expect(rewardsProgress(5000, rewards)).toEqual({ rewards_affordable: 4, next_reward: null });
    expect(rewardsProgress(0, [])).toEqual({ rewards_affordable: 0, next_reward: null });
    // The order of the catalogue does not matter
    expect(rewardsProgress(999, [...rewards].reverse())).toEqual(rewardsProgress(999, rewards));
  });

  it("goes into the status from the available balance only (pending points do not buy rewards)", () => {
    const entry = (points: number, availableAt: string): PointsEntryValues => ({
      sourceKey: `import:generic:${points}`,
      kind: "import",
      points,
      ruleVersion: 0,
      effectiveAt: t("2025-01-01T00:00:00Z"),
      availableAt: t(availableAt),
      orderId: null,
      refundId: null,
      note: null,
    });
    const held = [entry(250, "2025-01-01T00:00:00Z"), entry(100, "2025-03-01T00:00:00Z")];
    expect(pointsStatus(held, t("2025-02-01T00:00:00Z"), [], POINTS_EXPIRY_WARNING_DAYS, rewards)).toMatchObject({
      available: 250,
      pending: 100,
      rewards_affordable: 0,
      next_reward: { title: "Free shipping", points_price: 300, points_needed: 50 },
    });
  });
});

describe("the metafields digest", () => {
  const state: SyncState = {
    customerId: "gid://shopify/Customer/1",
    segment: "loyal",
    tier: "silver",
    spendInWindowMinor: 40_000,
    nextTier: "gold",
    amountToNextMinor: 35_000,
    tierExpiresAt: null,
  };
  const tier = tierMetafields(state, defaultTierProgram("USD"), "USD");
  const points = pointsMetafield({
    available: 10,
    pending: 0,
    next_available: null,
    expiring: null,
    rewards_affordable: 0,
    next_reward: null,
  });

  it("is the tier digest of before for a customer without points", () => {
    expect(storefrontDigest({ tier, points: null })).toBe(metafieldsDigest(tier));
    expect(storefrontDigest({ tier: null, points: null })).toBeNull();
    expect(splitStorefrontDigest(metafieldsDigest(tier))).toEqual({ tier: metafieldsDigest(tier), points: null });
  });

  it("changes when the points change, and splits back into its parts", () => {
    const with10 = storefrontDigest({ tier, points });
    const with11 = storefrontDigest({
      tier,
      points: pointsMetafield({
        available: 11,
        pending: 0,
        next_available: null,
        expiring: null,
        rewards_affordable: 0,
        next_reward: null,
      }),
    });
    expect(with10).not.toBe(metafieldsDigest(tier));
    expect(with11).not.toBe(with10);
    expect(splitStorefrontDigest(with10)).toEqual({ tier: metafieldsDigest(tier), points });
    expect(splitStorefrontDigest(storefrontDigest({ tier: null, points }))).toEqual({ tier: null, points });
  });

  it("round-trips any parts", () => {
    const json = fc.json().map((j) => JSON.stringify(JSON.parse(j)));
    fc.assert(
      fc.property(
        fc.option(fc.tuple(fc.stringMatching(/^[a-z0-9_-]{1,20}$/), json).map(([k, s]) => `${k}\n${s}`)),
        fc.option(json),
        (tierPart, pointsPart) => {
          const digest = joinStorefrontDigest({ tier: tierPart, points: pointsPart });
          expect(splitStorefrontDigest(digest)).toEqual({ tier: tierPart, points: pointsPart });
        },
      ),
    );
  });
});
