// The loyalty page's points section as data (app/domain/shopper-points.ts): balances as of now from the journal as
// held, pending points by the moment they become available, expiring soon from the upcoming expiry entries, the
// history in words (newest first, losses left out, capped), how many points each reward is short, and the result
// banner the redirect's query names (a redemption only when it is the customer's own).
import { describe, expect, it } from "vitest";
import type { PointsEntryValues, PointsKind } from "../../app/domain/points";
import {
  POINTS_HISTORY_SHOWN,
  pointsBanner,
  shopperPointsView,
  type ShopperPointsInput,
  type ShopperRedemptionView,
} from "../../app/domain/shopper-points";

const DAY = 86_400_000;
const NOW = Date.parse("2026-12-05T12:00:00Z");

function entry(
  kind: PointsKind,
  points: number,
  effectiveAt: number,
  availableAt = effectiveAt,
  key = "",
): PointsEntryValues {
  return {
    sourceKey: key || `${kind}:${effectiveAt}:${points}`,
    kind,
    points,
    ruleVersion: 1,
    effectiveAt,
    availableAt,
    orderId: null,
    refundId: null,
    note: null,
  };
}

const redemption = (id: string, at = NOW - DAY): ShopperRedemptionView => ({
  id,
  title: "$5 off",
  kind: "amount_off",
  points: 100,
  valueMinor: 500,
  currencyCode: "USD",
  state: "confirmed",
  code: "ABCDEFGHJKMNPQRS",
  expiresAt: at + 30 * DAY,
  at,
});

function input(overrides: Partial<ShopperPointsInput> = {}): ShopperPointsInput {
  return {
    now: NOW,
    entries: [],
    upcoming: [],
    rewards: [],
    redemptions: [],
    query: new URLSearchParams(),
    birthdayBonus: false,
    birthday: null,
    ...overrides,
  };
}

describe("balances and pending points", () => {
  it("available and pending as of now; pending grouped by the moment it becomes available, soonest first", () => {
    const view = shopperPointsView(
      input({
        entries: [
          entry("order", 120, NOW - 60 * DAY, NOW - 30 * DAY),
          entry("order", 40, NOW - 5 * DAY, NOW + 25 * DAY),
          // A refund taken from that order's pending points keeps its availableAt: the moment nets to 30.
          entry("refund", -10, NOW - 2 * DAY, NOW + 25 * DAY),
          entry("order", 55, NOW - DAY, NOW + 29 * DAY),
          // Fully refunded while pending: nets to 0, not listed.
          entry("order", 20, NOW - DAY, NOW + 10 * DAY),
          entry("refund", -20, NOW - DAY, NOW + 10 * DAY),
          entry("redemption", -100, NOW - DAY),
        ],
      }),
    );
    expect(view.available).toBe(20);
    expect(view.pending).toBe(85);
    expect(view.pendingBy).toEqual([
      { points: 30, at: NOW + 25 * DAY },
      { points: 55, at: NOW + 29 * DAY },
    ]);
  });

  it("an entry not yet effective is not counted (the journal as of now)", () => {
    const view = shopperPointsView(input({ entries: [entry("adjustment", 50, NOW + DAY)] }));
    expect(view.available).toBe(0);
    expect(view.history).toEqual([]);
  });

  it("expiring soon: the upcoming expiry entries within 30 days, their sum and the first instant", () => {
    const upcoming = [
      entry("expiry", -70, NOW + 10 * DAY),
      entry("expiry", -5, NOW + 20 * DAY),
      entry("expiry", -999, NOW + 31 * DAY),
      entry("order", 10, NOW + 2 * DAY),
    ];
    expect(shopperPointsView(input({ upcoming })).expiring).toEqual({ points: 75, at: NOW + 10 * DAY });
    expect(shopperPointsView(input({ upcoming: [entry("expiry", -1, NOW + 31 * DAY)] })).expiring).toBeNull();
  });
});

describe("history", () => {
  it("newest first, in words; a redemption is spent, its release returned; losses are left out", () => {
    const view = shopperPointsView(
      input({
        entries: [
          entry("order", 120, NOW - 60 * DAY, NOW - 30 * DAY),
          entry("loss", -15, NOW - 20 * DAY),
          entry("redemption", -100, NOW - 10 * DAY),
          entry("redemption", 100, NOW - 10 * DAY),
          entry("expiry", -20, NOW - 3 * DAY),
        ],
      }),
    );
    expect(view.history).toEqual([
      { at: NOW - 3 * DAY, reason: "expiry", points: -20 },
      { at: NOW - 10 * DAY, reason: "released", points: 100 },
      { at: NOW - 10 * DAY, reason: "redeemed", points: -100 },
      { at: NOW - 60 * DAY, reason: "order", points: 120 },
    ]);
    expect(view.historyOlder).toBe(0);
  });

  it(`shows the newest ${POINTS_HISTORY_SHOWN} and counts the older`, () => {
    const entries = Array.from({ length: POINTS_HISTORY_SHOWN + 3 }, (_, i) =>
      entry("adjustment", i + 1, NOW - i * DAY),
    );
    const view = shopperPointsView(input({ entries }));
    expect(view.history).toHaveLength(POINTS_HISTORY_SHOWN);
    expect(view.history[0].points).toBe(1);
    expect(view.historyOlder).toBe(3);
  });
});

describe("rewards", () => {
  it("says how many more points each reward needs (never negative)", () => {
    const reward = (id: string, pointsPrice: number) => ({
      reward: { id, title: id, kind: "amount_off" as const, pointsPrice, valueMinor: 500, expiryDays: null },
      refusal: null,
    });
    const view = shopperPointsView(
      input({ entries: [entry("adjustment", 250, NOW - DAY)], rewards: [reward("cheap", 100), reward("dear", 400)] }),
    );
    expect(view.rewards.map((r) => [r.id, r.pointsShort])).toEqual([
      ["cheap", 0],
      ["dear", 150],
    ]);
  });
});

describe("the result banner", () => {
  const own = [redemption("r-1")];
  it("names the customer's own redemption; another id (someone else's) shows nothing", () => {
    expect(pointsBanner(new URLSearchParams("redemption=r-1"), own)).toEqual({
      kind: "redemption",
      redemption: own[0],
    });
    expect(pointsBanner(new URLSearchParams("redemption=r-2"), own)).toBeNull();
  });

  it("a known refusal reason, a birthday result; anything else is no banner", () => {
    expect(pointsBanner(new URLSearchParams("refused=not_enough_points"), own)).toEqual({
      kind: "refused",
      reason: "not_enough_points",
    });
    expect(pointsBanner(new URLSearchParams("refused=<script>"), own)).toBeNull();
    expect(pointsBanner(new URLSearchParams("birthday=saved"), own)).toEqual({ kind: "birthday_saved" });
    expect(pointsBanner(new URLSearchParams("birthday=day"), own)).toEqual({ kind: "birthday_refused", reason: "day" });
    expect(pointsBanner(new URLSearchParams("birthday=constructor"), own)).toBeNull();
    expect(pointsBanner(new URLSearchParams(""), own)).toBeNull();
  });

  it("the birthday entry only with a birthday bonus", () => {
    expect(shopperPointsView(input()).birthday).toBeNull();
    expect(shopperPointsView(input({ birthdayBonus: true })).birthday).toEqual({ held: null });
    const held = { month: 2, day: 29, year: null };
    expect(shopperPointsView(input({ birthdayBonus: true, birthday: held })).birthday).toEqual({ held });
  });
});
