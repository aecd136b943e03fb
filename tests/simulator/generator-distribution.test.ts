// The demo shop has the shapes real shops have: one-time buyers and a loyal minority, heavy-tailed order values,
// the holiday peak and the weekly rhythm, churn, and every kind of awkward order the app must handle.
import { beforeAll, describe, expect, it } from "vitest";
import type { CustomerRecord, OrderRecord, ShopFileRecord } from "../../simulator/shop-file/types";
import { generateShop, resolveOptions } from "../../simulator/generator";

const DEMO = { preset: "demo", seed: 42 } as const;
const THAI = /[\u0E00-\u0E7F]/;
const JAPANESE = /[\u3040-\u30FF\u4E00-\u9FFF]/;

let records: ShopFileRecord[];
let customers: CustomerRecord[];
let orders: OrderRecord[];
let ordersPerCustomer: Map<string, number>;

beforeAll(() => {
  records = [...generateShop(DEMO)];
  customers = records.filter((r): r is CustomerRecord => r.__typename === "Customer");
  orders = records.filter((r): r is OrderRecord => r.__typename === "Order");
  ordersPerCustomer = new Map(customers.map((c) => [c.id, 0]));
  for (const o of orders)
    if (o.customer) ordersPerCustomer.set(o.customer.id, ordersPerCustomer.get(o.customer.id)! + 1);
});

const minor = (amount: string) => Number(amount.replace(".", ""));
const share = (part: number, whole: number) => part / whole;

describe("demo shop distribution", () => {
  it("has 200 customers", () => {
    expect(customers).toHaveLength(200);
  });

  it("has most customers buying exactly once", () => {
    // Given the number of orders each customer placed
    const once = [...ordersPerCustomer.values()].filter((n) => n === 1).length;
    // Then more than half of all customers bought exactly once
    expect(share(once, customers.length)).toBeGreaterThan(0.5);
  });

  it("has a loyal minority with five or more orders", () => {
    const loyal = [...ordersPerCustomer.values()].filter((n) => n >= 5).length;
    expect(loyal).toBeGreaterThan(0);
    expect(share(loyal, customers.length)).toBeLessThan(0.25);
  });

  it("has a long tail: the busiest customer ordered far more than five times", () => {
    expect(Math.max(...ordersPerCustomer.values())).toBeGreaterThanOrEqual(15);
  });

  it("has some customers who never ordered (prospects)", () => {
    expect([...ordersPerCustomer.values()].filter((n) => n === 0).length).toBeGreaterThan(0);
  });

  it.each([
    ["guest orders", (o: OrderRecord) => o.customer === null],
    ["test orders", (o: OrderRecord) => o.test],
    ["cancelled orders", (o: OrderRecord) => o.cancelledAt !== null],
    [
      "partially refunded orders",
      (o: OrderRecord) =>
        minor(o.totalRefundedSet.shopMoney.amount) > 0 && minor(o.currentTotalPriceSet.shopMoney.amount) > 0,
    ],
    [
      "fully refunded orders",
      (o: OrderRecord) =>
        o.cancelledAt === null &&
        minor(o.totalRefundedSet.shopMoney.amount) > 0 &&
        minor(o.currentTotalPriceSet.shopMoney.amount) === 0,
    ],
    ["edited orders", (o: OrderRecord) => o.edited],
    ["orders with a discount code", (o: OrderRecord) => o.discountCodes.length > 0],
  ])("has some %s, but they are a minority", (_, isKind) => {
    const count = orders.filter(isKind).length;
    expect(count).toBeGreaterThan(0);
    expect(share(count, orders.length)).toBeLessThan(0.3);
  });

  it("has Thai customers with Thai-script names, locale th and Bangkok or Chiang Mai addresses", () => {
    const thai = customers.filter((c) => c.locale === "th" && THAI.test(`${c.firstName}${c.lastName}`));
    expect(thai.length).toBeGreaterThan(5);
    const cities = new Set(thai.map((c) => c.defaultAddress?.city));
    expect(cities.has("Bangkok") || cities.has("Chiang Mai")).toBe(true);
    expect(
      thai.some((c) => c.defaultAddress?.countryCodeV2 === "TH" && THAI.test(c.defaultAddress.address1 ?? "")),
    ).toBe(true);
  });

  it("has English and Japanese customers too", () => {
    expect(customers.some((c) => c.locale === "en" && /^[A-Za-z' ]+$/.test(c.lastName ?? ""))).toBe(true);
    expect(customers.some((c) => c.locale === "ja" && JAPANESE.test(`${c.firstName}${c.lastName}`))).toBe(true);
  });

  it("peaks in November and December", () => {
    // Given each order's month (UTC; the shop is in New York, so a few edge hours shift but not the shape)
    const holiday = orders.filter((o) => [10, 11].includes(new Date(o.processedAt).getUTCMonth())).length;
    // Then November and December carry more than their 2/12 of the year
    expect(share(holiday, orders.length)).toBeGreaterThan(2 / 12);
  });

  it("has heavy-tailed order values: mean above median, a few orders far above it", () => {
    const totals = orders.map((o) => minor(o.totalPriceSet.shopMoney.amount)).sort((a, b) => a - b);
    const median = totals[Math.floor(totals.length / 2)];
    const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
    expect(mean).toBeGreaterThan(median * 1.1);
    expect(totals.at(-1)!).toBeGreaterThan(median * 4);
  });

  it("has repeat customers who stopped buying more than a year before endDate (churn)", () => {
    const end = Date.parse(resolveOptions(DEMO).endDate);
    const last = new Map<string, number>();
    for (const o of orders)
      if (o.customer) last.set(o.customer.id, Math.max(last.get(o.customer.id) ?? 0, Date.parse(o.processedAt)));
    const churned = [...last].filter(([id, at]) => ordersPerCustomer.get(id)! >= 2 && end - at > 365 * 86_400_000);
    expect(churned.length).toBeGreaterThan(0);
  });

  it("has repeat customers with a long quiet gap between two orders", () => {
    const times = new Map<string, number[]>();
    for (const o of orders)
      if (o.customer) times.set(o.customer.id, [...(times.get(o.customer.id) ?? []), Date.parse(o.processedAt)]);
    const longGap = [...times.values()].some((t) => t.some((at, i) => i > 0 && at - t[i - 1] > 180 * 86_400_000));
    expect(longGap).toBe(true);
  });
});

describe("weekly rhythm", () => {
  it("sells more on Sundays than on Saturdays (shop local time)", () => {
    // Given a larger shop so the weekly pattern stands out of the noise (New York, UTC−5)
    const local = (o: OrderRecord) => new Date(Date.parse(o.processedAt) - 5 * 3_600_000).getUTCDay();
    const byDay = new Array(7).fill(0);
    for (const r of generateShop({ preset: "demo", seed: 42, customers: 3_000 })) {
      if (r.__typename === "Order") byDay[local(r)]++;
    }
    // Then Sunday beats Saturday clearly
    expect(byDay[0]).toBeGreaterThan(byDay[6] * 1.1);
  });
});
