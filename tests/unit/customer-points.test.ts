// What the customer page's points history says of each entry, and pending points by date (domain/customer-points.ts).
import { describe, expect, it } from "vitest";
import { historyRow, pendingByMoment, redemptionIdOf, type HeldEntry } from "../../app/domain/customer-points";

const entry = (e: Partial<HeldEntry>): HeldEntry => ({
  id: 1,
  sourceKey: "order:gid://shopify/Order/5:v1",
  kind: "order",
  points: 100,
  ruleVersion: 1,
  effectiveAt: 1_000,
  availableAt: 1_000,
  orderId: null,
  refundId: null,
  note: null,
  actor: null,
  createdAt: 2_000,
  ...e,
});

describe("historyRow", () => {
  it("names the order, and says until when an entry is pending", () => {
    const row = historyRow(entry({ orderId: "gid://shopify/Order/5", availableAt: 9_000 }), 5_000, "#1005", null);
    expect(row).toMatchObject({
      reason: "order",
      values: { order: "#1005", note: "" },
      orderLegacyId: "5",
      pendingUntil: new Date(9_000).toISOString(),
      correction: false,
    });
    // An order the ledger no longer names is shown by its id; past its availability it is not pending
    expect(historyRow(entry({ orderId: "gid://shopify/Order/5" }), 5_000, null, null)).toMatchObject({
      values: { order: "#5" },
      pendingUntil: null,
    });
    expect(
      historyRow(entry({ sourceKey: "refund:gid://shopify/Refund/1~1", kind: "refund" }), 5_000, null, null),
    ).toMatchObject({
      reason: "refund",
      correction: true,
    });
  });
  it("explains redemptions, releases, bonuses, adjustments, expiries and imports", () => {
    const at = 5_000;
    expect(
      historyRow(entry({ kind: "redemption", sourceKey: "redeem:r1", points: -500 }), at, null, "$5 off"),
    ).toMatchObject({
      reason: "redemption",
      values: { reward: "$5 off" },
    });
    expect(
      historyRow(entry({ kind: "redemption", sourceKey: "release:r1", points: 500 }), at, null, null),
    ).toMatchObject({
      reason: "released",
      values: { reward: "—" },
    });
    expect(
      historyRow(entry({ kind: "bonus", sourceKey: "flow:run-1", actor: "flow", note: "Review" }), at, null, null),
    ).toMatchObject({
      reason: "bonusFlow",
      values: { note: "Review" },
    });
    expect(
      historyRow(entry({ kind: "bonus", sourceKey: "adjust:t", actor: "staff:42", note: "Gift" }), at, null, null),
    ).toMatchObject({
      reason: "bonusStaff",
      values: { staff: "42", note: "Gift" },
    });
    expect(historyRow(entry({ kind: "bonus", sourceKey: "birthday:2026" }), at, null, null).reason).toBe("bonus");
    expect(
      historyRow(
        entry({ kind: "adjustment", sourceKey: "adjust:t", actor: "staff:7", note: "Fraud", points: -40 }),
        at,
        null,
        null,
      ),
    ).toMatchObject({
      reason: "adjustment",
      values: { staff: "7", note: "Fraud" },
    });
    expect(historyRow(entry({ kind: "expiry", sourceKey: "expiry:x", ruleVersion: 3 }), at, null, null)).toMatchObject({
      reason: "expiry",
      values: { version: "3" },
    });
    expect(historyRow(entry({ kind: "import", sourceKey: "import:smile~1" }), at, null, null)).toMatchObject({
      reason: "import",
      values: { format: "smile" },
      correction: true,
    });
    expect(redemptionIdOf("redeem:abc~2")).toBe("abc");
    expect(redemptionIdOf("order:x")).toBeNull();
  });
});

describe("pendingByMoment", () => {
  it("adds the entries of one moment (an order and the refunds from its pending points), earliest first", () => {
    const entries = [
      entry({ points: 50, availableAt: 20_000 }),
      entry({ kind: "refund", points: -20, effectiveAt: 2_000, availableAt: 20_000 }),
      entry({ points: 30, availableAt: 10_000 }),
      entry({ points: 40, availableAt: 30_000 }),
      entry({ kind: "cancellation", points: -40, effectiveAt: 3_000, availableAt: 30_000 }),
      entry({ points: 99, effectiveAt: 8_000, availableAt: 40_000 }), // not yet effective at 5_000
      entry({ kind: "loss", points: -5, availableAt: 10_000 }),
    ];
    expect(pendingByMoment(entries, 5_000)).toEqual([
      { at: new Date(10_000).toISOString(), points: 30 },
      { at: new Date(20_000).toISOString(), points: 30 },
    ]);
  });
});
