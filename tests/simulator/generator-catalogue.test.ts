// The generator's catalogue and line items (simulator/generator/catalogue.ts): exact money (lines sum to the order's
// subtotal, allocations to its discounts, refunded lines never more than was bought), deterministic from the seed, and
// the structure it plants really in the data: partners bought together and follow-ups bought next far above chance.
import { describe, expect, it } from "vitest";
import { generateShop } from "../../simulator/generator/index";
import { parseMinor } from "../../simulator/generator/money";
import type { OrderRecord, ProductFileRecord, RefundRecord, ShopFileRecord } from "../../simulator/shop-file/types";
import type { TruthSummary } from "../../simulator/generator/truth";

function generate(seed: number, customers: number) {
  const records: ShopFileRecord[] = [];
  const it = generateShop({ preset: "demo", seed, customers, endDate: "2026-11-01T00:00:00.000Z" });
  for (;;) {
    const next = it.next();
    if (next.done) return { records, truth: next.value as TruthSummary };
    records.push(next.value);
  }
}

const { records, truth } = generate(5, 600);
const orders = records.filter((r): r is OrderRecord => r.__typename === "Order");
const refunds = records.filter((r): r is RefundRecord => r.__typename === "Refund");
const products = records.filter((r): r is ProductFileRecord => r.__typename === "Product");
const minor = (amount: string) => parseMinor(amount, truth.decimals);

describe("generated line items", () => {
  it("sum to each order's subtotal exactly, their allocations to its discounts", () => {
    expect(orders.length).toBeGreaterThan(1000);
    for (const order of orders) {
      const lines = order.lineItems ?? [];
      expect(lines.length).toBeGreaterThan(0);
      const amounts = lines.map(
        (l) =>
          minor(l.originalUnitPriceSet.shopMoney.amount) * l.quantity -
          l.discountAllocations.reduce((s, a) => s + minor(a.allocatedAmountSet.shopMoney.amount), 0),
      );
      expect(amounts.every((a) => a >= 0)).toBe(true);
      expect(amounts.reduce((a, b) => a + b, 0)).toBe(minor(order.subtotalPriceSet.shopMoney.amount));
      const allocated = lines
        .flatMap((l) => l.discountAllocations)
        .map((a) => minor(a.allocatedAmountSet.shopMoney.amount));
      expect(allocated.reduce((a, b) => a + b, 0)).toBe(minor(order.totalDiscountsSet.shopMoney.amount));
    }
  });

  it("name products of the catalogue, and refunds give back at most what was bought", () => {
    const ids = new Set(products.map((p) => p.id));
    expect(products.length).toBe(truth.lines.products);
    for (const order of orders) for (const line of order.lineItems ?? []) expect(ids.has(line.product!.id)).toBe(true);
    const lineOf = new Map(orders.flatMap((o) => (o.lineItems ?? []).map((l) => [l.id, { line: l, order: o }])));
    const refunded = new Map<string, number>();
    for (const refund of refunds)
      for (const r of refund.refundLineItems ?? []) {
        const held = lineOf.get(r.lineItem.id)!;
        expect(held.order.id).toBe(refund.order.id);
        refunded.set(r.lineItem.id, (refunded.get(r.lineItem.id) ?? 0) + r.quantity);
        expect(refunded.get(r.lineItem.id)!).toBeLessThanOrEqual(held.line.quantity);
      }
    expect(refunded.size).toBeGreaterThan(20);
  });

  it("are the same for the same seed", () => {
    const again = generate(5, 600).records;
    expect(JSON.stringify(again)).toBe(JSON.stringify(records));
    expect(JSON.stringify(generate(6, 600).records)).not.toBe(JSON.stringify(records));
  });

  it("carry the planted structure: partners bought together, follow-ups bought next, far above chance", () => {
    const baskets = orders.map((o) => new Set((o.lineItems ?? []).map((l) => l.product!.id)));
    const share = (p: string) => baskets.filter((b) => b.has(p)).length / baskets.length;
    // Bought together: P(b in the order | a in it) against P(b in any order), over the planted pairs with support
    let withA = 0;
    let withBoth = 0;
    let expected = 0;
    for (const [a, b] of truth.catalogue!.boughtTogether) {
      const holding = baskets.filter((x) => x.has(a));
      withA += holding.length;
      withBoth += holding.filter((x) => x.has(b)).length;
      expected += holding.length * share(b);
    }
    expect(withA).toBeGreaterThan(200);
    expect(withBoth / expected).toBeGreaterThan(3);
    // Bought next: the customer's next order holds the follow-up of a product of their previous one
    const byCustomer = new Map<string, Set<string>[]>();
    orders.forEach((o, i) => {
      if (!o.customer) return;
      const list = byCustomer.get(o.customer.id) ?? [];
      list.push(baskets[i]);
      byCustomer.set(o.customer.id, list);
    });
    let after = 0;
    let followed = 0;
    let chance = 0;
    for (const [a, c] of truth.catalogue!.boughtNext)
      for (const list of byCustomer.values())
        for (let k = 1; k < list.length; k++)
          if (list[k - 1].has(a)) {
            after++;
            if (list[k].has(c)) followed++;
            chance += share(c);
          }
    expect(after).toBeGreaterThan(100);
    expect(followed / chance).toBeGreaterThan(2);
  });

  it("popularity is skewed: the top tenth of products carries far more than a tenth of the lines", () => {
    const counts = Object.values(truth.lines.perProduct)
      .map((p) => p.lines)
      .sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(counts.length / 10)).reduce((a, b) => a + b, 0);
    expect(top / counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.2);
  });
});
