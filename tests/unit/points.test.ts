// The points rules (docs/rules.md#points) on one customer: what an order earns, exactly; pending, then available;
// clawbacks from pending, from available, and the loss when the balance is short; cancellations, edits, orders that
// stop qualifying; expiry on the shop's local day; the programme start and rule versions; the appends that bring a
// journal to its target; balances. Then a property: any delivery order of a generated history, derived after every
// delivery, ends on the journal a rebuild writes — source by source, and in balances at every moment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  balancesAt,
  DEFAULT_POINTS_RULES,
  expiryAfter,
  journalAppends,
  orderPoints,
  pointsCsvLine,
  rulesAt,
  sourceOf,
  targetEntries,
  validatePointsRules,
  type PointsEntryValues,
  type PointsOrder,
  type PointsProgramme,
  type PointsRules,
} from "../../app/domain/points";
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
    // Expiry on 2025-02-10 takes the order's 100 (the import is not there yet); the import becomes available on
    // 2025-03-01, after that day, and expires at once; the refund then finds nothing: a loss
    expect(moves(targetEntries([o], p, FAR, { held }))).toEqual([
      ["order", 100, "2025-01-10T00:00:00.000Z", "2025-02-09T00:00:00.000Z"],
      ["expiry", -100, "2025-02-10T00:00:00.000Z", "2025-02-10T00:00:00.000Z"],
      ["expiry", -500, "2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
      ["loss", -100, "2025-04-01T00:00:00.000Z", "2025-04-01T00:00:00.000Z"],
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

describe("property: any delivery order, derived after every delivery, ends where a rebuild starts", () => {
  it("holds over generated histories (shuffled, repeated deliveries; zones; short windows)", () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(
        historyArb,
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(undefined, "Asia/Bangkok", "America/New_York"),
        fc.constantFrom(rules(), rules({ returnWindowDays: 0, expiryMonths: 1 }), rules({ ratePerMille: 333 })),
        (history, seed, timeZone, r) => {
          const p = programme({ versions: [{ version: 1, effectiveFrom: 0, rules: r }], timeZone });
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
          const rebuilt = targetEntries(final, p, end);
          expect(targetEntries(ledgerAfter(history, stream), p, end)).toEqual(rebuilt);
          expect(targetEntries([...final].reverse(), p, end)).toEqual(rebuilt);
          expect(journalAppends([], rebuilt)).toEqual(rebuilt);

          // Derived after every delivery, the moment moving on: the same sources and balances, whatever came between
          const journal: PointsEntryValues[] = [];
          stream.forEach((_, k) => {
            const now = START + Math.floor(((end - START) * (k + 1)) / stream.length);
            journal.push(
              ...journalAppends(journal, targetEntries(ledgerAfter(history, stream.slice(0, k + 1)), p, now)),
            );
          });
          journal.push(...journalAppends(journal, targetEntries(final, p, end)));
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
          }
        },
      ),
      { numRuns: 300 },
    );
    // Not vacuous: the runs met every kind of movement, and corrections of what intermediate ledgers said
    for (const kind of ["order", "refund", "cancellation", "expiry", "loss", "correction"])
      expect(seen[kind], kind).toBeGreaterThan(0);
  });
});
