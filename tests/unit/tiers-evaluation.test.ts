// Loyalty tiers per docs/rules.md#tiers: windows, computed and retained tier, exact expiry, progress to the next.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import {
  computedTierAt,
  evaluateTier,
  previewTierChange,
  type TierOrder,
  type TierProgram,
  type TierWindow,
} from "../../app/domain/tiers";
import { DAY_MS } from "../../app/domain/time";

const at = (iso: string) => Date.parse(iso);
const usd = (dollars: number) => dollars * 100;

/** USD defaults: Member 0, Silver 250, Gold 750, Platinum 2000; rolling 365 days, retention 365 days. */
function program(changes: Partial<TierProgram> = {}): TierProgram {
  return { ...defaultTierProgram("USD"), ...changes };
}

function order(iso: string, dollars: number): TierOrder {
  return { time: at(iso), value: usd(dollars) };
}

describe("tier at asOf", () => {
  it("gives no tier to a customer without a qualifying order", () => {
    // Given only an order refunded to 0 and one placed after asOf
    const orders = [order("2025-01-10T10:00:00Z", 0), order("2025-03-01T10:00:00Z", 500)];
    // When evaluated on 2025-02-01 / Then the customer has no tier and no progress
    expect(evaluateTier(program(), orders, at("2025-02-01T00:00:00Z"))).toMatchObject({
      tier: null,
      nextTier: null,
      amountToNext: null,
      expiresAt: null,
    });
  });

  it("makes a first-time buyer a member for good, with the amount left to Silver", () => {
    // Given one $100 order
    const status = evaluateTier(program(), [order("2025-01-10T10:00:00Z", 100)], at("2025-02-01T00:00:00Z"));
    // Then they are a member that never lapses, $150 short of Silver
    expect(status).toMatchObject({
      tier: "member",
      computedTier: "member",
      spendInWindow: usd(100),
      ordersInWindow: 1,
      expiresAt: null,
    });
    expect(status).toMatchObject({ nextTier: "silver", amountToNext: usd(150), ordersToNext: 0 });
  });

  it("reaches the highest tier met directly, skipping those between", () => {
    // Given a single $2,500 order / Then the customer is Platinum with nothing above
    const status = evaluateTier(program(), [order("2025-01-10T10:00:00Z", 2500)], at("2025-01-10T10:00:00Z"));
    expect(status).toMatchObject({ tier: "platinum", nextTier: null, amountToNext: null, ordersToNext: null });
  });

  it("lowers the tier when a refund takes the spend below the threshold, even within retention", () => {
    // Given $200 + $100 in March (Silver), and then the second order refunded down to $40
    const asOf = at("2025-04-01T00:00:00Z");
    const before = [order("2025-03-01T10:00:00Z", 200), order("2025-03-10T10:00:00Z", 100)];
    const after = [order("2025-03-01T10:00:00Z", 200), order("2025-03-10T10:00:00Z", 40)];
    // When evaluated with the ledger's current values
    // Then the refund moves the customer from Silver to Member: retention looks at the refunded value where it sits
    expect(evaluateTier(program(), before, asOf).tier).toBe("silver");
    expect(evaluateTier(program(), after, asOf)).toMatchObject({
      tier: "member",
      spendInWindow: usd(240),
      amountToNext: usd(10),
    });
  });

  it("needs the minimum order count too, and says how many orders are missing", () => {
    // Given Gold at $750 and at least 3 orders, and $800 spent in 2 orders
    const p = program();
    p.tiers = p.tiers.map((t) => (t.key === "gold" ? { ...t, minOrders: 3 } : t));
    const status = evaluateTier(
      p,
      [order("2025-01-10T10:00:00Z", 500), order("2025-02-10T10:00:00Z", 300)],
      at("2025-03-01T00:00:00Z"),
    );
    // Then they are Silver, with no spend but one more order needed for Gold
    expect(status).toMatchObject({ tier: "silver", nextTier: "gold", amountToNext: 0, ordersToNext: 1 });
  });

  it("ignores orders placed after asOf", () => {
    // Given a $1,000 order the day after asOf / Then it does not count yet
    const orders = [order("2025-01-10T10:00:00Z", 100), order("2025-02-02T10:00:00Z", 1000)];
    expect(evaluateTier(program(), orders, at("2025-02-01T00:00:00Z"))).toMatchObject({
      tier: "member",
      spendInWindow: usd(100),
    });
  });
});

describe("rolling window", () => {
  const noRetention = program({ retentionDays: 0 });
  // 2024 is a leap year: 2024-01-10T12:00Z + 365 days is 2025-01-09T12:00Z.
  const orders = [order("2024-01-10T12:00:00Z", 200), order("2024-06-01T12:00:00Z", 100)];

  it("keeps an order in the window until exactly 365 days have passed", () => {
    // Given $300 in two orders, the older placed 2024-01-10T12:00Z
    // When evaluated 1 ms before it is 365 days old / Then the customer is still Silver
    expect(evaluateTier(noRetention, orders, at("2025-01-09T11:59:59.999Z"))).toMatchObject({
      tier: "silver",
      spendInWindow: usd(300),
    });
  });

  it("drops an order from the window the moment it is 365 days old", () => {
    // When evaluated at exactly 365 days / Then only $100 counts and the customer is a member
    expect(evaluateTier(noRetention, orders, at("2025-01-09T12:00:00Z"))).toMatchObject({
      tier: "member",
      spendInWindow: usd(100),
    });
  });

  it("dates the expiry at the moment the order that keeps the tier leaves the window", () => {
    // Given the same customer evaluated in the summer / Then Silver expires when the $200 order leaves the window
    const status = evaluateTier(noRetention, orders, at("2024-07-01T00:00:00Z"));
    expect(status).toMatchObject({
      tier: "silver",
      expiresAt: at("2025-01-09T12:00:00Z"),
      windowChangesAt: at("2025-01-09T12:00:00Z"),
    });
  });

  it("lets a tier outlive a shorter retention while the window still computes it", () => {
    // Given Gold from one $800 order, a 365-day window and only 30 days of retention
    const status = evaluateTier(
      program({ retentionDays: 30 }),
      [order("2024-03-01T10:00:00Z", 800)],
      at("2024-03-11T00:00:00Z"),
    );
    // Then Gold lasts until the order leaves the window, not 30 days
    expect(status).toMatchObject({ tier: "gold", expiresAt: at("2025-03-01T10:00:00Z") });
  });
});

describe("retention", () => {
  // Gold from one $800 order on 2024-03-01T10:00Z, a 90-day window, 365 days of retention.
  const p = program({ window: { kind: "rolling", days: 90 } });
  const orders = [order("2024-03-01T10:00:00Z", 800)];

  it("keeps a tier no longer computed, and dates its expiry 365 days after the order that earned it", () => {
    // When evaluated in December, long after the order left the 90-day window
    const status = evaluateTier(p, orders, at("2024-12-01T00:00:00Z"));
    // Then Gold is held (not computed) and lapses just after 2025-03-01T10:00Z, the end of [order, order + 365 d]
    expect(status).toMatchObject({ tier: "gold", computedTier: "member", expiresAt: at("2025-03-01T10:00:00.001Z") });
  });

  it("still holds the tier at the last instant of retention, on the exact day", () => {
    // When evaluated at exactly order + 365 days / Then the order is in [asOf − 365 d, asOf] and Gold is held
    expect(evaluateTier(p, orders, at("2025-03-01T10:00:00Z")).tier).toBe("gold");
  });

  it("drops the tier at its expiry", () => {
    // When evaluated 1 ms later / Then Gold is gone
    expect(evaluateTier(p, orders, at("2025-03-01T10:00:00.001Z")).tier).toBe("member");
  });
});

describe("calendar year", () => {
  const yearly: TierWindow = { kind: "calendar_year" };

  it("counts the whole year up to the last millisecond of 31 December (UTC)", () => {
    // Given $300 on New Year's Eve at 23:00 UTC
    const status = evaluateTier(
      program({ window: yearly, retentionDays: 0 }),
      [order("2024-12-31T23:00:00Z", 300)],
      at("2024-12-31T23:59:59.999Z"),
    );
    // Then the customer is Silver until the year ends
    expect(status).toMatchObject({
      tier: "silver",
      expiresAt: at("2025-01-01T00:00:00Z"),
      windowChangesAt: at("2025-01-01T00:00:00Z"),
    });
  });

  it("starts from zero on 1 January (UTC)", () => {
    // When evaluated at the first instant of 2025 / Then nothing counts yet
    const status = evaluateTier(
      program({ window: yearly, retentionDays: 0 }),
      [order("2024-12-31T23:00:00Z", 300)],
      at("2025-01-01T00:00:00Z"),
    );
    expect(status).toMatchObject({ tier: "member", spendInWindow: 0, ordersInWindow: 0, amountToNext: usd(250) });
  });

  it("uses the shop's time zone for the year boundary when it has one", () => {
    // Given a Bangkok shop (UTC+7): 16:00Z on 31 Dec is 23:00 local (2024), 18:00Z is 01:00 on 1 Jan local (2025)
    const bangkok = program({ window: yearly, retentionDays: 0, timeZone: "Asia/Bangkok" });
    const orders = [order("2024-12-31T16:00:00Z", 300), order("2024-12-31T18:00:00Z", 100)];
    // When evaluated at 00:00Z on 1 January (07:00 local) / Then only the local-2025 order counts
    expect(evaluateTier(bangkok, orders, at("2025-01-01T00:00:00Z"))).toMatchObject({
      spendInWindow: usd(100),
      tier: "member",
    });
    // And Silver from the 2024 order expires at local midnight, 17:00Z
    expect(evaluateTier(bangkok, orders.slice(0, 1), at("2024-12-31T16:30:00Z"))).toMatchObject({
      tier: "silver",
      expiresAt: at("2024-12-31T17:00:00Z"),
    });
  });
});

describe("lifetime window", () => {
  it("never expires a tier the lifetime spend computes", () => {
    // Given $800 spent once, years ago, with a lifetime window
    const status = evaluateTier(
      program({ window: { kind: "lifetime" } }),
      [order("2020-05-05T10:00:00Z", 800)],
      at("2030-01-01T00:00:00Z"),
    );
    // Then Gold is computed and has no expiry
    expect(status).toMatchObject({ tier: "gold", computedTier: "gold", expiresAt: null, windowChangesAt: null });
  });
});

describe("preview of a rule change", () => {
  it("counts customers per tier before and after, and how many change", () => {
    // Given three customers and Silver lowered from $250 to $150
    const customers = [
      { customerId: "a", orders: [order("2025-01-10T10:00:00Z", 100)] },
      { customerId: "b", orders: [order("2025-01-10T10:00:00Z", 200)] },
      { customerId: "c", orders: [] },
    ];
    const current = program();
    const next = {
      ...current,
      tiers: current.tiers.map((t) => (t.key === "silver" ? { ...t, threshold: usd(150) } : t)),
    };
    // When previewed / Then b moves from Member to Silver
    const preview = previewTierChange(current, next, customers, at("2025-02-01T00:00:00Z"));
    expect(preview.before).toEqual({ byTier: { member: 2, silver: 0, gold: 0, platinum: 0 }, noTier: 1 });
    expect(preview.after).toEqual({ byTier: { member: 1, silver: 1, gold: 0, platinum: 0 }, noTier: 1 });
    expect(preview.changed).toBe(1);
  });
});

// Properties: small random programmes and histories with times on a coarse grid (so orders tie and land exactly on
// window and retention edges) plus random milliseconds.
const BASE = at("2023-06-01T00:00:00Z");
const timeArb = fc
  .tuple(fc.integer({ min: 0, max: 1600 }), fc.constantFrom(0, 0, 0, 1, 43_199_999))
  .map(([halfDays, ms]) => BASE + halfDays * (DAY_MS / 2) + ms);
const ordersArb = fc.array(fc.record({ time: timeArb, value: fc.integer({ min: -100, max: 90_000 }) }), {
  maxLength: 12,
});
const programArb = fc
  .record({
    window: fc.oneof(
      fc.integer({ min: 30, max: 400 }).map((days): TierWindow => ({ kind: "rolling", days })),
      fc.constant<TierWindow>({ kind: "calendar_year" }),
      fc.constant<TierWindow>({ kind: "lifetime" }),
    ),
    retentionDays: fc.integer({ min: 0, max: 400 }),
    minOrders: fc.tuple(fc.constantFrom(null, 2), fc.constantFrom(null, 3, 4)),
    timeZone: fc.constantFrom(null, "Asia/Bangkok", "America/New_York"),
  })
  .map(({ window, retentionDays, minOrders, timeZone }): TierProgram => {
    const base = program({ window, retentionDays, timeZone });
    base.tiers = base.tiers.map((t) => ({
      ...t,
      threshold: t.threshold / 10,
      minOrders: t.key === "gold" ? minOrders[0] : t.key === "platinum" ? minOrders[1] : null,
    }));
    return base;
  });
const index = (p: TierProgram, key: string | null) => (key === null ? -1 : p.tiers.findIndex((t) => t.key === key));

describe("tier properties", () => {
  it("holds the tier exactly until expiresAt, then drops below it", () => {
    fc.assert(
      fc.property(programArb, ordersArb, timeArb, (p, orders, asOf) => {
        // Given any programme and history, evaluated at asOf
        const status = evaluateTier(p, orders, asOf);
        fc.pre(status.tier !== null);
        // And nothing else happening: no order after asOf
        const known = orders.filter((o) => o.time <= asOf);
        if (status.expiresAt === null) {
          // Then a tier without expiry is still held ten years on
          expect(evaluateTier(p, known, asOf + 3650 * DAY_MS).tier).toBe(status.tier);
        } else {
          // Then it is held at the last instant before expiresAt and lower at expiresAt
          expect(status.expiresAt).toBeGreaterThan(asOf);
          expect(evaluateTier(p, known, status.expiresAt - 1).tier).toBe(status.tier);
          expect(index(p, evaluateTier(p, known, status.expiresAt).tier)).toBeLessThan(index(p, status.tier));
        }
      }),
    );
  });

  it("holds the best tier computed at asOf or at any order time in [asOf − retention, asOf]", () => {
    fc.assert(
      fc.property(programArb, ordersArb, timeArb, (p, orders, asOf) => {
        // Given the definition in docs/rules.md#tiers-retention, evaluated moment by moment
        const moments = [
          asOf,
          ...orders
            .filter((o) => o.value > 0 && o.time <= asOf && o.time >= asOf - p.retentionDays * DAY_MS)
            .map((o) => o.time),
        ];
        const best = Math.max(...moments.map((t) => index(p, computedTierAt(p, orders, t))));
        // Then the held tier is that best
        expect(index(p, evaluateTier(p, orders, asOf).tier)).toBe(best);
      }),
    );
  });

  it("does not depend on the order of the orders", () => {
    fc.assert(
      fc.property(
        programArb,
        ordersArb.chain((orders) =>
          fc.tuple(fc.constant(orders), fc.shuffledSubarray(orders, { minLength: orders.length })),
        ),
        timeArb,
        (p, [orders, shuffled], asOf) => {
          expect(evaluateTier(p, shuffled, asOf)).toEqual(evaluateTier(p, orders, asOf));
        },
      ),
    );
  });

  it("never lowers the computed or held tier when the customer spends more", () => {
    fc.assert(
      fc.property(
        programArb,
        ordersArb,
        timeArb,
        timeArb,
        fc.integer({ min: 1, max: 90_000 }),
        (p, orders, asOf, time, value) => {
          // Given any history and one more qualifying order
          const before = evaluateTier(p, orders, asOf);
          const after = evaluateTier(p, [...orders, { time, value }], asOf);
          // Then neither the computed nor the held tier fell
          expect(index(p, after.computedTier)).toBeGreaterThanOrEqual(index(p, before.computedTier));
          expect(index(p, after.tier)).toBeGreaterThanOrEqual(index(p, before.tier));
        },
      ),
    );
  });

  it("reaches the next tier when the customer buys the amount to next at asOf", () => {
    fc.assert(
      fc.property(programArb, ordersArb, timeArb, (p, orders, asOf) => {
        // Given a customer with a next tier that at most one more order can reach
        const status = evaluateTier(p, orders, asOf);
        fc.pre(status.nextTier !== null && status.ordersToNext !== null && status.ordersToNext <= 1);
        // When they place one order worth the amount to next (at least 1) right at asOf
        const extra = { time: asOf, value: Math.max(status.amountToNext ?? 0, 1) };
        // Then the tier computed at asOf is at least the next tier
        expect(index(p, computedTierAt(p, [...orders, extra], asOf))).toBeGreaterThanOrEqual(index(p, status.nextTier));
      }),
    );
  });
});
