// The points rules (docs/rules.md#points) on one customer: what an order earns, exactly; pending, then available;
// clawbacks from pending, from available, and the loss when the balance is short; cancellations, edits, orders that
// stop qualifying; expiry on the shop's local day; the programme start and rule versions; the appends that bring a
// journal to its target; balances. Then a property: any delivery order of a generated history, derived after every
// delivery, ends on the journal a rebuild writes — source by source, and in balances at every moment.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  spendableAt,
  balancesAt,
  DEFAULT_POINTS_RULES,
  expiryAfter,
  isDerivedSource,
  journalAppends,
  orderPoints,
  pointsCsvLine,
  rulesAt,
  sourceOf,
  targetEntries,
  tierMultiplierOf,
  validatePointsRules,
  withRuleDefaults,
  type PointsCustomerFacts,
  type PointsEntryValues,
  type PointsOrder,
  type PointsProgramme,
  type PointsRules,
} from "../../app/domain/points";
import { tierHeldAt } from "../../app/domain/points-bonuses";
import { pointsStatus } from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { NO_PERKS, type TierProgram } from "../../app/domain/tiers";
import { DAY_MS } from "../../app/domain/time";

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();
const rules = (over: Partial<PointsRules> = {}): PointsRules => ({ ...DEFAULT_POINTS_RULES, ...over });
const programme = (over: Partial<PointsProgramme> = {}): PointsProgramme => ({
  versions: [],
  startsAt: at("2024-01-01T00:00:00Z"),
  ...over,
});
let nextId = 1;
function order(processedAt: string, valueMinor: number, over: Partial<PointsOrder> = {}): PointsOrder {
  return {
    id: `gid://shopify/Order/${nextId++}`,
    processedAt: at(processedAt),
    cancelledAt: null,
    test: false,
    currencyCode: "USD",
    valueMinor,
    refunds: [],
    ...over,
  };
}
/** An order as the ledger holds it after these refunds: its value is what is left. */
function refunded(o: PointsOrder, ...refunds: [string, number][]): PointsOrder {
  const list = refunds.map(([createdAt, amountMinor]) => ({
    id: `gid://shopify/Refund/${nextId++}`,
    createdAt: at(createdAt),
    amountMinor,
    currencyCode: o.currencyCode,
  }));
  return { ...o, valueMinor: o.valueMinor - list.reduce((s, r) => s + r.amountMinor, 0), refunds: list };
}
/** Entries as (kind, points, effective, available) for readable expectations. */
const moves = (entries: PointsEntryValues[]) =>
  entries.map((e) => [e.kind, e.points, iso(e.effectiveAt), iso(e.availableAt)]);
/** Long enough after the orders below for every return window to pass, before any expiry. */
const FAR = at("2025-06-01T00:00:00Z");

describe("what an order earns: floor(rate × value × multiplier), exactly", () => {
  it.each([
    [12050, "USD", 1000, 1000, 120],
    [12099, "USD", 1000, 1000, 120],
    [1200, "JPY", 1000, 1000, 1200],
    [1250, "KWD", 1000, 1000, 1],
    [1001, "USD", 2500, 1000, 25], // 2.5 × 10.01 = 25.025
    [3333, "USD", 1000, 1500, 49], // 33.33 × 1.5 = 49.995
    [435, "USD", 100_000, 1000, 435], // 100 × 4.35: in floating point 434.99999999999994
    [999, "USD", 100, 1000, 0], // 0.1 × 9.99
    [0, "USD", 1000, 1000, 0],
    [-500, "USD", 1000, 1000, 0],
  ])("%i minor %s at rate %i‰ × %i‰ → %i", (value, currency, ratePerMille, multiplierPerMille, points) => {
    expect(orderPoints(value, currency, rules({ ratePerMille, multiplierPerMille }))).toBe(points);
  });

  it("stays exact at the largest value the ledger holds, and refuses what would not be a safe integer", () => {
    expect(orderPoints(Number.MAX_SAFE_INTEGER, "USD", rules())).toBe(90071992547409);
    expect(orderPoints(Number.MAX_SAFE_INTEGER, "JPY", rules({ ratePerMille: 3, multiplierPerMille: 7 }))).toBe(
      Number((BigInt(Number.MAX_SAFE_INTEGER) * 21n) / 1_000_000n),
    );
    expect(() =>
      orderPoints(Number.MAX_SAFE_INTEGER, "JPY", rules({ ratePerMille: 1_000_000, multiplierPerMille: 100_000 })),
    ).toThrow(RangeError);
    expect(() => orderPoints(1.5, "USD", rules())).toThrow(RangeError);
  });
});

describe("rules: validation and versions", () => {
  it("takes the defaults for missing fields and refuses out-of-range or fractional values and unknown fields", () => {
    expect(validatePointsRules({})).toEqual({ ok: true, rules: DEFAULT_POINTS_RULES });
    expect(validatePointsRules({ ratePerMille: 2500, expiryMonths: null })).toEqual({
      ok: true,
      rules: { ...DEFAULT_POINTS_RULES, ratePerMille: 2500, expiryMonths: null },
    });
    const refused = validatePointsRules({
      ratePerMille: 1.5,
      multiplierPerMille: -1,
      returnWindowDays: 366,
      expiryMonths: 0,
      bonus: true,
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.issues.map((i) => i.key)).toEqual([
        "points.ratePerMille.out_of_range",
        "points.multiplierPerMille.out_of_range",
        "points.returnWindowDays.out_of_range",
        "points.expiryMonths.out_of_range",
        "field.unknown",
      ]);
    expect(validatePointsRules(null).ok).toBe(false);
    expect(validatePointsRules({ expiryMonths: "12" }).ok).toBe(false);
  });

  it("an order earns under the newest version in force at its processed_at; version 0 before any", () => {
    const p = programme({
      versions: [
        { version: 1, effectiveFrom: at("2025-01-01T00:00:00Z"), rules: rules({ ratePerMille: 2000 }) },
        { version: 2, effectiveFrom: at("2025-06-01T00:00:00Z"), rules: rules({ multiplierPerMille: 1500 }) },
      ],
    });
    expect(rulesAt(p, at("2024-12-31T23:59:59.999Z")).version).toBe(0);
    expect(rulesAt(p, at("2025-01-01T00:00:00Z")).version).toBe(1);
    expect(rulesAt(p, at("2025-07-01T00:00:00Z")).version).toBe(2);
    const orders = [
      order("2024-12-31T12:00:00Z", 10000),
      order("2025-02-01T00:00:00Z", 10000),
      order("2025-07-01T00:00:00Z", 10000),
    ];
    const earned = targetEntries(orders, p, FAR).filter((e) => e.kind === "order");
    expect(earned.map((e) => [e.sourceKey, e.points, e.ruleVersion])).toEqual([
      [`order:${orders[0].id}:v0`, 100, 0],
      [`order:${orders[1].id}:v1`, 200, 1],
      [`order:${orders[2].id}:v2`, 150, 2],
    ]);
  });
});

describe("pending, then available", () => {
  it("an order's points are pending from processed_at for the return window, then available", () => {
    const o = order("2025-01-10T10:00:00Z", 12050);
    const entries = targetEntries([o], programme(), at("2025-01-10T10:00:00Z"));
    expect(moves(entries)).toEqual([["order", 120, "2025-01-10T10:00:00.000Z", "2025-02-09T10:00:00.000Z"]]);
    expect(entries[0]).toMatchObject({ sourceKey: `order:${o.id}:v0`, orderId: o.id, ruleVersion: 0 });
    expect(balancesAt(entries, at("2025-01-10T09:59:59.999Z"))).toMatchObject({ earned: 0, pending: 0 });
    expect(balancesAt(entries, at("2025-02-09T09:59:59.999Z"))).toMatchObject({ pending: 120, available: 0 });
    expect(balancesAt(entries, at("2025-02-09T10:00:00Z"))).toMatchObject({ pending: 0, available: 120 });
  });

  it("a return window of 0 makes points available at once; a test order and a guest's never earn", () => {
    const zero = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules({ returnWindowDays: 0 }) }] });
    expect(moves(targetEntries([order("2025-01-10T00:00:00Z", 500)], zero, FAR))).toEqual([
      ["order", 5, "2025-01-10T00:00:00.000Z", "2025-01-10T00:00:00.000Z"],
    ]);
    expect(targetEntries([order("2025-01-10T00:00:00Z", 500, { test: true })], programme(), FAR)).toEqual([]);
  });

  it("orders processed before the programme start earn nothing; from the start on they do", () => {
    const p = programme({ startsAt: at("2025-03-01T00:00:00Z") });
    const before = order("2025-02-28T23:59:59.999Z", 10000);
    const on = order("2025-03-01T00:00:00Z", 10000);
    expect(targetEntries([before, on], p, FAR).map((e) => e.orderId)).toEqual([on.id]);
  });

  it("a customer the ledger holds as deleted keeps nothing", () => {
    expect(targetEntries([order("2025-01-10T00:00:00Z", 500)], programme(), FAR, { customerDeleted: true })).toEqual(
      [],
    );
  });
});

describe("refunds, cancellations and edits", () => {
  it("a refund during the return window takes from the order's pending points", () => {
    const o = refunded(order("2025-01-10T10:00:00Z", 12050), ["2025-01-20T00:00:00Z", 2050]);
    const entries = targetEntries([o], programme(), FAR);
    expect(moves(entries).slice(0, 2)).toEqual([
      ["order", 120, "2025-01-10T10:00:00.000Z", "2025-02-09T10:00:00.000Z"],
      ["refund", -20, "2025-01-20T00:00:00.000Z", "2025-02-09T10:00:00.000Z"],
    ]);
    expect(entries[1]).toMatchObject({ sourceKey: `refund:${o.refunds[0].id}`, refundId: o.refunds[0].id });
    expect(balancesAt(entries, at("2025-01-25T00:00:00Z"))).toMatchObject({ pending: 100, clawedBack: 20 });
    expect(balancesAt(entries, at("2025-02-10T00:00:00Z"))).toMatchObject({ pending: 0, available: 100 });
  });

  it("a refund after the points became available takes from the available balance when it is enough", () => {
    const o = refunded(order("2025-01-10T10:00:00Z", 12050), ["2025-03-01T00:00:00Z", 4000]);
    const entries = targetEntries([o], programme(), at("2025-06-01T00:00:00Z"));
    expect(moves(entries)).toEqual([
      ["order", 120, "2025-01-10T10:00:00.000Z", "2025-02-09T10:00:00.000Z"],
      ["refund", -40, "2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ]);
    expect(balancesAt(entries, at("2025-06-01T00:00:00Z"))).toMatchObject({ available: 80, clawedBack: 40, lost: 0 });
  });

  it("a refund the available balance cannot cover takes what there is; the rest is a loss", () => {
    // A earned 100 and they expired on 2025-01-10; B's 30 are available from 2025-02-19; A is then fully refunded
    const a = refunded(order("2024-01-10T00:00:00Z", 10000), ["2025-03-01T00:00:00Z", 10000]);
    const b = order("2025-01-20T00:00:00Z", 3000);
    const entries = targetEntries([a, b], programme(), at("2025-06-01T00:00:00Z"));
    expect(moves(entries)).toEqual([
      ["order", 100, "2024-01-10T00:00:00.000Z", "2024-02-09T00:00:00.000Z"],
      ["expiry", -100, "2025-01-10T00:00:00.000Z", "2025-01-10T00:00:00.000Z"],
      ["order", 30, "2025-01-20T00:00:00.000Z", "2025-02-19T00:00:00.000Z"],
      ["refund", -30, "2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
      ["loss", -70, "2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ]);
    expect(entries[4].sourceKey).toBe(`loss:refund:${a.refunds[0].id}`);
    expect(balancesAt(entries, at("2025-06-01T00:00:00Z"))).toEqual({
      earned: 130,
      pending: 0,
      available: 0,
      redeemed: 0,
      expired: 100,
      clawedBack: 30,
      lost: 70,
    });
  });

  it("a partial refund takes the difference of the formula on the values, not the formula on the refund", () => {
    // 10.99 earns 10; 0.50 refunded leaves 10.49, which earns 10: nothing to take. Another 0.50: 9.99 earns 9.
    const o = refunded(order("2025-01-10T00:00:00Z", 1099), ["2025-01-11T00:00:00Z", 50], ["2025-01-12T00:00:00Z", 50]);
    expect(moves(targetEntries([o], programme(), FAR))).toEqual([
      ["order", 10, "2025-01-10T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
      ["refund", -1, "2025-01-12T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
    ]);
  });

  it("an order refunded to 0 stops qualifying and keeps no points", () => {
    const o = refunded(order("2025-01-10T00:00:00Z", 5000), ["2025-02-20T00:00:00Z", 5000]);
    const entries = targetEntries([o], programme(), at("2025-06-01T00:00:00Z"));
    expect(entries.map((e) => e.points)).toEqual([50, -50]);
    expect(balancesAt(entries, at("2025-06-01T00:00:00Z"))).toMatchObject({ available: 0, pending: 0 });
  });

  it("a cancellation takes everything the order still holds: from pending inside the window, else from available", () => {
    const pending = order("2025-01-10T00:00:00Z", 5000, { cancelledAt: at("2025-01-11T00:00:00Z") });
    expect(moves(targetEntries([pending], programme(), FAR))).toEqual([
      ["order", 50, "2025-01-10T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
      ["cancellation", -50, "2025-01-11T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
    ]);
    const late = refunded(order("2025-01-10T00:00:00Z", 5000, { cancelledAt: at("2025-03-01T00:00:00Z") }), [
      "2025-01-12T00:00:00Z",
      1000,
    ]);
    const entries = targetEntries([late], programme(), FAR);
    expect(moves(entries)).toEqual([
      ["order", 50, "2025-01-10T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
      ["refund", -10, "2025-01-12T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
      ["cancellation", -40, "2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ]);
    expect(entries[2].sourceKey).toBe(`cancel:${late.id}`);
  });

  it("a refund after the cancellation takes nothing more; one before the order's processed_at counts at it", () => {
    const o = refunded(order("2025-01-10T00:00:00Z", 5000, { cancelledAt: at("2025-01-11T00:00:00Z") }), [
      "2025-01-12T00:00:00Z",
      5000,
    ]);
    expect(targetEntries([o], programme(), FAR).map((e) => e.kind)).toEqual(["order", "cancellation"]);
    const early = refunded(order("2025-01-10T00:00:00Z", 5000), ["2025-01-09T00:00:00Z", 1000]);
    expect(moves(targetEntries([early], programme(), FAR))[1]).toEqual([
      "refund",
      -10,
      "2025-01-10T00:00:00.000Z",
      "2025-02-09T00:00:00.000Z",
    ]);
  });

  it("a refund of unknown amount or in another currency takes nothing by itself: the order's value carries it", () => {
    const o = order("2025-01-10T00:00:00Z", 4000, {
      refunds: [
        { id: "gid://shopify/Refund/x", createdAt: at("2025-01-11T00:00:00Z"), amountMinor: null, currencyCode: "XXX" },
        { id: "gid://shopify/Refund/y", createdAt: at("2025-01-11T00:00:00Z"), amountMinor: 900, currencyCode: "EUR" },
      ],
    });
    expect(moves(targetEntries([o], programme(), FAR))).toEqual([
      ["order", 40, "2025-01-10T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
    ]);
  });

  it("an edit (the ledger holds the newest total only) changes what the order earns from the start: a correction", () => {
    const placed = order("2025-01-10T00:00:00Z", 10000);
    const edited = { ...placed, valueMinor: 8000 };
    const before = targetEntries([placed], programme(), at("2025-03-01T00:00:00Z"));
    const after = targetEntries([edited], programme(), at("2025-03-01T00:00:00Z"));
    const appended = journalAppends(before, after);
    expect(appended).toEqual([{ ...after[0], sourceKey: `${after[0].sourceKey}~1`, points: -20, note: "correction" }]);
    expect(balancesAt([...before, ...appended], at("2025-03-01T00:00:00Z"))).toEqual(
      balancesAt(after, at("2025-03-01T00:00:00Z")),
    );
  });
});

describe("expiry", () => {
  it("on the local day N months after the last order still holding points, at its first instant in the shop's zone", () => {
    // 2024-03-15 20:00 UTC is 2024-03-16 03:00 in Bangkok (UTC+7): expiry on 2025-03-16 00:00 Bangkok time
    const o = order("2024-03-15T20:00:00Z", 10000);
    const p = programme({ timeZone: "Asia/Bangkok" });
    const expiry = at("2025-03-15T17:00:00Z");
    expect(expiryAfter(o.processedAt, 12, "Asia/Bangkok")).toBe(expiry);
    expect(targetEntries([o], p, expiry - 1).map((e) => e.kind)).toEqual(["order"]);
    const entries = targetEntries([o], p, expiry);
    expect(moves(entries)[1]).toEqual(["expiry", -100, iso(expiry), iso(expiry)]);
    expect(entries[1].sourceKey).toBe("expiry:2025-03-15T17:00:00.000Z");
    // In UTC the same order is on 2024-03-15: expiry 2025-03-15 00:00 UTC
    expect(targetEntries([o], programme(), FAR)[1].effectiveAt).toBe(at("2025-03-15T00:00:00Z"));
    expect(balancesAt(entries, expiry)).toMatchObject({ available: 0, expired: 100 });
  });

  it("follows the zone's own offset on the day (New York in summer time), and a missing day becomes the month's last", () => {
    const ny = order("2024-07-04T03:30:00Z", 1000); // 3 July 23:30 in New York
    expect(iso(expiryAfter(ny.processedAt, 12, "America/New_York"))).toBe("2025-07-03T04:00:00.000Z");
    expect(iso(expiryAfter(at("2024-02-29T12:00:00Z"), 12))).toBe("2025-02-28T00:00:00.000Z");
    expect(iso(expiryAfter(at("2025-01-31T12:00:00Z"), 1))).toBe("2025-02-28T00:00:00.000Z");
    expect(iso(expiryAfter(at("2023-12-31T12:00:00Z"), 2))).toBe("2024-02-29T00:00:00.000Z");
  });

  it("a later earning order moves it; an order that stops holding points no longer does", () => {
    const first = order("2024-01-10T00:00:00Z", 10000);
    const second = order("2024-06-01T00:00:00Z", 5000);
    expect(moves(targetEntries([first, second], programme(), at("2025-07-01T00:00:00Z")))).toEqual([
      ["order", 100, "2024-01-10T00:00:00.000Z", "2024-02-09T00:00:00.000Z"],
      ["order", 50, "2024-06-01T00:00:00.000Z", "2024-07-01T00:00:00.000Z"],
      ["expiry", -150, "2025-06-01T00:00:00.000Z", "2025-06-01T00:00:00.000Z"],
    ]);
    // The second is cancelled on 2025-02-01: the first's day (2025-01-10) has passed, so what is available expires
    const cancelled = { ...second, cancelledAt: at("2025-02-01T00:00:00Z") };
    expect(moves(targetEntries([first, cancelled], programme(), at("2025-07-01T00:00:00Z")))).toEqual([
      ["order", 100, "2024-01-10T00:00:00.000Z", "2024-02-09T00:00:00.000Z"],
      ["order", 50, "2024-06-01T00:00:00.000Z", "2024-07-01T00:00:00.000Z"],
      ["cancellation", -50, "2025-02-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z"],
      ["expiry", -100, "2025-02-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z"],
    ]);
  });

  it("points still pending on the day expire the moment they become available; never-expiring rules keep them", () => {
    const p = programme({
      versions: [{ version: 1, effectiveFrom: 0, rules: rules({ returnWindowDays: 60, expiryMonths: 1 }) }],
    });
    const o = order("2025-01-10T00:00:00Z", 1000);
    expect(moves(targetEntries([o], p, FAR))).toEqual([
      ["order", 10, "2025-01-10T00:00:00.000Z", "2025-03-11T00:00:00.000Z"],
      ["expiry", -10, "2025-03-11T00:00:00.000Z", "2025-03-11T00:00:00.000Z"],
    ]);
    const never = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules({ expiryMonths: null }) }] });
    expect(targetEntries([o], never, FAR).map((e) => e.kind)).toEqual(["order"]);
  });
});

describe("journal appends: the difference per source, never an edit", () => {
  const o = order("2025-01-10T00:00:00Z", 10000);
  const target = targetEntries([o], programme(), at("2025-03-01T00:00:00Z"));

  it("writes the target into an empty journal and nothing into one that already says it", () => {
    expect(journalAppends([], target)).toEqual(target);
    expect(journalAppends(target, target)).toEqual([]);
  });

  it("reverses a source the ledger no longer has (an order deleted or moved to another customer)", () => {
    expect(journalAppends(target, [])).toEqual([
      { ...target[0], sourceKey: `${target[0].sourceKey}~1`, points: -100, note: expect.stringMatching(/^correction/) },
    ]);
  });

  it("moves a source to its new times: the old movement reversed, the new one written, keys numbered on", () => {
    const moved = [
      { ...target[0], effectiveAt: target[0].effectiveAt + 1000, availableAt: target[0].availableAt + 1000 },
    ];
    const appended = journalAppends(target, moved);
    expect(appended.map((e) => [e.sourceKey, e.points, e.effectiveAt])).toEqual([
      [`${target[0].sourceKey}~1`, -100, target[0].effectiveAt],
      [`${target[0].sourceKey}~2`, 100, target[0].effectiveAt + 1000],
    ]);
    expect(journalAppends([...target, ...appended], moved)).toEqual([]);
    expect(sourceOf(appended[1].sourceKey)).toBe(target[0].sourceKey);
  });
});

describe("sources the ledger does not derive (an import): inputs, never reversed", () => {
  const imported = (points: number, at: string): PointsEntryValues => ({
    sourceKey: "import:generic",
    kind: "import",
    points,
    ruleVersion: 0,
    effectiveAt: Date.parse(at),
    availableAt: Date.parse(at),
    orderId: null,
    refundId: null,
    note: null,
  });

  it("derive leaves them as they are, and a derived source absent from the target is still reversed", () => {
    const o = order("2025-01-10T00:00:00Z", 10000);
    const held = [imported(500, "2024-12-01T00:00:00Z"), ...targetEntries([o], programme(), FAR)];
    expect(journalAppends(held, [])).toEqual([
      expect.objectContaining({ sourceKey: `order:${o.id}:v0~1`, points: -100 }),
    ]);
    expect(journalAppends(held, targetEntries([o], programme(), FAR, { held }))).toEqual([]);
  });

  it("their available points are what a clawback takes from, and what expiry takes", () => {
    // 100 earned and available; 500 imported on 2025-03-01; the order fully refunded on 2025-04-01
    const held = [imported(500, "2025-03-01T00:00:00Z")];
    const o = refunded(order("2025-01-10T00:00:00Z", 10000), ["2025-04-01T00:00:00Z", 10000]);
    const p = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules({ expiryMonths: 1 }) }] });
    // Expiry on 2025-02-10 takes the order's 100 (the import is not there yet); the import on 2025-03-01 is earning,
    // so the clock runs again from it: on 2025-04-01 the refund takes its 100 from the 500, then the 400 left expire
    expect(moves(targetEntries([o], p, FAR, { held }))).toEqual([
      ["order", 100, "2025-01-10T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
      ["expiry", -100, "2025-02-10T00:00:00.000Z", "2025-02-10T00:00:00.000Z"],
      ["refund", -100, "2025-04-01T00:00:00.000Z", "2025-04-01T00:00:00.000Z"],
      ["expiry", -400, "2025-04-01T00:00:00.000Z", "2025-04-01T00:00:00.000Z"],
    ]);
    // Without expiry, the refund after the window takes the 100 from the available 600
    const never = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules({ expiryMonths: null }) }] });
    const entries = targetEntries([o], never, FAR, { held });
    expect(moves(entries)[1]).toEqual(["refund", -100, "2025-04-01T00:00:00.000Z", "2025-04-01T00:00:00.000Z"]);
    expect(balancesAt([...held, ...entries], FAR)).toMatchObject({ earned: 600, available: 500, lost: 0 });
  });
});

describe("balances", () => {
  it("pending + available = earned − clawed back − expired − redeemed; the CSV line lists them in the columns' order", () => {
    const b = balancesAt(
      [
        { kind: "order", points: 100, effectiveAt: 0, availableAt: 10 },
        { kind: "order", points: 50, effectiveAt: 5, availableAt: 50 },
        { kind: "refund", points: -20, effectiveAt: 6, availableAt: 50 },
        { kind: "expiry", points: -100, effectiveAt: 20, availableAt: 20 },
        { kind: "loss", points: -7, effectiveAt: 21, availableAt: 21 },
        { kind: "order", points: 999, effectiveAt: 31, availableAt: 31 },
      ],
      30,
    );
    expect(b).toEqual({ earned: 150, pending: 30, available: 0, redeemed: 0, expired: 100, clawedBack: 20, lost: 7 });
    expect(b.pending + b.available).toBe(b.earned - b.clawedBack - b.expired - b.redeemed);
    expect(pointsCsvLine("gid://shopify/Customer/1", b)).toBe("gid://shopify/Customer/1,150,30,0,0,100,20,7");
    expect(() => pointsCsvLine('a,"b', b)).toThrow();
  });

  it("spendable: available less every debit already written with a later date (a racer that read the clock first)", () => {
    const entries = [
      { kind: "order" as const, points: 150, effectiveAt: 0, availableAt: 10 },
      { kind: "redemption" as const, points: -100, effectiveAt: 40, availableAt: 40 },
      { kind: "order" as const, points: 500, effectiveAt: 41, availableAt: 41 },
      { kind: "loss" as const, points: -3, effectiveAt: 45, availableAt: 45 },
    ];
    expect(balancesAt(entries, 30).available).toBe(150);
    // The later credit does not count, the later debit does; a loss is not the customer's balance.
    expect(spendableAt(entries, 30)).toBe(50);
    expect(spendableAt(entries, 50)).toBe(balancesAt(entries, 50).available);
  });
});

// ---- Earning rules and bonuses (docs/rules.md#points-earning-rules) -------------------------------------------------

const tierProgram = (silver: number, retentionDays = 0): TierProgram => ({
  tiers: [
    { key: "member", name: "Member", threshold: 0, minOrders: null, perks: NO_PERKS },
    { key: "silver", name: "Silver", threshold: silver, minOrders: null, perks: NO_PERKS },
  ],
  window: { kind: "rolling", days: 365 },
  retentionDays,
  timeZone: null,
});
const SOON = at("2024-12-01T00:00:00Z");
const withRules = (r: Partial<PointsRules>, over: Partial<PointsProgramme> = {}) =>
  programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules(r) }], ...over });

describe("earning rules: validation of the new fields", () => {
  it("defaults: bonuses off, every tier ×1, Shopify's birth date metafield", () => {
    expect(DEFAULT_POINTS_RULES).toMatchObject({
      tierMultipliers: {},
      signUpPoints: 0,
      firstOrderPoints: 0,
      birthdayPoints: 0,
      birthdayMetafield: "facts.birth_date",
    });
    const ok = validatePointsRules({
      tierMultipliers: { silver: 1500, gold: 2000 },
      signUpPoints: 50,
      firstOrderPoints: 100,
      birthdayPoints: 200,
      birthdayMetafield: " custom.birthday ",
    });
    expect(ok).toEqual({
      ok: true,
      rules: {
        ...DEFAULT_POINTS_RULES,
        tierMultipliers: { silver: 1500, gold: 2000 },
        signUpPoints: 50,
        firstOrderPoints: 100,
        birthdayPoints: 200,
        birthdayMetafield: "custom.birthday",
      },
    });
  });

  it("refuses fractional or negative bonuses, bad tier keys or multipliers, and a malformed metafield", () => {
    const refused = validatePointsRules({
      signUpPoints: 1.5,
      firstOrderPoints: -1,
      birthdayPoints: 1_000_001,
      tierMultipliers: { Silver: 1500, gold: 100_001, vip: "2" },
      birthdayMetafield: "birth_date",
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.issues.map((i) => [i.path.join("."), i.key])).toEqual([
        ["signUpPoints", "points.signUpPoints.out_of_range"],
        ["firstOrderPoints", "points.firstOrderPoints.out_of_range"],
        ["birthdayPoints", "points.birthdayPoints.out_of_range"],
        ["tierMultipliers.Silver", "points.tierMultipliers.unknown_tier"],
        ["tierMultipliers.gold", "points.tierMultipliers.out_of_range"],
        ["tierMultipliers.vip", "points.tierMultipliers.out_of_range"],
        ["birthdayMetafield", "points.birthdayMetafield.invalid"],
      ]);
    expect(validatePointsRules({ tierMultipliers: [1000] }).ok).toBe(false);
    expect(validatePointsRules({ birthdayMetafield: "ab.key" }).ok).toBe(false); // a namespace has 3 characters or more
  });

  it("rules saved before these fields existed read with their defaults", () => {
    expect(withRuleDefaults({ ratePerMille: 2000 } as Partial<PointsRules>)).toEqual(rules({ ratePerMille: 2000 }));
  });
});

describe("tier multipliers: the tier held at the order's processed_at", () => {
  it("multiplies exactly: floor(value × rate × multiplier × tier multiplier) in integers", () => {
    // 33.33 × 2.5 × 1.2 × 1.5 = 149.985
    expect(orderPoints(3333, "USD", rules({ ratePerMille: 2500, multiplierPerMille: 1200 }), 1500)).toBe(149);
    // ×1 is the formula without the tier; ×0 earns nothing
    expect(orderPoints(3333, "USD", rules(), 1000)).toBe(orderPoints(3333, "USD", rules()));
    expect(orderPoints(3333, "USD", rules(), 0)).toBe(0);
    expect(orderPoints(Number.MAX_SAFE_INTEGER, "USD", rules(), 1000)).toBe(90071992547409);
    expect(tierMultiplierOf(rules({ tierMultipliers: { silver: 1500 } }), "silver")).toBe(1500);
    expect(tierMultiplierOf(rules({ tierMultipliers: { silver: 1500 } }), "member")).toBe(1000);
    expect(tierMultiplierOf(rules({ tierMultipliers: { silver: 1500 } }), null)).toBe(1000);
  });

  it("counts the orders before the order (not itself), under the tier programme in force then", () => {
    const a = order("2024-02-01T00:00:00Z", 15000); // 150.00: no tier before it
    const b = order("2024-03-01T00:00:00Z", 8000); // silver held since a (150.00 ≥ 100.00): 80 × 1.5 = 120
    const p = withRules(
      { tierMultipliers: { silver: 1500, member: 1100 } },
      { tierProgrammes: [{ from: Number.NEGATIVE_INFINITY, program: tierProgram(10000) }] },
    );
    expect(tierHeldAt(p.tierProgrammes!, [a, b], a.processedAt)).toBeNull();
    expect(tierHeldAt(p.tierProgrammes!, [a, b], b.processedAt)).toBe("silver");
    expect(targetEntries([b, a], p, SOON).map((e) => [e.orderId, e.points])).toEqual([
      [a.id, 150],
      [b.id, 120],
    ]);
    // A programme saved on 2024-02-15 with silver at 200.00: b was placed as a member (80 × 1.1 = 88)
    const later = {
      ...p,
      tierProgrammes: [...p.tierProgrammes!, { from: at("2024-02-15T00:00:00Z"), program: tierProgram(20000) }],
    };
    expect(targetEntries([a, b], later, SOON).map((e) => e.points)).toEqual([150, 88]);
    // Without tier programmes (or without multipliers) an order earns as before
    expect(targetEntries([a, b], withRules({ tierMultipliers: { silver: 1500 } }), SOON).map((e) => e.points)).toEqual([
      150, 80,
    ]);
  });

  it("a refund takes the order down to what its value after it earns at the same tier multiplier", () => {
    const a = order("2024-02-01T00:00:00Z", 15000);
    // b: 80.00 at ×1.5 = 120; refunded 30.00 inside the window: 50.00 × 1.5 = 75, so 45 back
    const b = refunded(order("2024-03-01T00:00:00Z", 8000), ["2024-03-05T00:00:00Z", 3000]);
    const p = withRules(
      { tierMultipliers: { silver: 1500 } },
      { tierProgrammes: [{ from: 0, program: tierProgram(10000) }] },
    );
    expect(moves(targetEntries([a, b], p, SOON)).slice(1)).toEqual([
      ["order", 120, "2024-03-01T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
      ["refund", -45, "2024-03-05T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ]);
  });

  it("is a function of the ledger as it stands: a later refund of an earlier order lowers a later order's tier", () => {
    const a = refunded(order("2024-02-01T00:00:00Z", 15000), ["2024-06-01T00:00:00Z", 10000]); // now 50.00
    const b = order("2024-03-01T00:00:00Z", 8000);
    const p = withRules(
      { tierMultipliers: { silver: 1500 } },
      { tierProgrammes: [{ from: 0, program: tierProgram(10000) }] },
    );
    expect(targetEntries([a, b], p, SOON).find((e) => e.orderId === b.id && e.kind === "order")!.points).toBe(80);
  });
});

describe("bonuses", () => {
  const created = (iso: string, birthday: { month: number; day: number } | null = null) => ({
    createdAt: at(iso),
    birthday,
  });

  it("sign-up: once, at the account's creation, when it is at or after the programme start", () => {
    const p = withRules({ signUpPoints: 50 });
    const entries = targetEntries([], p, SOON, { customer: created("2024-03-05T08:00:00Z") });
    expect(entries).toEqual([
      {
        sourceKey: "bonus:signup",
        kind: "bonus",
        points: 50,
        ruleVersion: 1,
        effectiveAt: at("2024-03-05T08:00:00Z"),
        availableAt: at("2024-03-05T08:00:00Z"),
        orderId: null,
        refundId: null,
        note: null,
      },
    ]);
    expect(targetEntries([], p, SOON, { customer: created("2023-12-31T23:59:59Z") })).toEqual([]);
    expect(targetEntries([], programme(), SOON, { customer: created("2024-03-05T08:00:00Z") })).toEqual([]);
    expect(targetEntries([], p, SOON, { customer: created("2024-03-05T08:00:00Z"), customerDeleted: true })).toEqual(
      [],
    );
  });

  it("first order: with the first order since the start, pending with it; never with a later one", () => {
    const p = withRules({ firstOrderPoints: 100 }, { startsAt: at("2024-01-15T00:00:00Z") });
    const before = order("2024-01-10T00:00:00Z", 9900); // before the start
    const first = order("2024-02-01T12:00:00Z", 5000);
    const second = order("2024-03-01T00:00:00Z", 5000);
    const entries = targetEntries([second, before, first], p, SOON);
    expect(entries.map((e) => [e.sourceKey, e.points, iso(e.effectiveAt), iso(e.availableAt)])).toEqual([
      [`order:${first.id}:v1`, 50, "2024-02-01T12:00:00.000Z", "2024-03-02T12:00:00.000Z"],
      ["bonus:first-order", 100, "2024-02-01T12:00:00.000Z", "2024-03-02T12:00:00.000Z"],
      [`order:${second.id}:v1`, 50, "2024-03-01T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ]);
    expect(balancesAt(entries, at("2024-03-02T12:00:00Z"))).toMatchObject({ earned: 200, available: 150, pending: 50 });
  });

  it("first order cancelled: the bonus goes back with it (from pending inside the window); none moves to the next", () => {
    const p = withRules({ firstOrderPoints: 100 });
    const first = order("2024-02-01T00:00:00Z", 5000, { cancelledAt: at("2024-02-05T00:00:00Z") });
    const next = order("2024-03-01T00:00:00Z", 5000);
    expect(moves(targetEntries([first, next], p, SOON))).toEqual([
      ["order", 50, "2024-02-01T00:00:00.000Z", "2024-03-02T00:00:00.000Z"],
      ["bonus", 100, "2024-02-01T00:00:00.000Z", "2024-03-02T00:00:00.000Z"],
      ["cancellation", -50, "2024-02-05T00:00:00.000Z", "2024-03-02T00:00:00.000Z"],
      ["cancellation", -100, "2024-02-05T00:00:00.000Z", "2024-03-02T00:00:00.000Z"],
      ["order", 50, "2024-03-01T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ]);
    expect(targetEntries([first, next], p, SOON)[3].sourceKey).toBe("bonus:first-order:clawback");
  });

  it("first order refunded to 0 after its window: the bonus comes from the available balance, short → a loss", () => {
    const p = withRules({ firstOrderPoints: 100, expiryMonths: null });
    // 50 + 100 available on 2024-03-02; a partial refund keeps the bonus; the rest refunded on 2024-04-01
    const first = refunded(
      order("2024-02-01T00:00:00Z", 5000),
      ["2024-03-10T00:00:00Z", 1000],
      ["2024-04-01T00:00:00Z", 4000],
    );
    const entries = targetEntries([first], p, SOON);
    expect(entries.map((e) => [e.sourceKey.replace(/gid:\/\/shopify\/\w+\//g, ""), e.kind, e.points])).toEqual([
      [`order:${first.id.replace(/gid:\/\/shopify\/\w+\//, "")}:v1`, "order", 50],
      ["bonus:first-order", "bonus", 100],
      [`refund:${first.refunds[0].id.replace(/gid:\/\/shopify\/\w+\//, "")}`, "refund", -10],
      [`refund:${first.refunds[1].id.replace(/gid:\/\/shopify\/\w+\//, "")}`, "refund", -40],
      ["bonus:first-order:clawback", "refund", -100],
    ]);
    // 25 spent elsewhere (an import of −25 as a stand-in): the clawback finds 75 of 100, the rest is a loss
    const spent: PointsEntryValues = {
      sourceKey: "redeem:x",
      kind: "redemption",
      points: -25,
      ruleVersion: 0,
      effectiveAt: at("2024-03-20T00:00:00Z"),
      availableAt: at("2024-03-20T00:00:00Z"),
      orderId: null,
      refundId: null,
      note: null,
    };
    const short = targetEntries([first], p, SOON, { held: [spent] });
    expect(short.slice(-2).map((e) => [e.sourceKey, e.kind, e.points])).toEqual([
      ["bonus:first-order:clawback", "refund", -75],
      ["loss:bonus:first-order:clawback", "loss", -25],
    ]);
  });

  it("birthday: at the first instant of the birthday month in the shop's zone, once a year, from the start to asOf", () => {
    const p = withRules({ birthdayPoints: 200 }, { timeZone: "Asia/Bangkok" });
    const march = created("2020-01-01T00:00:00Z", { month: 3, day: 14 });
    const entries = targetEntries([], p, at("2025-06-01T00:00:00Z"), { customer: march });
    // 1 March 00:00 in Bangkok (UTC+7) is 28/29 February 17:00 UTC
    expect(entries.map((e) => [e.sourceKey, e.points, iso(e.effectiveAt), iso(e.availableAt)])).toEqual([
      ["bonus:birthday:2024", 200, "2024-02-29T17:00:00.000Z", "2024-02-29T17:00:00.000Z"],
      ["bonus:birthday:2025", 200, "2025-02-28T17:00:00.000Z", "2025-02-28T17:00:00.000Z"],
    ]);
    // Not before its instant (asOf a second earlier), not before the start (January 2024 began before it in Bangkok)
    expect(targetEntries([], p, at("2025-02-28T16:59:59Z"), { customer: march })).toHaveLength(1);
    const january = targetEntries([], p, at("2025-06-01T00:00:00Z"), {
      customer: created("2020-01-01T00:00:00Z", { month: 1, day: 2 }),
    });
    expect(january.map((e) => [e.sourceKey, iso(e.effectiveAt)])).toEqual([
      ["bonus:birthday:2025", "2024-12-31T17:00:00.000Z"],
    ]);
    // No birth date held: none
    expect(targetEntries([], p, SOON, { customer: created("2020-01-01T00:00:00Z") })).toEqual([]);
  });

  it("each bonus follows the version in force at its instant: turned on now, no past birthday earns", () => {
    const p = programme({
      versions: [
        { version: 1, effectiveFrom: 0, rules: rules() },
        {
          version: 2,
          effectiveFrom: at("2024-06-01T00:00:00Z"),
          rules: rules({ birthdayPoints: 200, signUpPoints: 5 }),
        },
      ],
    });
    const entries = targetEntries([], p, at("2025-06-01T00:00:00Z"), {
      customer: created("2024-02-01T00:00:00Z", { month: 3, day: 1 }),
    });
    expect(entries.map((e) => [e.sourceKey, e.ruleVersion])).toEqual([["bonus:birthday:2025", 2]]);
  });

  it("bonuses are derived sources: a birth date removed or a bonus turned off is reversed by the appends", () => {
    expect(isDerivedSource("bonus:signup")).toBe(true);
    expect(isDerivedSource("bonus:birthday:2025")).toBe(true);
    const p = withRules({ birthdayPoints: 200 });
    const held = targetEntries([], p, FAR, { customer: created("2020-01-01T00:00:00Z", { month: 3, day: 1 }) });
    expect(held).toHaveLength(2);
    expect(journalAppends(held, targetEntries([], p, FAR, { customer: created("2020-01-01T00:00:00Z") }))).toEqual([
      expect.objectContaining({ sourceKey: "bonus:birthday:2024~1", points: -200 }),
      expect.objectContaining({ sourceKey: "bonus:birthday:2025~1", points: -200 }),
    ]);
  });

  it("a caller without the customer's facts leaves the held sign-up and birthday bonuses as they are", () => {
    const p = withRules({ signUpPoints: 50, birthdayPoints: 200, firstOrderPoints: 100 });
    const o = order("2024-02-10T00:00:00Z", 1000);
    const facts = created("2024-02-01T00:00:00Z", { month: 3, day: 1 });
    const held = targetEntries([o], p, SOON, { customer: facts });
    expect(held.map((e) => e.sourceKey)).toEqual([
      "bonus:signup",
      `order:${o.id}:v1`,
      "bonus:first-order",
      "bonus:birthday:2024",
    ]);
    // The same journal as the target of a caller that reads the orders only: nothing to append, the balance the same
    const ordersOnly = targetEntries([o], p, SOON, { held });
    expect(journalAppends(held, ordersOnly)).toEqual([]);
    expect(balancesAt(ordersOnly, SOON)).toEqual(balancesAt(held, SOON));
    // With the facts given, a birth date removed is still reversed
    expect(
      journalAppends(held, targetEntries([o], p, SOON, { held, customer: created("2024-02-01T00:00:00Z") })),
    ).toEqual([expect.objectContaining({ sourceKey: "bonus:birthday:2024~1", points: -200 })]);
  });

  it("bonus points are available points: they expire with the rest on the expiry day", () => {
    const p = withRules({ signUpPoints: 50, expiryMonths: 1, returnWindowDays: 0 });
    const o = order("2024-02-10T00:00:00Z", 1000);
    expect(moves(targetEntries([o], p, SOON, { customer: created("2024-02-01T00:00:00Z") }))).toEqual([
      ["bonus", 50, "2024-02-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"],
      ["order", 10, "2024-02-10T00:00:00.000Z", "2024-02-10T00:00:00.000Z"],
      ["expiry", -60, "2024-03-10T00:00:00.000Z", "2024-03-10T00:00:00.000Z"],
    ]);
  });
});

describe("docs/rules.md#points-earning-rules: the worked example, computed", () => {
  it("Mai's and Noi's journals and balances are what the doc shows", () => {
    const doc = readFileSync("docs/rules.md", "utf8");
    const section = doc.slice(
      doc.indexOf('<a id="points-earning-rules"></a>'),
      doc.indexOf('<a id="points-pending"></a>'),
    );
    const p: PointsProgramme = {
      startsAt: at("2025-01-01T00:00:00Z"),
      timeZone: "Asia/Bangkok",
      versions: [
        {
          version: 1,
          effectiveFrom: at("2025-01-01T00:00:00Z"),
          rules: rules({
            tierMultipliers: { silver: 1500, gold: 2000 },
            signUpPoints: 50,
            firstOrderPoints: 100,
            birthdayPoints: 200,
          }),
        },
      ],
      tierProgrammes: [{ from: Number.NEGATIVE_INFINITY, program: defaultTierProgram("USD") }],
    };
    const o = (n: number, when: string, valueMinor: number, cancelled: string | null = null): PointsOrder => ({
      id: `gid://shopify/Order/${n}`,
      processedAt: at(when),
      cancelledAt: cancelled ? at(cancelled) : null,
      test: false,
      currencyCode: "USD",
      valueMinor,
      refunds: [],
    });
    const asOf = at("2025-12-31T00:00:00Z");
    const mai = targetEntries(
      [
        o(2003, "2025-05-20T03:00:00Z", 9999, "2025-05-22T03:00:00Z"),
        o(2001, "2025-02-10T03:00:00Z", 30000),
        o(2002, "2025-03-05T03:00:00Z", 12000),
      ],
      p,
      asOf,
      { customer: { createdAt: at("2025-02-03T05:00:00Z"), birthday: { month: 4, day: 18 } } },
    );
    const noi = targetEntries(
      [o(2101, "2025-06-01T03:00:00Z", 4500, "2025-06-02T03:00:00Z"), o(2102, "2025-07-01T03:00:00Z", 6000)],
      p,
      asOf,
      { customer: { createdAt: at("2024-11-20T00:00:00Z"), birthday: null } },
    );
    const table = (entries: PointsEntryValues[]) =>
      [
        "| Source key | Kind | Points | Effective | Available |",
        "|---|---|---|---|---|",
        ...entries.map(
          (e) => `| \`${e.sourceKey}\` | \`${e.kind}\` | ${e.points} | ${iso(e.effectiveAt)} | ${iso(e.availableAt)} |`,
        ),
      ].join("\n");
    expect(section).toContain(table(mai));
    expect(section).toContain(table(noi));
    expect(mai).toHaveLength(7);
    expect(balancesAt(mai, asOf)).toMatchObject({ earned: 979, clawedBack: 149, available: 830, expired: 0 });
    expect(section).toContain("earned 979, clawed back 149, available 830");
    expect(balancesAt(noi, asOf)).toMatchObject({ earned: 205, clawedBack: 145, available: 60 });
    expect(section).toContain("earned 205, clawed back 145, available 60");
  });
});

// ---- Expiry modes: the inactivity clock counts held earning; a fixed lifetime per credit ---------------------------

/** A held movement of a source the ledger does not derive (an import, a redemption, an adjustment). */
const heldMove = (sourceKey: string, kind: PointsEntryValues["kind"], points: number, when: string) => ({
  sourceKey,
  kind,
  points,
  ruleVersion: 0,
  effectiveAt: at(when),
  availableAt: at(when),
  orderId: null,
  refundId: null,
  note: null,
});
const LIFETIME = programme({
  versions: [{ version: 1, effectiveFrom: 0, rules: rules({ expiryMode: "lifetime", returnWindowDays: 0 }) }],
});
const INACTIVITY = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules({ returnWindowDays: 0 }) }] });
const LATER = at("2026-12-31T00:00:00Z");
/** The expiry entries only, as (points, instant). */
const expiries = (entries: PointsEntryValues[]) =>
  entries.filter((e) => e.kind === "expiry").map((e) => [e.points, iso(e.effectiveAt)]);

describe("expiry mode: validation", () => {
  it("defaults to inactivity (also for rules saved before the field); takes lifetime; refuses anything else", () => {
    expect(DEFAULT_POINTS_RULES.expiryMode).toBe("inactivity");
    expect(withRuleDefaults({ expiryMonths: 6 }).expiryMode).toBe("inactivity");
    const ok = validatePointsRules({ expiryMode: "lifetime", expiryMonths: 24 });
    expect(ok).toEqual({ ok: true, rules: { ...DEFAULT_POINTS_RULES, expiryMode: "lifetime", expiryMonths: 24 } });
    for (const bad of ["forever", "", 1, null, ["lifetime"], "Lifetime"]) {
      const result = validatePointsRules({ expiryMode: bad });
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.issues).toEqual([
          expect.objectContaining({ path: ["expiryMode"], key: "points.expiryMode.invalid" }),
        ]);
    }
  });
});

describe("inactivity: held imports, positive adjustments and awards are earning for the clock", () => {
  it("imported points of a customer without an order expire N months after the import", () => {
    const held = [heldMove("import:generic", "import", 500, "2024-03-01T00:00:00Z")];
    expect(moves(targetEntries([], INACTIVITY, LATER, { held }))).toEqual([
      ["expiry", -500, "2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ]);
    // Not before the day, and never under rules that never expire
    expect(targetEntries([], INACTIVITY, at("2025-03-01T00:00:00Z") - 1, { held })).toEqual([]);
    const never = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules({ expiryMonths: null }) }] });
    expect(targetEntries([], never, LATER, { held })).toEqual([]);
  });

  it("a positive adjustment or an award moves the day; a released redemption or a negative adjustment does not", () => {
    const o = order("2024-01-10T00:00:00Z", 10000);
    const adjusted = [heldMove("adjust:a", "adjustment", 10, "2024-08-01T00:00:00Z")];
    expect(expiries(targetEntries([o], INACTIVITY, LATER, { held: adjusted }))).toEqual([
      [-110, "2025-08-01T00:00:00.000Z"],
    ]);
    const awarded = [heldMove("flow:run-1", "bonus", 5, "2024-09-01T00:00:00Z")];
    expect(expiries(targetEntries([o], INACTIVITY, LATER, { held: awarded }))).toEqual([
      [-105, "2025-09-01T00:00:00.000Z"],
    ]);
    const notEarning = [
      heldMove("redeem:r1", "redemption", -30, "2024-03-01T00:00:00Z"),
      heldMove("release:r1", "redemption", 30, "2024-09-01T00:00:00Z"),
      heldMove("adjust:b", "adjustment", -20, "2024-10-01T00:00:00Z"),
    ];
    expect(expiries(targetEntries([o], INACTIVITY, LATER, { held: notEarning }))).toEqual([
      [-80, "2025-01-10T00:00:00.000Z"],
    ]);
  });
});

describe("lifetime: each credit expires N months after its own day, spent first-expiring-first", () => {
  it("a lot half spent before it expires: the rest expires on its day", () => {
    const o = order("2024-01-10T00:00:00Z", 10000);
    const held = [heldMove("redeem:r1", "redemption", -50, "2024-06-01T00:00:00Z")];
    const entries = targetEntries([o], LIFETIME, LATER, { held });
    expect(moves(entries)).toEqual([
      ["order", 100, "2024-01-10T00:00:00.000Z", "2024-01-10T00:00:00.000Z"],
      ["expiry", -50, "2025-01-10T00:00:00.000Z", "2025-01-10T00:00:00.000Z"],
    ]);
    expect(entries[1].sourceKey).toBe("expiry:2025-01-10T00:00:00.000Z");
    expect(balancesAt([...held, ...entries], LATER)).toMatchObject({ available: 0, expired: 50, redeemed: 50 });
  });

  it("two lots: the first expires on its own day (less what was spent), the second on its own", () => {
    // A: 100 on 2024-01-10; B: 60 on 2024-06-01; 80 redeemed on 2024-09-01 (first-expiring-first: from A)
    const a = order("2024-01-10T00:00:00Z", 10000);
    const b = order("2024-06-01T00:00:00Z", 6000);
    const held = [heldMove("redeem:r1", "redemption", -80, "2024-09-01T00:00:00Z")];
    // 2025-01-10: C = 100, D = 80, X = 0 → 20; 2025-06-01: C = 160, D = 80, X = 20 → 60
    expect(expiries(targetEntries([a, b], LIFETIME, LATER, { held }))).toEqual([
      [-20, "2025-01-10T00:00:00.000Z"],
      [-60, "2025-06-01T00:00:00.000Z"],
    ]);
    // Under inactivity the same history expires the 80 left at once, 12 months after B
    expect(expiries(targetEntries([a, b], INACTIVITY, LATER, { held }))).toEqual([[-80, "2025-06-01T00:00:00.000Z"]]);
  });

  it("a clawback: from the available balance it is a debit; from pending points it shrinks its own order's lot", () => {
    // A: 100 on 2024-01-10, refunded 40.00 on 2024-05-01 (available: a debit of 40); B: 50 on 2024-02-01
    const a = refunded(order("2024-01-10T00:00:00Z", 10000), ["2024-05-01T00:00:00Z", 4000]);
    const b = order("2024-02-01T00:00:00Z", 5000);
    const entries = targetEntries([a, b], LIFETIME, LATER);
    expect(moves(entries).find((m) => m[0] === "refund")).toEqual([
      "refund",
      -40,
      "2024-05-01T00:00:00.000Z",
      "2024-05-01T00:00:00.000Z",
    ]);
    // 2025-01-10: C = 100, D = 40 → 60; 2025-02-01: C = 150, D = 40, X = 60 → 50
    expect(expiries(entries)).toEqual([
      [-60, "2025-01-10T00:00:00.000Z"],
      [-50, "2025-02-01T00:00:00.000Z"],
    ]);
    // With a 30-day window: C is 100 on 2025-01-10 although a later order (C: 50 on 2024-12-01) was refunded to 0
    // while pending — that clawback is its own order's, not a debit of A's lot
    const p = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: rules({ expiryMode: "lifetime" }) }] });
    const first = order("2024-01-10T00:00:00Z", 10000);
    const late = refunded(order("2024-12-01T00:00:00Z", 5000), ["2024-12-05T00:00:00Z", 5000]);
    const withPending = targetEntries([first, late], p, LATER);
    expect(moves(withPending).find((m) => m[0] === "refund")).toEqual([
      "refund",
      -50,
      "2024-12-05T00:00:00.000Z",
      "2024-12-31T00:00:00.000Z",
    ]);
    expect(expiries(withPending)).toEqual([[-100, "2025-01-10T00:00:00.000Z"]]);
  });

  it("a redemption after a partial expiry; a released redemption gives back points of their old lot, no new lifetime", () => {
    const a = order("2024-01-10T00:00:00Z", 10000);
    const b = order("2024-06-01T00:00:00Z", 10000);
    // 30 redeemed on 2024-03-01, 50 on 2025-02-01 (after A's day)
    const spent = [
      heldMove("redeem:r1", "redemption", -30, "2024-03-01T00:00:00Z"),
      heldMove("redeem:r2", "redemption", -50, "2025-02-01T00:00:00Z"),
    ];
    // 2025-01-10: C = 100, D = 30 → 70; 2025-06-01: C = 200, D = 80, X = 70 → 50
    const entries = targetEntries([a, b], LIFETIME, LATER, { held: spent });
    expect(expiries(entries)).toEqual([
      [-70, "2025-01-10T00:00:00.000Z"],
      [-50, "2025-06-01T00:00:00.000Z"],
    ]);
    expect(balancesAt([...spent, ...entries], LATER)).toMatchObject({ available: 0, expired: 120, redeemed: 80 });
    // The 30 redeemed on 2024-03-01 released on 2025-03-01: they were A's, past its day, so they expire at once
    const released = [
      heldMove("redeem:r1", "redemption", -30, "2024-03-01T00:00:00Z"),
      heldMove("release:r1", "redemption", 30, "2025-03-01T00:00:00Z"),
    ];
    expect(expiries(targetEntries([a, b], LIFETIME, LATER, { held: released }))).toEqual([
      [-70, "2025-01-10T00:00:00.000Z"],
      [-30, "2025-03-01T00:00:00.000Z"],
      [-100, "2025-06-01T00:00:00.000Z"],
    ]);
  });

  it("imports, positive adjustments and bonuses have lifetimes of their own; a lot still pending on its day waits", () => {
    const held = [
      heldMove("import:generic", "import", 500, "2024-03-01T00:00:00Z"),
      heldMove("adjust:a", "adjustment", 20, "2024-04-15T00:00:00Z"),
      heldMove("adjust:b", "adjustment", -100, "2024-05-01T00:00:00Z"),
    ];
    expect(expiries(targetEntries([], LIFETIME, LATER, { held }))).toEqual([
      [-400, "2025-03-01T00:00:00.000Z"],
      [-20, "2025-04-15T00:00:00.000Z"],
    ]);
    // 1-month lifetime, 60-day window: the points become available on 2025-03-11, after their day, and expire then
    const p = programme({
      versions: [
        {
          version: 1,
          effectiveFrom: 0,
          rules: rules({ expiryMode: "lifetime", expiryMonths: 1, returnWindowDays: 60 }),
        },
      ],
    });
    expect(moves(targetEntries([order("2025-01-10T00:00:00Z", 1000)], p, FAR))).toEqual([
      ["order", 10, "2025-01-10T00:00:00.000Z", "2025-03-11T00:00:00.000Z"],
      ["expiry", -10, "2025-03-11T00:00:00.000Z", "2025-03-11T00:00:00.000Z"],
    ]);
  });

  it("a version switching to lifetime: from its start each credit keeps the months of the version it was earned under", () => {
    const p = programme({
      versions: [
        { version: 1, effectiveFrom: 0, rules: rules({ returnWindowDays: 0 }) },
        {
          version: 2,
          effectiveFrom: at("2024-07-01T00:00:00Z"),
          rules: rules({ returnWindowDays: 0, expiryMode: "lifetime", expiryMonths: 6 }),
        },
      ],
    });
    const a = order("2024-01-10T00:00:00Z", 10000);
    const b = order("2024-06-01T00:00:00Z", 6000);
    const c = order("2024-08-01T00:00:00Z", 1000);
    expect(expiries(targetEntries([a, b, c], p, LATER))).toEqual([
      [-100, "2025-01-10T00:00:00.000Z"],
      [-10, "2025-02-01T00:00:00.000Z"],
      [-60, "2025-06-01T00:00:00.000Z"],
    ]);
  });

  it("the expiring-soon computation (the metafield's, the page's) sees a lifetime expiry inside the window", () => {
    const a = order("2024-01-10T00:00:00Z", 10000);
    const b = order("2024-06-01T00:00:00Z", 6000);
    const held = [heldMove("redeem:r1", "redemption", -80, "2024-09-01T00:00:00Z")];
    const asOf = at("2024-12-20T00:00:00Z");
    const journal = [...held, ...targetEntries([a, b], LIFETIME, asOf, { held })];
    const upcoming = journalAppends(journal, targetEntries([a, b], LIFETIME, asOf + 30 * DAY_MS, { held: journal }));
    expect(pointsStatus(journal, asOf, upcoming)?.expiring).toEqual({ points: 20, at: "2025-01-10T00:00:00.000Z" });
  });
});

// ---- An import's own expiry date: the file's date counts, the shop's rules may come first ---------------------------

/** An imported balance with the expiry its file gives. */
const datedImport = (points: number, when: string, expires: string, sourceKey = "import:generic") => ({
  ...heldMove(sourceKey, "import", points, when),
  expiresAt: at(expires),
});

describe("an import's own expiry: unspent points expire on the file's date, first-expiring-first", () => {
  it("a dated import half spent before its date: the rest expires on the date, under either mode", () => {
    const held = [
      datedImport(200, "2024-03-01T00:00:00Z", "2024-09-01T00:00:00Z"),
      heldMove("redeem:r1", "redemption", -80, "2024-05-01T00:00:00Z"),
    ];
    for (const p of [INACTIVITY, LIFETIME]) {
      const entries = targetEntries([], p, LATER, { held });
      expect(moves(entries)).toEqual([["expiry", -120, "2024-09-01T00:00:00.000Z", "2024-09-01T00:00:00.000Z"]]);
      expect(entries[0].sourceKey).toBe("expiry:2024-09-01T00:00:00.000Z");
      expect(balancesAt([...held, ...entries], LATER)).toMatchObject({ available: 0, expired: 120, redeemed: 80 });
      // Not before the date
      expect(targetEntries([], p, at("2024-09-01T00:00:00Z") - 1, { held })).toEqual([]);
    }
  });

  it("a dated import and an order under inactivity: spending takes the dated points first; the clock takes the rest", () => {
    // Order 100 on 2024-02-01; 200 imported on 2024-03-01 expiring 2024-09-01; 80 redeemed on 2024-05-01 (from the
    // import's points): 120 expire on 2024-09-01; the order's 100 on 2025-03-01, 12 months after the import
    const o = order("2024-02-01T00:00:00Z", 10000);
    const held = [
      datedImport(200, "2024-03-01T00:00:00Z", "2024-09-01T00:00:00Z"),
      heldMove("redeem:r1", "redemption", -80, "2024-05-01T00:00:00Z"),
    ];
    expect(expiries(targetEntries([o], INACTIVITY, LATER, { held }))).toEqual([
      [-120, "2024-09-01T00:00:00.000Z"],
      [-100, "2025-03-01T00:00:00.000Z"],
    ]);
    // A redemption before the import took the order's points: the import's 50 are whole on their date
    const before = [
      heldMove("redeem:r1", "redemption", -80, "2024-02-15T00:00:00Z"),
      datedImport(50, "2024-03-01T00:00:00Z", "2024-06-01T00:00:00Z"),
    ];
    expect(expiries(targetEntries([o], INACTIVITY, LATER, { held: before }))).toEqual([
      [-50, "2024-06-01T00:00:00.000Z"],
      [-20, "2025-03-01T00:00:00.000Z"],
    ]);
    // The inactivity day before the file's date takes everything, the dated points too
    const late = [datedImport(200, "2024-03-01T00:00:00Z", "2026-01-01T00:00:00Z")];
    expect(expiries(targetEntries([o], INACTIVITY, LATER, { held: late }))).toEqual([
      [-300, "2025-03-01T00:00:00.000Z"],
    ]);
  });

  it("a dated import and an order under lifetime: the earlier of the date and the lifetime wins", () => {
    // Order 100 on 2024-02-01 (its day 2025-02-01); 200 imported on 2024-03-01 expiring 2024-09-01; 80 redeemed on
    // 2024-05-01. 2024-09-01: C = 200, D = 80 → 120; 2025-02-01: C = 300, D = 80, X = 120 → 100
    const o = order("2024-02-01T00:00:00Z", 10000);
    const held = [
      datedImport(200, "2024-03-01T00:00:00Z", "2024-09-01T00:00:00Z"),
      heldMove("redeem:r1", "redemption", -80, "2024-05-01T00:00:00Z"),
    ];
    expect(expiries(targetEntries([o], LIFETIME, LATER, { held }))).toEqual([
      [-120, "2024-09-01T00:00:00.000Z"],
      [-100, "2025-02-01T00:00:00.000Z"],
    ]);
    // A redemption before the import took the order's points (the only lot there was): the import's 50 are whole
    // on their date, although C − D − X would charge them the 80
    const before = [
      heldMove("redeem:r1", "redemption", -80, "2024-02-15T00:00:00Z"),
      datedImport(50, "2024-03-01T00:00:00Z", "2024-06-01T00:00:00Z"),
    ];
    expect(expiries(targetEntries([o], LIFETIME, LATER, { held: before }))).toEqual([
      [-50, "2024-06-01T00:00:00.000Z"],
      [-20, "2025-02-01T00:00:00.000Z"],
    ]);
    // A date after the import's lifetime: its lifetime (12 months, 2025-03-01) comes first
    const late = [datedImport(200, "2024-03-01T00:00:00Z", "2026-01-01T00:00:00Z")];
    expect(expiries(targetEntries([o], LIFETIME, LATER, { held: late }))).toEqual([
      [-100, "2025-02-01T00:00:00.000Z"],
      [-200, "2025-03-01T00:00:00.000Z"],
    ]);
  });

  it("a date already past when imported: the points expire at once, at the import's instant", () => {
    const held = [datedImport(70, "2024-03-01T10:00:00Z", "2024-01-31T00:00:00Z")];
    for (const p of [INACTIVITY, LIFETIME])
      expect(moves(targetEntries([], p, LATER, { held }))).toEqual([
        ["expiry", -70, "2024-03-01T10:00:00.000Z", "2024-03-01T10:00:00.000Z"],
      ]);
  });

  it("a corrected file with another date: the old dated credit is reversed and the new one counts alone", () => {
    const first = datedImport(200, "2024-03-01T00:00:00Z", "2024-09-01T00:00:00Z");
    const appends = journalAppends([first], [{ ...first, expiresAt: at("2024-12-01T00:00:00Z") }]);
    expect(appends.map((e) => [e.sourceKey, e.points, e.expiresAt && iso(e.expiresAt)])).toEqual([
      ["import:generic~1", -200, "2024-09-01T00:00:00.000Z"],
      ["import:generic~2", 200, "2024-12-01T00:00:00.000Z"],
    ]);
    expect(expiries(targetEntries([], INACTIVITY, LATER, { held: [first, ...appends] }))).toEqual([
      [-200, "2024-12-01T00:00:00.000Z"],
    ]);
    expect(expiries(targetEntries([], LIFETIME, LATER, { held: [first, ...appends] }))).toEqual([
      [-200, "2024-12-01T00:00:00.000Z"],
    ]);
    // The same date again appends nothing
    expect(journalAppends([first], [first])).toEqual([]);
  });

  it("the expiring-soon computation sees a dated import's points inside the window", () => {
    const o = order("2024-02-01T00:00:00Z", 10000);
    const held = [datedImport(200, "2024-03-01T00:00:00Z", "2024-09-01T00:00:00Z")];
    const asOf = at("2024-08-10T00:00:00Z");
    const journal = [...held, ...targetEntries([o], INACTIVITY, asOf, { held })];
    const upcoming = journalAppends(journal, targetEntries([o], INACTIVITY, asOf + 30 * DAY_MS, { held: journal }));
    expect(pointsStatus(journal, asOf, upcoming)?.expiring).toEqual({ points: 200, at: "2024-09-01T00:00:00.000Z" });
  });
});

describe("property: dated imports, derived at any moments, end where a rebuild ends", () => {
  it("holds over generated histories of orders, dated and undated imports and redemptions, in both modes", () => {
    const day0 = at("2024-01-01T00:00:00Z");
    const dayArb = fc.integer({ min: 0, max: 700 });
    fc.assert(
      fc.property(
        fc.constantFrom(INACTIVITY, LIFETIME),
        fc.array(fc.record({ day: dayArb, value: fc.integer({ min: 100, max: 20000 }) }), { maxLength: 4 }),
        fc.array(
          fc.record({
            day: dayArb,
            points: fc.integer({ min: 1, max: 300 }),
            expires: fc.option(fc.integer({ min: -30, max: 500 })),
          }),
          { maxLength: 3 },
        ),
        fc.array(fc.record({ day: dayArb, points: fc.integer({ min: 1, max: 200 }) }), { maxLength: 3 }),
        fc.array(dayArb, { minLength: 1, maxLength: 5 }),
        (p, orderGen, importGen, redeemGen, moments) => {
          const orders = orderGen.map((o, n) => ({
            ...order("2024-01-01T00:00:00Z", o.value, { id: `gid://shopify/Order/p${n}` }),
            processedAt: day0 + o.day * DAY_MS,
          }));
          const external: PointsEntryValues[] = [
            ...importGen.map((m, n) => ({
              ...heldMove(`import:f${n}`, "import", m.points, iso(day0 + m.day * DAY_MS)),
              ...(m.expires === null ? {} : { expiresAt: day0 + (m.day + m.expires) * DAY_MS }),
            })),
            ...redeemGen.map((r, n) => heldMove(`redeem:r${n}`, "redemption", -r.points, iso(day0 + r.day * DAY_MS))),
          ];
          const end = day0 + 800 * DAY_MS;
          const journal: PointsEntryValues[] = [];
          for (const d of [...moments]
            .sort((a, b) => a - b)
            .map((m) => day0 + m * DAY_MS)
            .concat(end)) {
            const target = targetEntries(orders, p, d, { held: [...external, ...journal] });
            journal.push(...journalAppends(journal, target));
          }
          const rebuilt = targetEntries(orders, p, end, { held: external });
          const sums = (list: PointsEntryValues[]) => {
            const out = new Map<string, number>();
            for (const e of list) out.set(sourceOf(e.sourceKey), (out.get(sourceOf(e.sourceKey)) ?? 0) + e.points);
            return [...out].filter(([, v]) => v !== 0).sort((a, b) => (a[0] < b[0] ? -1 : 1));
          };
          expect(sums(journal)).toEqual(sums(rebuilt));
          for (const t of [end, ...external.map((e) => e.effectiveAt)])
            expect(balancesAt([...external, ...journal], t)).toEqual(balancesAt([...external, ...rebuilt], t));
          // No dated point outlives its date: after the last date, whatever is available came from undated credits
          const lastDate = Math.max(...external.map((e) => e.expiresAt ?? 0));
          const undated = external.filter((e) => e.points > 0 && e.expiresAt == null).reduce((a, e) => a + e.points, 0);
          const ordersEarned = rebuilt.filter((e) => e.kind === "order").reduce((a, e) => a + e.points, 0);
          if (lastDate > 0 && lastDate <= end)
            expect(balancesAt([...external, ...rebuilt], lastDate).available).toBeLessThanOrEqual(
              undated + ordersEarned,
            );
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---- The property: delivery order and derive moments do not matter ------------------------------------------------

/** One order's history as Shopify makes it: versions (newest total, cancelled) and refunds, each at its time. */
interface GenOrder {
  id: string;
  processedAt: number;
  versions: { updatedAt: number; totalMinor: number; cancelledAt: number | null }[];
  refunds: { id: string; createdAt: number; amountMinor: number }[];
}
type Delivery = { order: number; version: number } | { order: number; refund: number };

const START = at("2024-01-01T00:00:00Z");
const opArb = fc.oneof(
  fc.record({ kind: fc.constant("refund" as const), share: fc.integer({ min: 1, max: 100 }), days: fc.nat(200) }),
  fc.record({ kind: fc.constant("edit" as const), cents: fc.integer({ min: 0, max: 30_000 }), days: fc.nat(200) }),
  fc.record({ kind: fc.constant("cancel" as const), days: fc.nat(200) }),
);
const historyArb = fc
  .array(
    fc.record({
      day: fc.nat(500),
      cents: fc.integer({ min: 50, max: 30_000 }),
      ops: fc.array(opArb, { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((specs) =>
    specs.map((spec, i): GenOrder => {
      const processedAt = START + spec.day * DAY_MS + i * 60_000;
      const o: GenOrder = {
        id: `gid://shopify/Order/${100 + i}`,
        processedAt,
        versions: [{ updatedAt: processedAt, totalMinor: spec.cents, cancelledAt: null }],
        refunds: [],
      };
      let t = processedAt;
      for (const op of spec.ops) {
        t += op.days * DAY_MS + 1000;
        const last = o.versions.at(-1)!;
        if (last.cancelledAt !== null) break;
        if (op.kind === "refund") {
          const amountMinor = Math.floor((last.totalMinor * op.share) / 100);
          if (amountMinor <= 0) continue;
          o.refunds.push({ id: `gid://shopify/Refund/${i}-${o.refunds.length}`, createdAt: t, amountMinor });
          o.versions.push({ updatedAt: t, totalMinor: last.totalMinor - amountMinor, cancelledAt: null });
        } else if (op.kind === "edit") {
          o.versions.push({ updatedAt: t, totalMinor: op.cents, cancelledAt: null });
        } else {
          o.versions.push({ updatedAt: t, totalMinor: last.totalMinor, cancelledAt: t });
        }
      }
      return o;
    }),
  );

/** The ledger after these deliveries, by its rules: the newest version of each order, its value less late refunds. */
function ledgerAfter(history: GenOrder[], delivered: Delivery[]): PointsOrder[] {
  const out: PointsOrder[] = [];
  history.forEach((o, i) => {
    const versions = delivered
      .filter((d) => d.order === i && "version" in d)
      .map((d) => o.versions[(d as any).version]);
    if (versions.length === 0) return;
    const held = versions.reduce((a, b) =>
      b.updatedAt > a.updatedAt ||
      (b.updatedAt === a.updatedAt &&
        ((b.cancelledAt !== null && a.cancelledAt === null) ||
          ((b.cancelledAt === null) === (a.cancelledAt === null) && b.totalMinor < a.totalMinor)))
        ? b
        : a,
    );
    const refundIds = new Set(delivered.filter((d) => d.order === i && "refund" in d).map((d) => (d as any).refund));
    const refunds = o.refunds.filter((_, r) => refundIds.has(r));
    const late = refunds.filter((r) => r.createdAt > held.updatedAt).reduce((s, r) => s + r.amountMinor, 0);
    out.push({
      id: o.id,
      processedAt: o.processedAt,
      cancelledAt: held.cancelledAt,
      test: false,
      currencyCode: "USD",
      valueMinor: held.totalMinor - late,
      refunds: refunds.map((r) => ({ ...r, currencyCode: "USD" })),
    });
  });
  return out;
}

/** Per source, the points of each movement: what "the same journal, source by source" compares. */
function buckets(entries: PointsEntryValues[]) {
  const out: Record<string, number> = {};
  for (const e of entries) {
    const k = `${sourceOf(e.sourceKey)}|${e.kind}|${e.effectiveAt}|${e.availableAt}`;
    out[k] = (out[k] ?? 0) + e.points;
  }
  return Object.fromEntries(
    Object.entries(out)
      .filter(([, v]) => v !== 0)
      .sort(),
  );
}

/** Bonuses on and a tier multiplier (gold from 200.00 in a rolling year, kept 30 days): the property holds with them. */
const BONUSES = rules({
  signUpPoints: 25,
  firstOrderPoints: 40,
  birthdayPoints: 60,
  tierMultipliers: { member: 1100, gold: 2000 },
});
const GOLD_PROGRAM: TierProgram = {
  tiers: [
    { key: "member", name: "Member", threshold: 0, minOrders: null, perks: NO_PERKS },
    { key: "gold", name: "Gold", threshold: 20_000, minOrders: null, perks: NO_PERKS },
  ],
  window: { kind: "rolling", days: 365 },
  retentionDays: 30,
  timeZone: null,
};

describe("property: any delivery order, derived after every delivery, ends where a rebuild starts", () => {
  it("holds over generated histories (shuffled, repeated deliveries; zones; short windows; bonuses and tiers on; both expiry modes and a switch)", () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(
        historyArb,
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(undefined, "Asia/Bangkok", "America/New_York"),
        fc.constantFrom(
          rules(),
          rules({ returnWindowDays: 0, expiryMonths: 1 }),
          rules({ ratePerMille: 333 }),
          BONUSES,
          { ...BONUSES, returnWindowDays: 0, expiryMonths: 1 },
          rules({ expiryMode: "lifetime" }),
          rules({ expiryMode: "lifetime", returnWindowDays: 0, expiryMonths: 1 }),
          { ...BONUSES, expiryMode: "lifetime" as const, expiryMonths: 2 },
          { ...BONUSES, expiryMode: "lifetime" as const, returnWindowDays: 0, expiryMonths: 1 },
        ),
        fc.record({ createdDay: fc.integer({ min: -30, max: 400 }), month: fc.integer({ min: 1, max: 12 }) }),
        // The other expiry mode from day 250 on (a version saved then), or none
        fc.boolean(),
        (history, seed, timeZone, r, facts, switchMode) => {
          const other = r.expiryMode === "lifetime" ? ("inactivity" as const) : ("lifetime" as const);
          const p = programme({
            versions: [
              { version: 1, effectiveFrom: 0, rules: r },
              ...(switchMode
                ? [{ version: 2, effectiveFrom: START + 250 * DAY_MS, rules: { ...r, expiryMode: other } }]
                : []),
            ],
            timeZone,
            tierProgrammes: [{ from: 0, program: GOLD_PROGRAM }],
          });
          const customer: PointsCustomerFacts = {
            createdAt: START + facts.createdDay * DAY_MS,
            birthday: { month: facts.month, day: 1 },
          };
          const all: Delivery[] = history.flatMap((o, i) => [
            ...o.versions.map((_, version) => ({ order: i, version })),
            ...o.refunds.map((_, refund) => ({ order: i, refund })),
          ]);
          // Ten copies of every delivery, shuffled by the seed
          const stream = fc.sample(
            fc.shuffledSubarray([...all, ...all.flatMap((d) => Array(9).fill(d))], {
              minLength: all.length * 10,
            }),
            { seed, numRuns: 1 },
          )[0] as Delivery[];
          const last = Math.max(...history.flatMap((o) => [...o.versions.map((v) => v.updatedAt), o.processedAt]));
          const end = last + 800 * DAY_MS;
          const final = ledgerAfter(history, all);

          // All deliveries, then one derive: the journal of the in-order ledger, entry for entry
          const rebuilt = targetEntries(final, p, end, { customer });
          expect(targetEntries(ledgerAfter(history, stream), p, end, { customer })).toEqual(rebuilt);
          expect(targetEntries([...final].reverse(), p, end, { customer })).toEqual(rebuilt);
          expect(journalAppends([], rebuilt)).toEqual(rebuilt);

          // Derived after every delivery, the moment moving on: the same sources and balances, whatever came between
          const journal: PointsEntryValues[] = [];
          stream.forEach((_, k) => {
            const now = START + Math.floor(((end - START) * (k + 1)) / stream.length);
            journal.push(
              ...journalAppends(
                journal,
                targetEntries(ledgerAfter(history, stream.slice(0, k + 1)), p, now, { customer }),
              ),
            );
          });
          journal.push(...journalAppends(journal, targetEntries(final, p, end, { customer })));
          expect(new Set(journal.map((e) => e.sourceKey)).size).toBe(journal.length);
          expect(buckets(journal)).toEqual(buckets(rebuilt));
          const moments = [...rebuilt.flatMap((e) => [e.effectiveAt - 1, e.effectiveAt, e.availableAt]), end];
          for (const t of moments) {
            const b = balancesAt(journal, t);
            expect(b).toEqual(balancesAt(rebuilt, t));
            expect(b.available).toBeGreaterThanOrEqual(0);
            expect(b.pending).toBeGreaterThanOrEqual(0);
            expect(b.pending + b.available).toBe(b.earned - b.clawedBack - b.expired - b.redeemed);
          }
          // And once there, deriving again appends nothing
          expect(journalAppends(journal, rebuilt)).toEqual([]);
          for (const e of journal) {
            seen[e.kind] = (seen[e.kind] ?? 0) + 1;
            if (e.sourceKey.includes("~")) seen.correction = (seen.correction ?? 0) + 1;
            const source = sourceOf(e.sourceKey).replace(/:\d{4}$/, "");
            if (source.startsWith("bonus:")) seen[source] = (seen[source] ?? 0) + 1;
            if (e.kind === "expiry") {
              const mode = rulesAt(p, e.effectiveAt).rules.expiryMode;
              seen[`expiry:${mode}`] = (seen[`expiry:${mode}`] ?? 0) + 1;
              // A lifetime expiry that takes less than everything available: first-expiring-first at work
              if (mode === "lifetime" && balancesAt(rebuilt, e.effectiveAt).available > 0)
                seen["expiry:lifetime:partial"] = (seen["expiry:lifetime:partial"] ?? 0) + 1;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    // Not vacuous: the runs met every kind of movement, and corrections of what intermediate ledgers said
    for (const kind of [
      "order",
      "refund",
      "cancellation",
      "expiry",
      "loss",
      "correction",
      "bonus",
      "bonus:signup",
      "bonus:first-order",
      "bonus:first-order:clawback",
      "bonus:birthday",
      "expiry:inactivity",
      "expiry:lifetime",
      "expiry:lifetime:partial",
    ])
      expect(seen[kind], kind).toBeGreaterThan(0);
  });
});
