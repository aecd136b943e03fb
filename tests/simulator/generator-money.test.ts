// Money in a generated file is exact and self-consistent: decimals by currency, single currency, current totals
// that follow from refunds (or an edit), refunds that add up.
import { beforeAll, describe, expect, it } from "vitest";
import type { MoneyBag, OrderRecord, RefundRecord, ShopFileRecord } from "../../simulator/shop-file/types";
import fc from "fast-check";
import { formatMinor, generateShop, parseMinor } from "../../simulator/generator";

let usd: ShopFileRecord[];
let jpy: ShopFileRecord[];
beforeAll(() => {
  usd = [...generateShop({ preset: "demo", seed: 11 })];
  jpy = [...generateShop({ preset: "demo-jpy", seed: 11 })];
});

const BAGS = [
  "totalPriceSet",
  "currentTotalPriceSet",
  "totalRefundedSet",
  "subtotalPriceSet",
  "totalDiscountsSet",
] as const;
const ordersOf = (records: ShopFileRecord[]) => records.filter((r): r is OrderRecord => r.__typename === "Order");
const refundsOf = (records: ShopFileRecord[]) => records.filter((r): r is RefundRecord => r.__typename === "Refund");
function bagsOf(records: ShopFileRecord[]): MoneyBag[] {
  return [
    ...ordersOf(records).flatMap((o) => BAGS.map((k) => o[k])),
    ...refundsOf(records).map((r) => r.totalRefundedSet),
  ];
}
/** Amount → minor units by dropping the decimal point: valid because each currency's decimals are fixed. */
const minor = (bag: MoneyBag) => BigInt(bag.shopMoney.amount.replace(".", ""));

describe("money in generated shops", () => {
  it("writes USD amounts with exactly two decimals", () => {
    for (const bag of bagsOf(usd)) expect(bag.shopMoney.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('writes JPY amounts without decimals, like "1200"', () => {
    const amounts = bagsOf(jpy).map((b) => b.shopMoney.amount);
    for (const amount of amounts) expect(amount).toMatch(/^\d+$/);
    expect(amounts.some((a) => Number(a) >= 1000)).toBe(true);
  });

  it.each([
    ["USD", () => usd],
    ["JPY", () => jpy],
  ])("keeps %s orders in the shop currency, presentment equal to shop money", (code, get) => {
    const records = get();
    expect(records[0]).toMatchObject({ __typename: "Shop", currencyCode: code });
    for (const order of ordersOf(records)) {
      expect(order.currencyCode).toBe(code);
      expect(order.presentmentCurrencyCode).toBe(code);
    }
    for (const bag of bagsOf(records)) {
      expect(bag.shopMoney.currencyCode).toBe(code);
      expect(bag.presentmentMoney).toEqual(bag.shopMoney);
    }
  });

  it.each([
    ["USD", () => usd],
    ["JPY", () => jpy],
  ])("%s: current total = total − refunded, unless the order was edited", (_, get) => {
    const unedited = ordersOf(get()).filter((o) => !o.edited);
    for (const o of unedited)
      expect(minor(o.currentTotalPriceSet)).toBe(minor(o.totalPriceSet) - minor(o.totalRefundedSet));
  });

  it.each([
    ["USD", () => usd],
    ["JPY", () => jpy],
  ])("%s: an order's refunds add up to its totalRefunded", (_, get) => {
    const records = get();
    const refunded = new Map<string, bigint>();
    for (const r of refundsOf(records))
      refunded.set(r.order.id, (refunded.get(r.order.id) ?? 0n) + minor(r.totalRefundedSet));
    expect(refunded.size).toBeGreaterThan(0);
    for (const o of ordersOf(records)) expect(minor(o.totalRefundedSet)).toBe(refunded.get(o.id) ?? 0n);
  });

  it("never refunds more than was paid, and never leaves a negative current total", () => {
    for (const o of [...ordersOf(usd), ...ordersOf(jpy)]) {
      expect(minor(o.totalRefundedSet)).toBeLessThanOrEqual(minor(o.totalPriceSet));
      expect(minor(o.currentTotalPriceSet)).toBeGreaterThanOrEqual(0n);
    }
  });

  it("changes the current total of edited orders without a refund", () => {
    const edited = [...ordersOf(usd), ...ordersOf(jpy)].filter((o) => o.edited);
    expect(edited.length).toBeGreaterThan(0);
    for (const o of edited) {
      expect(minor(o.totalRefundedSet)).toBe(0n);
      expect(minor(o.currentTotalPriceSet)).not.toBe(minor(o.totalPriceSet));
    }
  });

  it("shows a discount exactly on orders with a discount code", () => {
    for (const o of [...ordersOf(usd), ...ordersOf(jpy)]) {
      expect(minor(o.totalDiscountsSet) > 0n, o.name).toBe(o.discountCodes.length > 0);
    }
  });

  it("keeps the subtotal (after discounts) within the total, which adds shipping and tax", () => {
    for (const o of [...ordersOf(usd), ...ordersOf(jpy)]) {
      expect(minor(o.subtotalPriceSet)).toBeLessThanOrEqual(minor(o.totalPriceSet));
    }
  });

  it("fully refunds cancelled orders unless the payment was declined", () => {
    const cancelled = [...ordersOf(usd), ...ordersOf(jpy)].filter((o) => o.cancelledAt !== null);
    expect(cancelled.length).toBeGreaterThan(0);
    for (const o of cancelled) {
      const expected = o.cancelReason === "DECLINED" ? minor(o.totalPriceSet) : 0n;
      expect(minor(o.currentTotalPriceSet)).toBe(expected);
    }
  });
});

describe("minor-unit formatting", () => {
  it("round-trips any integer amount through its decimal string, for 0, 2 and 3 decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom(0, 2, 3), (amount, decimals) => {
        const text = formatMinor(amount, decimals);
        expect(text).toMatch(decimals === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${decimals}}$`));
        expect(parseMinor(text, decimals)).toBe(amount);
      }),
    );
  });

  it("reads the Admin API's shorter forms exactly and refuses sub-unit digits", () => {
    expect(parseMinor("10.0", 2)).toBe(1000);
    expect(parseMinor("12.5", 2)).toBe(1250);
    expect(parseMinor("0.1", 2) + parseMinor("0.2", 2)).toBe(30);
    expect(parseMinor("1200.00", 0)).toBe(1200);
    expect(() => parseMinor("1.005", 2)).toThrow(/more than 2 decimal digits/);
  });
});
