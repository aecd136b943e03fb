// A shop's ledger for product affinity, written through the ledger's own write path (orders with their lines, a
// refund of a line, the catalogue), with planted structure — two products bought together, one bought on a later day
// after another — among noise: what tests/integration/affinity.test.ts and the products page's e2e test run on.
import type { LedgerOrder } from "../../app/domain/ledger-types";
import { mulberry32 } from "../../app/domain/predictions/simulate";
import { applyOrders, applyProducts, applyRefunds } from "../../app/models/ledger.server";

export const P = (n: number) => `gid://shopify/Product/${n}`;
export const DAY = 86_400_000;
export const START = Date.parse("2025-06-01T00:00:00.000Z");

export interface Plan {
  together: [number, number];
  first: number;
  then: number;
  noise: number[];
  archived: number;
  /** Catalogue titles by product number (default "Product n"). */
  titles?: Record<number, string>;
  /** Customer gid numbers start after this (default 0). */
  customerBase?: number;
}
export const A_PLAN: Plan = { together: [1, 2], first: 3, then: 4, noise: [5, 6, 7, 8, 9, 10, 11, 12], archived: 12 };
// Shop B: the same product ids with other structure (5 with 6 together), so a leak between shops would show.
export const B_PLAN: Plan = { together: [5, 6], first: 7, then: 8, noise: [1, 2, 3, 4, 9, 10, 11, 12], archived: 1 };

let lineSeq = 0;
export function order(shop: string, id: number, customer: string, day: number, products: number[]): LedgerOrder {
  const at = new Date(START + day * DAY + 3_600_000);
  return {
    id: `gid://shopify/Order/${id}`,
    customerId: customer,
    name: `#${id}`,
    processedAt: at,
    cancelledAt: null,
    test: false,
    currencyCode: "USD",
    currentTotalMinor: 1000 * products.length,
    discountCodes: [],
    discountMinor: 0,
    sourceUpdatedAt: at,
    lines: products.map((p) => ({
      id: `gid://shopify/LineItem/${shop.length}${++lineSeq}`,
      productId: P(p),
      variantId: null,
      title: `Product ${p}`,
      variantTitle: null,
      vendor: null,
      sku: null,
      quantity: 1,
      amountMinor: 1000,
      giftCard: false,
    })),
  };
}

/** A seeded shop: 400 customers; the probes (customers 9001–9003) are the ones whose recommendations are checked. */
export async function seedAffinityShop(shop: string, plan: Plan, seedValue: number) {
  const random = mulberry32(seedValue);
  const pick = () => plan.noise[Math.floor(random() * plan.noise.length)];
  const orders: LedgerOrder[] = [];
  let id = seedValue * 100_000;
  for (let c = 1; c <= 400; c++) {
    const customer = `gid://shopify/Customer/${(plan.customerBase ?? 0) + c}`;
    const first: number[] = [pick()];
    if (random() < 0.5) first.push(pick());
    if (random() < 0.4) {
      first.push(plan.together[0]);
      if (random() < 0.8) first.push(plan.together[1]);
    }
    const buysFirst = random() < 0.3;
    if (buysFirst) first.push(plan.first);
    const day = Math.floor(random() * 200);
    orders.push(order(shop, ++id, customer, day, [...new Set(first)]));
    if (buysFirst || random() < 0.4) {
      const later = [pick()];
      if (buysFirst && random() < 0.8) later.push(plan.then);
      orders.push(order(shop, ++id, customer, day + 30 + Math.floor(random() * 30), [...new Set(later)]));
    }
  }
  // Probes: one of the pair, the antecedent of "next", and the pair's first half bought with the other refunded.
  orders.push(order(shop, ++id, "gid://shopify/Customer/9001", 300, [plan.together[0]]));
  orders.push(order(shop, ++id, "gid://shopify/Customer/9002", 300, [plan.first]));
  const refunded = order(shop, ++id, "gid://shopify/Customer/9003", 300, [plan.together[0], plan.together[1]]);
  orders.push(refunded);
  for (let i = 0; i < orders.length; i += 200) await applyOrders(shop, orders.slice(i, i + 200));
  await applyRefunds(shop, [
    {
      id: `gid://shopify/Refund/${id}`,
      orderId: refunded.id,
      createdAt: new Date(START + 301 * DAY),
      amountMinor: 1000,
      currencyCode: "USD",
      lines: [
        { id: `gid://shopify/RefundLineItem/${id}`, lineId: refunded.lines![1].id, quantity: 1, amountMinor: 1000 },
      ],
    },
  ]);
  await applyProducts(
    shop,
    Array.from({ length: 12 }, (_, i) => ({
      id: P(i + 1),
      title: plan.titles?.[i + 1] ?? `Product ${i + 1}`,
      handle: `product-${i + 1}`,
      productType: "Thing",
      vendor: "Maker",
      status: i + 1 === plan.archived ? "ARCHIVED" : "ACTIVE",
      sourceUpdatedAt: new Date(START),
    })),
  );
}
