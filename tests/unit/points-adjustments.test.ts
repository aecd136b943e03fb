import { describe, expect, it } from "vitest";
import {
  ADJUSTMENT_MAX_POINTS,
  adjustmentEntry,
  adjustmentKeys,
  adjustmentRefusal,
  parseFlowAward,
  staffActor,
  validateAdjustment,
} from "../../app/domain/points-adjustments";
import { isDerivedSource } from "../../app/domain/points";

describe("validateAdjustment", () => {
  const ok = { reason: " Goodwill ", token: "abcdefgh-1234" };
  it("reads signed whole points from text or numbers", () => {
    for (const [points, want] of [
      ["250", 250],
      ["+20", 20],
      ["-50", -50],
      [" 7 ", 7],
      [12, 12],
      [-1_000_000, -1_000_000],
    ] as const) {
      const v = validateAdjustment({ ...ok, points });
      expect(v).toEqual({
        ok: true,
        adjustment: { points: want, reason: "Goodwill", token: ok.token, kind: "adjustment" },
      });
    }
  });
  it("refuses 0, fractions, text and out-of-range points", () => {
    for (const points of [
      "0",
      "1.5",
      "1e3",
      "",
      "abc",
      null,
      2.5,
      ADJUSTMENT_MAX_POINTS + 1,
      "-1000001",
      "99999999999999999",
    ]) {
      const v = validateAdjustment({ ...ok, points });
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.issues.map((i) => i.field)).toEqual(["points"]);
    }
  });
  it("requires a reason of at most 500 characters, a well-formed token and a known kind", () => {
    const issues = (input: Record<string, unknown>) => {
      const v = validateAdjustment({ ...ok, points: "5", ...input });
      return v.ok ? [] : v.issues.map((i) => i.key);
    };
    expect(issues({ reason: "  " })).toEqual(["reasonRequired"]);
    expect(issues({ reason: "x".repeat(500) })).toEqual([]);
    expect(issues({ reason: "x".repeat(501) })).toEqual(["reasonTooLong"]);
    expect(issues({ token: "short" })).toEqual(["token"]);
    expect(issues({ token: "has:colon-123" })).toEqual(["token"]);
    expect(issues({ kind: "order" })).toEqual(["kind"]);
    expect(issues({ kind: "bonus" })).toEqual([]);
    expect(issues({ kind: "bonus", points: "-5" })).toEqual(["bonusNegative"]);
  });
});

describe("entries, keys and refusals", () => {
  it("an adjustment is one entry effective and available at once, of a source derive never reverses", () => {
    const e = adjustmentEntry(
      adjustmentKeys.staff("tok-12345678"),
      { points: -40, reason: "Fraud", kind: "adjustment" },
      1000,
    );
    expect(e).toEqual({
      sourceKey: "adjust:tok-12345678",
      kind: "adjustment",
      points: -40,
      ruleVersion: 0,
      effectiveAt: 1000,
      availableAt: 1000,
      orderId: null,
      refundId: null,
      note: "Fraud",
    });
    expect(isDerivedSource(e.sourceKey)).toBe(false);
    expect(isDerivedSource(adjustmentKeys.flow("run-1234-5678"))).toBe(false);
    expect(staffActor("93412")).toBe("staff:93412");
  });
  it("a removal may take the available balance to 0, not below", () => {
    expect(adjustmentRefusal(-100, 100)).toBeNull();
    expect(adjustmentRefusal(-101, 100)?.key).toBe("insufficient");
    expect(adjustmentRefusal(-1, 0)?.message).toContain("Only 0 points");
    expect(adjustmentRefusal(50, -10)).toBeNull();
  });
});

describe("parseFlowAward", () => {
  const body = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    shop_id: "1",
    shopify_domain: "s.myshopify.com",
    action_run_id: "xxxx-xxxx-xxxx-xxxx",
    handle: "award-points",
    properties: { customer_id: 123, points: 10, reason: "Review", ...props },
    ...extra,
  });
  it("reads the customer as a number, its text or a gid", () => {
    for (const customer_id of [123, "123", "gid://shopify/Customer/123"])
      expect(parseFlowAward(body({ customer_id }))).toEqual({
        ok: true,
        award: {
          actionRunId: "xxxx-xxxx-xxxx-xxxx",
          customerId: "gid://shopify/Customer/123",
          points: 10,
          reason: "Review",
        },
      });
  });
  it("refuses what Flow would not send", () => {
    for (const bad of [
      null,
      [],
      body({}, { action_run_id: "" }),
      body({}, { action_run_id: 5 }),
      body({}, { properties: "x" }),
      body({ customer_id: "gid://shopify/Order/1" }),
      body({ customer_id: -4 }),
      body({ points: 0 }),
      body({ points: -3 }),
      body({ points: 1.5 }),
      body({ points: ADJUSTMENT_MAX_POINTS + 1 }),
      body({ reason: "" }),
      body({ reason: 5 }),
    ])
      expect(parseFlowAward(bad).ok).toBe(false);
  });
});
