// "Points earned" for points that become available (domain/points-flow.ts earnedAnnouncements, docs/rules.md#flow-triggers):
// which sources a points pass announces from a customer's journal and the records held, with what points.
import { describe, expect, it } from "vitest";
import {
  derivedAnnouncementKey,
  EARNED_LOOKBACK_MS,
  earnedAnnouncements,
  type AnnouncementRecord,
} from "../../app/domain/points-flow";
import type { PointsEntryValues } from "../../app/domain/points";
import { DAY_MS } from "../../app/domain/time";

const C = "gid://shopify/Customer/41";
const NOW = Date.UTC(2026, 11, 5, 12);
const entry = (e: Partial<PointsEntryValues> & Pick<PointsEntryValues, "sourceKey" | "kind" | "points">) =>
  ({
    ruleVersion: 1,
    effectiveAt: NOW - 40 * DAY_MS,
    availableAt: NOW - 40 * DAY_MS,
    orderId: null,
    refundId: null,
    note: null,
    ...e,
  }) as PointsEntryValues;
const order = (points: number, availableAt: number, id = "gid://shopify/Order/7") =>
  entry({ sourceKey: `order:${id}:v1`, kind: "order", points, orderId: id, availableAt });
const record = (sourceKey: string, state: AnnouncementRecord["state"], attempts = 1): AnnouncementRecord => ({
  customerId: C,
  sourceKey,
  state,
  attempts,
});
const summary = (list: ReturnType<typeof earnedAnnouncements>) =>
  list.map((a) => [a.sourceKey, a.points, a.attempts, a.trigger?.payload ?? null]);

describe("derivedAnnouncementKey", () => {
  it("names an order by its id (every version and correction is one), a bonus by its source", () => {
    expect(derivedAnnouncementKey(order(5, NOW))).toBe("order:gid://shopify/Order/7");
    expect(
      derivedAnnouncementKey({
        kind: "order",
        sourceKey: "order:gid://shopify/Order/7:v2~1",
        orderId: "gid://shopify/Order/7",
      }),
    ).toBe("order:gid://shopify/Order/7");
    expect(derivedAnnouncementKey({ kind: "bonus", sourceKey: "bonus:birthday:2026~1", orderId: null })).toBe(
      "bonus:birthday:2026",
    );
    expect(derivedAnnouncementKey({ kind: "bonus", sourceKey: "bonus:first-order:clawback", orderId: null })).toBe(
      "bonus:first-order",
    );
    // staff and Flow entries are announced by the step that writes them, not by the pass
    expect(derivedAnnouncementKey({ kind: "bonus", sourceKey: "flow:run-1", orderId: null })).toBeNull();
    expect(derivedAnnouncementKey({ kind: "adjustment", sourceKey: "adjust:t", orderId: null })).toBeNull();
    expect(derivedAnnouncementKey({ kind: "import", sourceKey: "import:x", orderId: null })).toBeNull();
  });
});

describe("earnedAnnouncements", () => {
  it("an order's points: not while pending, once available with what it holds, the balance after", () => {
    const journal = [order(120, NOW + DAY_MS), entry({ sourceKey: "bonus:signup", kind: "bonus", points: 50 })];
    expect(earnedAnnouncements(C, journal, [], NOW)).toEqual([]);
    const later = NOW + DAY_MS;
    const names = new Map([["gid://shopify/Order/7", "#1001"]]);
    expect(summary(earnedAnnouncements(C, journal, [], later, names))).toEqual([
      [
        "order:gid://shopify/Order/7",
        120,
        0,
        { customer_id: 41, points: "120", reason: "Order #1001", source: "order", "available points": "170" },
      ],
    ]);
  });

  it("what a refund took from the pending order is not announced; a refund to zero announces nothing", () => {
    const at = NOW - DAY_MS;
    const refund = (points: number) =>
      entry({ sourceKey: "refund:r1", kind: "refund", points, orderId: "gid://shopify/Order/7", availableAt: at });
    expect(summary(earnedAnnouncements(C, [order(120, at), refund(-20)], [], NOW)).map((a) => a[1])).toEqual([100]);
    expect(earnedAnnouncements(C, [order(120, at), refund(-120)], [], NOW)).toEqual([]);
  });

  it("announces nothing recorded, nor older than the lookback", () => {
    const at = NOW - DAY_MS;
    expect(earnedAnnouncements(C, [order(120, at)], [record("order:gid://shopify/Order/7", "sent")], NOW)).toEqual([]);
    expect(
      earnedAnnouncements(C, [order(120, at)], [record("order:gid://shopify/Order/7", "refused", 5)], NOW),
    ).toEqual([]);
    expect(earnedAnnouncements(C, [order(120, NOW - EARNED_LOOKBACK_MS)], [], NOW)).toEqual([]);
    expect(earnedAnnouncements(C, [order(120, NOW - EARNED_LOOKBACK_MS + 1)], [], NOW)).toHaveLength(1);
    // another customer's records do not count
    const other = { ...record("order:gid://shopify/Order/7", "sent"), customerId: "gid://shopify/Customer/42" };
    expect(earnedAnnouncements(C, [order(120, at)], [other], NOW)).toHaveLength(1);
  });

  it("a pending record is announced again with its attempts, whatever its age; closed when nothing is held", () => {
    const old = NOW - 30 * DAY_MS;
    const pending = [record("order:gid://shopify/Order/7", "pending", 2)];
    expect(summary(earnedAnnouncements(C, [order(120, old)], pending, NOW)).map((a) => a.slice(0, 3))).toEqual([
      ["order:gid://shopify/Order/7", 120, 2],
    ]);
    const refunded = [
      order(120, old),
      entry({
        sourceKey: "refund:r",
        kind: "refund",
        points: -120,
        orderId: "gid://shopify/Order/7",
        availableAt: old,
      }),
    ];
    expect(summary(earnedAnnouncements(C, refunded, pending, NOW))).toEqual([
      ["order:gid://shopify/Order/7", 0, 2, null],
    ]);
  });

  it("derived bonuses when available, with their kind as reason; a staff or Flow one only when pending", () => {
    const at = NOW - 3_600_000;
    const journal = [
      entry({ sourceKey: "bonus:birthday:2026", kind: "bonus", points: 30, availableAt: at }),
      entry({ sourceKey: "bonus:first-order", kind: "bonus", points: 20, availableAt: NOW + DAY_MS }),
      entry({ sourceKey: "flow:run-9", kind: "bonus", points: 15, availableAt: at, note: "Review" }),
      entry({ sourceKey: "adjust:tok", kind: "adjustment", points: 5, availableAt: at, note: "Goodwill" }),
    ];
    expect(summary(earnedAnnouncements(C, journal, [], NOW))).toEqual([
      [
        "bonus:birthday:2026",
        30,
        0,
        { customer_id: 41, points: "30", reason: "Birthday bonus", source: "bonus", "available points": "50" },
      ],
    ]);
    const retried = earnedAnnouncements(
      C,
      journal,
      [record("bonus:birthday:2026", "sent"), record("flow:run-9", "pending"), record("adjust:tok", "pending", 4)],
      NOW,
    );
    expect(summary(retried)).toEqual([
      [
        "flow:run-9",
        15,
        1,
        { customer_id: 41, points: "15", reason: "Review", source: "flow", "available points": "50" },
      ],
      [
        "adjust:tok",
        5,
        4,
        { customer_id: 41, points: "5", reason: "Goodwill", source: "adjustment", "available points": "50" },
      ],
    ]);
  });
});
